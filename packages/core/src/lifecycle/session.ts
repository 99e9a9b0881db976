/**
 * lifecycle/session — one run's hold on the vault: the logged-in client, the token's
 * facts and every lease obtained. `revoke` ends it: leases first (where the policy
 * allows), then the token, which takes its remaining leases with it.
 */
import type { VaultgateConfig } from "../config/schema.js";
import { fetchSecrets, type FetchResult, type LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import { VaultClient, VaultHttpError, type RequestObserver } from "../providers/vault/client.js";
import { login, revokeToken, type LoginResult } from "../providers/vault/auth.js";
import { VERSION } from "../version.js";
import type { AuditRecorder } from "./audit.js";

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

/** RevokeReport says what revocation did; failures are listed, never thrown. */
export interface RevokeReport {
  token: "revoked" | "already-invalid" | "failed" | "not-revoked";
  leasesRevoked: number;
  /** Leases left to the token's revocation (the policy does not allow sys/leases/revoke). */
  leasesWithToken: number;
  errors: string[];
}

/** Session is a logged-in run. */
export class Session {
  readonly client: VaultClient;
  readonly login: LoginResult;
  readonly config: VaultgateConfig;
  readonly leases: LeaseRecord[] = [];
  readonly #platform: Platform;
  readonly #audit: AuditRecorder | undefined;

  constructor(client: VaultClient, loginResult: LoginResult, config: VaultgateConfig, platform: Platform, audit?: AuditRecorder) {
    this.client = client;
    this.login = loginResult;
    this.config = config;
    this.#platform = platform;
    this.#audit = audit;
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

  /** revoke revokes the leases and the token; `keepToken` keeps a token vaultgate did not create. */
  async revoke(options: { keepToken?: boolean } = {}): Promise<RevokeReport> {
    return revokeAll(this.client, this.leases, {
      keepToken: options.keepToken ?? this.login.method === "token",
      audit: this.#audit,
    });
  }

  /** close releases connections. */
  close(): void {
    this.client.close();
  }
}

/** openSession creates the client and logs in. */
export async function openSession(options: SessionOptions): Promise<Session> {
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

/** revokeAll revokes `leases` one by one where allowed, then the client's token. */
export async function revokeAll(
  client: VaultClient,
  leases: readonly { leaseId: string }[],
  options: { keepToken?: boolean; audit?: AuditRecorder | undefined } = {},
): Promise<RevokeReport> {
  const audit = options.audit;
  const report: RevokeReport = { token: "not-revoked", leasesRevoked: 0, leasesWithToken: 0, errors: [] };
  for (const lease of leases) {
    try {
      await client.revokeLease(lease.leaseId);
      report.leasesRevoked++;
      audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "revoked", error: null });
    } catch (error) {
      // The default policy has no sys/leases/revoke; revoking the token revokes its leases.
      if (error instanceof VaultHttpError && error.status === 403 && !options.keepToken) {
        report.leasesWithToken++;
        audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "with-token", error: null });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        report.errors.push(`lease ${lease.leaseId}: ${message}`);
        audit?.revocation({ kind: "lease", leaseId: lease.leaseId, outcome: "failed", error: message });
      }
    }
  }
  if (options.keepToken) {
    audit?.revocation({ kind: "token", leaseId: null, outcome: "kept", error: null });
    return report;
  }
  try {
    report.token = await revokeToken(client);
    audit?.revocation({ kind: "token", leaseId: null, outcome: report.token, error: null });
  } catch (error) {
    report.token = "failed";
    const message = error instanceof Error ? error.message : String(error);
    report.errors.push(`token: ${message}`);
    audit?.revocation({ kind: "token", leaseId: null, outcome: "failed", error: message });
  }
  return report;
}
