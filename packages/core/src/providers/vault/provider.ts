/**
 * providers/vault/provider — Vault and OpenBao behind the provider interface. It wraps
 * the existing client, login, path resolution and error mapping; nothing here talks to
 * the vault in a way those modules do not already.
 */
import type { AuthConfig, FetchSettings, SecretSpec, VaultConfig } from "../../config/schema.js";
import { selectValue } from "../../config/selector.js";
import { mapLimit } from "../../fetch/limit.js";
import { formatDuration } from "../../util/duration.js";
import type {
  AuthenticateOptions,
  Capabilities,
  Provider,
  ProviderSession,
  ReadOptions,
  ReadOutcome,
  RenewOutcome,
  RevokeOutcome,
  SessionIdentity,
  ValidateOptions,
  Verdict,
} from "../types.js";
import { login, revokeToken, type LoginResult } from "./auth.js";
import { VaultClient, type VaultResponse } from "./client.js";
import { mapReadError, unavailable } from "./errors.js";
import { MountResolver, secretData } from "./paths.js";

/** VaultSourceConfig is what the vault source needs: where, how to log in, how patiently. */
export interface VaultSourceConfig {
  vault: VaultConfig;
  auth: AuthConfig;
  fetch: FetchSettings;
}

/** VAULT_CAPABILITIES: tokens and leases renew and revoke; engines issue dynamic credentials. */
export const VAULT_CAPABILITIES: Capabilities = { renewable: true, revocable: true, dynamic: true };

/** VaultSession is a logged-in vault client behind the interface. */
export class VaultSession implements ProviderSession {
  readonly kind = "vault" as const;
  readonly capabilities = VAULT_CAPABILITIES;
  readonly client: VaultClient;
  readonly login: LoginResult;
  readonly #resolver: MountResolver;

  constructor(client: VaultClient, result: LoginResult) {
    this.client = client;
    this.login = result;
    this.#resolver = new MountResolver(client);
  }

  get identity(): SessionIdentity {
    const l = this.login;
    return {
      source: "vault",
      method: l.method,
      role: l.role,
      origin: l.identityOrigin,
      claims: l.claims,
      ttlSeconds: l.ttlSeconds,
      details: { address: this.client.address, policies: [...l.policies], ...(l.accessor ? { accessor: l.accessor } : {}) },
    };
  }

  async read(specs: readonly SecretSpec[], options: ReadOptions): Promise<ReadOutcome[]> {
    const pending = new Map<string, Promise<ReadOutcome>>();
    return mapLimit(specs, options.concurrency, (spec) => {
      const key = `${spec.method} ${spec.path} ${spec.params ? JSON.stringify(spec.params) : ""}`;
      let read = pending.get(key);
      if (!read) {
        read = this.#readOne(spec);
        pending.set(key, read);
      }
      return read;
    });
  }

  async #readOne(spec: SecretSpec): Promise<ReadOutcome> {
    try {
      const resolved = await this.#resolver.resolve(spec.path);
      const response: VaultResponse =
        spec.method === "POST"
          ? await this.client.write(resolved.apiPath, spec.params ?? {})
          : await this.client.read(resolved.apiPath);
      const data = secretData(response, resolved);
      const version = resolved.kv === 2 ? (response.data?.metadata as { version?: number } | undefined)?.version : undefined;
      return {
        ok: true,
        value: {
          data: data ?? {},
          apiPath: resolved.apiPath,
          leaseId: response.lease_id || undefined,
          ttlSeconds: response.lease_duration,
          renewable: response.renewable,
          version,
        },
      };
    } catch (error) {
      const context = { path: spec.path, origin: spec.origin, role: this.login.role, address: this.client.address };
      return { ok: false, error: mapReadError(error, context) };
    }
  }

  async validate(specs: readonly SecretSpec[], options: ValidateOptions): Promise<Verdict[]> {
    const outcomes = await this.read(specs, options);
    return specs.map((spec, i): Verdict => {
      const outcome = outcomes[i];
      if (!outcome?.ok) {
        const e = outcome?.error;
        return { status: "fail", reason: e ? `${e.message}${e.hint ? ` ${e.hint}` : ""}` : "Not checked.", details: {} };
      }
      const { data, apiPath, leaseId, ttlSeconds } = outcome.value;
      const keys = Object.keys(data);
      const present = spec.selector.kind === "all" ? keys.length > 0 : selectValue(data, spec.selector) !== undefined;
      if (!present)
        return {
          status: "fail",
          reason: `The key is missing from ${spec.path}; it has: ${keys.join(", ") || "no keys"}.`,
          details: { apiPath },
        };
      if (leaseId && (ttlSeconds ?? 0) < options.minTtlSeconds) {
        return {
          status: "fail",
          reason: `Its lease lasts ${formatDuration(ttlSeconds ?? 0)}, shorter than the deploy: raise the engine role's ttl.`,
          details: { apiPath },
        };
      }
      return { status: "pass", reason: "Readable.", details: { apiPath } };
    });
  }

  async validateSession(options: ValidateOptions): Promise<Verdict> {
    const data = await this.client.lookupSelf();
    const ttl = typeof data.ttl === "number" ? data.ttl : this.login.ttlSeconds;
    const details = { ttlSeconds: ttl, minTtlSeconds: options.minTtlSeconds };
    if (ttl === 0 || ttl >= options.minTtlSeconds)
      return { status: "pass", reason: `TTL ${ttl === 0 ? "unlimited" : formatDuration(ttl)}.`, details };
    return {
      status: data.renewable === true ? "warn" : "fail",
      reason: `TTL ${formatDuration(ttl)} is shorter than the deploy (${formatDuration(options.minTtlSeconds)}).`,
      details,
    };
  }

  async renew(): Promise<RenewOutcome> {
    const asked = this.login.ttlSeconds;
    try {
      const ttl = (await this.client.renewSelf(asked))?.lease_duration ?? 0;
      return { ok: true, ttlSeconds: ttl, capped: ttl < asked, message: `renewed the vault token: ${formatDuration(ttl)} left` };
    } catch (error) {
      return {
        ok: false,
        ttlSeconds: 0,
        capped: false,
        message: unavailable(error, "renewing the token", this.client.address).message,
      };
    }
  }

  async revoke(deadline: number): Promise<RevokeOutcome> {
    if (this.login.method === "token") return { outcome: "kept", message: "the token was supplied, not created, by vaultgate" };
    try {
      const outcome = await revokeToken(this.client, deadline);
      return { outcome, message: `token ${outcome}` };
    } catch (error) {
      return { outcome: "failed", message: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): void {
    this.client.close();
  }
}

/** vaultProvider logs in with the configured method. */
export const vaultProvider = {
  kind: "vault",
  async authenticate(config: VaultSourceConfig, options: AuthenticateOptions): Promise<VaultSession> {
    const client = new VaultClient({
      vault: config.vault,
      fetch: config.fetch,
      userAgent: options.userAgent,
      ...(options.deadline ? { deadline: options.deadline } : {}),
    });
    try {
      return new VaultSession(client, await login(client, config.auth, options.platform, options.userAgent, options.idToken));
    } catch (error) {
      client.close();
      throw error;
    }
  },
} satisfies Provider<VaultSourceConfig>;
