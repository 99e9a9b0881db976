/**
 * providers/vault/provider — Vault and OpenBao behind the provider interface. It wraps
 * the client, login, path resolution (KV v1/v2 per mount), error mapping, the gate's
 * questions (providers/vault/gate) and revocation (providers/vault/revoke); the engine
 * sees only a ProviderSession.
 */
import type { AuthConfig, FetchSettings, SecretSpec, VaultConfig } from "../../config/schema.js";
import { optionalAdvice } from "../../config/secrets-syntax.js";
import { mapLimit } from "../../fetch/limit.js";
import type { Platform } from "../../platform.js";
import { formatDuration } from "../../util/duration.js";
import type {
  AuthenticateOptions,
  Capabilities,
  HandOver,
  Provider,
  ProviderSession,
  ReadOptions,
  ReadOutcome,
  RenewOutcome,
  RevokeReport,
  RevokeRequest,
  SessionIdentity,
  ValidateOptions,
  Verdict,
} from "../types.js";
import { login, type LoginResult } from "./auth.js";
import { VaultClient, VaultHttpError, type VaultResponse } from "./client.js";
import { mapReadError } from "./errors.js";
import { errorVerdict, tokenTtl, validateSpecs } from "./gate.js";
import { checkHealth } from "./health.js";
import { MountResolver, directRead, hasKv2Shape, secretData, type ResolvedPath } from "./paths.js";
import { revokeVault } from "./revoke.js";

/** VaultSourceConfig is what the vault source needs: where, how to log in, how patiently. */
export interface VaultSourceConfig {
  vault: VaultConfig;
  auth: AuthConfig;
  fetch: FetchSettings;
}

/** VAULT_CAPABILITIES: tokens and leases renew and revoke; engines issue dynamic credentials. */
export const VAULT_CAPABILITIES: Capabilities = { renewable: true, revocable: true, dynamic: true };

/** BATCH_REFUSAL is the vault's answer to revoking a batch token. */
const BATCH_REFUSAL = /batch tokens cannot be revoked/i;

/** VaultSession is a logged-in vault client behind the interface. */
export class VaultSession implements ProviderSession {
  readonly kind = "vault" as const;
  readonly capabilities = VAULT_CAPABILITIES;
  readonly label = "the vault token";
  readonly client: VaultClient;
  readonly login: LoginResult;
  readonly #mount: string | undefined;
  readonly #platform: Platform;
  readonly #resolver: MountResolver;
  /** Known from the gate's token lookup: a batch token expires and is never revoked. */
  #batch = false;

  constructor(client: VaultClient, result: LoginResult, platform: Platform, mount?: string) {
    this.client = client;
    this.login = result;
    this.#platform = platform;
    this.#mount = mount;
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
      renewable: l.renewable,
      details: {
        address: this.client.address,
        policies: [...l.policies],
        ...(l.accessor ? { accessor: l.accessor } : {}),
        ...(this.#mount ? { mount: this.#mount } : {}),
      },
    };
  }

  async read(specs: readonly SecretSpec[], options: ReadOptions): Promise<ReadOutcome[]> {
    const pending = new Map<string, Promise<ReadOutcome>>();
    return mapLimit(specs, options.concurrency, async (spec, index) => {
      const key = `${spec.method} ${spec.path} ${spec.params ? JSON.stringify(spec.params) : ""}`;
      let read = pending.get(key);
      if (!read) {
        read = this.#readOne(spec);
        pending.set(key, read);
      }
      const outcome = await read;
      await options.settled?.(index, outcome);
      return outcome;
    });
  }

  async #readOne(spec: SecretSpec): Promise<ReadOutcome> {
    const started = Date.now();
    let resolved: ResolvedPath | undefined;
    try {
      let response: VaultResponse;
      const direct = spec.method === "POST" ? undefined : directRead(spec.path);
      if (direct) {
        resolved = direct;
        ({ resolved, response } = await this.#readDirect(direct));
      } else {
        resolved = await this.#resolver.resolve(spec.path);
        response =
          spec.method === "POST"
            ? await this.client.write(resolved.apiPath, spec.params ?? {})
            : await this.client.read(resolved.apiPath);
      }
      const data = secretData(response, resolved);
      const version = resolved.kv === 2 ? (response.data?.metadata as { version?: number } | undefined)?.version : undefined;
      return {
        ok: true,
        ms: Date.now() - started,
        value: {
          data: data ?? {},
          apiPath: resolved.apiPath,
          kv: resolved.kv,
          leaseId: response.lease_id || undefined,
          ttlSeconds: response.lease_duration,
          renewable: response.renewable,
          version,
        },
      };
    } catch (error) {
      const context = {
        path: spec.path,
        origin: spec.origin,
        role: this.login.role,
        address: this.client.address,
        op: spec.method === "POST" ? "request" : "read",
        optional: optionalAdvice(spec.origin),
      } as const;
      const mapped = mapReadError(error, context);
      return { ok: false, error: mapped, apiPath: resolved?.apiPath, kv: resolved?.kv, ms: Date.now() - started };
    }
  }

