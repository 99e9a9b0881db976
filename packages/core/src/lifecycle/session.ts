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

/** USER_AGENT identifies vaultgate in the vault's audit log. */
export const USER_AGENT = `vaultgate/${VERSION}`;

/** SessionOptions configure openSession. */
export interface SessionOptions {
  config: VaultgateConfig;
  platform: Platform;
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

  constructor(client: VaultClient, loginResult: LoginResult, config: VaultgateConfig, platform: Platform) {
    this.client = client;
    this.login = loginResult;
    this.config = config;
    this.#platform = platform;
  }

  /** fetch reads the configured secrets (or `specs`), recording leases as they appear. */
  async fetch(specs = this.config.secrets): Promise<FetchResult> {
    return fetchSecrets(specs, {
      client: this.client,
      platform: this.#platform,
      concurrency: this.config.fetch.concurrency,
      role: this.login.role,
      onLease: (lease) => this.leases.push(lease),
    });
  }

  /** revoke revokes the leases and the token; `keepToken` keeps a token vaultgate did not create. */
  async revoke(options: { keepToken?: boolean } = {}): Promise<RevokeReport> {
    return revokeAll(this.client, this.leases, { keepToken: options.keepToken ?? this.login.method === "token" });
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
    ...(options.observe ? { observe: options.observe } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    onRetry: ({ path, attempt, delayMs, reason }) =>
      options.platform.log.debug(`retrying ${path} (attempt ${attempt + 1}) in ${delayMs} ms: ${reason}`),
  });
  try {
    const result = await login(client, options.config.auth, options.platform, USER_AGENT);
    return new Session(client, result, options.config, options.platform);
  } catch (error) {
    client.close();
    throw error;
  }
}

/** revokeAll revokes `leases` one by one where allowed, then the client's token. */
export async function revokeAll(
  client: VaultClient,
  leases: readonly { leaseId: string }[],
  options: { keepToken?: boolean } = {},
): Promise<RevokeReport> {
  client.extendDeadline(30);
  const report: RevokeReport = { token: "not-revoked", leasesRevoked: 0, leasesWithToken: 0, errors: [] };
  for (const lease of leases) {
    try {
      await client.revokeLease(lease.leaseId);
      report.leasesRevoked++;
    } catch (error) {
      // The default policy has no sys/leases/revoke; revoking the token revokes its leases.
      if (error instanceof VaultHttpError && error.status === 403 && !options.keepToken) report.leasesWithToken++;
      else report.errors.push(`lease ${lease.leaseId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (options.keepToken) return report;
  try {
    report.token = await revokeToken(client);
  } catch (error) {
    report.token = "failed";
    report.errors.push(`token: ${error instanceof Error ? error.message : String(error)}`);
  }
  return report;
}
