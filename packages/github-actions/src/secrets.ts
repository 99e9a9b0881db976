/**
 * secrets — the secrets action: its inputs, the core call that logs in and reads, and
 * the exports (environment, outputs, 0600 files). The run's state (token, leases,
 * files) is written to a 0600 state file under RUNNER_TEMP as soon as the token exists,
 * and only that file's path is handed to the post step (GITHUB_STATE): a step that
 * fails or is cancelled later is still revoked by its post step, and the post step's
 * environment stays small whatever the inputs (a large CA bundle).
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  AuditRecorder,
  stateDir,
  stateFileWriter,
  ConfigError,
  InternalError,
  appendAuditRecord,
  assertEnvName,
  assertWritableDir,
  auditMarkdown,
  checkSecretNames,
  fetchJob,
  platformTempDir,
  sourcesLabel,
  toVaultgateError,
  writeSecureFile,
  type FetchResult,
  type SessionState,
  type VaultgateConfig,
} from "@vaultgate/core";
import { AWS_INPUTS, aliasedBoolean, readConnection } from "./inputs.js";
import type { GitHubPlatform } from "./platform.js";
import type { Runner } from "./runner/runner.js";

/** STATE_NAME is the saveState name the post step reads (STATE_vaultgate): the state file's path. */
export const STATE_NAME = "vaultgate";

/**
 * actionStatePath names this step's state file, in the job's state directory but not
 * named like the CLI's (`state-…`), so a `vaultgate revoke` step for a CLI fetch never
 * ends the action's run before its post step does.
 */
export function actionStatePath(env: Runner["env"]): string {
  return join(stateDir(env), `action-${randomBytes(8).toString("hex")}.json`);
}

/** SECRETS_INPUTS: the secrets action's own inputs, besides the connection inputs. */
export const SECRETS_INPUTS = [
  "manifest",
  "export-env",
  "exportEnv",
  "files",
  "ignoreNotFound",
  "exportToken",
  "outputToken",
  "audit",
  "allow-env-names",
  "pki",
  "secretEncodingType",
  ...AWS_INPUTS,
] as const;

/** SecretsInputs is the secrets action's validated configuration. */
export interface SecretsInputs {
  config: VaultgateConfig;
  /** Export each secret as an environment variable of the following steps (default true). */
  exportEnv: boolean;
  /** Also write each secret to a 0600 file and output its path as <output>_file (default false). */
  files: boolean;
  /** Export the vault token as VAULT_TOKEN (vault-action's exportToken). */
  exportToken: boolean;
  /** Set the vault_token output (vault-action's outputToken). */
  outputToken: boolean;
  /** Append the run's audit record (one JSON line, no values) to this file in the post step. */
  auditFile: string | undefined;
}

/** readSecretsInputs reads and validates every input of the secrets action. */
export function readSecretsInputs(runner: Runner, cwd: string): SecretsInputs {
  const { config } = readConnection(runner, cwd, ["allow-env-names", "pki", "secretEncodingType", ...AWS_INPUTS]);
  const ignoreNotFound = runner.booleanInput("ignoreNotFound") ?? false;
  const exportEnv = aliasedBoolean(runner, ["export-env", "exportEnv"], true);
  // Names known before login are checked before login (the core has already refused
  // protected and duplicate names); `*` names are checked by the same rule at export.
  if (exportEnv) for (const s of config.secrets) if (s.selector.kind !== "all") assertEnvName(s.envName, s.origin);
  const exportToken = runner.booleanInput("exportToken") ?? false;
  const outputToken = runner.booleanInput("outputToken") ?? false;
  if (!config.vault && (exportToken || outputToken)) {
    throw new ConfigError(
      `${exportToken ? "exportToken" : "outputToken"} hands on the vault token, and these inputs name no vault.`,
      {
        hint: "Remove it (AWS-only steps export the AWS credentials with aws-export-credentials), or name the vault with url.",
      },
    );
  }
  if (config.secrets.length === 0 && !exportToken && !outputToken && !config.aws?.exportCredentials) {
    throw new ConfigError("No secrets are requested.", {
      hint: "Add `secrets: path key | NAME` lines or a manifest (or exportToken/outputToken to hand on only the token, aws-export-credentials the AWS credentials).",
    });
  }
  const exports = { exportEnv, files: runner.booleanInput("files") ?? false, exportToken, outputToken };
  assertExportTargets(runner, { ...exports, auditFile: undefined });
  return {
    // vault-action's ignoreNotFound: a missing secret is reported and skipped, not fatal.
    config: ignoreNotFound ? { ...config, secrets: config.secrets.map((s) => ({ ...s, required: false })) } : config,
    ...exports,
    auditFile: runner.input("audit") || undefined,
  };
}

