/**
 * commands/exec — `vaultgate exec [options] -- cmd args…`: logs in, reads the secrets,
 * runs the command with them in its environment (or as 0600 files), masks its stdout
 * and stderr, renews the token and leases while it runs, and revokes everything and
 * removes the files on every way out: success, failure, error, SIGINT and SIGTERM.
 * Exits with the command's exit code.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { constants } from "node:os";
import {
  AuditRecorder,
  ConfigError,
  assertWritableDir,
  Renewer,
  REVOKE_BUDGET_SECONDS,
  SecretMasker,
  checkSecretNames,
  parseAllowEnvNames,
  fetchJob,
  loginVariables,
  newStatePath,
  loadConfig,
  loadState,
  parseSecretsFile,
  startKeepAlive,
  platformTempDir,
  stateFileWriter,
  toVaultgateError,
  writeSecureFile,
  type VaultgateConfig,
  type FetchedSecret,
  type Platform,
  type Session,
} from "@vaultgate/core";
import { runChild } from "../child.js";
import { writeAudit } from "./fetch.js";
import type { CommandContext } from "../context.js";
import { CONFIG_HELP, CONFIG_OPTIONS, COMMON_OPTIONS, parseCommand, toInputs } from "../options.js";
import { guardSignals } from "../signals.js";

export const EXEC_HELP = `Usage: vaultgate exec [options] -- COMMAND [ARGS...]

Logs in with the job's identity, reads the secrets, and runs COMMAND with each secret
in its environment. Everything COMMAND prints (stdout and stderr) passes through the
masker: every secret value, its lines and its encodings (base64, URL, JSON, shell,
hex) are replaced by ***. While COMMAND runs, the token and renewable leases are
renewed; when it ends — or on SIGINT/SIGTERM, which are forwarded to it — the leases
and the token are revoked and the files removed. Secrets never appear in any argv.
COMMAND gets the secrets, not the identity: the login variables (the OIDC ID token,
ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, an AppRole secret_id, the token of method token)
are removed from its environment unless --keep-env names them.

Options:
      --files                 write each secret to a 0600 file instead; NAME_FILE holds its path
                              and VAULTGATE_SECRETS_DIR the directory (under the job's temp dir)
      --from-file FILE        take the secrets from a file \`vaultgate fetch\` wrote (dotenv, shell
                              or JSON) instead of logging in; output still masked
      --renew-state FILE      with --from-file: renew that fetch's token and leases (its --state
                              file) while the command runs; the fetch's revoke still ends them
      --state FILE            where to save the run so \`vaultgate revoke\` can end it if exec is killed
      --audit FILE            append the run's audit record (JSON line, no values) to FILE [VAULTGATE_AUDIT_FILE]
      --keep-env NAME         pass this login variable on to COMMAND anyway (repeatable), e.g. when
                              COMMAND runs vaultgate itself with the same identity

${CONFIG_HELP}

Exit codes: COMMAND's own exit code once it ran (128+N when signal N ended it, 127 when
it was not found); before it runs: 2 usage or configuration, 3 identity or login,
4 secret missing or denied, 5 vault unavailable, 6 files not writable.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CONFIG_OPTIONS,
  files: { type: "boolean" },
  "from-file": { type: "string" },
  "renew-state": { type: "string" },
  state: { type: "string" },
  audit: { type: "string" },
  "keep-env": { type: "string", multiple: true },
} as const;

/** execCommand runs `vaultgate exec`. */
export async function execCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand("exec", argv, OPTIONS, true);
  if (values.help) {
    ctx.stdout.write(`${EXEC_HELP}\n`);
    return 0;
  }
  const [command, ...args] = positionals;
  if (!command) {
    throw new ConfigError("vaultgate exec needs a command to run.", {
      hint: "Put it after --: vaultgate exec --role deploy -- ./deploy.sh",
    });
  }
  // The platform warns about short values once; the stream masker applies the same rule silently.
  const masker = new SecretMasker();
  const platform = ctx.platform(values, (value, request) =>
    masker.add(value, { name: request.name, minLength: request.minLength }),
  );
  if (values["from-file"]) return execFromFile(values["from-file"], command, args, values, ctx, masker, platform);
  if (values["renew-state"])
    throw new ConfigError("--renew-state goes with --from-file.", { hint: "Without --from-file, exec renews its own token." });
  const signals = guardSignals((signal) => platform.log.warn(`received ${signal}: stopping the command, then revoking`));
  const { inputs, manifest } = toInputs(values, ctx.env);
  const auditFile = values.audit ?? (ctx.env.VAULTGATE_AUDIT_FILE || undefined);
  let audit: AuditRecorder | undefined;
  let session: Session | undefined;
  let renewers: Renewer[] = [];
  let filesDir: string | undefined;
  const statePath = values.state ? resolve(ctx.cwd, values.state) : newStatePath(ctx.env);
  // Where this run will write is proven writable before login (no token for a run that cannot finish).
  assertWritableDir(dirname(statePath), "the run's state");
  if (values.files) assertWritableDir(platformTempDir(ctx.env), "the job's temp directory, for --files");
  const keepState = stateFileWriter(statePath);
  let exitCode = 70;
  try {
    const config = loadConfig({ inputs, manifest, env: ctx.env, cwd: ctx.cwd });
    audit = new AuditRecorder({
      command: "exec",
      platform: platform.name,
      env: ctx.env,
      address: config.vault?.url,
      namespace: config.vault?.namespace,
    });
    const job = await fetchJob({ config, platform, audit, saveState: keepState });
    session = job.session;
    const result = job.result;
    // Before the first file or variable exists: the names the child will see pass the one rule.
    checkSecretNames(result.secrets, config.allowEnvNames, { suffixes: values.files ? ["_FILE"] : [""] });
    if (values.files) {
      // Recorded before the first file exists, so a killed exec's files are still removed.
      filesDir = join(platformTempDir(ctx.env), `vaultgate-exec-${randomBytes(6).toString("hex")}`);
      keepState({ ...job.state, files: [filesDir] });
    }
    const env = childEnv(withoutLogin(ctx.env, config, values["keep-env"] ?? [], platform), result.secrets, filesDir);
    // A source asked to export its own credentials (sources.aws.export-credentials) hands them to the command, masked.
    for (const { name, value } of session.exports()) env[name] = value;
    // Each source renews (or re-obtains) its own credentials and leases while the command runs.
    renewers = session.sources.map((source) => {
      const who = source.identity;
      const owns = source.handOver()?.ownsToken ?? true;
      return new Renewer({
        session: source,
        platform,
        token: owns ? { ttlSeconds: who.ttlSeconds, renewable: who.renewable } : undefined,
        leases: job.session.leasesOf(source),
        audit,
      });
    });
    for (const r of renewers) r.start();
    if (signals.received) {
      exitCode = 128 + (constants.signals[signals.received] ?? 0);
      return exitCode;
    }
    platform.log.info(
      `running ${command} with ${result.secrets.length} secret${result.secrets.length === 1 ? "" : "s"}${filesDir ? ` in ${filesDir}` : ""}`,
    );
    Object.assign(env, ctx.telemetry?.childEnv());
    const child = await runChild({ command, args, env, cwd: ctx.cwd, masker, stdout: ctx.stdout, stderr: ctx.stderr, signals });
    ctx.telemetry?.childExited(child.code);
    if (child.spawnError) reportSpawnError(child, ctx);
    exitCode = child.code;
    return exitCode;
  } catch (thrown) {
    const error = toVaultgateError(thrown);
    exitCode = error.exitCode;
    audit?.failure(error);
    throw error;
  } finally {
    await Promise.all(renewers.map((r) => r.stop()));
    if (session) {
      // What is left alive is logged at error level by the revocation; its state stays for `vaultgate revoke`.
      // A signalled run is in its grace period: a throttled vault is not waited out past the budget.
      const report = await session.revoke(signals.received ? { throttledSeconds: REVOKE_BUDGET_SECONDS } : {});
      session.close();
      if (report.leftAlive.length === 0) keepState(undefined);
      else platform.log.info(`the run's state is kept in ${statePath}: run \`vaultgate revoke\` once the vault answers`);
    }
    if (filesDir) rmSync(filesDir, { recursive: true, force: true });
    if (audit) writeAudit(auditFile, audit, exitCode, ctx, platform);
    signals.release();
  }
}

