/**
 * commands/lint — `vaultgate lint`: finds over-broad trust in a live vault (read-only
 * admin token) or in Terraform / policy HCL / API JSON / IAM trust policy files, and
 * reports it as text, JSON or SARIF 2.1.0. Exit 1 when a finding has error severity.
 */
import { resolve } from "node:path";
import { ConfigError, loadConfig, parseDuration, vaultOf, writeFileAtomic } from "@vaultgate/core";
import {
  DEFAULT_LINT_OPTIONS,
  LINT_RULES,
  lint,
  readTrustFiles,
  readVaultTrust,
  rulesMarkdown,
  toLintJson,
  toLintText,
  toSarif,
  type TrustSnapshot,
} from "@vaultgate/core/policy";
import { CONFIG_OPTIONS, COMMON_OPTIONS, parseCommand, toInputs } from "../options.js";
import type { CommandContext } from "../context.js";
import { adminToken, withAdmin } from "../admin.js";

export const LINT_HELP = `Usage: vaultgate lint [FILE|DIR ...] [options]

Finds over-broad CI trust: roles any repository, branch, pull request or audience can
satisfy, names that can be recycled, long TTLs, policies that reach too far. With no
files it reads the live vault (jwt/oidc mounts, their roles, the policies they grant)
with a read-only admin token from $VAULT_TOKEN or $BAO_TOKEN (or --token-variable).
Files: Terraform (.tf), ACL policy HCL (.hcl), \`vaultgate policy --format json\` output
and IAM role trust policies (.json with a Statement).

Options:
      --format F              text (default), json or sarif (SARIF 2.1.0, for code scanning)
  -o, --output FILE           write the report to FILE (text still summarised on stderr)
      --max-ttl D             token_ttl above this is reported (default 1h)
      --rules                 print the rule table (with --format markdown: as in docs/lint.md)
      --url URL, --namespace NS, --token-variable VAR, --ca-cert ...   the live vault

Exit codes: 0 no error-severity finding, 1 an error-severity finding, 2 usage or
unreadable input, 5 the vault could not be reached.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CONFIG_OPTIONS,
  format: { type: "string" },
  output: { type: "string", short: "o" },
  "max-ttl": { type: "string" },
  rules: { type: "boolean" },
} as const;

/** lintCommand runs `vaultgate lint`. */
export async function lintCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand("lint", argv, OPTIONS, true);
  if (values.help) {
    ctx.stdout.write(`${LINT_HELP}\n`);
    return 0;
  }
  const format = values.format ?? "text";
  if (values.rules) {
    if (format !== "text" && format !== "markdown") throw new ConfigError("--rules prints text or markdown.");
    ctx.stdout.write(
      format === "markdown"
        ? rulesMarkdown()
        : LINT_RULES.map(
            (r) => `${r.id} ${r.severity.padEnd(7)} ${r.name}: ${r.title}\n  fix: ${r.fix}\n  see: ${r.reference.url}\n`,
          ).join(""),
    );
    return 0;
  }
  if (format !== "text" && format !== "json" && format !== "sarif")
    throw new ConfigError(`--format must be text, json or sarif, got "${format}".`);
  const maxTtl = parseDuration(values["max-ttl"] ?? "1h");
  if (maxTtl === undefined) throw new ConfigError(`--max-ttl must be a duration such as 1h, got "${values["max-ttl"]}".`);
  const snapshot = positionals.length > 0 ? await readTrustFiles(positionals, ctx.cwd) : await liveSnapshot(values, ctx);
  const report = lint(snapshot, { ...DEFAULT_LINT_OPTIONS, maxTtlSeconds: maxTtl });
  const text = format === "json" ? toLintJson(report) : format === "sarif" ? toSarif(report) : toLintText(report);
  if (values.output) {
    writeFileAtomic(resolve(ctx.cwd, values.output), text, 0o644);
    ctx.stderr.write(toLintText(report));
  } else ctx.stdout.write(text);
  return report.counts.error > 0 ? 1 : 0;
}

async function liveSnapshot(
  values: Parameters<typeof toInputs>[0] & { "token-variable"?: string | undefined },
  ctx: CommandContext,
): Promise<TrustSnapshot> {
  const { inputs, manifest } = toInputs(values, ctx.env);
  const config = loadConfig({ inputs, manifest, env: ctx.env, cwd: ctx.cwd });
  const vault = vaultOf(config, "vaultgate lint --live");
  const label = `${vault.url}${vault.namespace ? ` (namespace ${vault.namespace})` : ""}`;
  return withAdmin(config, adminToken(ctx.env, values["token-variable"], "lint"), "linting its trust", (client) =>
    readVaultTrust(client, label),
  );
}
