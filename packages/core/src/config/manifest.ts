/**
 * config/manifest — reads a manifest file (vaultgate.yml). `${VAR}` and
 * `${VAR:-default}` in string values are taken from the environment, so one manifest
 * serves every branch and environment.
 *
 * The YAML parser is loaded only for a run that has a manifest (loadManifestParser, before
 * loadConfig): it is a third of the secrets action's entry bundle, and a step with inline
 * inputs starts about 12 ms sooner without it (bench:fetch, spawn → first request).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError, InternalError } from "../errors.js";
import type { Env } from "../platform.js";
import type * as Yaml from "yaml";

let yaml: typeof Yaml | undefined;

/** loadManifestParser loads the YAML parser; parseManifest (and loadConfig with a manifest) needs it first. */
export async function loadManifestParser(): Promise<void> {
  yaml ??= await import("yaml");
}

function parser(): typeof Yaml {
  if (!yaml) throw new InternalError("The manifest was read before its parser was loaded (loadManifestParser).");
  return yaml;
}

/** ManifestFile is a parsed manifest and where it came from. */
export interface ManifestFile {
  path: string;
  dir: string;
  raw: unknown;
}

/** readManifest loads and parses a manifest; `cwd` resolves a relative path. */
export function readManifest(path: string, env: Env, cwd: string): ManifestFile {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a directory" : `: ${code ?? String(error)}`;
    throw new ConfigError(`Cannot read the manifest ${file}${why}.`, {
      hint: "Check the manifest path, or create one with `vaultgate init`.",
      cause: error,
    });
  }
  return { path: file, dir: dirname(file), raw: parseManifest(text, file, env) };
}

/** parseManifest parses manifest text, expanding `${VAR}` in string values. */
export function parseManifest(text: string, label: string, env: Env): unknown {
  if (text.includes("\u0000") || text.includes("\uFFFD")) {
    throw new ConfigError(`${label} is not a text file.`, { hint: "Point --manifest at a vaultgate.yml (YAML text)." });
  }
  const doc = parser().parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new ConfigError(`${label}${line ? ` line ${line}` : ""}: ${problem.message.split("\n")[0] ?? "invalid YAML"}.`, {
      hint: "Fix the YAML syntax; `vaultgate init` prints a valid example.",
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml library refuses alias bombs ("billion laughs") once they expand past the limit.
    throw new ConfigError(
      `${label}: the YAML expands too many aliases (${error instanceof Error ? error.message : String(error)}).`,
      {
        hint: "Write the manifest without nested YAML aliases (*name); vaultgate refuses alias bombs.",
      },
    );
  }
  if (raw !== null && raw !== undefined && (typeof raw !== "object" || Array.isArray(raw))) {
    throw new ConfigError(`${label} is a YAML ${Array.isArray(raw) ? "list" : typeof raw}, not a mapping.`, {
      hint: "A manifest is a mapping with vault:, auth: and secrets: keys; see docs/configuration.md.",
    });
  }
  return expand(raw, env, label);
}

function expand(value: unknown, env: Env, label: string): unknown {
  if (typeof value === "string") return expandString(value, env, label);
  if (Array.isArray(value)) return value.map((v) => expand(v, env, label));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, env, label)]));
  }
  return value;
}

/** expandString replaces `${VAR}` and `${VAR:-default}`; `$${` stays a literal `${`. */
export function expandString(text: string, env: Env, label: string): string {
  return text.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name: string, fallback: string | undefined) => {
    if (whole.startsWith("$$")) return whole.slice(1);
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${label} uses \${${name}}, but ${name} is not set.`, {
      hint: `Set ${name}, or give a default: \${${name}:-value}.`,
    });
  });
}
