/**
 * config/normalize — validates one raw configuration object (from a manifest, from a
 * wrapper's inputs, or both merged) into a VaultgateConfig. This is the single schema:
 * every key, default and combination rule lives here.
 */
import { resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { DEFAULT_MIN_MASK_LENGTH } from "../mask/variants.js";
import type { Env } from "../platform.js";
import {
  expectObject,
  isObject,
  oneOf,
  optionalBoolean,
  optionalDuration,
  optionalEncoding,
  optionalInteger,
  optionalString,
  rejectUnknownKeys,
  type RawObject,
} from "./fields.js";
import {
  AUTH_METHODS,
  DEFAULT_FETCH,
  ID_TOKEN_SOURCES,
  type AuthConfig,
  type AuthMethod,
  type FetchSettings,
  type IdTokenSource,
  type MaskSettings,
  type SecretSpec,
  type TlsConfig,
  type VaultConfig,
  type VaultgateConfig,
} from "./schema.js";
import { checkExportNames, parseAllowEnvNames } from "../export/env-names.js";
import { defaultNames, normalizePath, parseSecretsSyntax } from "./secrets-syntax.js";
import { AUTH_EXTRA_KEYS, normalizeOtherAuth, normalizeSignedJwt } from "./auth-methods.js";
import { pem } from "./pem.js";
import { parsePkiSyntax } from "./pki-syntax.js";
import { parseSelector } from "./selector.js";
import { assignSources, normalizeAws, readsFromVault, sourceOf, splitSources } from "./sources.js";

/** NormalizeContext gives defaults from the environment and the base for relative paths. */
export interface NormalizeContext {
  env: Env;
  /** Directory relative file paths (CA certificates, token files) are resolved against. */
  baseDir: string;
  /** Name of the configuration source for messages, e.g. "vaultgate.yml" or "inputs". */
  source: string;
  /** When false (the default for manifests), a literal vault token is refused. */
  allowTokenValue?: boolean;
}

const TOP_KEYS = [
  "version",
  "vault",
  "sources",
  "auth",
  "secrets",
  "pki",
  "encoding",
  "fetch",
  "allow-env-names",
  "mask",
] as const;
const VAULT_KEYS = [
  "url",
  "namespace",
  "ca-cert",
  "client-cert",
  "client-key",
  "tls-skip-verify",
  "allow-insecure-http",
  "headers",
] as const;
const AUTH_KEYS = [
  "method",
  "mount",
  "role",
  "audience",
  "id-token",
  "token",
  "token-variable",
  "role-id",
  "secret-id",
  "secret-id-variable",
  "kubernetes-token-path",
  ...AUTH_EXTRA_KEYS,
] as const;
const ID_TOKEN_KEYS = ["from", "variable", "file"] as const;
const FETCH_KEYS = ["concurrency", "request-timeout", "timeout", "attempts"] as const;
const SECRET_KEYS = [
  "path",
  "key",
  "name",
  "prefix",
  "env",
  "output",
  "required",
  "method",
  "params",
  "encoding",
  "source",
] as const;
const MASK_KEYS = ["min-length"] as const;

/** normalizeConfig validates `raw` and fills defaults. */
export function normalizeConfig(raw: unknown, ctx: NormalizeContext): VaultgateConfig {
  const top = expectObject(raw, ctx.source);
  rejectUnknownKeys(top, TOP_KEYS, ctx.source);
  const version = top.version;
  if (version !== undefined && version !== 1 && version !== "1") {
    throw new ConfigError(`${ctx.source}: unsupported version ${JSON.stringify(version)}.`, {
      hint: "This vaultgate reads version 1 manifests; upgrade vaultgate or set `version: 1`.",
    });
  }
  const allowEnvNames = parseAllowEnvNames(top["allow-env-names"], `${ctx.source} allow-env-names`);
  const sources = splitSources(top, ctx);
  const authRaw = expectObject(top.auth, `${ctx.source} auth`);
  // The vault is a source when named, or when VAULT_ADDR names one; else sources.aws is the only one.
  const named = sources.vault !== undefined;
  const specs = normalizeSecrets(top, ctx, allowEnvNames);
  // A vault known only from VAULT_ADDR that no secret reads from is not contacted (nor its address checked).
  const fromEnv = Boolean(ctx.env.VAULT_ADDR || ctx.env.BAO_ADDR) && specs.some(readsFromVault);
  const hasVault = named || fromEnv || sources.aws === undefined;
  const aws = sources.aws ? normalizeAws(sources.aws, ctx, hasVault ? undefined : authRaw["id-token"]) : undefined;
  const vault = hasVault ? normalizeVault(sources.vault ?? {}, ctx, named) : undefined;
  return {
    ...(vault ? { vault } : {}),
    auth: normalizeAuth(authRaw, ctx),
    secrets: assignSources(specs, { vault: vault !== undefined, aws }, ctx.source),
    fetch: normalizeFetch(expectObject(top.fetch, `${ctx.source} fetch`), ctx),
    allowEnvNames,
    ...(aws ? { aws } : {}),
    mask: normalizeMask(expectObject(top.mask, `${ctx.source} mask`), ctx),
  };
}

function normalizeMask(obj: RawObject, ctx: NormalizeContext): MaskSettings {
  const where = `${ctx.source} mask`;
  rejectUnknownKeys(obj, MASK_KEYS, where);
  return { minLength: optionalInteger(obj, "min-length", where, 0, 1024) ?? DEFAULT_MIN_MASK_LENGTH };
}

function normalizeVault(obj: RawObject, ctx: NormalizeContext, named: boolean): VaultConfig {
  const where = `${ctx.source} vault`;
  rejectUnknownKeys(obj, VAULT_KEYS, where);
  const url = optionalString(obj, "url", where) ?? ctx.env.VAULT_ADDR ?? ctx.env.BAO_ADDR;
  if (!url && !named) {
    throw new ConfigError(`No source is configured in ${ctx.source}: no vault address and no AWS source.`, {
      hint: "Name the vault (manifest `vault.url` or `sources.vault.url`, input `url`, flag --url, or VAULT_ADDR), or AWS (manifest `sources.aws` with role-arn and region, inputs aws-role-arn and aws-region), or both.",
    });
  }
  if (!url) {
    throw new ConfigError("No vault address is configured.", {
      hint: "Set the vault URL (manifest `vault.url`, input `url`, flag --url) or the VAULT_ADDR variable.",
    });
  }
  assertNoUserinfo(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`The vault address "${url}" is not a URL.`, { hint: "Write it as https://vault.example.com:8200." });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new ConfigError(`The vault address "${url}" must start with https:// or http://.`, {
      hint: "Write it as https://vault.example.com:8200.",
    });
  }
  const allowInsecureHttp = optionalBoolean(obj, "allow-insecure-http", where) ?? false;
  // Plain http sends the job's OIDC token and the vault token in clear: only to this machine.
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname) && !allowInsecureHttp) {
    throw new ConfigError(
      `The vault address ${parsed.origin} is plain http to another host: the tokens would cross the network in clear.`,
      {
        hint: "Use https://. For a test vault on a network you trust, set allow-insecure-http: true (input allow-insecure-http, flag --allow-insecure-http).",
      },
    );
  }
  const tls: TlsConfig = {
    caCert: pem(optionalString(obj, "ca-cert", where) ?? ctx.env.VAULT_CACERT, "ca-cert", ctx),
    clientCert: pem(optionalString(obj, "client-cert", where) ?? ctx.env.VAULT_CLIENT_CERT, "client-cert", ctx),
    clientKey: pem(optionalString(obj, "client-key", where) ?? ctx.env.VAULT_CLIENT_KEY, "client-key", ctx),
    skipVerify: optionalBoolean(obj, "tls-skip-verify", where) ?? false,
    insecureHttp: parsed.protocol === "http:" && !isLoopback(parsed.hostname),
  };
  if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
    throw new ConfigError("Mutual TLS needs both a client certificate and its key.", {
      hint: "Set both client-cert and client-key, or neither.",
    });
  }
  const headers: Record<string, string> = {};
  const rawHeaders = expectObject(obj.headers, `${where}.headers`);
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (typeof value !== "string" || !/^[A-Za-z0-9-]+$/.test(name)) {
      throw new ConfigError(`${where}.headers: "${name}" must be a header name with a string value.`);
    }
    headers[name] = value;
  }
  return {
    url: url.replace(/\/+$/, ""),
    namespace: optionalString(obj, "namespace", where) ?? ctx.env.VAULT_NAMESPACE ?? ctx.env.BAO_NAMESPACE,
    tls,
    headers,
  };
}

