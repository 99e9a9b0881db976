/**
 * config/inputs — maps the flat inputs of a wrapper (GitHub action inputs, GitLab
 * component inputs, Jenkins step parameters, CLI flags) onto the manifest's shape, so
 * that one schema (config/normalize) validates both. hashicorp/vault-action's input
 * names are accepted where they mean the same thing.
 */
import { ConfigError } from "../errors.js";
import { isObject } from "./fields.js";

/** Inputs are flat name → text pairs; empty text counts as not given. */
export type Inputs = Readonly<Record<string, string | undefined>>;

/** INPUT_MAP maps each accepted input name to its place in the manifest. */
const INPUT_MAP: Readonly<Record<string, readonly [section: string, key: string]>> = {
  url: ["vault", "url"],
  namespace: ["vault", "namespace"],
  "ca-cert": ["vault", "ca-cert"],
  caCertificate: ["vault", "ca-cert"],
  "client-cert": ["vault", "client-cert"],
  clientCertificate: ["vault", "client-cert"],
  "client-key": ["vault", "client-key"],
  clientKey: ["vault", "client-key"],
  "tls-skip-verify": ["vault", "tls-skip-verify"],
  tlsSkipVerify: ["vault", "tls-skip-verify"],
  "allow-insecure-http": ["vault", "allow-insecure-http"],
  method: ["auth", "method"],
  mount: ["auth", "mount"],
  path: ["auth", "mount"],
  role: ["auth", "role"],
  audience: ["auth", "audience"],
  jwtGithubAudience: ["auth", "audience"],
  token: ["auth", "token"],
  "token-variable": ["auth", "token-variable"],
  "role-id": ["auth", "role-id"],
  roleId: ["auth", "role-id"],
  "secret-id": ["auth", "secret-id"],
  secretId: ["auth", "secret-id"],
  "secret-id-variable": ["auth", "secret-id-variable"],
  "kubernetes-token-path": ["auth", "kubernetes-token-path"],
  username: ["auth", "username"],
  password: ["auth", "password"],
  "github-token": ["auth", "github-token"],
  githubToken: ["auth", "github-token"],
  "auth-payload": ["auth", "payload"],
  authPayload: ["auth", "payload"],
  "jwt-private-key": ["auth", "jwt-private-key"],
  jwtPrivateKey: ["auth", "jwt-private-key"],
  "jwt-key-password": ["auth", "jwt-key-password"],
  jwtKeyPassword: ["auth", "jwt-key-password"],
  "jwt-ttl": ["auth", "jwt-ttl"],
  jwtTtl: ["auth", "jwt-ttl"],
  kubernetesTokenPath: ["auth", "kubernetes-token-path"],
  concurrency: ["fetch", "concurrency"],
  timeout: ["fetch", "timeout"],
  "request-timeout": ["fetch", "request-timeout"],
  attempts: ["fetch", "attempts"],
  "min-mask-length": ["mask", "min-length"],
  "aws-role-arn": ["sources.aws", "role-arn"],
  "aws-region": ["sources.aws", "region"],
  "aws-audience": ["sources.aws", "audience"],
  "aws-session-duration": ["sources.aws", "session-duration"],
  "aws-export-credentials": ["sources.aws", "export-credentials"],
};

/** TOP_INPUTS maps inputs that set a top-level key of the manifest (text kept as written). */
const TOP_INPUTS: Readonly<Record<string, string>> = {
  pki: "pki",
  encoding: "encoding",
  secretEncodingType: "encoding",
};

/** ACCEPTED_INPUTS lists every input name rawFromInputs understands. */
export const ACCEPTED_INPUTS: readonly string[] = [
  ...Object.keys(INPUT_MAP),
  ...Object.keys(TOP_INPUTS),
  "secrets",
  "headers",
  "extraHeaders",
  "id-token-from",
  "id-token-variable",
  "id-token-file",
  "allow-env-names",
];

/** rawFromInputs builds a raw configuration object from flat inputs. */
export function rawFromInputs(inputs: Inputs): Record<string, unknown> {
  const raw: Record<string, Record<string, unknown>> = {};
  const set = (section: string, key: string, value: unknown, name: string) => {
    const target = (raw[section] ??= {});
    if (target[key] !== undefined && target[key] !== value) {
      throw new ConfigError(`The inputs give ${section}.${key} twice with different values (last one: ${name}).`, {
        hint: "Keep one of the two input names.",
      });
    }
    target[key] = value;
  };
  for (const [name, value] of Object.entries(inputs)) {
    if (value === undefined || value.trim() === "") continue;
    const place = INPUT_MAP[name];
    if (place) set(place[0], place[1], value.trim(), name);
  }
  const idFrom = inputs["id-token-from"]?.trim();
  const idVar = inputs["id-token-variable"]?.trim();
  const idFile = inputs["id-token-file"]?.trim();
  if (idFrom || idVar || idFile) {
    set("auth", "id-token", { from: idFrom || undefined, variable: idVar || undefined, file: idFile || undefined }, "id-token-*");
  }
  const headers = inputs.headers ?? inputs.extraHeaders;
  if (headers?.trim()) raw.vault = { ...raw.vault, headers: parseHeaderLines(headers) };
  const { "sources.aws": aws, ...sections } = raw;
  const out: Record<string, unknown> = { ...sections };
  if (aws) out.sources = { aws };
  if (inputs.secrets?.trim()) out.secrets = inputs.secrets;
  for (const [name, key] of Object.entries(TOP_INPUTS)) {
    const value = inputs[name]?.trim();
    if (!value) continue;
    if (out[key] !== undefined && out[key] !== value) {
      throw new ConfigError(`The inputs give ${key} twice with different values (last one: ${name}).`, {
        hint: "Keep one of the two input names.",
      });
    }
    out[key] = value;
  }
  if (inputs["allow-env-names"]?.trim()) out["allow-env-names"] = inputs["allow-env-names"];
  return out;
}

/** parseHeaderLines parses "Name: value" lines (vault-action's extraHeaders). */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ConfigError(`Header line "${line}" must be "Name: value".`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/**
 * mergeRaw lays `override` (inputs, flags) over `base` (a manifest): sections merge key
 * by key, and secrets from both are kept, the manifest's first. The vault inputs (url,
 * namespace, TLS...) go where the manifest names its vault: into sources.vault when it
 * has one, so they win over it as they win over a top-level `vault:`.
 */
export function mergeRaw(base: unknown, override: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = isObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(intoSourcesVault(out, override))) {
    if (key === "secrets") {
      const before = toList(out.secrets);
      out.secrets = [...before, ...toList(value)];
    } else if (key === "sources" && isObject(value)) {
      // Sources merge one level deeper: an input sets one key of sources.aws, not all of it.
      const before = isObject(out.sources) ? out.sources : {};
      const merged: Record<string, unknown> = { ...before };
      for (const [name, source] of Object.entries(value)) {
        const was = before[name];
        merged[name] = isObject(was) && isObject(source) ? { ...was, ...source } : source;
      }
      out.sources = merged;
    } else if (isObject(value)) {
      const before = out[key];
      out[key] = isObject(before) ? { ...before, ...value } : value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** intoSourcesVault moves the inputs' `vault` section to `sources.vault` when the manifest names its vault there. */
function intoSourcesVault(base: Record<string, unknown>, override: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (!isObject(override.vault) || !isObject(base.sources) || base.sources.vault === undefined) return override;
  const { vault, ...rest } = override;
  return { ...rest, sources: { ...(isObject(rest.sources) ? rest.sources : {}), vault } };
}

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === "") return [];
  return Array.isArray(value) ? value : [value];
}
