/** main — the check action: inputs → the pre-deploy gate (core) → summary, annotations, check run, comment, outputs. */
import { checkForStep, checkVerdict, publishCheckReport, readCheckInputs, runStep } from "@vaultgate/github-actions";
import { publishCheckToGitHub, readReportInputs } from "@vaultgate/github-actions/check-report";

await runStep(
  async (runner, platform) => {
    const reporting = readReportInputs(runner);
    const inputs = readCheckInputs(runner, process.cwd());
    const report = await checkForStep(inputs, platform);
    await publishCheckReport(runner, report);
    await publishCheckToGitHub(runner, report, reporting);
    if (report.ok) runner.info(checkVerdict(report));
    else runner.setFailed(checkVerdict(report), { annotation: false });
  },
  { command: "github-check" },
);