/**
 * execFromFile runs the command with the values of a file `fetch` wrote: masked output,
 * forwarded signals, no login (the run that wrote the file revokes its own token).
 */
async function execFromFile(
  file: string,
  command: string,
  args: string[],
  values: Record<string, unknown>,
  ctx: CommandContext,
  masker: SecretMasker,
  platform: Platform,
): Promise<number> {
  const vaultFlags = Object.keys(CONFIG_OPTIONS).filter(
    (k) => k !== "allow-env-names" && k !== "min-mask-length" && values[k] !== undefined,
  );
  if (vaultFlags.length > 0 || values.files) {
    throw new ConfigError(
      `--from-file takes the secrets from a file; it cannot be combined with --${[...vaultFlags, ...(values.files ? ["files"] : [])].join(", --")}.`,
    );
  }
  const path = resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      hint: "Pass the file `vaultgate fetch --out` wrote (it is removed by `vaultgate revoke`).",
    });
  }
  const secrets = parseSecretsFile(text, path);
  const minLength = minMaskLengthFlag(values["min-mask-length"], ctx.env);
  for (const s of secrets) platform.mask(s.value, { name: `${s.name} (${file})`, minLength });
  const allow = values["allow-env-names"] ?? ctx.env.VAULTGATE_ALLOW_ENV_NAMES;
  checkSecretNames(
    secrets.map((s) => ({ envName: s.name, origin: path, path })),
    parseAllowEnvNames(allow, "allow-env-names"),
  );
  const keep = Array.isArray(values["keep-env"]) ? (values["keep-env"] as string[]) : [];
  const env = withoutLogin(ctx.env, undefined, keep, platform);
  for (const s of secrets) env[s.name] = s.value;
  const renewState = typeof values["renew-state"] === "string" ? resolve(ctx.cwd, values["renew-state"]) : undefined;
  const keepAlive = renewState ? await startKeepAlive(loadState(renewState), platform) : undefined;
  const signals = guardSignals((signal) => platform.log.warn(`received ${signal}: stopping the command`));
  try {
    platform.log.info(`running ${command} with ${secrets.length} secret${secrets.length === 1 ? "" : "s"} from ${path}`);
    Object.assign(env, ctx.telemetry?.childEnv());
    const child = await runChild({ command, args, env, cwd: ctx.cwd, masker, stdout: ctx.stdout, stderr: ctx.stderr, signals });
    ctx.telemetry?.childExited(child.code);
    if (child.spawnError) reportSpawnError(child, ctx);
    return child.code;
  } finally {
    await keepAlive?.stop();
    signals.release();
  }
}

