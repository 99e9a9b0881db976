/**
 * seed/schema — the shape of a devvault seed (YAML or an object) and its validation.
 * Field names follow Vault's API (token_ttl, bound_claims...) so a seed reads like the
 * `vault write` commands that would configure a real server. Every problem is a
 * ConfigError naming the seed path at fault.
 */
import { ConfigError } from "@vaultgate/core";

/** PolicySeed is HCL/JSON policy text, or a map of path pattern to capabilities. */
export type PolicySeed = string | Record<string, string[]>;

/** AuthSeed configures one jwt auth mount (config fields and roles as Vault names them). */
export interface AuthSeed {
  type: "jwt";
  /** Trust devvault's own issuer: adds its key, and its URL as bound_issuer unless one is set. */
  local_issuer?: boolean;
  jwt_validation_pubkeys?: string[];
  jwks_url?: string;
  bound_issuer?: string;
  default_role?: string;
  roles?: Record<string, Record<string, unknown>>;
}

/** SecretsSeed configures one secrets engine mount. */
export interface SecretsSeed {
  type: "kv" | "database" | "rabbitmq";
  /** KV version (default 2). */
  version?: 1 | 2;
  description?: string;
  /** KV: secrets by path below the mount. */
  data?: Record<string, Record<string, unknown>>;
  /** database/rabbitmq: roles by name (TTLs default to 1h, max 24h). */
  roles?: Record<string, { default_ttl?: string | number; max_ttl?: string | number; renewable?: boolean }>;
}

/** NamespaceSeed is one namespace's content. */
export interface NamespaceSeed {
  policies?: Record<string, PolicySeed>;
  auth?: Record<string, AuthSeed>;
  secrets?: Record<string, SecretsSeed | null>;
  namespaces?: Record<string, NamespaceSeed>;
}

/** IssuerSeed sets the local issuer's URL and the job identities its tokens describe. */
export interface IssuerSeed {
  url?: string;
  github?: { repository?: string; ref?: string; environment?: string; event_name?: string };
  gitlab?: { project_path?: string; ref?: string; ref_type?: "branch" | "tag"; environment?: string };
  jenkins?: { url?: string; job?: string; build_number?: number };
}

/** Seed is a whole devvault configuration: the root namespace plus server-wide settings. */
export interface Seed extends NamespaceSeed {
  root_token?: string;
  issuer?: IssuerSeed;
}

const NAMESPACE_KEYS = ["policies", "auth", "secrets", "namespaces"];
const ROOT_KEYS = [...NAMESPACE_KEYS, "root_token", "issuer"];
const AUTH_KEYS = ["type", "local_issuer", "jwt_validation_pubkeys", "jwks_url", "bound_issuer", "default_role", "roles"];
const SECRETS_KEYS = ["type", "version", "description", "data", "roles"];

/** validateSeed checks `value` and returns it typed; `source` names it in messages. */
export function validateSeed(value: unknown, source: string): Seed {
  const fail = (where: string, detail: string) =>
    new ConfigError(`Invalid devvault seed ${source}: ${where ? `${where}: ` : ""}${detail}.`, {
      hint: "See docs/devvault.md for the seed format.",
    });
  const map = (v: unknown, where: string): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw fail(where, "expected a map");
    return v as Record<string, unknown>;
  };
  const keys = (v: Record<string, unknown>, allowed: string[], where: string) => {
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) throw fail(where, `unknown key "${key}" (known: ${allowed.join(", ")})`);
    }
  };
  const namespace = (v: unknown, where: string, allowed: string[]) => {
    const ns = map(v ?? {}, where);
    keys(ns, allowed, where);
    for (const [name, policy] of Object.entries(map(ns.policies ?? {}, `${where}policies`))) {
      if (typeof policy !== "string") map(policy, `${where}policies.${name}`);
    }
    for (const [mount, raw] of Object.entries(map(ns.auth ?? {}, `${where}auth`))) {
      const auth = map(raw, `${where}auth.${mount}`);
      keys(auth, AUTH_KEYS, `${where}auth.${mount}`);
      if (auth.type !== "jwt") throw fail(`${where}auth.${mount}.type`, 'devvault seeds support the "jwt" auth method');
      for (const [role, body] of Object.entries(map(auth.roles ?? {}, `${where}auth.${mount}.roles`))) {
        const r = map(body, `${where}auth.${mount}.roles.${role}`);
        if (r.role_type === undefined) {
          throw fail(
            `${where}auth.${mount}.roles.${role}`,
            "set role_type (jwt); Vault's default, oidc, cannot log in with a JWT",
          );
        }
      }
    }
    for (const [mount, raw] of Object.entries(map(ns.secrets ?? {}, `${where}secrets`))) {
      if (raw === null) continue;
      const engine = map(raw, `${where}secrets.${mount}`);
      keys(engine, SECRETS_KEYS, `${where}secrets.${mount}`);
      if (engine.type !== "kv" && engine.type !== "database" && engine.type !== "rabbitmq") {
        throw fail(`${where}secrets.${mount}.type`, 'expected "kv", "database" or "rabbitmq"');
      }
      if (engine.version !== undefined && engine.version !== 1 && engine.version !== 2) {
        throw fail(`${where}secrets.${mount}.version`, "expected 1 or 2");
      }
      for (const [path, data] of Object.entries(map(engine.data ?? {}, `${where}secrets.${mount}.data`))) {
        map(data, `${where}secrets.${mount}.data.${path}`);
      }
      map(engine.roles ?? {}, `${where}secrets.${mount}.roles`);
    }
    for (const [name, child] of Object.entries(map(ns.namespaces ?? {}, `${where}namespaces`))) {
      if (name.includes("/")) throw fail(`${where}namespaces.${name}`, "nest namespaces instead of writing a/b");
      namespace(child, `${where}namespaces.${name}.`, NAMESPACE_KEYS);
    }
  };
  namespace(value, "", ROOT_KEYS);
  const root = map(value ?? {}, "");
  if (root.root_token !== undefined && (typeof root.root_token !== "string" || root.root_token === "")) {
    throw fail("root_token", "expected a non-empty string");
  }
  if (root.issuer !== undefined) keys(map(root.issuer, "issuer"), ["url", "github", "gitlab", "jenkins"], "issuer");
  return root;
}
