/**
 * lifecycle/session — one run's hold on the vault: the logged-in client, the token's
 * facts and every lease obtained. `revoke` ends it within one budget (lifecycle/revoke):
 * the token first, which takes its leases with it.
 */
import { transportWarnings, type VaultgateConfig } from "../config/schema.js";
import { fetchSecrets, type FetchResult, type LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import { VaultClient, type RequestObserver } from "../providers/vault/client.js";
import { login, type LoginResult } from "../providers/vault/auth.js";
import { VERSION } from "../version.js";
import type { AuditRecorder } from "./audit.js";
import { revokeAll, type RevokeReport } from "./revoke.js";

/** USER_AGENT identifies vaultgate in the vault's audit log. */
export const USER_AGENT = `vaultgate/${VERSION}`;

/** SessionOptions configure openSession. */
export interface SessionOptions {
  config: VaultgateConfig;
  platform: Platform;
  /** Records the run for the audit log: login, requests, retries, reads, revocations. */
  audit?: AuditRecorder | undefined;
  observe?: RequestObserver;
  sleep?: (ms: number) => Promise<void>;
}

/** Session is a logged-in run. */
export class Session {
  readonly client: VaultClient;
  readonly login: LoginResult;
  readonly config: VaultgateConfig;
  readonly leases: LeaseRecord[] = [];
  /** When the token's TTL at login ends (ISO 8601), or undefined for a token without expiry. */
  readonly tokenExpiresAt: string | undefined;
  readonly #platform: Platform;
  readonly #audit: AuditRecorder | undefined;

  constructor(client: VaultClient, loginResult: LoginResult, config: VaultgateConfig, platform: Platform, audit?: AuditRecorder) {
    this.client = client;
    this.login = loginResult;
    this.config = config;
    this.#platform = platform;
    this.#audit = audit;
    this.tokenExpiresAt = expiresAt(Date.now(), loginResult.ttlSeconds);
  }

  /** fetch reads the configured secrets (or `specs`), recording leases as they appear. */
  async fetch(specs = this.config.secrets, options: { onLease?: (lease: LeaseRecord) => void } = {}): Promise<FetchResult> {
    const reads: FetchResult["reads"] = [];
    try {
      const result = await fetchSecrets(specs, {
        client: this.client,
        platform: this.#platform,
        concurrency: this.config.fetch.concurrency,
        role: this.login.role,
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
   * revoke ends the token and the leases within `budgetSeconds` (default 10 s); what is
   * left alive is logged at error level. `keepToken` keeps a token vaultgate did not create.
   */
  async revoke(options: { keepToken?: boolean; budgetSeconds?: number } = {}): Promise<RevokeReport> {
    return revokeAll(
      this.client,
      this.leases.map((l) => ({ leaseId: l.leaseId, expiresAt: expiresAt(l.obtainedAt, l.ttlSeconds) })),
      {
        keepToken: options.keepToken ?? this.login.method === "token",
        audit: this.#audit,
        budgetSeconds: options.budgetSeconds,
        log: this.#platform.log,
        accessor: this.login.accessor,
        tokenExpiresAt: this.tokenExpiresAt,
      },
    );
  }

  /** close releases connections. */
  close(): void {
    this.client.close();
  }
}

/** openSession creates the client and logs in. */
export async function openSession(options: SessionOptions): Promise<Session> {
  for (const warning of transportWarnings(options.config.vault)) options.platform.log.warn(warning);
  const client = new VaultClient({
    vault: options.config.vault,
    fetch: options.config.fetch,
    userAgent: USER_AGENT,
    observe: (event) => {
      options.audit?.request(event.ms);
      options.observe?.(event);
    },
    ...(options.sleep ? { sleep: options.sleep } : {}),
    onRetry: ({ path, attempt, delayMs, reason }) => {
      options.audit?.retry();
      options.platform.log.debug(`retrying ${path} (attempt ${attempt + 1}) in ${delayMs} ms: ${reason}`);
    },
  });
  try {
    const result = await login(client, options.config.auth, options.platform, USER_AGENT);
    const auth = options.config.auth;
    options.audit?.login(result, "mount" in auth ? auth.mount : undefined);
    return new Session(client, result, options.config, options.platform, options.audit);
  } catch (error) {
    client.close();
    throw error;
  }
}

/** expiresAt is the ISO time `ttlSeconds` after `from` (ms), or undefined for no expiry. */
export function expiresAt(from: number, ttlSeconds: number): string | undefined {
  return ttlSeconds > 0 ? new Date(from + ttlSeconds * 1000).toISOString() : undefined;
}
