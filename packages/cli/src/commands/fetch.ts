/**
 * commands/fetch — logs in, reads the secrets and writes them to a 0600 file (dotenv,
 * shell or JSON). Values go to stdout only with --unsafe-print. The run's state is
 * saved so that `vaultgate revoke` can end it; --revoke-now ends it at once.
 */
import { dirname, extname, resolve } from "node:path";
import {
  AuditRecorder,
  ConfigError,
  appendAuditRecord,
  assertWritableDir,
  toVaultgateError,
  type Platform,
  OUTPUT_FORMATS,
  checkSecretNames,
  fetchJob,
  newStatePath,
  loadConfig,
  render,
  stateFileWriter,
  writeSecureFile,
  type OutputFormat,
} from "@vaultgate/core";
import { CONFIG_HELP, CONFIG_OPTIONS, COMMON_OPTIONS, parseCommand, toInputs } from "../options.js";
import type { CommandContext } from "../context.js";

export const FETCH_HELP = `Usage: vaultgate fetch [options] --out FILE

Logs in with the job's identity, reads every secret and writes them to FILE
(created 0600, atomically). Nothing is printed unless --unsafe-print is given.

Output:
  -o, --out FILE              file to write (format from its extension: .json, .sh, else dotenv)
      --format F              dotenv, shell or json
      --state FILE            where to save the run for \`vaultgate revoke\` (default: the job's temp dir)
      --revoke-now            revoke the token right after reading (leased secrets die with it)
      --unsafe-print          print the values to stdout (for local debugging only)
      --audit FILE            append the run's audit record (JSON line, no values) to FILE [VAULTGATE_AUDIT_FILE]

${CONFIG_HELP}

Exit codes: 0 ok, 2 usage or configuration, 3 identity or login, 4 secret missing or denied,
5 vault unavailable, 6 output not writable.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CONFIG_OPTIONS,
  out: { type: "string", short: "o" },
  format: { type: "string" },
  state: { type: "string" },
  "revoke-now": { type: "boolean" },
  "unsafe-print": { type: "boolean" },
  audit: { type: "string" },
} as const;

/** fetchCommand runs `vaultgate fetch`. */
export async function fetchCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommand("fetch", argv, OPTIONS);
  if (values.help) {
    ctx.stdout.write(`${FETCH_HELP}\n`);
    return 0;
  }
  const out = values.out ? resolve(ctx.cwd, values.out) : undefined;
  if (!out && !values["unsafe-print"]) {
    throw new ConfigError("vaultgate fetch needs --out FILE (or --unsafe-print for local debugging).", {
      hint: 'e.g. vaultgate fetch --out "$RUNNER_TEMP/secrets.env"',
    });
  }
  const format: OutputFormat = values.format
    ? oneOfFormat(values.format)
    : out && extname(out) === ".json"
      ? "json"
      : out && extname(out) === ".sh"
        ? "shell"
        : "dotenv";
  const { inputs, manifest } = toInputs(values, ctx.env);
  const config = loadConfig({ inputs, manifest, env: ctx.env, cwd: ctx.cwd });
  if (config.secrets.length === 0) {
    throw new ConfigError("No secrets are requested.", { hint: 'Add --secret "PATH KEY | NAME", --secrets, or a manifest.' });
  }
  // Every place this run writes is proven writable before login, so no token is ever
  // held by a run that cannot finish (and no write can hang after login).
  if (out) assertWritableDir(dirname(out), "--out");
  const platform = ctx.platform(values);
  const auditFile = values.audit ?? (ctx.env.VAULTGATE_AUDIT_FILE || undefined);
  const audit = new AuditRecorder({
    command: "fetch",
    platform: platform.name,
    env: ctx.env,
    address: config.vault?.url,
    namespace: config.vault?.namespace,
  });
  const statePath = values.state ? resolve(ctx.cwd, values.state) : newStatePath(ctx.env);
  assertWritableDir(dirname(statePath), "the run's state");
  const keepState = stateFileWriter(statePath);
  let exitCode = 70;
  try {
    const job = await fetchJob({ config, platform, audit, saveState: keepState });
    let ended = false;
    try {
      const named = job.result.secrets.map((s) => ({ name: s.envName, value: s.value }));
      // JSON keys need not be shell names; every format keeps off the protected names.
      checkSecretNames(job.result.secrets, config.allowEnvNames, { syntax: format !== "json" });
      if (out && !values["revoke-now"]) keepState({ ...job.state, files: [out] });
      if (out) writeSecureFile(out, render(named, format));
      if (values["unsafe-print"]) ctx.stdout.write(render(named, format));
      const count = job.result.secrets.length;
      platform.log.info(
        `fetched ${count} secret${count === 1 ? "" : "s"}${out ? ` into ${out}` : ""}` +
          (values["revoke-now"] ? "" : `; run \`vaultgate revoke\` when the job is done`),
      );
      ended = !values["revoke-now"];
      // Credentials that cannot be revoked are recorded as such now; the vault's wait for `vaultgate revoke`.
      if (ended) await job.session.release();
    } finally {
      // --revoke-now, or a failure after the read: end the run here.
      if (!ended) {
        const report = await job.session.revoke();
        if (report.leftAlive.length === 0) keepState(undefined);
        else platform.log.info(`the run's state is kept in ${statePath}: run \`vaultgate revoke\` once the vault answers`);
      }
      job.session.close();
    }
    exitCode = 0;
    return 0;
  } catch (error) {
    exitCode = toVaultgateError(error).exitCode;
    audit.failure(toVaultgateError(error));
    throw error;
  } finally {
    writeAudit(auditFile, audit, exitCode, ctx, platform);
  }
}

/** writeAudit appends the record when an audit file is configured; a failure only warns. */
export function writeAudit(
  file: string | undefined,
  audit: AuditRecorder,
  exitCode: number,
  ctx: CommandContext,
  platform: Platform,
): void {
  if (!file) return;
  try {
    appendAuditRecord(resolve(ctx.cwd, file), audit.finish(exitCode));
  } catch (error) {
    platform.log.warn(toVaultgateError(error).message);
  }
}

function oneOfFormat(text: string): OutputFormat {
  const found = OUTPUT_FORMATS.find((f) => f === text.toLowerCase());
  if (!found) throw new ConfigError(`--format must be one of ${OUTPUT_FORMATS.join(", ")}, got "${text}".`);
  return found;
}
