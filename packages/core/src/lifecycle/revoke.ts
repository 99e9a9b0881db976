/**
 * lifecycle/revoke — ends a run's hold on its sources within one time budget. Each
 * session ends its own credentials and leases (a vault revokes its token first, which
 * takes its leases with it; a backend that cannot revoke says so), all in parallel,
 * within a budget of their own, separate from the reads' deadline, short enough for a
 * cancelled job's grace period. A vault that answers 429 (a rate-limit quota many jobs
 * share) is up and asks to wait: it is waited out longer, up to REVOKE_THROTTLED_SECONDS,
 * except where the caller is in a grace period (a signal) and says so. What is still
 * alive afterwards is reported as one error-level line naming it and when it expires;
 * the caller keeps its state for the cleanup step.
 */
import type { Logger } from "../platform.js";
import type { ProviderSession, RevocableLease, RevokeReport } from "../providers/types.js";
import type { AuditRecorder } from "./audit.js";

export type { RevocableLease, RevokeReport } from "../providers/types.js";

/** REVOKE_BUDGET_SECONDS is the default budget of a whole revocation, retries included. */
export const REVOKE_BUDGET_SECONDS = 10;

/** REVOKE_THROTTLED_SECONDS is how long a revocation answered 429 goes on retrying by default. */
export const REVOKE_THROTTLED_SECONDS = 60;

/** RevokeTarget is one session to end, with the leases its reads obtained. */
export interface RevokeTarget {
  session: ProviderSession;
  leases: readonly RevocableLease[];
  /** Keep the credentials (ones the user supplied): end their leases only. */
  keepCredentials: boolean;
  /** When the credentials expire (ISO 8601), to name them when they are left alive. */
  expiresAt?: string | undefined;
}

/** RevokeOptions: where to record and report, and how long it may take. */
export interface RevokeOptions {
  audit?: AuditRecorder | undefined;
  /** The budget of the whole revocation in seconds (default REVOKE_BUDGET_SECONDS). */
  budgetSeconds?: number | undefined;
  /**
   * How long answers of 429 are retried, from the start (default REVOKE_THROTTLED_SECONDS,
   * never less than the budget); a caller in a grace period passes its budget.
   */
  throttledSeconds?: number | undefined;
  /** Receives the error-level line naming what is left alive. */
  log?: Logger | undefined;
  now?: () => number;
}

/** revokeSessions ends every target in parallel and merges what they did into one report. */
export async function revokeSessions(targets: readonly RevokeTarget[], options: RevokeOptions = {}): Promise<RevokeReport> {
  const now = options.now ?? Date.now;
  const budget = options.budgetSeconds ?? REVOKE_BUDGET_SECONDS;
  const started = now();
  const deadline = started + budget * 1000;
  const throttled = Math.max(budget, options.throttledSeconds ?? REVOKE_THROTTLED_SECONDS);
  const throttledDeadline = started + throttled * 1000;
  const audit = options.audit;
  const reports = await Promise.all(
    targets.map((t) =>
      t.session.revoke({
        leases: t.leases,
        keepCredentials: t.keepCredentials,
        deadline,
        throttledDeadline,
        expiresAt: t.expiresAt,
        note: audit ? (entry) => audit.revocation(entry) : undefined,
      }),
    ),
  );
  const report = mergeReports(reports);
  if (report.leftAlive.length > 0) {
    options.log?.error(
      `Revocation did not finish within its budget of ${budget} s${throttled > budget ? ` (${throttled} s while the vault answers 429)` : ""}; ` +
        `still alive: ${report.leftAlive.join("; ")}. ` +
        `Last errors: ${report.errors.join("; ")}`,
    );
  }
  return report;
}

/** mergeReports adds up the sessions' reports; the token outcome is that of the revocable one. */
function mergeReports(reports: readonly RevokeReport[]): RevokeReport {
  const revocable = reports.filter((r) => r.token !== "not-supported");
  const first = revocable[0] ?? reports[0];
  return {
    token: first?.token ?? "not-revoked",
    leasesRevoked: sum(reports, (r) => r.leasesRevoked),
    leasesWithToken: sum(reports, (r) => r.leasesWithToken),
    errors: reports.flatMap((r) => r.errors),
    leftAlive: reports.flatMap((r) => r.leftAlive),
    ...(reports.some((r) => r.unrevocable) ? { unrevocable: true } : {}),
  };
}

function sum(reports: readonly RevokeReport[], pick: (r: RevokeReport) => number): number {
  return reports.reduce((n, r) => n + pick(r), 0);
}