  /**
   * #readDirect reads a `<mount>/data/<secret>` path as written, with no mount lookup; the
   * answer's shape says whether it is KV v2. A 404 or 403 may mean the mount is nested
   * (its own path ends in /data): then the mount is looked up, and the secret read again
   * where the mount says, if that is another path; otherwise the first error stands.
   */
  async #readDirect(direct: ResolvedPath): Promise<{ resolved: ResolvedPath; response: VaultResponse }> {
    try {
      const response = await this.client.read(direct.apiPath);
      return { resolved: { ...direct, kv: hasKv2Shape(response) ? 2 : undefined }, response };
    } catch (error) {
      if (!(error instanceof VaultHttpError) || (error.status !== 404 && error.status !== 403)) throw error;
      const resolved = await this.#resolver.resolve(direct.path);
      if (resolved.apiPath === direct.apiPath) throw error;
      return { resolved, response: await this.client.read(resolved.apiPath) };
    }
  }

  validate(specs: readonly SecretSpec[], options: ValidateOptions): Promise<Verdict[]> {
    return validateSpecs(this.#gate(options), specs);
  }

  async validateSession(options: ValidateOptions): Promise<Verdict> {
    const gate = this.#gate(options);
    try {
      const { verdict, batch } = await tokenTtl(gate);
      this.#batch = batch;
      return verdict;
    } catch (error) {
      return errorVerdict(gate, error, "checking token.ttl");
    }
  }

  #gate(options: ValidateOptions) {
    return { client: this.client, login: this.login, method: this.login.method, log: this.#platform.log, options };
  }

  async renew(incrementSeconds = this.login.ttlSeconds): Promise<RenewOutcome> {
    try {
      const ttl = (await this.client.renewSelf(incrementSeconds))?.lease_duration ?? 0;
      const message = `renewed ${this.label}: ${formatDuration(ttl)} left`;
      return { ok: true, ttlSeconds: ttl, capped: ttl < incrementSeconds, message };
    } catch (error) {
      return { ok: false, ttlSeconds: 0, capped: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  async renewLease(leaseId: string, incrementSeconds: number): Promise<number> {
    return (await this.client.renewLease(leaseId, incrementSeconds)).lease_duration ?? 0;
  }

  async lookupLease(leaseId: string): Promise<{ ttlSeconds: number; renewable: boolean }> {
    const res = await this.client.call<{ data?: { ttl?: number; renewable?: boolean } }>("PUT", "sys/leases/lookup", {
      body: { lease_id: leaseId },
      idempotent: true,
    });
    const data = res.body.data ?? {};
    return { ttlSeconds: data.ttl ?? 0, renewable: data.renewable === true };
  }

  async revoke(request: RevokeRequest): Promise<RevokeReport> {
    if (this.#batch && !request.keepCredentials && request.leases.length === 0) {
      return { token: "not-revoked", leasesRevoked: 0, leasesWithToken: 0, errors: [], leftAlive: [], unrevocable: true };
    }
    const report = await revokeVault(this.client, request, this.login.accessor);
    if (report.token === "failed" && report.errors.some((e) => BATCH_REFUSAL.test(e))) report.unrevocable = true;
    return report;
  }

  handOver(): HandOver {
    return { token: this.login.token, accessor: this.login.accessor, ownsToken: this.login.method !== "token" };
  }

  close(): void {
    this.client.close();
  }
}

/** clientOf builds the vault client of a source with the session's options. */
function clientOf(vault: VaultConfig, fetch: FetchSettings, options: Omit<AuthenticateOptions, "platform">): VaultClient {
  return new VaultClient({
    vault,
    fetch: options.maxAttempts !== undefined ? { ...fetch, maxAttempts: options.maxAttempts } : fetch,
    userAgent: options.userAgent,
    ...(options.deadline ? { deadline: options.deadline } : {}),
    ...(options.observe ? { observe: options.observe } : {}),
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
}

/** vaultProvider logs in with the configured method. */
export const vaultProvider = {
  kind: "vault" as const,
  async authenticate(config: VaultSourceConfig, options: AuthenticateOptions): Promise<VaultSession> {
    const client = clientOf(config.vault, config.fetch, options);
    try {
      const result = await login(client, config.auth, options.platform, options.userAgent, options.idToken);
      return new VaultSession(client, result, options.platform, "mount" in config.auth ? config.auth.mount : undefined);
    } catch (error) {
      client.close();
      throw error;
    }
  },

  async probe(config: VaultSourceConfig, options: AuthenticateOptions): Promise<Verdict> {
    const client = clientOf(config.vault, config.fetch, options);
    try {
      return await checkHealth(client);
    } finally {
      client.close();
    }
  },

  /**
   * resume holds a session another process logged in (its state file); `lookup` asks the
   * vault for the token's TTL, for a process that renews it.
   */
  async resume(
    vault: VaultConfig,
    handOver: HandOver,
    options: Omit<AuthenticateOptions, "idToken"> & { fetch: FetchSettings; lookup?: boolean },
  ): Promise<VaultSession> {
    const client = clientOf(vault, options.fetch, options);
    client.setToken(handOver.token);
    const result: LoginResult = {
      token: handOver.token,
      accessor: handOver.accessor,
      policies: [],
      ttlSeconds: 0,
      renewable: false,
      method: handOver.ownsToken ? "jwt" : "token",
      role: undefined,
      claims: undefined,
      identityOrigin: "the run's state",
    };
    try {
      if (options.lookup) {
        const self = await client.lookupSelf();
        const created = self.creation_ttl;
        result.ttlSeconds = typeof created === "number" && created > 0 ? created : Number(self.ttl ?? 0);
        result.renewable = self.renewable === true;
      }
      return new VaultSession(client, result, options.platform);
    } catch (error) {
      client.close();
      throw error;
    }
  },
};

vaultProvider satisfies Provider<VaultSourceConfig>;
