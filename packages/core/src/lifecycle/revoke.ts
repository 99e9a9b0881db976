/**
 * lifecycle/revoke — ends a run's hold on the vault within one time budget. The token
 * goes first: revoke-self also ends every lease the token created, so one request ends
 * the whole run. Only the leases it does not cover (a token vaultgate must keep, or a
 * token that could not be revoked) are revoked one by one, all in parallel. Every step
 * retries 429/503/connection errors until the budget is spent — a budget of its own,
 * separate from the reads' deadline, short enough for a cancelled job's grace period.
 * What is still alive afterwards is reported as one error-level line naming it and when
 * it expires; the caller keeps its state for the cleanup step.
 */
import type { Logger } from "../platform.js";
import type { VaultClient } from "../providers/vault/client.js";
import { VaultHttpError } from "../providers/vault/client.js";
import { revokeToken } from "../providers/vault/auth.js";
import type { AuditRecorder } from "./audit.js";

/** REVOKE_BUDGET_SECONDS is the default budget of a whole revocation, retries included. */
export const REVOKE_BUDGET_SECONDS = 10;

/** RevokeReport says what revocation did; failures are listed, never thrown. */
export interface RevokeReport {
  token: "revoked" | "already-invalid" | "failed" | "not-revoked";
  leasesRevoked: number;
  /** Leases ended by the token's revocation (or left to it when the policy has no sys/leases/revoke). */
  leasesWithToken: number;
  errors: string[];
  /** What is still alive after this revocation, each with when it expires; empty when all ended. */
  leftAlive: string[];
}

/** RevocableLease is a lease to end, with its expiry when known (ISO 8601). */
export interface RevocableLease {
  leaseId: string;
  expiresAt?: string | undefined;
}

/** RevokeOptions: what to keep, where to record and report, and how long it may take. */
export interface RevokeOptions {
  /** Keep the token (one the user supplied): revoke its leases only. */
  keepToken?: boolean | undefined;
  audit?: AuditRecorder | undefined;
  /** The budget of the whole revocation in seconds (default REVOKE_BUDGET_SECONDS). */
  budgetSeconds?: number | undefined;
  /** Receives the error-level line naming what is left alive. */
  log?: Logger | undefined;
  /** The token's accessor and expiry, to name it when it is left alive. */
  accessor?: string | undefined;
  tokenExpiresAt?: string | undefined;
  now?: () => number;
}

/** revokeAll revokes the client's token first, then, in parallel, the leases it does not cover. */
export async function revokeAll(
  client: VaultClient,
  leases: readonly RevocableLease[],
  options: RevokeOptions = {},
): Promise<RevokeReport> {
  const now = options.now ?? Date.now;
  const audit = options.audit;
  const budget = options.budgetSeconds ?? REVOKE_BUDGET_SECONDS;
  const deadline = now() + budget * 1000;
  const report: RevokeReport = { token: "not-revoked", leasesRevoked: 0, leasesWithToken: 0, errors: [], leftAlive: [] };
  if (options.keepToken) {
    audit?.revocation({ kind: "token", leaseId: null, outcome: "kept", error: null });
  } else {
    try {
      report.token = await revokeToken(client, deadline);
      audit?.revocation({ kind: "token", leaseId: null, outcome: report.token, error: null });
    } catch (error) {
      report.token = "failed";
      const message = errorText(error);
      report.errors.push(`token: ${message}`);
      audit?.revocation({ kind: "token", leaseId: null, outcome: "failed", error: message });
    }
  }
  if (report.token === "revoked" || report.token === "already-invalid") {
    // An ended token has taken its leases with it.
    report.leasesWithToken = leases.length;
    for (const lease of leases) audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "with-token", error: null });
  } else {
    await Promise.all(leases.map((lease) => revokeOneLease(client, lease, deadline, report, options)));
  }
  if (report.token === "failed") {
    const withLeases = report.leasesWithToken > 0 ? ` with its ${plural(report.leasesWithToken, "lease")}` : "";
    report.leftAlive.unshift(
      `the token${options.accessor ? ` (accessor ${options.accessor})` : ""}${withLeases}, ${expiry(options.tokenExpiresAt)}`,
    );
  }
  if (report.leftAlive.length > 0) {
    options.log?.error(
      `Revocation did not finish within its budget of ${budget} s; still alive: ${report.leftAlive.join("; ")}. ` +
        `Last errors: ${report.errors.join("; ")}`,
    );
  }
  return report;
}

async function revokeOneLease(
  client: VaultClient,
  lease: RevocableLease,
  deadline: number,
  report: RevokeReport,
  options: RevokeOptions,
): Promise<void> {
  try {
    await client.revokeLease(lease.leaseId, deadline);
    report.leasesRevoked++;
    options.audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "revoked", error: null });
  } catch (error) {
    // The default policy has no sys/leases/revoke: such a lease ends with its token.
    if (error instanceof VaultHttpError && error.status === 403 && !options.keepToken) {
      report.leasesWithToken++;
      options.audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "with-token", error: null });
      return;
    }
    const message = errorText(error);
    report.errors.push(`lease ${lease.leaseId}: ${message}`);
    report.leftAlive.push(`lease ${lease.leaseId}, ${expiry(lease.expiresAt)}`);
    options.audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "failed", error: message });
  }
}

function expiry(at: string | undefined): string {
  return at ? `which expires at ${at} unless renewed` : "until its TTL ends";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
