/**
 * engines/kv-v2 — the versioned key/value engine: data/ (read a version, write with
 * check-and-set, soft-delete the latest), metadata/ (versions, list, delete all),
 * delete/, undelete/ and destroy/ of chosen versions, and config. A deleted or
 * destroyed version is answered 404 with its metadata, as Vault and OpenBao do.
 */
import { ApiError, badRequest, envelope, isoSeconds, noContent, notFound, ok, unsupported, type Reply } from "../server/reply.js";
import type { EngineRequest, SecretEngine } from "../state/namespace.js";
import type { Clock } from "../state/leases.js";
import { listKeys } from "./list.js";

interface Version {
  data: Record<string, unknown> | undefined;
  created: number;
  deleted: number | undefined;
  destroyed: boolean;
}

interface Secret {
  versions: Map<number, Version>;
  current: number;
  created: number;
  updated: number;
  customMetadata: Record<string, string> | null;
}

const SECTIONS = ["data", "metadata", "delete", "undelete", "destroy"] as const;
type Section = (typeof SECTIONS)[number];

/** KvV2Engine keeps every version of every secret. */
export class KvV2Engine implements SecretEngine {
  readonly type = "kv";
  readonly options = { version: "2" };
  readonly #now: Clock;
  readonly #secrets = new Map<string, Secret>();

  constructor(now: Clock) {
    this.#now = now;
  }

  /** put writes a new version of `path`; returns the version number. */
  put(path: string, data: Record<string, unknown>, cas?: number): number {
    const now = this.#now();
    let secret = this.#secrets.get(path);
    if (cas !== undefined && cas !== (secret?.current ?? 0)) {
      throw badRequest("check-and-set parameter did not match the current version");
    }
    if (!secret) {
      secret = { versions: new Map(), current: 0, created: now, updated: now, customMetadata: null };
      this.#secrets.set(path, secret);
    }
    secret.current++;
    secret.updated = now;
    secret.versions.set(secret.current, { data: structuredClone(data), created: now, deleted: undefined, destroyed: false });
    return secret.current;
  }

  exists(path: string): boolean {
    const [section, rest] = split(path);
    return section === "data" || section === "metadata" ? this.#secrets.has(rest) : true;
  }

  handle(request: EngineRequest): Reply {
    if (request.path === "config" && request.operation === "read") {
      return ok({ data: { cas_required: false, delete_version_after: "0s", max_versions: 0, metadata_cas_required: false } });
    }
    const [section, path] = split(request.path);
    const write = request.operation === "create" || request.operation === "update";
    switch (section) {
      case "data":
        if (request.operation === "read") return this.#read(path, request.query.get("version"));
        if (write) return this.#write(path, request.body);
        if (request.operation === "delete") return this.#mark(path, undefined, (v) => (v.deleted ??= this.#now()));
        throw unsupported();
      case "metadata":
        if (request.operation === "read") return ok({ data: this.#metadata(path) });
        if (request.operation === "list") return this.#list(path);
        if (request.operation === "delete") {
          this.#secrets.delete(path);
          return noContent();
        }
        if (write) return this.#writeMetadata(path, request.body);
        throw unsupported();
      case "delete":
      case "undelete":
      case "destroy": {
        if (!write) throw unsupported();
        const versions = versionsOf(request.body);
        if (section === "delete") return this.#mark(path, versions, (v) => (v.deleted ??= this.#now()));
        if (section === "undelete") return this.#mark(path, versions, (v) => (v.deleted = undefined));
        return this.#mark(path, versions, (v) => {
          v.destroyed = true;
          v.data = undefined;
        });
      }
      default:
        throw new ApiError(
          404,
          [],
          envelope({
            warnings: [
              "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use.",
            ],
          }),
        );
    }
  }

  #read(path: string, versionParam: string | null): Reply {
    const secret = this.#secrets.get(path);
    if (!secret) throw notFound();
    const number = versionParam && Number(versionParam) > 0 ? Number(versionParam) : secret.current;
    const version = secret.versions.get(number);
    if (!version) throw notFound();
    const metadata = {
      created_time: isoSeconds(version.created),
      custom_metadata: secret.customMetadata,
      deletion_time: version.deleted === undefined ? "" : isoSeconds(version.deleted),
      destroyed: version.destroyed,
      version: number,
    };
    if (version.deleted !== undefined || version.destroyed || !version.data) {
      throw new ApiError(404, [], envelope({ data: { data: null, metadata } }));
    }
    return ok({ data: { data: structuredClone(version.data), metadata } });
  }

  #write(path: string, body: Record<string, unknown>): Reply {
    const data = body.data;
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw badRequest("no data provided");
    const options = body.options as { cas?: unknown } | undefined;
    const cas = options?.cas === undefined ? undefined : Number(options.cas);
    const version = this.put(path, data as Record<string, unknown>, cas);
    const secret = this.#secrets.get(path);
    return ok({
      data: {
        created_time: isoSeconds(secret?.updated ?? this.#now()),
        custom_metadata: secret?.customMetadata ?? null,
        deletion_time: "",
        destroyed: false,
        version,
      },
    });
  }

  #metadata(path: string): Record<string, unknown> {
    const secret = this.#secrets.get(path);
    if (!secret) throw notFound();
    const versions: Record<string, unknown> = {};
    for (const [n, v] of secret.versions) {
      versions[String(n)] = {
        created_time: isoSeconds(v.created),
        deletion_time: v.deleted === undefined ? "" : isoSeconds(v.deleted),
        destroyed: v.destroyed,
      };
    }
    return {
      cas_required: false,
      created_time: isoSeconds(secret.created),
      current_metadata_version: 0,
      current_version: secret.current,
      custom_metadata: secret.customMetadata,
      delete_version_after: "0s",
      max_versions: 0,
      metadata_cas_required: false,
      oldest_version: 0,
      updated_time: isoSeconds(secret.updated),
      versions,
    };
  }

  #writeMetadata(path: string, body: Record<string, unknown>): Reply {
    const now = this.#now();
    const secret = this.#secrets.get(path) ?? {
      versions: new Map(),
      current: 0,
      created: now,
      updated: now,
      customMetadata: null,
    };
    const custom = body.custom_metadata;
    if (custom !== undefined) {
      if (typeof custom !== "object" || custom === null) throw badRequest("custom_metadata must be a map of strings");
      secret.customMetadata = Object.fromEntries(Object.entries(custom).map(([k, v]) => [k, String(v)]));
    }
    this.#secrets.set(path, secret);
    return noContent();
  }

  #list(path: string): Reply {
    const keys = listKeys(this.#secrets.keys(), path);
    if (keys.length === 0) throw notFound();
    return ok({ data: { keys } });
  }

  #mark(path: string, versions: number[] | undefined, change: (v: Version) => void): Reply {
    const secret = this.#secrets.get(path);
    if (!secret) return noContent();
    for (const n of versions ?? [secret.current]) {
      const version = secret.versions.get(n);
      if (version && !version.destroyed) change(version);
    }
    return noContent();
  }
}

function split(path: string): [Section | undefined, string] {
  const slash = path.indexOf("/");
  const head = slash === -1 ? path : path.slice(0, slash);
  const rest = slash === -1 ? "" : path.slice(slash + 1);
  return [(SECTIONS as readonly string[]).includes(head) ? (head as Section) : undefined, rest];
}

function versionsOf(body: Record<string, unknown>): number[] {
  const raw = body.versions;
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : typeof raw === "number" ? [raw] : [];
  const versions = list.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  if (versions.length === 0) throw badRequest("no version number provided");
  return versions;
}