/** minMaskLengthFlag reads --min-mask-length (or VAULTGATE_MIN_MASK_LENGTH) for --from-file, which loads no configuration. */
function minMaskLengthFlag(flag: unknown, env: CommandContext["env"]): number | undefined {
  const text = typeof flag === "string" ? flag : env.VAULTGATE_MIN_MASK_LENGTH;
  if (text === undefined || text.trim() === "") return undefined;
  if (!/^\d+$/.test(text.trim())) {
    throw new ConfigError(`--min-mask-length must be a whole number of 0 or more, got "${text}".`, {
      hint: "Leave it unset for the default of 4; 0 masks every value, however short.",
    });
  }
  return Number(text.trim());
}

/**
 * withoutLogin copies `env` without the login variables (identity/login-env), except the
 * ones --keep-env names: the command gets the secrets, not the means to log in itself.
 */
function withoutLogin(
  env: CommandContext["env"],
  config: Pick<VaultgateConfig, "auth" | "aws"> | undefined,
  keep: readonly string[],
  platform: Platform,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  // Every source's login material: the vault's and the AWS source's ID token alike.
  const removed = loginVariables(config?.auth, env, config?.aws).filter((name) => !keep.includes(name));
  for (const name of removed) delete out[name];
  if (removed.length > 0) {
    platform.log.debug(`the command does not get the login variables ${removed.join(", ")} (--keep-env NAME keeps one)`);
  }
  return out;
}

/** reportSpawnError says why the command did not start, as Error: and Hint: lines. */
function reportSpawnError(child: { spawnError?: string; hint?: string }, ctx: CommandContext): void {
  ctx.stderr.write(`Error: ${child.spawnError ?? ""}\n${child.hint ? `Hint: ${child.hint}\n` : ""}`);
}

/** childEnv adds the secrets (or their file paths) to the environment. */
function childEnv(
  base: NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>,
  secrets: readonly FetchedSecret[],
  filesDir: string | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (!filesDir) {
    for (const s of secrets) env[s.envName] = s.value;
    return env;
  }
  mkdirSync(filesDir, { recursive: true, mode: 0o700 });
  for (const s of secrets) {
    const file = join(filesDir, s.envName);
    writeSecureFile(file, s.value);
    env[`${s.envName}_FILE`] = file;
  }
  env.VAULTGATE_SECRETS_DIR = filesDir;
  return env;
}
