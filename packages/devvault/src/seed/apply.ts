/**
 * seed/apply — puts a validated seed into a devvault's state: policies, jwt auth
 * mounts and roles, KV and database mounts with their secrets and roles, and child
 * namespaces, each checked with the same rules as the HTTP API.
 */
import { ConfigError, parseDuration } from "@vaultgate/core";
import { JwtAuth } from "../auth/jwt.js";
import { CredentialsEngine } from "../engines/credentials.js";
import { createSecretEngine } from "../engines/factory.js";
import { KvV1Engine } from "../engines/kv-v1.js";
import { KvV2Engine } from "../engines/kv-v2.js";
import type { DevIssuer } from "../issuer/issuer.js";
import { parsePolicy, rulesFromMap } from "../policy/parse.js";
import { ApiError } from "../server/reply.js";
import type { Namespace } from "../state/namespace.js";
import type { VaultState } from "../state/vault-state.js";
import type { AuthSeed, NamespaceSeed, SecretsSeed } from "./schema.js";

/** applySeed configures `ns` (the root namespace by default) from `seed`. */
export function applySeed(state: VaultState, seed: NamespaceSeed, issuer: DevIssuer, ns: Namespace = state.root): void {
  const where = ns.isRoot ? "" : `namespace ${ns.path}: `;
  for (const [name, policy] of Object.entries(seed.policies ?? {})) {
    guard(`${where}policies.${name}`, () => {
      const rules = typeof policy === "string" ? parsePolicy(name, policy) : rulesFromMap(name, policy);
      ns.setPolicy(name, typeof policy === "string" ? policy : JSON.stringify({ path: policy }), rules);
    });
  }
  for (const [mount, auth] of Object.entries(seed.auth ?? {})) {
    guard(`${where}auth.${mount}`, () => applyAuth(state, ns, mount, auth, issuer));
  }
  for (const [mount, engine] of Object.entries(seed.secrets ?? {})) {
    guard(`${where}secrets.${mount}`, () => {
      if (engine === null) ns.secretMounts.delete(`${mount.replace(/^\/+|\/+$/g, "")}/`);
      else applySecrets(state, ns, mount, engine);
    });
  }
  for (const [name, child] of Object.entries(seed.namespaces ?? {})) {
    applySeed(state, child, issuer, ns.child(name, true) ?? ns);
  }
}

function applyAuth(state: VaultState, ns: Namespace, mount: string, seed: AuthSeed, issuer: DevIssuer): void {
  const auth = new JwtAuth(state.now);
  const pubkeys = [...(seed.jwt_validation_pubkeys ?? []), ...(seed.local_issuer ? [issuer.key.publicPem] : [])];
  auth.configure({
    jwt_validation_pubkeys: pubkeys,
    jwks_url: seed.jwks_url,
    bound_issuer: seed.bound_issuer ?? (seed.local_issuer ? issuer.url : undefined),
    default_role: seed.default_role,
  });
  for (const [name, role] of Object.entries(seed.roles ?? {})) {
    guard(`role ${name}`, () => auth.setRole(name, role));
  }
  ns.mountAuth(mount, "jwt", auth);
}

function applySecrets(state: VaultState, ns: Namespace, mount: string, seed: SecretsSeed): void {
  const engine = createSecretEngine(seed.type, { version: String(seed.version ?? 2) }, state.now);
  for (const [path, data] of Object.entries(seed.data ?? {})) {
    const clean = path.replace(/^\/+|\/+$/g, "");
    if (engine instanceof KvV2Engine) engine.put(clean, data);
    else if (engine instanceof KvV1Engine) engine.put(clean, data);
    else throw new ConfigError(`data is for kv mounts; ${mount} is ${seed.type}`);
  }
  for (const [name, role] of Object.entries(seed.roles ?? {})) {
    if (!(engine instanceof CredentialsEngine)) throw new ConfigError(`roles are for database mounts; ${mount} is ${seed.type}`);
    const ttl = seconds(role.default_ttl, `roles.${name}.default_ttl`) ?? 0;
    const max = seconds(role.max_ttl, `roles.${name}.max_ttl`) ?? 0;
    engine.setRole(name, { defaultTtl: ttl, maxTtl: max, renewable: role.renewable !== false });
  }
  ns.mountSecrets(mount, engine, seed.description ?? "");
}

function seconds(value: string | number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(String(value));
  if (parsed === undefined) throw new ConfigError(`${field}: ${JSON.stringify(value)} is not a duration`);
  return parsed;
}

function guard(where: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    const detail =
      error instanceof ApiError
        ? error.errors.join("; ")
        : error instanceof Error
          ? error.message.replace(/^Invalid devvault seed: /, "")
          : String(error);
    throw new ConfigError(`Invalid devvault seed: ${where}: ${detail}`, {
      hint: "See docs/devvault.md for the seed format.",
      cause: error,
    });
  }
}
