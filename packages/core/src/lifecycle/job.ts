/**
 * lifecycle/job — the start of every run that hands secrets on (CLI fetch and exec, the
 * GitHub secrets action): log in, save the state the end of the run needs as soon as a
 * token exists and again whenever a lease appears, read the secrets; if the read fails,
 * revoke at once and clear the state only when that worked, so a later step
 * (`vaultgate revoke`, a post step, after_script, finally) can still clean up.
 */
import type { VaultgateConfig } from "../config/schema.js";
import type { FetchResult, LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import type { AuditRecorder } from "./audit.js";
import { expiresAt, openSession, type Session } from "./session.js";
import type { SessionState } from "./state.js";

/** FetchJobOptions: what to read, where to report, and how to keep the state. */
export interface FetchJobOptions {
  config: VaultgateConfig;
  platform: Platform;
  audit?: AuditRecorder | undefined;
  /** saveState persists the state; `undefined` clears it (the run ended cleanly). */
  saveState(state: SessionState | undefined): void;
}

/** FetchJob is a logged-in run with its secrets read; the caller ends it. */
export interface FetchJob {
  session: Session;
  result: FetchResult;
  state: SessionState;
}

/** fetchJob logs in, saves the state, and reads every configured secret. */
export async function fetchJob(options: FetchJobOptions): Promise<FetchJob> {
  const { config, platform } = options;
  const session = await openSession({ config, platform, audit: options.audit });
  const state = stateOf(session, config);
  try {
    options.saveState(state);
    const result = await session.fetch(config.secrets, {
      onLease: (lease) => {
        state.leases.push(stateLease(lease));
        options.saveState(state);
      },
    });
    return { session, result, state };
  } catch (error) {
    try {
      // What is left alive is logged at error level by the revocation; the state stays for the cleanup step.
      const report = await session.revoke();
      if (report.leftAlive.length === 0) options.saveState(undefined);
      else platform.log.info("the run's state is kept for the cleanup step (`vaultgate revoke`, the post step)");
    } catch (revokeError) {
      platform.log.error(
        `revocation after the failure (left for the cleanup step): ${revokeError instanceof Error ? revokeError.message : String(revokeError)}`,
      );
    }
    session.close();
    throw error;
  }
}

/** stateOf describes a logged-in session for whoever ends it. */
export function stateOf(session: Session, config: VaultgateConfig): SessionState {
  const handOver = session.provider.handOver() ?? { token: "", accessor: undefined, ownsToken: false };
  return {
    version: 1,
    vault: config.vault,
    token: handOver.token,
    accessor: handOver.accessor,
    ownsToken: handOver.ownsToken,
    leases: session.leases.map(stateLease),
    files: [],
    createdAt: new Date().toISOString(),
    ...(session.tokenExpiresAt ? { expiresAt: session.tokenExpiresAt } : {}),
  };
}

function stateLease(lease: LeaseRecord): SessionState["leases"][number] {
  const at = expiresAt(lease.obtainedAt, lease.ttlSeconds);
  return { leaseId: lease.leaseId, path: lease.path, ...(at ? { expiresAt: at } : {}) };
}
