/**
 * lifecycle/end — ends a run from its saved state, in whichever process comes last
 * (`vaultgate revoke`, GitHub's post step): revokes its token and leases within one
 * budget (lifecycle/revoke), says which credentials cannot be revoked (AWS's: an
 * AWS-only run has nothing to revoke), then removes the files it wrote and the
 * vaultgate-* directories they leave empty. Failures are collected, never thrown (what is left
 * alive is logged at error level), so the caller decides what they mean for its exit.
 */
import { readdirSync, rmdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { FetchSettings, VaultConfig } from "../config/schema.js";
import { DEFAULT_FETCH } from "../config/schema.js";
import { removeFile } from "../export/files.js";
import type { Platform } from "../platform.js";
import { NOT_REVOCABLE } from "../providers/aws/reasons.js";
import { resume } from "../providers/registry.js";
import type { AuditRecorder } from "./audit.js";
import { removalRefusal } from "./paths.js";
import { revokeSessions, type RevokeReport } from "./revoke.js";
import { USER_AGENT } from "./session.js";
import type { SessionState } from "./state.js";

/** EndRunOptions: the audit to record into, whether to keep the files, how patient to be. */
export interface EndRunOptions {
  audit?: AuditRecorder | undefined;
  keepFiles?: boolean;
  fetch?: FetchSettings;
  /** The revocation's budget in seconds, retries included (default 10 s). */
  budgetSeconds?: number | undefined;
  sleep?: (ms: number) => Promise<void>;
  /** The job's temp directory: outside it only this user's regular files are removed (lifecycle/paths). */
  tempDir?: string | undefined;
}

/** EndRunResult is the revocation report and the files that could not be removed. */
export interface EndRunResult {
  report: RevokeReport;
  fileErrors: string[];
}

/** endRun revokes and cleans up what `state` describes. */
export async function endRun(state: SessionState, platform: Platform, options: EndRunOptions = {}): Promise<EndRunResult> {
  for (const source of state.unrevocable ?? []) {
    platform.log.info(`${NOT_REVOCABLE} (${source.role}${source.expiresAt ? `, ${source.expiresAt}` : ""})`);
  }
  const report = state.vault ? await revokeVault(state, state.vault, options, platform) : NOTHING_REVOCABLE;
  return { report, fileErrors: options.keepFiles ? [] : removeRunFiles(state.files, options.tempDir) };
}

/** NOTHING_REVOCABLE is the report of a run whose credentials all only expire (AWS-only). */
const NOTHING_REVOCABLE: RevokeReport = {
  token: "not-supported",
  leasesRevoked: 0,
  leasesWithToken: 0,
  errors: [],
  leftAlive: [],
  unrevocable: true,
};

/** revokeVault revokes the vault token and leases the state names, within the revocation budget. */
async function revokeVault(
  state: SessionState,
  vault: VaultConfig,
  options: EndRunOptions,
  platform: Platform,
): Promise<RevokeReport> {
  const audit = options.audit;
  platform.mask(state.token, "token");
  const session = await resume(vault, state, {
    platform,
    userAgent: USER_AGENT,
    fetch: options.fetch ?? DEFAULT_FETCH,
    ...(audit ? { observe: (e: { ms: number }) => audit.request(e.ms) } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  let report: RevokeReport;
  try {
    const target = { session, leases: state.leases, keepCredentials: !state.ownsToken, expiresAt: state.expiresAt };
    report = await revokeSessions([target], { audit, budgetSeconds: options.budgetSeconds, log: platform.log });
  } finally {
    session.close();
  }
  return report;
}

/** removeRunFiles deletes the files (or directories) and then their empty vaultgate-* parents. */
function removeRunFiles(files: readonly string[], tempDir: string | undefined): string[] {
  const errors: string[] = [];
  const dirs = new Set<string>();
  for (const file of files) {
    const refusal = tempDir === undefined ? undefined : removalRefusal(file, tempDir);
    if (refusal) {
      errors.push(`Not removing ${file}: ${refusal}.`);
      continue;
    }
    try {
      removeFile(file);
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
    if (basename(dirname(file)).startsWith("vaultgate-")) dirs.add(dirname(file));
  }
  for (const dir of dirs) {
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") errors.push(`Cannot remove ${dir}: ${String(error)}`);
    }
  }
  return errors;
}
