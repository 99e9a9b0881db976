/** main — the check action: inputs → the pre-deploy gate (core) → summary, annotations, outputs. */
import { checkForStep, checkVerdict, publishCheckReport, readCheckInputs, runStep } from "@vaultgate/github-actions";

await runStep(async (runner, platform) => {
  const inputs = readCheckInputs(runner, process.cwd());
  const report = await checkForStep(inputs, platform);
  publishCheckReport(runner, report);
  if (report.ok) runner.info(checkVerdict(report));
  else runner.setFailed(checkVerdict(report), { annotation: false });
});
