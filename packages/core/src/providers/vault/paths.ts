/**
 * providers/vault/paths — turns the paths users write into API paths. KV v2 is
 * detected per mount (sys/internal/ui/mounts): `secret/app` becomes `secret/data/app`,
 * while vault-action style `secret/data/app` is used as written. Other engines' paths
 * (database/creds/x, pki/issue/x) are used as written.
 *
 * A read of `<mount>/data/<secret>` needs no lookup (directRead): that API path is what
 * the lookup would give for a KV v2 mount (and for a KV v1 mount, or any other engine,
 * the path is used as written anyway), and the answer's shape tells KV v2 from the
 * rest. Only when such a read fails is the mount looked up, for a nested mount whose
 * own path ends in `/data` (then the secret is read again at the path the mount gives).
 */
import { ConfigError } from "../../errors.js";
import type { MountInfo, VaultClient, VaultResponse } from "./client.js";
import { errorParts } from "./reasons.js";

/** ResolvedPath says how to read one user path. */
export interface ResolvedPath {
  /** Path as written. */
  path: string;
  /** Path to GET or POST. */
  apiPath: string;
  /** KV version when the mount is KV (1 or 2), else undefined. */
  kv: 1 | 2 | undefined;
  mount: MountInfo | undefined;
  /** For KV v2: the metadata path (versions, deletion state). */
  metadataPath: string | undefined;
  /** For KV v2: the path was written as a metadata path (`mount/metadata/...`), which holds no values. */
  metadataGiven?: boolean;
  /** For KV v2: the path without `data/`, as the vault CLI shows it. */
  plainPath?: string;
}

/** MountResolver looks up each mount once, however many paths share it. */
export class MountResolver {
  readonly #client: VaultClient;
  readonly #known: MountInfo[] = [];
  readonly #pending = new Map<string, Promise<MountInfo | undefined>>();

  constructor(client: VaultClient) {
    this.#client = client;
  }

  /** resolve finds the mount of `path` and the API path to read; a KV v2 metadata path is a ConfigError. */
  async resolve(path: string): Promise<ResolvedPath> {
    const mount = await this.#mountOf(path);
    const resolved = resolveWithMount(path, mount);
    if (resolved.metadataGiven) {
      const parts = errorParts("read.metadata-path", { path, apiPath: resolved.apiPath, plain: resolved.plainPath ?? path });
      throw new ConfigError(parts.message, parts);
    }
    return resolved;
  }

  async #mountOf(path: string): Promise<MountInfo | undefined> {
    const known = this.#known.find((m) => path === m.path || path.startsWith(`${m.path}/`));
    if (known) return known;
    // Paths sharing a first segment usually share a mount: ask once for all of them.
    const first = path.split("/")[0] ?? path;
    let pending = this.#pending.get(first);
    if (!pending) {
      pending = this.#client.mountOf(path).then((m) => {
        if (m) this.#known.push(m);
        return m;
      });
      this.#pending.set(first, pending);
    }
    const mount = await pending;
    if (mount && !(path === mount.path || path.startsWith(`${mount.path}/`))) return this.#client.mountOf(path);
    return mount;
  }
}

/**
 * secretData picks the object that holds a secret's keys: KV v2's data.data, else data.
 * A mount that could not be looked up counts as KV v2 when the answer has KV v2's shape.
 * Undefined means a KV v2 version without data (deleted or destroyed).
 */
export function secretData(response: VaultResponse, resolved: ResolvedPath): Record<string, unknown> | undefined {
  const data = response.data ?? {};
  const inner = data.data;
  const isObject = inner !== null && typeof inner === "object" && !Array.isArray(inner);
  if (resolved.kv === 2 || (resolved.kv === undefined && hasKv2Shape(response))) {
    return isObject ? (inner as Record<string, unknown>) : undefined;
  }
  return data;
}

/**
 * hasKv2Shape says whether an answer is a KV v2 read: `data.data` (an object, or null for
 * a deleted version) next to `data.metadata` with a numeric version and a creation time.
 * A KV v1 secret whose own keys happen to be `data` and `metadata` does not have it.
 */
export function hasKv2Shape(response: VaultResponse): boolean {
  const data = response.data ?? {};
  const meta = data.metadata as Record<string, unknown> | null | undefined;
  const inner = data.data;
  const innerOk = inner === null || (typeof inner === "object" && !Array.isArray(inner));
  return (
    innerOk && !!meta && typeof meta === "object" && typeof meta.version === "number" && typeof meta.created_time === "string"
  );
}

/** DIRECT_KV2 matches `<mount>/data/<secret>` with a one-segment mount, the way vault-action users write KV v2 paths. */
const DIRECT_KV2 = /^[^/]+\/data\/[^?]/;

/** directRead returns the resolution of a path that is read as written with no mount lookup, or undefined. */
export function directRead(path: string): ResolvedPath | undefined {
  if (!DIRECT_KV2.test(path)) return undefined;
  return { path, apiPath: path, kv: undefined, mount: undefined, metadataPath: undefined };
}

/** resolveWithMount computes the API path once the mount is known (or unknown). */
export function resolveWithMount(path: string, mount: MountInfo | undefined): ResolvedPath {
  if (!mount || mount.type !== "kv") return { path, apiPath: path, kv: undefined, mount, metadataPath: undefined };
  if (mount.version !== "2") return { path, apiPath: path, kv: 1, mount, metadataPath: undefined };
  const rest = path === mount.path ? "" : path.slice(mount.path.length + 1);
  const metadataGiven = rest.startsWith("metadata/");
  const secret = rest.startsWith("data/") || metadataGiven ? rest.slice(rest.indexOf("/") + 1) : rest;
  return {
    path,
    apiPath: `${mount.path}/data/${secret}`,
    kv: 2,
    mount,
    metadataPath: `${mount.path}/metadata/${secret}`,
    ...(metadataGiven ? { metadataGiven } : {}),
    plainPath: `${mount.path}/${secret}`,
  };
}