/**
 * assertNoUserinfo refuses a vault address with credentials in it (`https://user:pw@host`)
 * before anything uses it: the address appears in messages, reports and the audit
 * record, so the credentials would too. The message never repeats the address.
 */
export function assertNoUserinfo(url: string): void {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url.trim())?.[1];
  if (authority?.includes("@")) {
    throw new ConfigError("The vault address contains credentials (user:password@ before the host); it was not used.", {
      hint: "Remove them from the URL: vaultgate logs in with the job's identity (or a token from a variable), never with URL credentials.",
    });
  }
}

/** isLoopback tells whether a URL host is this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

function normalizeAuth(obj: RawObject, ctx: NormalizeContext): AuthConfig {
  const where = `${ctx.source} auth`;
  rejectUnknownKeys(obj, AUTH_KEYS, where);
  const methodText = optionalString(obj, "method", where) ?? "jwt";
  // Any other method logs in with the body given as payload (vault-action's authPayload).
  const custom = !AUTH_METHODS.includes(methodText.toLowerCase() as AuthMethod) && obj.payload !== undefined;
  const method = custom ? "payload" : oneOf(methodText, AUTH_METHODS, `${where}.method`);
  const mount = (optionalString(obj, "mount", where) ?? (method === "payload" ? methodText : method)).replace(/^\/+|\/+$/g, "");
  const role = optionalString(obj, "role", where);
  const only = (allowed: readonly string[]) => {
    for (const key of AUTH_KEYS) {
      if (key !== "method" && !allowed.includes(key) && obj[key] !== undefined && obj[key] !== "") {
        throw new ConfigError(`${where}.${key} does not apply to the ${method} method.`, {
          hint: `Remove it, or set method to the one it belongs to.`,
        });
      }
    }
  };
  switch (method) {
    case "jwt":
      only(["mount", "role", "audience", "id-token", "jwt-private-key", "jwt-key-password", "jwt-ttl"]);
      return {
        method,
        mount,
        role,
        audience: optionalString(obj, "audience", where),
        idToken: normalizeIdToken(obj["id-token"], ctx),
        signed: normalizeSignedJwt(obj, ctx, where),
      };
    case "token": {
      only(["token", "token-variable"]);
      const value = optionalString(obj, "token", where);
      if (value !== undefined && !ctx.allowTokenValue) {
        throw new ConfigError(`${where}.token: a vault token must never be written into ${ctx.source}.`, {
          hint: "Put it in an environment variable and name it with token-variable (default VAULT_TOKEN).",
        });
      }
      return { method, variable: optionalString(obj, "token-variable", where), value };
    }
    case "approle": {
      only(["mount", "role-id", "secret-id", "secret-id-variable"]);
      const roleId = optionalString(obj, "role-id", where);
      if (!roleId) throw new ConfigError(`${where}: approle login needs role-id.`);
      const secretId = optionalString(obj, "secret-id", where);
      if (secretId !== undefined && !ctx.allowTokenValue) {
        throw new ConfigError(`${where}.secret-id: a secret_id must never be written into ${ctx.source}.`, {
          hint: "Put it in an environment variable and name it with secret-id-variable.",
        });
      }
      return { method, mount, roleId, secretId, secretIdVariable: optionalString(obj, "secret-id-variable", where) };
    }
    case "kubernetes":
      only(["mount", "role", "kubernetes-token-path"]);
      if (!role) throw new ConfigError(`${where}: kubernetes login needs a role.`);
      return {
        method,
        mount,
        role,
        tokenPath: optionalString(obj, "kubernetes-token-path", where) ?? "/var/run/secrets/kubernetes.io/serviceaccount/token",
      };
    default:
      return normalizeOtherAuth(obj, { method, name: methodText, mount, where, only }, ctx);
  }
}

export function normalizeIdToken(value: unknown, ctx: NormalizeContext, where = `${ctx.source} auth.id-token`): IdTokenSource {
  if (value === undefined || value === null || value === "") return { from: "auto" };
  if (typeof value === "string") return { from: oneOf(value, ID_TOKEN_SOURCES, where) };
  if (!isObject(value)) throw new ConfigError(`${where} must be a source name or a mapping with from/variable/file.`);
  rejectUnknownKeys(value, ID_TOKEN_KEYS, where);
  const variable = optionalString(value, "variable", where);
  const file = optionalString(value, "file", where);
  const fromText = optionalString(value, "from", where) ?? (file ? "file" : variable ? "env" : "auto");
  const from = oneOf(fromText, ID_TOKEN_SOURCES, `${where}.from`);
  if (from === "file" && !file) throw new ConfigError(`${where}: from: file needs file: <path>.`);
  if (from === "env" && !variable) throw new ConfigError(`${where}: from: env needs variable: <NAME>.`);
  if (variable !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new ConfigError(`${where}.variable "${variable}" is not a valid variable name.`);
  }
  return { from, variable, file: file === undefined ? undefined : resolve(ctx.baseDir, file) };
}

function normalizeFetch(obj: RawObject, ctx: NormalizeContext): FetchSettings {
  const where = `${ctx.source} fetch`;
  rejectUnknownKeys(obj, FETCH_KEYS, where);
  return {
    concurrency: optionalInteger(obj, "concurrency", where, 1, 256) ?? DEFAULT_FETCH.concurrency,
    requestTimeoutSeconds: optionalDuration(obj, "request-timeout", where) ?? DEFAULT_FETCH.requestTimeoutSeconds,
    deadlineSeconds: optionalDuration(obj, "timeout", where) ?? DEFAULT_FETCH.deadlineSeconds,
    maxAttempts: optionalInteger(obj, "attempts", where, 1, 100) ?? DEFAULT_FETCH.maxAttempts,
  };
}

function normalizeSecrets(top: RawObject, ctx: NormalizeContext, allowEnvNames: readonly string[]): SecretSpec[] {
  const where = `${ctx.source} secrets`;
  const value = top.secrets;
  const encoding = optionalEncoding(top, ctx.source);
  const specs = readSecretList(value, where).map((s) => (s.encoding || !encoding ? s : { ...s, encoding }));
  specs.push(...parsePkiSyntax(top.pki, `${ctx.source} pki`, encoding));
  // Names written in the configuration are checked before login; names made from vault
  // keys (`*`/`**`) are checked by the same rule once the keys are known.
  checkExportNames(
    specs.filter((s) => s.selector.kind !== "all").map((s) => ({ name: s.envName, origin: s.origin, path: s.path })),
    allowEnvNames,
    { syntax: false },
  );
  return specs;
}

function readSecretList(value: unknown, where: string): SecretSpec[] {
  if (value === undefined || value === null || value === "") return [];
  const specs: SecretSpec[] = [];
  const items: unknown[] = typeof value === "string" ? [value] : Array.isArray(value) ? value : [undefined];
  if (!Array.isArray(value) && typeof value !== "string") {
    throw new ConfigError(`${where} must be a list, or vault-action style text.`);
  }
  items.forEach((item, index) => {
    const origin = Array.isArray(value) ? `${where}[${index}]` : where;
    if (typeof item === "string") {
      for (const entry of parseSecretsSyntax(item, origin)) {
        specs.push({ ...entry, required: true, method: "GET", params: undefined });
      }
      return;
    }
    if (!isObject(item)) throw new ConfigError(`${origin} must be a line "path key | NAME" or a mapping.`);
    specs.push(normalizeSecretObject(item, origin));
  });
  return specs;
}

function normalizeSecretObject(obj: RawObject, origin: string): SecretSpec {
  rejectUnknownKeys(obj, SECRET_KEYS, origin);
  const rawPath = optionalString(obj, "path", origin);
  if (!rawPath) throw new ConfigError(`${origin} needs a path.`, { hint: "e.g. path: secret/data/app" });
  const keyText = optionalString(obj, "key", origin) ?? "*";
  const selector = parseSelector(keyText, origin);
  const prefix = optionalString(obj, "prefix", origin);
  if (prefix !== undefined && selector.kind !== "all") {
    throw new ConfigError(`${origin}: prefix applies to the wildcard keys * and **.`, {
      hint: "Use name: for a single key, or key: * with prefix: to export every key under a prefix.",
    });
  }
  const name = optionalString(obj, "name", origin) ?? prefix;
  const env = optionalString(obj, "env", origin) ?? name;
  const output = optionalString(obj, "output", origin) ?? name;
  const defaults = defaultNames(keyText, undefined, selector.kind === "all");
  if (selector.kind === "expr" && env === undefined) {
    throw new ConfigError(`${origin}: the key "${keyText}" is a path; give it a name.`, { hint: "Add name: MY_VARIABLE." });
  }
  for (const [field, n] of [
    ["env", env],
    ["output", output],
  ] as const) {
    if (n !== undefined && !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(n)) {
      throw new ConfigError(`${origin}.${field} "${n}" is not a valid name.`, {
        hint: "Names start with a letter or _ and contain only letters, digits, _ and -.",
      });
    }
  }
  const methodText = optionalString(obj, "method", origin) ?? "GET";
  const method = oneOf(methodText.toLowerCase(), ["get", "post"] as const, `${origin}.method`) === "post" ? "POST" : "GET";
  const params = obj.params === undefined ? undefined : expectObject(obj.params, `${origin}.params`);
  if (params !== undefined && method === "GET") {
    throw new ConfigError(`${origin}: params are sent only with method: POST.`, { hint: "Add method: POST or remove params." });
  }
  return {
    path: normalizePath(rawPath, origin),
    selector,
    envName: env ?? defaults.envName,
    outputName: output ?? defaults.outputName,
    required: optionalBoolean(obj, "required", origin) ?? true,
    method,
    params,
    origin,
    encoding: optionalEncoding(obj, origin),
    source: sourceOf(obj, origin),
  };
}
