/**
 * lifecycle/job — the start of every run that hands secrets on (CLI fetch and exec, the
 * GitHub secrets action): log in, save the state the end of the run needs as soon as a
 * token exists and again whenever a lease appears, read the secrets; if the read fails,
 * revoke at once and clear the state only when that worked, so a later step
 * (`vaultgate revoke`, a post step, after_script, finally) can still clean up. The login
 * and the reads never outlive the run's timeout (lifecycle/watchdog).
 */
import type { VaultgateConfig } from "../config/schema.js";
import type { FetchResult, LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import type { AuditRecorder } from "./audit.js";
import { endRun } from "./end.js";
import { REVOKE_BUDGET_SECONDS } from "./revoke.js";
import { expiresAt, openSession, type Session } from "./session.js";
import type { SessionState } from "./state.js";
import { Watchdog } from "./watchdog.js";

/** FetchJobOptions: what to read, where to report, and how to keep the state. */
export interface FetchJobOptions {
  config: VaultgateConfig;
  platform: Platform;
  audit?: AuditRecorder | undefined;
  /** saveState persists the state; `undefined` clears it (the run ended cleanly). */
  saveState(state: SessionState | undefined): void;
  /** The run's deadline; by default one starts now with the configured timeout. */
  watchdog?: Watchdog | undefined;
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
  const watchdog = options.watchdog ?? new Watchdog(config.fetch.deadlineSeconds);
  const opening = openSession({ config, platform, audit: options.audit });
  // A sent login is waited for until the deadline and 10 s more, and a token answered late is
  // revoked by the provider (providers/vault/client): the watchdog gives it that long.
  const where = sourcesLabel(config);
  const loginStep = {
    doing: `logging in to ${where}`,
    kind: "vault",
    graceSeconds: REVOKE_BUDGET_SECONDS + 1,
  } as const;
  const session = await watchdog.within(loginStep, opening);
  const state = stateOf(session, config);
  try {
    options.saveState(state);
    const reading = session.fetch(config.secrets, {
      onLease: (lease) => {
        state.leases.push(stateLease(lease));
        options.saveState(state);
      },
    });
    const result = await watchdog.within({ doing: `reading the secrets from ${where}`, kind: "vault" }, reading);
    return { session, result, state };
  } catch (error) {
    try {
      // What is left alive is logged at error level by the revocation; the state stays for the cleanup step.
      // An abandoned read may still hold the session's connections: end the run on fresh ones.
      const report = watchdog.expired
        ? (await endRun(state, platform, { audit: options.audit, fetch: config.fetch })).report
        : await session.revoke();
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

/** sourcesLabel names the run's sources in messages: the vault's address, AWS's role. */
export function sourcesLabel(config: VaultgateConfig): string {
  const aws = config.aws && (!config.vault || config.secrets.some((s) => s.source === "aws"));
  const names = [config.vault?.url, aws ? `AWS (${config.aws?.roleArn ?? ""})` : undefined];
  return names.filter((n) => n !== undefined).join(" and ");
}

/**
 * stateOf describes a logged-in session for whoever ends it: the vault's token and leases
 * (none in an AWS-only run), and the sources whose credentials only expire.
 */
export function stateOf(session: Session, config: VaultgateConfig): SessionState {
  const handOver = (config.vault && session.provider.handOver()) || { token: "", accessor: undefined, ownsToken: false };
  const unrevocable = session.sources
    .filter((s) => !s.capabilities.revocable)
    .map((s) => ({
      source: s.kind,
      role: s.identity.role ?? s.identity.method,
      ...(expiresAt(Date.now(), s.identity.ttlSeconds) ? { expiresAt: expiresAt(Date.now(), s.identity.ttlSeconds) } : {}),
    }));
  return {
    version: 1,
    ...(config.vault ? { vault: config.vault } : {}),
    token: handOver.token,
    accessor: handOver.accessor,
    ownsToken: handOver.ownsToken,
    leases: session.leases.map(stateLease),
    files: [],
    createdAt: new Date().toISOString(),
    ...(config.vault && session.tokenExpiresAt ? { expiresAt: session.tokenExpiresAt } : {}),
    ...(unrevocable.length > 0 ? { unrevocable } : {}),
  };
}

function stateLease(lease: LeaseRecord): SessionState["leases"][number] {
  const at = expiresAt(lease.obtainedAt, lease.ttlSeconds);
  return { leaseId: lease.leaseId, path: lease.path, ...(at ? { expiresAt: at } : {}) };
}
