/**
 * state/tokens — the token store: service tokens created by logins and by
 * auth/token/create, the root token, lookup, renewal within the max TTL, and
 * revocation, which takes the token's child tokens and leases with it. A token that
 * has expired is revoked the moment it is next seen.
 */
import { formatDuration } from "@vaultgate/core";
import { ApiError, isoTime } from "../server/reply.js";
import { randomBase62 } from "../server/ids.js";
import type { Clock, LeaseStore } from "./leases.js";
import type { Namespace } from "./namespace.js";

/** SYSTEM_MAX_TTL is Vault's default (and max) token TTL: 32 days. */
export const SYSTEM_MAX_TTL = 2_764_800;

/** TokenEntry is one live token. Times are milliseconds; TTLs seconds. */
export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  namespace: Namespace;
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  entityId: string;
  creationTime: number;
  creationTtl: number;
  /** The TTL granted by creation or the last renewal, as login and renew answers report it. */
  grantedTtl: number;
  expireAt: number | undefined;
  maxExpireAt: number | undefined;
  renewable: boolean;
  lastRenewal: number | undefined;
  parent: string | undefined;
  orphan: boolean;
}

/** NewToken describes a token to create. */
export interface NewToken {
  policies: readonly string[];
  namespace: Namespace;
  path: string;
  displayName: string;
  meta?: Record<string, string> | null;
  entityId?: string;
  ttlSeconds: number;
  maxTtlSeconds: number;
  renewable?: boolean;
  parent?: string;
  /** Fixed id (the root token). */
  id?: string;
}

/** TokenStore holds every live token of the server. */
export class TokenStore {
  readonly #now: Clock;
  readonly #leases: LeaseStore;
  readonly #tokens = new Map<string, TokenEntry>();

  constructor(now: Clock, leases: LeaseStore) {
    this.#now = now;
    this.#leases = leases;
  }

  /** create issues a token; a TTL of 0 means it never expires (root). */
  create(spec: NewToken): TokenEntry {
    const now = this.#now();
    const suffix = spec.namespace.isRoot ? "" : `.${spec.namespace.id}`;
    const ttl = spec.ttlSeconds > 0 ? Math.min(spec.ttlSeconds, spec.maxTtlSeconds || spec.ttlSeconds) : 0;
    const entry: TokenEntry = {
      id: spec.id ?? `s.${randomBase62(24)}${suffix}`,
      accessor: `${randomBase62(24)}${suffix}`,
      policies: [...new Set(spec.policies)].sort(),
      namespace: spec.namespace,
      path: spec.path,
      displayName: spec.displayName,
      meta: spec.meta ?? null,
      entityId: spec.entityId ?? "",
      creationTime: now,
      creationTtl: ttl,
      grantedTtl: ttl,
      expireAt: ttl > 0 ? now + ttl * 1000 : undefined,
      maxExpireAt: ttl > 0 ? now + (spec.maxTtlSeconds || ttl) * 1000 : undefined,
      renewable: spec.renewable ?? ttl > 0,
      lastRenewal: undefined,
      parent: spec.parent,
      orphan: spec.parent === undefined,
    };
    this.#tokens.set(entry.id, entry);
    return entry;
  }

  /** get returns a live token, revoking it first if it has expired. */
  get(id: string): TokenEntry | undefined {
    const entry = this.#tokens.get(id);
    if (entry?.expireAt !== undefined && entry.expireAt <= this.#now()) {
      this.revoke(id);
      return undefined;
    }
    return entry;
  }

  /** byAccessor finds a live token by its accessor. */
  byAccessor(accessor: string): TokenEntry | undefined {
    for (const entry of this.#tokens.values()) if (entry.accessor === accessor) return this.get(entry.id);
    return undefined;
  }

  /** ttl is the token's remaining TTL in whole seconds (0 = never expires). */
  ttl(entry: TokenEntry): number {
    return entry.expireAt === undefined ? 0 : Math.max(0, Math.floor((entry.expireAt - this.#now()) / 1000));
  }

  /** renew extends the token by `increment` seconds (default: its creation TTL), capped by its max TTL. */
  renew(entry: TokenEntry, incrementSeconds: number | undefined): string[] {
    if (!entry.renewable || entry.expireAt === undefined || entry.maxExpireAt === undefined) {
      throw new ApiError(400, ["token is not renewable"]);
    }
    const now = this.#now();
    const wanted = incrementSeconds && incrementSeconds > 0 ? incrementSeconds : entry.creationTtl;
    const warnings: string[] = [];
    let expireAt = now + wanted * 1000;
    if (expireAt > entry.maxExpireAt) {
      expireAt = entry.maxExpireAt;
      const max = Math.round((entry.maxExpireAt - entry.creationTime) / 1000);
      warnings.push(
        `TTL of "${formatDuration(wanted)}" exceeded the effective max_ttl of "${formatDuration(max)}"; TTL value is capped accordingly`,
      );
    }
    entry.expireAt = expireAt;
    entry.grantedTtl = Math.round((expireAt - now) / 1000);
    entry.lastRenewal = now;
    return warnings;
  }

  /** revoke ends a token, its child tokens and every lease it obtained. */
  revoke(id: string): void {
    const entry = this.#tokens.get(id);
    if (!entry) return;
    this.#tokens.delete(id);
    this.#leases.revokeByToken(id);
    for (const child of [...this.#tokens.values()]) if (child.parent === id) this.revoke(child.id);
  }

  /** sweep revokes every expired token. */
  sweep(): void {
    const now = this.#now();
    for (const entry of [...this.#tokens.values()])
      if (entry.expireAt !== undefined && entry.expireAt <= now) this.revoke(entry.id);
  }

  /** lookupData answers auth/token/lookup-self for `entry`. */
  lookupData(entry: TokenEntry): Record<string, unknown> {
    const data: Record<string, unknown> = {
      accessor: entry.accessor,
      creation_time: Math.floor(entry.creationTime / 1000),
      creation_ttl: entry.creationTtl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expireAt === undefined ? null : isoTime(entry.expireAt),
      explicit_max_ttl: 0,
      id: entry.id,
      meta: entry.meta,
      num_uses: 0,
      orphan: entry.orphan,
      path: entry.path,
      policies: entry.policies,
      ttl: this.ttl(entry),
      type: "service",
    };
    if (entry.expireAt !== undefined) {
      data.issue_time = isoTime(entry.creationTime);
      data.renewable = entry.renewable;
    }
    if (entry.lastRenewal !== undefined) {
      data.last_renewal = isoTime(entry.lastRenewal);
      data.last_renewal_time = Math.floor(entry.lastRenewal / 1000);
    }
    if (!entry.namespace.isRoot) data.namespace_path = entry.namespace.path;
    return data;
  }

  /** authBlock is the `auth` object of a login or renewal answer. */
  authBlock(entry: TokenEntry): Record<string, unknown> {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: entry.grantedTtl,
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: "service",
      orphan: entry.orphan,
      mfa_requirement: null,
      num_uses: 0,
    };
  }
}
