/**
 * engines/credentials — devvault's one dynamic secrets engine, shaped like Vault's
 * database engine (and mountable as type "rabbitmq", whose API it also accepts):
 * reading <mount>/creds/<role> issues a fresh username and password under a lease
 * (lease_id, lease_duration, renewable). Nothing external is involved: the engine
 * only remembers which credentials are live, so tests can watch revocation free them.
 */
import { badRequest, noContent, notFound, ok, unsupported, type Reply } from "../server/reply.js";
import { randomBase62 } from "../server/ids.js";
import type { EngineRequest, SecretEngine } from "../state/namespace.js";
import { durationField } from "../util/fields.js";

/** CredentialsRole configures one role's leases. TTLs in seconds; 0 = the mount's lease config. */
export interface CredentialsRole {
  defaultTtl: number;
  maxTtl: number;
  renewable: boolean;
}

/** DEFAULT_LEASE_TTL is the lease TTL when neither role nor mount sets one: one hour. */
export const DEFAULT_LEASE_TTL = 3600;
/** DEFAULT_LEASE_MAX_TTL is the max TTL when neither role nor mount sets one: one day. */
export const DEFAULT_LEASE_MAX_TTL = 86_400;

/** CREDENTIAL_ENGINE_TYPES are the mount types served by CredentialsEngine. */
export const CREDENTIAL_ENGINE_TYPES = ["database", "rabbitmq"] as const;
export type CredentialEngineType = (typeof CREDENTIAL_ENGINE_TYPES)[number];

/** CredentialsEngine issues leased credentials per role. */
export class CredentialsEngine implements SecretEngine {
  readonly type: CredentialEngineType;
  readonly options = {};
  readonly #roles = new Map<string, CredentialsRole>();
  readonly #live = new Set<string>();
  #lease = { ttl: DEFAULT_LEASE_TTL, maxTtl: DEFAULT_LEASE_MAX_TTL };

  constructor(type: CredentialEngineType = "database") {
    this.type = type;
  }

  /** setRole creates or replaces a role. */
  setRole(name: string, role: CredentialsRole): void {
    this.#roles.set(name, role);
  }

  /** setLeaseConfig sets the mount-wide lease TTLs (RabbitMQ's config/lease). */
  setLeaseConfig(ttl: number, maxTtl: number): void {
    this.#lease = { ttl: ttl || DEFAULT_LEASE_TTL, maxTtl: maxTtl || DEFAULT_LEASE_MAX_TTL };
  }

  /** liveUsernames lists the usernames whose leases have not ended. */
  liveUsernames(): string[] {
    return [...this.#live];
  }

  exists(path: string): boolean {
    const [section, name] = path.split("/", 2);
    return section === "roles" && name !== undefined && this.#roles.has(name);
  }

  handle(request: EngineRequest): Reply {
    const [section = "", name = "", ...rest] = request.path.split("/");
    if (rest.length > 0) throw notFound();
    const write = request.operation === "create" || request.operation === "update";
    if (section === "creds" && name !== "") {
      if (request.operation !== "read") throw unsupported();
      return this.#issue(name, request.displayName);
    }
    if (section === "roles") return this.#roleApi(name, request);
    if (section === "config" && name === "lease" && write) {
      this.setLeaseConfig(durationField(request.body.ttl, "ttl") ?? 0, durationField(request.body.max_ttl, "max_ttl") ?? 0);
      return noContent();
    }
    if (section === "config" && name === "lease" && request.operation === "read") {
      return ok({ data: { ttl: this.#lease.ttl, max_ttl: this.#lease.maxTtl } });
    }
    // There is no server to connect to: connection settings are accepted and ignored.
    if (section === "config" && name === "connection" && write) return noContent();
    throw notFound();
  }

  #issue(roleName: string, displayName: string): Reply {
    const role = this.#roles.get(roleName);
    if (!role) throw badRequest(`unknown role: ${roleName}`);
    const who =
      displayName
        .replace(/[^A-Za-z0-9]+/g, "-")
        .slice(0, 8)
        .replace(/-+$/, "") || "token";
    const username = `v-${who}-${roleName.slice(0, 8)}-${randomBase62(20)}`;
    const password = `${randomBase62(4)}-${randomBase62(28)}`;
    this.#live.add(username);
    return {
      ...ok({ data: { username, password } }),
      secret: {
        ttlSeconds: role.defaultTtl || this.#lease.ttl,
        maxTtlSeconds: role.maxTtl || this.#lease.maxTtl,
        renewable: role.renewable,
        revoke: () => void this.#live.delete(username),
      },
    };
  }

  #roleApi(name: string, request: EngineRequest): Reply {
    if (request.operation === "list" && name === "") {
      const keys = [...this.#roles.keys()].sort();
      if (keys.length === 0) throw notFound();
      return ok({ data: { keys } });
    }
    if (name === "") throw unsupported();
    switch (request.operation) {
      case "read": {
        const role = this.#roles.get(name);
        if (!role) throw notFound();
        return ok({ data: { default_ttl: role.defaultTtl, max_ttl: role.maxTtl, renewable: role.renewable } });
      }
      case "create":
      case "update": {
        // Engine-specific fields (creation statements, vhosts, tags) are accepted and ignored.
        const ttl = durationField(request.body.default_ttl ?? request.body.ttl, "default_ttl") ?? 0;
        const max = durationField(request.body.max_ttl, "max_ttl") ?? 0;
        if (ttl && max && ttl > max) throw badRequest("ttl cannot be greater than max_ttl");
        this.setRole(name, { defaultTtl: ttl, maxTtl: max, renewable: request.body.renewable !== false });
        return noContent();
      }
      case "delete":
        this.#roles.delete(name);
        return noContent();
      default:
        throw unsupported();
    }
  }
}