/** FetchedJob is a logged-in, fetched run: the values (masked) and the state of the post step. */
export interface FetchedJob {
  result: FetchResult;
  token: string;
  /** The sources' own credentials to export (sources.aws.export-credentials), already masked. */
  credentials: { name: string; value: string }[];
  state: SessionState;
  audit: AuditRecorder;
  /** keepState rewrites the state file the post step will read. */
  keepState(state: SessionState): void;
}

/**
 * fetchSecretsForJob logs in, hands the state to the post step, and reads every secret
 * (the core masks each value as it arrives). A failed read is revoked at once and its
 * audit record written here; a successful run's record travels in the state to the post
 * step, which completes it with the revocations.
 */
export async function fetchSecretsForJob(inputs: SecretsInputs, runner: Runner, platform: GitHubPlatform): Promise<FetchedJob> {
  const config = inputs.config;
  const audit = new AuditRecorder({
    command: "github-secrets",
    platform: "github",
    env: runner.env,
    address: config.vault?.url,
    namespace: config.vault?.namespace,
  });
  const statePath = actionStatePath(runner.env);
  const writeState = stateFileWriter(statePath);
  let announced: string | undefined;
  const keepState = (state: SessionState | undefined) => {
    writeState(state);
    const value = state ? statePath : "";
    if (value !== announced) runner.saveState(STATE_NAME, value);
    announced = value;
  };
  try {
    const job = await fetchJob({ config, platform, audit, saveState: keepState });
    const credentials = job.session.exports();
    await job.session.release();
    job.session.close();
    const { result, session } = job;
    runner.info(
      `vaultgate: read ${result.secrets.length} value${result.secrets.length === 1 ? "" : "s"} from ${sourcesLabel(config)}` +
        ` as ${session.identity.role ? `role ${session.identity.role}` : session.identity.method}` +
        `${result.skipped.length ? `, ${result.skipped.length} optional secret(s) skipped` : ""}.`,
    );
    return { result, token: job.state.token, credentials, state: job.state, audit, keepState };
  } catch (error) {
    const e = toVaultgateError(error);
    audit.failure(e);
    const record = audit.finish(e.exitCode);
    await runner.appendSummary(auditMarkdown(record));
    if (inputs.auditFile) appendAuditRecord(inputs.auditFile, record);
    throw error;
  }
}

/** handOver saves the state with the audit record so far, for the post step. */
export function handOver(runner: Runner, job: FetchedJob): void {
  job.state.audit = job.audit.finish(0);
  job.keepState(job.state);
}

/**
 * exportSecrets hands the values to the following steps: an output per secret, an
 * environment variable per secret (export-env), a 0600 file per secret (files), and the
 * token where asked. Every value must already be masked. Everything is prepared first —
 * names checked, records rendered, files written (their paths recorded in the post step's
 * state before the first one exists) — and only then are the outputs and variables
 * appended, all at once: a failure leaves no exported value behind.
 */
