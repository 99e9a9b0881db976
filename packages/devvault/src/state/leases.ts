/**
 * state/leases — the leases of dynamic secrets: who holds them (the token that read
 * them), when they end, renewal within the max TTL, and revocation (which frees the
 * engine's credentials). Expiry is checked lazily against the injected clock.
 */
import { formatDuration } from "@vaultgate/core";
import { ApiError, badRequest, type SecretLease } from "../server/reply.js";

/** Clock returns the current time in milliseconds (Date.now by default; tests inject one). */
export type Clock = () => number;

/** Lease is one live lease. */
export interface Lease {
  id: string;
  token: string;
  issueTime: number;
  expireAt: number;
  maxExpireAt: number;
  ttlSeconds: number;
  /** The TTL granted by the last issue or renewal, as answers report it (lease_duration). */
  grantedTtl: number;
  renewable: boolean;
  lastRenewal: number | undefined;
  revoke: () => void;
}

/** LeaseStore holds every live lease of the server. */
export class LeaseStore {
  readonly #now: Clock;
  readonly #leases = new Map<string, Lease>();

  constructor(now: Clock) {
    this.#now = now;
  }

  /** add records a lease for `secret`, held by `token`. */
  add(id: string, token: string, secret: SecretLease): Lease {
    const now = this.#now();
    const maxExpireAt = now + secret.maxTtlSeconds * 1000;
    const lease: Lease = {
      id,
      token,
      issueTime: now,
      expireAt: Math.min(now + secret.ttlSeconds * 1000, maxExpireAt),
      maxExpireAt,
      ttlSeconds: Math.min(secret.ttlSeconds, secret.maxTtlSeconds),
      grantedTtl: Math.min(secret.ttlSeconds, secret.maxTtlSeconds),
      renewable: secret.renewable,
      lastRenewal: undefined,
      revoke: () => secret.revoke(),
    };
    this.#leases.set(id, lease);
    return lease;
  }

  /** get returns a live lease, ending it first if it has expired. */
  get(id: string): Lease | undefined {
    const lease = this.#leases.get(id);
    if (lease && lease.expireAt <= this.#now()) {
      this.revoke(id);
      return undefined;
    }
    return lease;
  }

  /** lookup answers sys/leases/lookup, or 400 "invalid lease". */
  lookup(id: string): Record<string, unknown> {
    const lease = this.get(id);
    if (!lease) throw badRequest("invalid lease");
    return {
      expire_time: new Date(lease.expireAt).toISOString(),
      id: lease.id,
      issue_time: new Date(lease.issueTime).toISOString(),
      last_renewal: lease.lastRenewal === undefined ? null : new Date(lease.lastRenewal).toISOString(),
      renewable: lease.renewable,
      ttl: this.remaining(lease),
    };
  }

  /** renew extends a lease by `increment` seconds (default: its original TTL), capped by its max TTL. */
  renew(id: string, incrementSeconds: number | undefined): { lease: Lease; warnings: string[] } {
    const lease = this.get(id);
    if (!lease) throw badRequest("lease not found");
    if (!lease.renewable) throw badRequest("lease is not renewable");
    const now = this.#now();
    const wanted = incrementSeconds && incrementSeconds > 0 ? incrementSeconds : lease.ttlSeconds;
    const warnings: string[] = [];
    let expireAt = now + wanted * 1000;
    if (expireAt > lease.maxExpireAt) {
      expireAt = lease.maxExpireAt;
      const max = (lease.maxExpireAt - now) / 1000;
      warnings.push(
        `TTL of "${formatDuration(wanted)}" exceeded the effective max_ttl of "${formatDuration(max)}"; TTL value is capped accordingly`,
      );
    }
    if (expireAt <= now) throw new ApiError(400, ["past the max TTL, cannot renew"]);
    lease.expireAt = expireAt;
    lease.grantedTtl = Math.round((expireAt - now) / 1000);
    lease.lastRenewal = now;
    return { lease, warnings };
  }

  /** remaining is the lease's TTL in whole seconds. */
  remaining(lease: Lease): number {
    return Math.max(0, Math.floor((lease.expireAt - this.#now()) / 1000));
  }

  /** revoke ends a lease; an unknown lease is not an error (as in Vault). */
  revoke(id: string): void {
    const lease = this.#leases.get(id);
    if (!lease) return;
    this.#leases.delete(id);
    lease.revoke();
  }

  /** revokeByToken ends every lease `token` obtained; returns how many. */
  revokeByToken(token: string): number {
    let n = 0;
    for (const lease of [...this.#leases.values()]) {
      if (lease.token === token) {
        this.revoke(lease.id);
        n++;
      }
    }
    return n;
  }

  /** sweep ends every expired lease. */
  sweep(): void {
    const now = this.#now();
    for (const lease of [...this.#leases.values()]) if (lease.expireAt <= now) this.revoke(lease.id);
  }

  /** ids lists the live leases (for tests and `vaultgate dev`). */
  ids(): string[] {
    this.sweep();
    return [...this.#leases.keys()];
  }
}
