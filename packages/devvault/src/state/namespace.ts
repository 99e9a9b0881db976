/**
 * state/namespace — one namespace: an isolated tree of policies, auth mounts and
 * secrets engine mounts, with child namespaces below it. The root namespace has path
 * "" and id "root"; a child's path ends with "/" ("team-a/", "team-a/dev/").
 */
import type { Reply } from "../server/reply.js";
import type { Operation } from "../policy/acl.js";
import { parsePolicy, type PolicyRule } from "../policy/parse.js";
import { randomBase62, randomHex, uuid } from "../server/ids.js";

/** EngineRequest is what a secrets engine sees of a request. */
export interface EngineRequest {
  operation: Operation;
  /** Path below the mount, without leading or trailing "/". */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The requesting token's display name (dynamic engines put it in usernames). */
  displayName: string;
}

/** SecretEngine serves the paths of one secrets engine mount. */
export interface SecretEngine {
  readonly type: string;
  /** Mount options as sys/internal/ui/mounts shows them (KV: {version}). */
  readonly options: Record<string, string>;
  handle(request: EngineRequest): Reply;
  /** exists tells whether a write creates (false) or updates (true), for the ACL check. */
  exists(path: string): boolean;
}

/** MountEntry is a mounted engine (secrets or auth) and its descriptive fields. */
export interface MountEntry<E> {
  /** Mount path with a trailing "/", e.g. "secret/". */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  engine: E;
}

/** StoredPolicy is a policy's text and its parsed rules. */
export interface StoredPolicy {
  name: string;
  text: string;
  rules: PolicyRule[];
}

/** DEFAULT_POLICY is the part of Vault's built-in `default` policy that devvault serves. */
export const DEFAULT_POLICY = `
# Allow tokens to look up their own properties
path "auth/token/lookup-self" { capabilities = ["read"] }
# Allow tokens to renew and revoke themselves
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
# Allow a token to look up its own capabilities on a path
path "sys/capabilities-self" { capabilities = ["update"] }
# Allow a token to renew a lease and look up lease properties
path "sys/renew" { capabilities = ["update"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/lookup" { capabilities = ["update"] }
`;

/** Namespace is one isolated tree. */
export class Namespace {
  readonly path: string;
  readonly id: string;
  readonly parent: Namespace | undefined;
  readonly children = new Map<string, Namespace>();
  readonly policies = new Map<string, StoredPolicy>();
  readonly secretMounts = new Map<string, MountEntry<SecretEngine>>();
  readonly authMounts = new Map<string, MountEntry<unknown>>();
  readonly uuid = uuid();

  constructor(path: string, parent: Namespace | undefined) {
    this.path = path;
    this.parent = parent;
    this.id = parent ? randomBase62(6) : "root";
    this.setPolicy("default", DEFAULT_POLICY);
  }

  /** isRoot tells the root namespace. */
  get isRoot(): boolean {
    return this.parent === undefined;
  }

  /** child returns the direct child `name`, creating it when `create` is set. */
  child(name: string, create = false): Namespace | undefined {
    let ns = this.children.get(name);
    if (!ns && create) {
      ns = new Namespace(`${this.path}${name}/`, this);
      this.children.set(name, ns);
    }
    return ns;
  }

  /** isWithin tells whether this namespace is `other` or below it. */
  isWithin(other: Namespace): boolean {
    if (this === other) return true;
    return this.parent?.isWithin(other) ?? false;
  }

  /** setPolicy stores (or replaces) a policy written in HCL or JSON. */
  setPolicy(name: string, text: string, rules = parsePolicy(name, text)): void {
    this.policies.set(name, { name, text, rules });
  }

  /** mountSecrets mounts a secrets engine at `path`. */
  mountSecrets(path: string, engine: SecretEngine, description = ""): MountEntry<SecretEngine> {
    const entry = newMount(path, engine.type, engine, description);
    this.secretMounts.set(entry.path, entry);
    return entry;
  }

  /** mountAuth mounts an auth method at auth/`path`. */
  mountAuth<E>(path: string, type: string, engine: E, description = ""): MountEntry<E> {
    const entry = newMount(path, type, engine, description);
    this.authMounts.set(entry.path, entry);
    return entry;
  }

  /** secretMountOf finds the secrets engine mount holding `path` (longest mount path wins). */
  secretMountOf(path: string): MountEntry<SecretEngine> | undefined {
    return longest(this.secretMounts, path);
  }

  /** authMountOf finds the auth mount of `path` (relative to auth/). */
  authMountOf(path: string): MountEntry<unknown> | undefined {
    return longest(this.authMounts, path);
  }
}

function newMount<E>(path: string, type: string, engine: E, description: string): MountEntry<E> {
  const clean = `${path.replace(/^\/+|\/+$/g, "")}/`;
  return { path: clean, type, description, accessor: `${type}_${randomHex(4)}`, uuid: uuid(), engine };
}

function longest<E>(mounts: Map<string, MountEntry<E>>, path: string): MountEntry<E> | undefined {
  let best: MountEntry<E> | undefined;
  const withSlash = path.endsWith("/") ? path : `${path}/`;
  for (const entry of mounts.values()) {
    if (withSlash.startsWith(entry.path) && (!best || entry.path.length > best.path.length)) best = entry;
  }
  return best;
}
