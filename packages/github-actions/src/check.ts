/**
 * check — the check action: the pre-deploy gate (core runCheck) with its report
 * published the GitHub way: the Markdown table in the job summary, one annotation per
 * failing check (and per warning), the JSON report under RUNNER_TEMP, and the outputs
 * `ok` and `report`. Nothing here sees a secret value: the report model holds none.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  ConfigError,
  VERSION,
  configErrorReport,
  parseDuration,
  platformTempDir,
  prepareSelectors,
  runCheck,
  toJson,
  toMarkdown,
  toVaultgateError,
  writeFileAtomic,
  type CheckOptions,
  type CheckReport,
  type VaultgateConfig,
} from "@vaultgate/core";
import { AWS_SOURCE_INPUTS, readConnection } from "./inputs.js";
import type { GitHubPlatform } from "./platform.js";
import type { Runner } from "./runner/runner.js";

/** CHECK_INPUTS: the check action's own inputs, besides the connection inputs (the AWS source's as the secrets action's). */
export const CHECK_INPUTS = [
  "manifest",
  "min-ttl",
  "issue-dynamic",
  "github-token",
  "check-run",
  "comment",
  ...AWS_SOURCE_INPUTS,
] as const;

/** CheckInputs: the validated configuration, or the configuration error the report will show. */
export type CheckInputs =
  { ok: true; config: VaultgateConfig; options: CheckOptions } | { ok: false; error: ConfigError; options: CheckOptions };

/** readCheckInputs reads the check action's inputs; a configuration error is returned, not thrown. */
export function readCheckInputs(runner: Runner, cwd: string): CheckInputs {
  const options: CheckOptions = { minTtlSeconds: 0, issueDynamic: false, budgetSeconds: 0 };
  try {
    const minTtl = runner.input("min-ttl");
    const seconds = minTtl === "" ? 0 : parseDuration(minTtl);
    if (seconds === undefined) throw new ConfigError(`Input min-ttl must be a duration such as 10m, got "${minTtl}".`);
    options.minTtlSeconds = seconds;
    options.issueDynamic = runner.booleanInput("issue-dynamic") ?? false;
    const { config } = readConnection(runner, cwd, AWS_SOURCE_INPUTS);
    options.budgetSeconds = config.fetch.deadlineSeconds;
    return { ok: true, config, options };
  } catch (thrown) {
    const error = toVaultgateError(thrown);
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, error, options };
  }
}

/** checkForStep runs the gate, or reports the configuration error as its one failing check. */
export async function checkForStep(inputs: CheckInputs, platform: GitHubPlatform): Promise<CheckReport> {
  if (!inputs.ok) {
    const { error } = inputs;
    return configErrorReport(`${error.message}${error.hint ? ` ${error.hint}` : ""}`, inputs.options, VERSION);
  }
  try {
    await prepareSelectors(inputs.config.secrets);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return configErrorReport(`${error.message}${error.hint ? ` ${error.hint}` : ""}`, inputs.options, VERSION);
  }
  return runCheck(inputs.config, platform, inputs.options);
}

/**
 * publishCheckReport writes the JSON report (0644, under RUNNER_TEMP), appends the
 * Markdown to the job summary, annotates each failing or warning check, and sets the
 * outputs `ok` and `report`. Returns the report's path.
 */
export async function publishCheckReport(runner: Runner, report: CheckReport): Promise<string> {
  const path = join(platformTempDir(runner.env), `vaultgate-check-${randomBytes(6).toString("hex")}.json`);
  writeFileAtomic(path, toJson(report), 0o644);
  await runner.appendSummary(toMarkdown(report, { environment: reportEnvironment(report) }));
  for (const check of report.checks) {
    const title = `vaultgate check: ${check.title}`;
    if (check.status === "fail") runner.error(check.reason, { title });
    else if (check.status === "warn") runner.warning(check.reason, { title });
  }
  runner.setOutput("ok", String(report.ok));
  runner.setOutput("report", path);
  return path;
}

/** checkVerdict is the one-line result of the gate, for the step's log. */
export function checkVerdict(report: CheckReport): string {
  const failed = report.checks.filter((c) => c.required && c.status === "fail").map((c) => c.title);
  return report.ok
    ? `vaultgate check passed: ${report.summary.pass} passed, ${report.summary.warn} warning(s).`
    : `vaultgate check failed: ${failed.length} required check(s) failed${failed.length ? ` (${failed.join("; ")})` : ""}.`;
}

/** reportEnvironment is the deployment environment of the job, from its OIDC token's `environment` claim. */
export function reportEnvironment(report: CheckReport): string | undefined {
  const environment = report.identity.claims.environment;
  return typeof environment === "string" && environment !== "" ? environment : undefined;
}
