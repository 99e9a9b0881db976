/**
 * check-report — where else the check action publishes the gate on GitHub: the inputs
 * `github-token`, `check-run` and `comment`, and the lazy import of report/github
 * (@actions/github). A separate entry point (`@vaultgate/github-actions/check-report`),
 * not re-exported by the package index, so the secrets action's bundle never carries the
 * Octokit chunk.
 */
import type { CheckReport } from "@vaultgate/core";
import { reportEnvironment } from "./check.js";
import type { Runner } from "./runner/runner.js";

/** ReportInputs: where else the gate's result goes on GitHub (check run, pull-request comment). */
export interface ReportInputs {
  token: string;
  checkRun: boolean;
  comment: boolean;
  manifest: string | undefined;
}

/** readReportInputs reads `github-token`, `check-run` (default true) and `comment` (default false). */
export function readReportInputs(runner: Runner): ReportInputs {
  const token = runner.input("github-token");
  if (token !== "") runner.mask(token);
  return {
    token,
    checkRun: runner.booleanInput("check-run") ?? true,
    comment: runner.booleanInput("comment") ?? false,
    manifest: runner.input("manifest") || undefined,
  };
}

/**
 * publishCheckToGitHub publishes the report as a check run and a pull-request comment
 * (lazily loading @actions/github). Without a token it says so once; a missing
 * permission or an API failure is a notice or warning, never a failed step.
 */
export async function publishCheckToGitHub(runner: Runner, report: CheckReport, inputs: ReportInputs): Promise<void> {
  if (!inputs.checkRun && !inputs.comment) return;
  if (inputs.token === "") {
    runner.notice("No github-token input: the check run and pull-request comment are not published.", {
      title: "vaultgate check: not published",
    });
    return;
  }
  const { publishToGitHub } = await import("./report/github.js");
  const { sourceFile } = await import("./report/locate.js");
  const published = await publishToGitHub(report, {
    token: inputs.token,
    checkRun: inputs.checkRun,
    comment: inputs.comment,
    source: sourceFile(runner.env, inputs.manifest),
    environment: reportEnvironment(report),
    notice: (message, title) => runner.notice(message, { title }),
    warning: (message, title) => runner.warning(message, { title }),
  });
  if (published.checkRunId !== undefined) runner.setOutput("check-run-id", String(published.checkRunId));
  if (published.commentId !== undefined) runner.setOutput("comment-id", String(published.commentId));
}
