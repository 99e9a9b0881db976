/** engines/factory — builds a secrets engine from the `type` and `options` Vault's sys/mounts takes. */
import { badRequest } from "../server/reply.js";
import type { SecretEngine } from "../state/namespace.js";
import type { Clock } from "../state/leases.js";
import { scalarText } from "../util/fields.js";
import { CredentialsEngine } from "./credentials.js";
import { KvV1Engine } from "./kv-v1.js";
import { KvV2Engine } from "./kv-v2.js";

/** SECRET_ENGINE_TYPES lists the engine types devvault can mount. */
export const SECRET_ENGINE_TYPES = ["kv", "kv-v2", "database", "rabbitmq"] as const;

/** createSecretEngine returns a new engine, or throws 400 for a type devvault lacks. */
export function createSecretEngine(type: string, options: Record<string, unknown> | undefined, now: Clock): SecretEngine {
  const version = scalarText(options?.version);
  switch (type) {
    case "kv":
      if (version === "2") return new KvV2Engine(now);
      if (version === undefined || version === "1") return new KvV1Engine();
      throw badRequest(`invalid KV version ${version}`);
    case "kv-v2":
      return new KvV2Engine(now);
    case "database":
    case "rabbitmq":
      return new CredentialsEngine(type);
    default:
      throw badRequest(`plugin not found in the catalog: ${type} (devvault mounts ${SECRET_ENGINE_TYPES.join(", ")})`);
  }
}