export function exportSecrets(runner: Runner, platform: GitHubPlatform, job: FetchedJob, inputs: SecretsInputs): void {
  const secrets = job.result.secrets;
  // An AWS-only run has no vault token ("").
  for (const s of [...secrets.map((x) => x.value), ...(job.token ? [job.token] : [])]) {
    if (!platform.isMasked(s))
      throw new InternalError("A value was about to be exported before it was masked; nothing was exported.");
  }
  // The one env-name rule, before the first output, variable or file: vault keys never pick
  // a protected name, and no two secrets share a name.
  if (inputs.exportEnv) checkSecretNames(secrets, inputs.config.allowEnvNames, { suffixes: inputs.files ? ["", "_FILE"] : [""] });
  checkOutputNames(secrets);
  if (inputs.exportEnv) for (const s of secrets) refuseRunnerRefused(s.envName, s.origin);
  const outputs: [string, string][] = [];
  const variables: [string, string][] = [];
  for (const s of secrets) {
    outputs.push([s.outputName, s.value]);
    if (inputs.exportEnv) variables.push([s.envName, s.value]);
  }
  const files = inputs.files ? plannedFiles(runner, secrets) : new Map<string, string>();
  if (files.size > 0) {
    job.state.files = [...new Set(files.values())];
    job.keepState(job.state);
    writeFiles(secrets, files);
    for (const s of secrets) {
      const file = files.get(s.envName);
      if (file === undefined) continue;
      outputs.push([`${s.outputName}_file`, file]);
      if (inputs.exportEnv) variables.push([`${s.envName}_FILE`, file]);
    }
  }
  if (inputs.outputToken) outputs.push(["vault_token", job.token]);
  if (inputs.exportToken) variables.push(["VAULT_TOKEN", job.token]);
  // As aws-actions/configure-aws-credentials does: the following steps can call AWS directly.
  for (const c of job.credentials) variables.push([c.name, c.value]);
  runner.exportAll(outputs, variables);
}

/** writeFiles writes each secret's 0600 file; on a failure the files already written are removed. */
function writeFiles(secrets: FetchResult["secrets"], files: ReadonlyMap<string, string>): void {
  try {
    for (const s of secrets) {
      const file = files.get(s.envName);
      if (file !== undefined) writeSecureFile(file, s.value);
    }
  } catch (error) {
    for (const file of new Set(files.values())) rmSync(file, { force: true });
    throw error;
  }
}

/**
 * assertExportTargets proves, before login, that every place the step will write is
 * there: the runner's output and state files, its env file when variables are exported,
 * and RUNNER_TEMP when files are.
 */
export function assertExportTargets(runner: Runner, inputs: Omit<SecretsInputs, "config">): void {
  runner.fileCommandPath("GITHUB_OUTPUT");
  runner.fileCommandPath("GITHUB_STATE");
  if (inputs.exportEnv || inputs.exportToken) runner.fileCommandPath("GITHUB_ENV");
  if (inputs.files) assertWritableDir(platformTempDir(runner.env), "RUNNER_TEMP, for files: true");
}

/** refuseRunnerRefused refuses NODE_OPTIONS even when allowed: the runner ignores it in GITHUB_ENV. */
function refuseRunnerRefused(name: string, origin: string): void {
  if (name.toUpperCase() === "NODE_OPTIONS") {
    throw new ConfigError(`${name} (${origin}) cannot be set through GITHUB_ENV: the runner refuses it.`, {
      hint: "Export the secret under another name.",
    });
  }
}

/**
 * checkOutputNames refuses two secrets with one step output name (one would silently win),
 * unless both are the same key of the same path (`path *` next to `path **`).
 */
function checkOutputNames(secrets: FetchResult["secrets"]): void {
  const seen = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const s of secrets) {
    const where = s.vaultKey === undefined ? s.origin : `key "${s.vaultKey}" of ${s.path} (${s.origin})`;
    const source = s.vaultKey === undefined ? undefined : `${s.path}\n${s.vaultKey}`;
    const previous = seen.get(s.outputName);
    if (previous !== undefined && (source === undefined || sources.get(s.outputName) !== source)) {
      throw new ConfigError(`Two secrets would both set the output ${s.outputName}: ${previous} and ${where}.`, {
        hint: "Give one of them another name with `| NAME`, or export a wildcard under a prefix (`prefix: APP_`).",
      });
    }
    seen.set(s.outputName, where);
    if (source !== undefined) sources.set(s.outputName, source);
  }
}

/** plannedFiles names each secret's file: <RUNNER_TEMP>/vaultgate-<random>/<ENV_NAME>. */
function plannedFiles(runner: Runner, secrets: FetchResult["secrets"]): Map<string, string> {
  const dir = join(platformTempDir(runner.env), `vaultgate-${randomBytes(6).toString("hex")}`);
  const files = new Map<string, string>();
  for (const s of secrets) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s.envName)) {
      throw new ConfigError(`"${s.envName}" (${s.origin}) cannot be used as a file name.`, {
        hint: "Rename it with `| NAME` using only letters, digits, _, . and -.",
      });
    }
    files.set(s.envName, join(dir, s.envName));
  }
  return files;
}
