/**
 * config/manifest — reads a manifest file (vaultgate.yml). `${VAR}` and
 * `${VAR:-default}` in string values are taken from the environment, so one manifest
 * serves every branch and environment.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "../errors.js";
import type { Env } from "../platform.js";

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
    throw new ConfigError(
      `Cannot read the manifest ${file}${code === "ENOENT" ? ": no such file" : `: ${code ?? String(error)}`}.`,
      {
        hint: "Check the manifest path, or create one with `vaultgate init`.",
        cause: error,
      },
    );
  }
  return { path: file, dir: dirname(file), raw: parseManifest(text, file, env) };
}

/** parseManifest parses manifest text, expanding `${VAR}` in string values. */
export function parseManifest(text: string, label: string, env: Env): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new ConfigError(`${label}${line ? ` line ${line}` : ""}: ${problem.message.split("\n")[0] ?? "invalid YAML"}.`, {
      hint: "Fix the YAML syntax; `vaultgate init` prints a valid example.",
    });
  }
  return expand(doc.toJS({ maxAliasCount: 100 }), env, label);
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
