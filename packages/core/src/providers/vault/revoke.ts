/**
 * providers/vault/revoke — ends a vault session within one deadline. The token goes
 * first: revoke-self also ends every lease the token created, so one request ends the
 * whole run. Only the leases it does not cover (a token vaultgate must keep, or a token
 * that could not be revoked) are revoked one by one, all in parallel. Every step retries
 * 503/connection errors until the deadline, and 429s until the later throttled deadline.
 * What is still alive afterwards is named with when it expires; the caller reports it.
 */
import type { RevocableLease, RevokeReport, RevokeRequest } from "../types.js";
import { revokeToken } from "./auth.js";
import { VaultHttpError, type VaultClient } from "./client.js";

/** revokeVault revokes the client's token first, then, in parallel, the leases it does not cover. */
export async function revokeVault(
  client: VaultClient,
  request: RevokeRequest,
  accessor: string | undefined,
): Promise<RevokeReport> {
  const note = request.note;
  const { leases, deadline } = request;
  const report: RevokeReport = { token: "not-revoked", leasesRevoked: 0, leasesWithToken: 0, errors: [], leftAlive: [] };
  if (request.keepCredentials) {
    note?.({ kind: "token", leaseId: null, outcome: "kept", error: null });
  } else {
    try {
      report.token = await revokeToken(client, deadline, request.throttledDeadline);
      note?.({ kind: "token", leaseId: null, outcome: report.token, error: null });
    } catch (error) {
      report.token = "failed";
      const message = errorText(error);
      report.errors.push(`token: ${message}`);
      note?.({ kind: "token", leaseId: null, outcome: "failed", error: message });
    }
  }
  if (report.token === "revoked" || report.token === "already-invalid") {
    // An ended token has taken its leases with it.
    report.leasesWithToken = leases.length;
    for (const lease of leases) note?.({ kind: "lease", leaseId: lease.leaseId, outcome: "with-token", error: null });
  } else {
    await Promise.all(leases.map((lease) => revokeOneLease(client, lease, request, report)));
  }
  if (report.token === "failed") {
    const withLeases = report.leasesWithToken > 0 ? ` with its ${plural(report.leasesWithToken, "lease")}` : "";
    report.leftAlive.unshift(`the token${accessor ? ` (accessor ${accessor})` : ""}${withLeases}, ${expiry(request.expiresAt)}`);
  }
  return report;
}

async function revokeOneLease(
  client: VaultClient,
  lease: RevocableLease,
  request: RevokeRequest,
  report: RevokeReport,
): Promise<void> {
  try {
    await client.revokeLease(lease.leaseId, request.deadline, request.throttledDeadline);
    report.leasesRevoked++;
    request.note?.({ kind: "lease", leaseId: lease.leaseId, outcome: "revoked", error: null });
  } catch (error) {
    // The default policy has no sys/leases/revoke: such a lease ends with its token.
    if (error instanceof VaultHttpError && error.status === 403 && !request.keepCredentials) {
      report.leasesWithToken++;
      request.note?.({ kind: "lease", leaseId: lease.leaseId, outcome: "with-token", error: null });
      return;
    }
    const message = errorText(error);
    report.errors.push(`lease ${lease.leaseId}: ${message}`);
    report.leftAlive.push(`lease ${lease.leaseId}, ${expiry(lease.expiresAt)}`);
    request.note?.({ kind: "lease", leaseId: lease.leaseId, outcome: "failed", error: message });
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
