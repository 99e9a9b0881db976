/**
 * config/secrets-syntax — hashicorp/vault-action's `secrets` input, accepted unchanged:
 *
 *     secret/data/ci/aws accessKey | AWS_ACCESS_KEY_ID ;
 *     secret/data/ci/npm token ;
 *     secret/data/ci/app * ;            every key, names upper-cased
 *     secret/data/ci/app ** | APP_ ;    every key, names as they are, prefixed
 *
 * Entries are separated by `;` (as in vault-action) or by line breaks; lines starting
 * with `#` are comments. Default names follow vault-action exactly, so a migrated
 * workflow sees the same variables: dots become `__`, `-` and other characters that
 * are not letters, digits or `_` are dropped, env names are upper-cased.
 */
import { ConfigError } from "../errors.js";
import type { SecretSpec } from "./schema.js";
import { parseSelector } from "./selector.js";

/** SecretEntry is one parsed entry before defaults for `required` and `method` are applied. */
export type SecretEntry = Pick<SecretSpec, "path" | "selector" | "envName" | "outputName" | "origin">;

/**
 * parseSecretsSyntax parses a whole `secrets` input; `label` names it in errors. Each
 * entry's origin names its line, and its place among the entries when the line holds
 * more than one: `secrets line 2`, `secrets entry 3, line 1`.
 */
export function parseSecretsSyntax(input: string, label = "secrets"): SecretEntry[] {
  const found: { text: string; line: number }[] = [];
  let line = 1;
  for (const chunk of input.split(";")) {
    const lines = chunk.split(/\r?\n/).map((text, i) => ({ text: stripComment(text).trim(), line: line + i }));
    line += chunk.split("\n").length - 1;
    const filled = lines.filter((l) => l.text !== "");
    if (filled.length === 0) continue;
    // An entry may be broken across lines; lines that each hold a whole entry are separate entries.
    const separate = filled.length > 1 && filled.every((l) => looksLikeEntry(l.text));
    if (separate) found.push(...filled);
    else found.push({ text: filled.map((l) => l.text).join(" "), line: filled[0]?.line ?? line });
  }
  const perLine = new Map<number, number>();
  for (const f of found) perLine.set(f.line, (perLine.get(f.line) ?? 0) + 1);
  return found.map((f, i) =>
    parseEntry(f.text, (perLine.get(f.line) ?? 0) > 1 ? `${label} entry ${i + 1}, line ${f.line}` : `${label} line ${f.line}`),
  );
}

function stripComment(text: string): string {
  return /^\s*#/.test(text) ? "" : text;
}

function looksLikeEntry(text: string): boolean {
  const bar = text.lastIndexOf("|");
  const spec = bar >= 0 ? text.slice(0, bar) : text;
  return spec.trim().split(/\s+/).length === 2;
}

/** parseEntry parses `path selector [| NAME]`. */
export function parseEntry(text: string, origin: string): SecretEntry {
  let spec = text;
  let name: string | undefined;
  const bar = text.lastIndexOf("|");
  if (bar >= 0) {
    spec = text.slice(0, bar).trim();
    name = text.slice(bar + 1).trim();
    if (name === "") {
      throw new ConfigError(`Missing name after "|" in ${origin}: "${text}".`, {
        hint: "Write `path key | NAME`, or drop the `|` to use the default name.",
      });
    }
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
      throw new ConfigError(`Invalid name "${name}" in ${origin}.`, {
        hint: "Names start with a letter or _ and contain only letters, digits, _ and -.",
      });
    }
  }
  const parts = spec.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 2) {
    throw new ConfigError(`Expected "path key" in ${origin}, got "${spec}".`, {
      hint: "Each entry is `<path> <key> [| NAME]`, e.g. `secret/data/app password | DB_PASSWORD`; separate entries with ; or new lines.",
    });
  }
  const [path = "", selectorText = ""] = parts;
  // Whether an expression needs `| NAME` is known once it is parsed: config/selector prepareSelectors.
  const selector = parseSelector(selectorText, origin, name === undefined);
  const names = defaultNames(selectorText, name, selector.kind === "all");
  return { path: normalizePath(path, origin), selector, ...names, origin };
}

/**
 * defaultNames gives the env and output names vault-action would give. For `*` and
 * `**` they are prefixes for each key's name.
 */
export function defaultNames(
  selectorText: string,
  name: string | undefined,
  wildcard: boolean,
): { envName: string; outputName: string } {
  if (name !== undefined) return { envName: name, outputName: name };
  if (wildcard) return { envName: "", outputName: "" };
  const bare = selectorText.replaceAll('"', "");
  return { envName: normalizeKey(bare, true), outputName: normalizeKey(bare, false) };
}

/** normalizeKey turns a key into a variable name the way vault-action does. */
export function normalizeKey(key: string, uppercase: boolean): string {
  const out = key
    .replaceAll(".", "__")
    .replaceAll("-", "")
    .replace(/[^\p{L}\p{N}_]/gu, "");
  return uppercase ? out.toUpperCase() : out;
}

/** normalizePath trims slashes and an optional leading `v1/`, and refuses `..`. */
export function normalizePath(path: string, origin: string): string {
  const trimmed = path.replace(/^\/+/, "").replace(/^v1\//, "").replace(/\/+$/, "");
  if (trimmed === "" || trimmed.split("/").some((seg) => seg === ".." || seg === ".")) {
    throw new ConfigError(`Invalid secret path "${path}" in ${origin}.`, {
      hint: "Use the path as the vault CLI shows it, e.g. secret/data/app or secret/app.",
    });
  }
  return trimmed;
}

/**
 * optionalAdvice says how to make a secret optional in the form it was written in: a
 * manifest mapping takes `required: false`; the `path key | NAME` text has no marker
 * for it, so the entry must become a mapping (in a manifest when it came from inputs).
 */
export function optionalAdvice(origin: string): string {
  if (!/ line \d+$/.test(origin)) return `set \`required: false\` on ${origin}`;
  if (origin.startsWith("inputs "))
    return "make it optional in a manifest: the secrets input has no marker for that, so move the entry into the manifest (the manifest input, or --manifest) as a mapping with `required: false`";
  return `write ${origin} as a mapping (path:, key:, name:) with \`required: false\``;
}
