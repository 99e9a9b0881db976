/**
 * secrets — the secrets action: its inputs, the core call that logs in and reads, and
 * the exports (environment, outputs, 0600 files). The run's state (token, leases,
 * files) is handed to the post step with saveState as soon as the token exists, so a
 * step that fails or is cancelled later is still revoked by its post step.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  ConfigError,
  InternalError,
  openSession,
  platformTempDir,
  writeSecureFile,
  type FetchResult,
  type Session,
  type SessionState,
  type VaultgateConfig,
} from "@vaultgate/core";
import { aliasedBoolean, readConnection } from "./inputs.js";
import type { GitHubPlatform } from "./platform.js";
import { assertExportableName } from "./runner/file-commands.js";
import type { Runner } from "./runner/runner.js";

/** STATE_NAME is the saveState name the post step reads (STATE_vaultgate). */
export const STATE_NAME = "vaultgate";

/** SECRETS_INPUTS: the secrets action's own inputs, besides the connection inputs. */
export const SECRETS_INPUTS = [
  "manifest",
  "export-env",
  "exportEnv",
  "files",
  "ignoreNotFound",
  "exportToken",
  "outputToken",
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
}

/** readSecretsInputs reads and validates every input of the secrets action. */
export function readSecretsInputs(runner: Runner, cwd: string): SecretsInputs {
  const { config } = readConnection(runner, cwd);
  const ignoreNotFound = runner.booleanInput("ignoreNotFound") ?? false;
  const exportEnv = aliasedBoolean(runner, ["export-env", "exportEnv"], true);
  // Names known before login are checked before login; `*` names are checked at export.
  if (exportEnv) for (const s of config.secrets) if (s.selector.kind !== "all") assertExportableName(s.envName, s.origin);
  const exportToken = runner.booleanInput("exportToken") ?? false;
  const outputToken = runner.booleanInput("outputToken") ?? false;
  if (config.secrets.length === 0 && !exportToken && !outputToken) {
    throw new ConfigError("No secrets are requested.", {
      hint: "Add `secrets: path key | NAME` lines or a manifest (or exportToken/outputToken to hand on only the token).",
    });
  }
  return {
    // vault-action's ignoreNotFound: a missing secret is reported and skipped, not fatal.
    config: ignoreNotFound ? { ...config, secrets: config.secrets.map((s) => ({ ...s, required: false })) } : config,
    exportEnv,
    files: runner.booleanInput("files") ?? false,
    exportToken,
    outputToken,
  };
}

/** FetchedJob is a logged-in, fetched run: the values (masked) and the state of the post step. */
export interface FetchedJob {
  result: FetchResult;
  token: string;
  state: SessionState;
}

/**
 * fetchSecretsForJob logs in, saves the state for the post step, and reads every
 * secret (the core masks each value as it arrives). On failure it revokes at once.
 */
export async function fetchSecretsForJob(inputs: SecretsInputs, runner: Runner, platform: GitHubPlatform): Promise<FetchedJob> {
  const session = await openSession({ config: inputs.config, platform });
  try {
    const state = sessionState(session, inputs.config);
    runner.saveState(STATE_NAME, JSON.stringify(state));
    const result = await session.fetch();
    state.leases = session.leases.map((l) => ({ leaseId: l.leaseId, path: l.path }));
    runner.saveState(STATE_NAME, JSON.stringify(state));
    runner.info(
      `vaultgate: read ${result.secrets.length} value${result.secrets.length === 1 ? "" : "s"} from ${inputs.config.vault.url}` +
        ` as ${session.login.role ? `role ${session.login.role}` : session.login.method}` +
        `${result.skipped.length ? `, ${result.skipped.length} optional secret(s) skipped` : ""}.`,
    );
    return { result, token: session.login.token, state };
  } catch (error) {
    await revokeAfterFailure(session, runner, platform);
    throw error;
  } finally {
    session.close();
  }
}

/**
 * revokeAfterFailure ends a run whose fetch failed. The state is cleared only when the
 * revocation succeeded; otherwise the post step tries again. Never throws: the fetch's
 * own error is the one the step reports.
 */
async function revokeAfterFailure(session: Session, runner: Runner, platform: GitHubPlatform): Promise<void> {
  try {
    const report = await session.revoke();
    if (report.errors.length === 0) runner.saveState(STATE_NAME, "");
    else platform.log.warn(`revocation after the failure (the post step retries): ${report.errors.join("; ")}`);
  } catch (error) {
    platform.log.warn(
      `revocation after the failure (the post step retries): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function sessionState(session: Session, config: VaultgateConfig): SessionState {
  return {
    version: 1,
    vault: config.vault,
    token: session.login.token,
    accessor: session.login.accessor,
    ownsToken: session.login.method !== "token",
    leases: [],
    files: [],
    createdAt: new Date().toISOString(),
  };
}

/**
 * exportSecrets hands the values to the following steps: an output per secret, an
 * environment variable per secret (export-env), a 0600 file per secret (files), and the
 * token where asked. Every value must already be masked; the file paths are recorded in
 * the post step's state before the first file is written.
 */
export function exportSecrets(runner: Runner, platform: GitHubPlatform, job: FetchedJob, inputs: SecretsInputs): void {
  const secrets = job.result.secrets;
  for (const s of [...secrets.map((x) => x.value), job.token]) {
    if (!platform.isMasked(s))
      throw new InternalError("A value was about to be exported before it was masked; nothing was exported.");
  }
  if (inputs.exportEnv) for (const s of secrets) assertExportableName(s.envName, s.origin);
  const files = inputs.files ? plannedFiles(runner, secrets) : new Map<string, string>();
  if (files.size > 0) {
    job.state.files = [...new Set(files.values())];
    runner.saveState(STATE_NAME, JSON.stringify(job.state));
  }
  for (const s of secrets) {
    runner.setOutput(s.outputName, s.value);
    if (inputs.exportEnv) runner.exportVariable(s.envName, s.value);
    const file = files.get(s.envName);
    if (file === undefined) continue;
    writeSecureFile(file, s.value);
    runner.setOutput(`${s.outputName}_file`, file);
    if (inputs.exportEnv) runner.exportVariable(`${s.envName}_FILE`, file);
  }
  if (inputs.outputToken) runner.setOutput("vault_token", job.token);
  if (inputs.exportToken) runner.exportVariable("VAULT_TOKEN", job.token);
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
