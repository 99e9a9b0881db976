/**
 * engines/kv-v1 — the unversioned key/value engine: read, write (the body is the
 * secret), delete and list. A `ttl` key in the secret sets the lease_duration readers
 * see, as Vault does; there is never a lease id.
 */
import { parseDuration } from "@vaultgate/core";
import { badRequest, noContent, notFound, ok, unsupported, type Reply } from "../server/reply.js";
import type { EngineRequest, SecretEngine } from "../state/namespace.js";
import { SYSTEM_MAX_TTL } from "../state/tokens.js";
import { listKeys } from "./list.js";

/** KvV1Engine stores one value per path. */
export class KvV1Engine implements SecretEngine {
  readonly type = "kv";
  readonly options = { version: "1" };
  readonly #secrets = new Map<string, Record<string, unknown>>();

  /** put stores `data` at `path` (seeding and writes). */
  put(path: string, data: Record<string, unknown>): void {
    this.#secrets.set(path, structuredClone(data));
  }

  exists(path: string): boolean {
    return this.#secrets.has(path);
  }

  handle(request: EngineRequest): Reply {
    const { path } = request;
    switch (request.operation) {
      case "read": {
        const data = this.#secrets.get(path);
        if (!data) throw notFound();
        const ttl = typeof data.ttl === "string" || typeof data.ttl === "number" ? parseDuration(String(data.ttl)) : undefined;
        return ok({ data: structuredClone(data), leaseDuration: ttl ?? SYSTEM_MAX_TTL });
      }
      case "create":
      case "update":
        if (Object.keys(request.body).length === 0) throw badRequest("missing data fields");
        this.put(path, request.body);
        return noContent();
      case "delete":
        this.#secrets.delete(path);
        return noContent();
      case "list": {
        const keys = listKeys(this.#secrets.keys(), path);
        if (keys.length === 0) throw notFound();
        return ok({ data: { keys } });
      }
      default:
        throw unsupported();
    }
  }
}
