/**
 * commands/check — the pre-deploy gate on the command line: runs every check, writes
 * the JSON report (always), optionally Markdown and JUnit, prints a short table, and
 * exits 0 when every required check passes, 1 when one fails, 2 on a usage or
 * configuration error (with a report saying so).
 */
import { resolve } from "node:path";
import {
  ConfigError,
  VERSION,
  appendNoWait,
  configErrorReport,
  loadConfig,
  parseDuration,
  prepareSelectors,
  runCheck,
  toJUnit,
  toJson,
  toMarkdown,
  toText,
  toVaultgateError,
  writeFileAtomic,
  type CheckReport,
} from "@vaultgate/core";
import { CONFIG_HELP, CONFIG_OPTIONS, COMMON_OPTIONS, parseCommand, toInputs } from "../options.js";
import type { CommandContext } from "../context.js";

export const CHECK_HELP = `Usage: vaultgate check [options]

The pre-deploy gate: proves that the job's identity works, the vault answers, the
login succeeds, the token outlives the deploy and every secret is readable — without
printing, exporting or writing a single value. The token is revoked at the end.

Gate:
      --min-ttl DURATION      the planned deploy duration: token and leases must last this long (default 0)
      --issue-dynamic         issue one credential per dynamic engine, revoking its lease at once
      --timeout DURATION      overall time budget (default 60s)
Reports (none contains a secret value):
      --report FILE           JSON report, always written (default: vaultgate-check.json)
      --markdown FILE         Markdown report
      --summary FILE          append the Markdown report (e.g. "$GITHUB_STEP_SUMMARY")
      --junit FILE            JUnit XML, one testcase per check (GitLab artifacts:reports:junit)
      --format text|json      what to print on stdout (default text)
      --gitlab-note           in a GitLab merge-request pipeline, post the report as one merge-request
                              note, updated on re-runs (needs VAULTGATE_GITLAB_TOKEN, api scope)

${CONFIG_HELP}

Exit codes: 0 every required check passed, 1 a required check failed, 2 usage or configuration error.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CONFIG_OPTIONS,
  "min-ttl": { type: "string" },
  "issue-dynamic": { type: "boolean" },
  report: { type: "string" },
  markdown: { type: "string" },
  summary: { type: "string" },
  junit: { type: "string" },
  format: { type: "string" },
  "gitlab-note": { type: "boolean" },
} as const;

/** checkCommand runs `vaultgate check`. */
export async function checkCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommand("check", argv, OPTIONS);
  if (values.help) {
    ctx.stdout.write(`${CHECK_HELP}\n`);
    return 0;
  }
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") throw new ConfigError(`--format must be text or json, got "${format}".`);
  const paths = {
    report: resolve(ctx.cwd, values.report ?? "vaultgate-check.json"),
    markdown: values.markdown ? resolve(ctx.cwd, values.markdown) : undefined,
    summary: values.summary ? resolve(ctx.cwd, values.summary) : undefined,
    junit: values.junit ? resolve(ctx.cwd, values.junit) : undefined,
  };
  const platform = ctx.platform(values);
  const minTtl = values["min-ttl"] === undefined ? 0 : parseDuration(values["min-ttl"]);
  let report: CheckReport;
  let exitCode: number;
  try {
    if (minTtl === undefined) throw new ConfigError(`--min-ttl must be a duration such as 10m, got "${values["min-ttl"]}".`);
    const { inputs, manifest } = toInputs(values, ctx.env);
    const config = loadConfig({ inputs, manifest, env: ctx.env, cwd: ctx.cwd });
    await prepareSelectors(config.secrets);
    report = await runCheck(config, platform, {
      minTtlSeconds: minTtl,
      issueDynamic: values["issue-dynamic"] ?? false,
      budgetSeconds: config.fetch.deadlineSeconds,
    });
    exitCode = report.ok ? 0 : 1;
  } catch (thrown) {
    const error = toVaultgateError(thrown);
    if (!(error instanceof ConfigError)) throw error;
    report = configErrorReport(
      `${error.message}${error.hint ? ` ${error.hint}` : ""}`,
      { minTtlSeconds: minTtl ?? 0, issueDynamic: values["issue-dynamic"] ?? false, budgetSeconds: 0 },
      VERSION,
    );
    ctx.stderr.write(`Error: ${error.message}\n${error.hint ? `Hint: ${error.hint}\n` : ""}`);
    exitCode = 2;
  }
  writeFileAtomic(paths.report, toJson(report), 0o644);
  if (paths.markdown) writeFileAtomic(paths.markdown, toMarkdown(report), 0o644);
  if (paths.summary) appendNoWait(paths.summary, toMarkdown(report), 0o644, "the report");
  if (paths.junit) writeFileAtomic(paths.junit, toJUnit(report), 0o644);
  ctx.stdout.write(format === "json" ? toJson(report) : toText(report));
  if (values["gitlab-note"]) {
    // Lazily loaded: only a gate that posts a note loads the GitLab API client.
    const { publishGitLabNote } = await import("../report/gitlab-note.js");
    ctx.stderr.write(`${(await publishGitLabNote(report, ctx.env)).line}\n`);
  }
  return exitCode;
}
