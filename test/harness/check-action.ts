/**
 * check-action — runs actions/check from its committed dist/ as the GitHub runner does,
 * reads the report it names in its `report` output, and lists what must never be: a
 * report that breaks its schema, a secret value in the log (outside the protocol's
 * ::add-mask:: lines), the summary, the outputs or the report, a stack trace, or
 * "bug in vaultgate".
 */
import { readFileSync } from "node:fs";
import type { CheckReport } from "@vaultgate/core";
import type { GitHubOidcServer } from "./github-oidc.js";
import { ACTIONS, runActionStep, type StepOptions, type StepRun } from "./github-runner.js";
import { schemaValidator } from "./schema.js";

const validateReport = schemaValidator("check-report.v1.json");

/** CheckActionRun is a finished check step, its report, and the problems found. */
export interface CheckActionRun {
  run: StepRun;
  report: CheckReport;
  problems: string[];
}

/** runCheckAction runs the check action's main entry with the job's OIDC env; `values` must never appear. */
export async function runCheckAction(
  oidc: GitHubOidcServer,
  options: StepOptions,
  values: readonly string[],
): Promise<CheckActionRun> {
  const run = await runActionStep("check", ACTIONS.check.main, { ...options, env: { ...oidc.env, ...options.env } });
  const path = run.outputs.report ?? "";
  const reportText = readFileSync(path, "utf8");
  const report = JSON.parse(reportText) as CheckReport;
  const problems = validateReport(report).map((e) => `report: ${e}`);
  const log = run.stdout
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n");
  for (const text of [log, run.stderr, run.files.summary, run.files.output, run.files.env, reportText]) {
    if (values.some((v) => text.includes(v))) problems.push("a secret value leaked");
    if (/\n\s+at /.test(text)) problems.push("a stack trace");
    if (/bug in vaultgate/i.test(text)) problems.push(`"bug in vaultgate": ${text.slice(0, 300)}`);
  }
  if (run.files.env !== "") problems.push("the check wrote to GITHUB_ENV");
  return { run, report, problems };
}
