/**
 * config/pki-syntax — hashicorp/vault-action's `pki` input: certificates to issue, one
 * `path {JSON parameters}` per entry, entries separated by `;` or line breaks:
 *
 *     pki/issue/web {"common_name": "web.example.com", "ttl": "1h"}
 *
 * Each entry is one POST, and four values named after the path's last segment, as
 * vault-action names them: WEB_CERT, WEB_KEY, WEB_CA and WEB_CA_CHAIN (outputs web_cert,
 * web_key, web_ca, web_ca_chain), from certificate, private_key, issuing_ca and the
 * ca_chain list joined by line breaks.
 */
import { ConfigError } from "../errors.js";
import { isObject } from "./fields.js";
import type { SecretEncoding, SecretSpec } from "./schema.js";
import { normalizeKey, normalizePath } from "./secrets-syntax.js";
import { parseSelector } from "./selector.js";

/** PKI_VALUES maps each name suffix to the selector of its value in the issue response. */
const PKI_VALUES: readonly (readonly [suffix: string, selector: string])[] = [
  ["cert", "certificate"],
  ["key", "private_key"],
  ["ca", "issuing_ca"],
  ["ca_chain", '$join(ca_chain, "\\n")'],
];

/** parsePkiSyntax turns the pki text (if any) into the specs of its certificates' values. */
export function parsePkiSyntax(value: unknown, label: string, encoding: SecretEncoding | undefined): SecretSpec[] {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value !== "string") throw new ConfigError(`${label} must be text: "path {JSON parameters}" entries.`);
  const specs: SecretSpec[] = [];
  const entries = splitEntries(value);
  entries.forEach((text, i) => {
    const origin = entries.length > 1 ? `${label} entry ${i + 1}` : label;
    const space = text.search(/\s/);
    const params = space > 0 ? parseParams(text.slice(space + 1), origin) : undefined;
    if (!params) {
      throw new ConfigError(`Expected "path {JSON parameters}" in ${origin}.`, {
        hint: 'Write e.g. `pki/issue/web {"common_name": "web.example.com", "ttl": "1h"}`.',
      });
    }
    const path = normalizePath(text.slice(0, space), origin);
    const name = path.split("/").pop() ?? path;
    for (const [suffix, selector] of PKI_VALUES) {
      specs.push({
        path,
        selector: parseSelector(selector, origin),
        envName: normalizeKey(`${name}_${suffix}`, true),
        outputName: normalizeKey(`${name}_${suffix}`, false),
        required: true,
        method: "POST",
        params,
        origin,
        ...(encoding ? { encoding } : {}),
      });
    }
  });
  return specs;
}

/**
 * splitEntries splits at `;` (vault-action's separator) and at each line that starts a new
 * `path {` entry, so that parameters may span lines and entries may stand one per line.
 */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  for (const chunk of text.split(";")) {
    for (const line of chunk.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      if (/^[^\s{]+\s+\{/.test(trimmed) || !entries.at(-1)) entries.push(trimmed);
      else entries[entries.length - 1] += `\n${trimmed}`;
    }
    entries.push("");
  }
  return entries.filter((e) => e !== "");
}

function parseParams(text: string, origin: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The parameters in ${origin} are not valid JSON: ${(error as Error).message}.`, {
      hint: 'Write them as one JSON object on the entry\'s line, e.g. {"common_name": "web.example.com"}.',
    });
  }
  return isObject(parsed) ? parsed : undefined;
}
