/**
 * providers/aws/refs — what an AWS secret reference means. A spec of the AWS source has
 * a path `secretsmanager/<name or ARN>[?version-stage=S | ?version-id=V]` or
 * `ssm/<parameter name>` (the leading `/` of the parameter is implied; `name:3` and
 * `name:label` select a version as SSM itself does). No SDK code here: config validation
 * uses it before anything is loaded.
 */
import { ConfigError } from "../../errors.js";

/** AwsRef is one parsed reference. */
export type AwsRef =
  | { service: "secretsmanager"; id: string; versionId: string | undefined; versionStage: string | undefined }
  | { service: "ssm"; name: string };

/** AWS_SERVICES are the path prefixes of the AWS source. */
export const AWS_SERVICES = ["secretsmanager", "ssm"] as const;

/** parseAwsRef parses a spec path of the AWS source; `origin` names it in errors. */
export function parseAwsRef(path: string, origin: string): AwsRef {
  const slash = path.indexOf("/");
  const service = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? "" : path.slice(slash + 1);
  if (service === "secretsmanager" || service === "sm") return secretRef(rest, path, origin);
  if (service === "ssm") {
    if (rest === "" || /\s/.test(rest)) throw bad(path, origin);
    return { service: "ssm", name: rest.startsWith("arn:") ? rest : `/${rest.replace(/^\/+/, "")}` };
  }
  throw bad(path, origin);
}

function secretRef(rest: string, path: string, origin: string): AwsRef {
  const q = rest.indexOf("?");
  const id = q < 0 ? rest : rest.slice(0, q);
  if (id === "" || /\s/.test(id)) throw bad(path, origin);
  let versionId: string | undefined;
  let versionStage: string | undefined;
  if (q >= 0) {
    const query = new URLSearchParams(rest.slice(q + 1));
    for (const [key, value] of query) {
      if (key === "version-id" && value) versionId = value;
      else if (key === "version-stage" && value) versionStage = value;
      else {
        throw new ConfigError(`Unknown option "${key}" in the AWS secret reference "${path}" (${origin}).`, {
          hint: "Secrets Manager references take ?version-stage=AWSPREVIOUS or ?version-id=<id>.",
        });
      }
    }
    if (versionId && versionStage) {
      throw new ConfigError(`"${path}" (${origin}) names both a version id and a version stage.`, {
        hint: "Give one of them.",
      });
    }
  }
  return { service: "secretsmanager", id, versionId, versionStage };
}

function bad(path: string, origin: string): ConfigError {
  return new ConfigError(`"${path}" (${origin}) is not an AWS secret reference.`, {
    hint: "Write aws://secretsmanager/<secret name or ARN> or aws://ssm/<parameter path>, e.g. aws://ssm/app/prod/db_password.",
  });
}

/** refKey identifies what one request reads, so that each distinct reference is read once. */
export function refKey(ref: AwsRef, hierarchy: boolean): string {
  if (ref.service === "ssm") return `ssm ${hierarchy ? "path" : "name"} ${ref.name}`;
  return `sm ${ref.id} ${ref.versionId ?? ""} ${ref.versionStage ?? ""}`;
}

/** describeRef names a reference for messages, as AWS names it. */
export function describeRef(ref: AwsRef): string {
  if (ref.service === "ssm") return `SSM parameter ${ref.name}`;
  const version = ref.versionId ? ` version ${ref.versionId}` : ref.versionStage ? ` stage ${ref.versionStage}` : "";
  return `Secrets Manager secret ${ref.id}${version}`;
}

/** secretDataOf turns a stored text into the keys a selector applies to: a JSON object's keys, else `value`. */
export function secretDataOf(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Not JSON: the whole text is the value.
    }
  }
  return { value: text };
}

/** hierarchyKey names a parameter found under `path` as a key: `db/password` under /app becomes db_password. */
export function hierarchyKey(path: string, name: string): string {
  const base = path.endsWith("/") ? path : `${path}/`;
  const relative = name.startsWith(base) ? name.slice(base.length) : name.replace(/^\/+/, "");
  return relative.replaceAll("/", "_");
}
