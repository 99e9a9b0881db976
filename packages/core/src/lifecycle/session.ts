/**
 * lifecycle/session — one run's hold on its secrets source: the provider session (its
 * credentials' facts) and every lease obtained. `revoke` ends it within one budget
 * (lifecycle/revoke). The engine asks the session what it can do, never which backend it is.
 */
import type { VaultgateConfig } from "../config/schema.js";
import { fetchSecrets, type FetchResult, type LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import { authenticate, sourceWarnings } from "../providers/registry.js";
import type { ProviderSession, RequestEvent, SessionIdentity } from "../providers/types.js";
import { VERSION } from "../version.js";
import type { AuditRecorder } from "./audit.js";
import { revokeSessions, type RevokeReport } from "./revoke.js";

/** USER_AGENT identifies vaultgate in the vault's audit log. */
export const USER_AGENT = `vaultgate/${VERSION}`;

/** SessionOptions configure openSession. */
export interface SessionOptions {
  config: VaultgateConfig;
  platform: Platform;
  /** Records the run for the audit log: login, requests, retries, reads, revocations. */
  audit?: AuditRecorder | undefined;
  observe?: (event: RequestEvent) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Session is a logged-in run. */
export class Session {
  readonly provider: ProviderSession;
  readonly config: VaultgateConfig;
  readonly leases: LeaseRecord[] = [];
  /** When the credentials' TTL at login ends (ISO 8601), or undefined for credentials without expiry. */
  readonly tokenExpiresAt: string | undefined;
  readonly #platform: Platform;
  readonly #audit: AuditRecorder | undefined;

  constructor(provider: ProviderSession, config: VaultgateConfig, platform: Platform, audit?: AuditRecorder) {
    this.provider = provider;
    this.config = config;
    this.#platform = platform;
    this.#audit = audit;
    this.tokenExpiresAt = expiresAt(Date.now(), provider.identity.ttlSeconds);
  }

  /** identity is who the run is (never a credential). */
  get identity(): SessionIdentity {
    return this.provider.identity;
  }

  /** fetch reads the configured secrets (or `specs`), recording leases as they appear. */
  async fetch(specs = this.config.secrets, options: { onLease?: (lease: LeaseRecord) => void } = {}): Promise<FetchResult> {
    const reads: FetchResult["reads"] = [];
    try {
      const result = await fetchSecrets(specs, {
        session: this.provider,
        platform: this.#platform,
        concurrency: this.config.fetch.concurrency,
        minMaskLength: this.config.mask?.minLength,
        onLease: (lease) => {
          this.leases.push(lease);
          options.onLease?.(lease);
        },
        onRead: (read) => reads.push(read),
      });
      return result;
    } finally {
      this.#audit?.reads(reads);
    }
  }

  /**
   * revoke ends the credentials and the leases within `budgetSeconds` (default 10 s); what
   * is left alive is logged at error level. `keepToken` keeps credentials vaultgate did not create.
   */
  async revoke(options: { keepToken?: boolean; budgetSeconds?: number } = {}): Promise<RevokeReport> {
    const owned = this.provider.handOver()?.ownsToken ?? true;
    return revokeSessions(
      [
        {
          session: this.provider,
          leases: this.leases.map((l) => ({ leaseId: l.leaseId, expiresAt: expiresAt(l.obtainedAt, l.ttlSeconds) })),
          keepCredentials: options.keepToken ?? !owned,
          expiresAt: this.tokenExpiresAt,
        },
      ],
      { audit: this.#audit, budgetSeconds: options.budgetSeconds, log: this.#platform.log },
    );
  }

  /** close releases connections. */
  close(): void {
    this.provider.close();
  }
}

/** openSession authenticates with the configured source. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { config, platform, audit } = options;
  for (const warning of sourceWarnings(config)) platform.log.warn(warning);
  const provider = await authenticate(config, {
    platform,
    userAgent: USER_AGENT,
    observe: (event) => {
      audit?.request(event.ms);
      options.observe?.(event);
    },
    ...(options.sleep ? { sleep: options.sleep } : {}),
    onRetry: ({ path, attempt, delayMs, reason }) => {
      audit?.retry();
      platform.log.debug(`retrying ${path} (attempt ${attempt + 1}) in ${delayMs} ms: ${reason}`);
    },
  });
  audit?.login(provider.identity);
  return new Session(provider, config, platform, audit);
}

/** expiresAt is the ISO time `ttlSeconds` after `from` (ms), or undefined for no expiry. */
export function expiresAt(from: number, ttlSeconds: number): string | undefined {
  return ttlSeconds > 0 ? new Date(from + ttlSeconds * 1000).toISOString() : undefined;
}
