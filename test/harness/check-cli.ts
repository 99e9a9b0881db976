/**
 * check-cli — runs `vaultgate check` as a GitLab job would (its ID token in
 * $VAULT_ID_TOKEN) against the test vault, writing all three reports, and reads them
 * back: the report, the outputs, and what is wrong with them in any case (a secret or the
 * token in an output, a stack trace, a report that breaks its schema, "bug in vaultgate").
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckReport } from "@vaultgate/core";
import { runCli, type CliResult } from "./cli.js";
import type { GitLabContext } from "./issuer.js";
import { gitlabJobEnv } from "./job-env.js";
import { schemaValidator } from "./schema.js";
import type { VaultFixture } from "./vault-setup.js";

const validateReport = schemaValidator("check-report.v1.json");

/** CheckCliOptions: the token's claims or audience, the vault address, extra env, values that must not appear. */
export interface CheckCliOptions {
  claims?: GitLabContext;
  aud?: string;
  url?: string;
  env?: Record<string, string>;
  /** A ready ID token instead of a freshly minted one. */
  idToken?: string;
  /** Secret values of the test besides the fixture's. */
  secrets?: readonly string[];
  mount?: string;
  role?: string;
}

/** CheckCliRun is a finished check: the process, the report, the files, and the problems found in them. */
export interface CheckCliRun {
  result: CliResult;
  report: CheckReport;
  files: { json: string; markdown: string; junit: string };
  /** Every output: stdout, stderr and the three reports. */
  outputs: string[];
  /** What must never be: leaked values, stack traces, schema errors. Empty when all is well. */
  problems: string[];
}

/** checkCli runs `vaultgate check --mount jwt-gitlab --role deploy … args`. */
export async function checkCli(vault: VaultFixture, args: string[], options: CheckCliOptions = {}): Promise<CheckCliRun> {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-check-"));
  const job = await gitlabJobEnv(
    vault,
    { VAULT_ADDR: options.url ?? vault.addr, ...options.env },
    { ...(options.claims ? { ctx: options.claims } : {}), ...(options.aud ? { aud: options.aud } : {}) },
  );
  const token = options.idToken ?? job.token;
  const env = { ...job.env, VAULT_ID_TOKEN: token };
  const files = { json: join(dir, "report.json"), markdown: join(dir, "report.md"), junit: join(dir, "junit.xml") };
  const result = await runCli(
    [
      "check",
      "--mount",
      options.mount ?? "jwt-gitlab",
      "--role",
      options.role ?? "deploy",
      "--report",
      files.json,
      "--markdown",
      files.markdown,
      "--junit",
      files.junit,
      ...args,
    ],
    env,
  );
  const report = JSON.parse(readFileSync(files.json, "utf8")) as CheckReport;
  const outputs = [result.stdout, result.stderr, ...Object.values(files).map((f) => readFileSync(f, "utf8"))];
  const problems = validateReport(report).map((e) => `report: ${e}`);
  const values = [...Object.values(vault.values), ...(options.secrets ?? []), token];
  for (const text of outputs) {
    if (values.some((v) => text.includes(v))) problems.push("a secret value or the token leaked into an output");
    if (/\n\s+at /.test(text)) problems.push("a stack trace in an output");
    if (/bug in vaultgate/i.test(text)) problems.push(`"bug in vaultgate" in an output: ${text.slice(0, 300)}`);
  }
  return { result, report, files, outputs, problems };
}

/** failing lists the checks that failed, as [id, status]. */
export function failing(report: CheckReport): [string, string][] {
  return report.checks.filter((c) => c.status === "fail").map((c) => [c.id, c.status]);
}

/** checkById finds a check of the report. */
export function checkById(report: CheckReport, id: string): CheckReport["checks"][number] | undefined {
  return report.checks.find((c) => c.id === id);
}
