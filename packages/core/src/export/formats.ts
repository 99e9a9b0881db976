/**
 * export/formats — renders fetched secrets for files: dotenv (double-quoted with
 * escapes, read by dotenv libraries and `docker compose`), shell (`export NAME='…'`,
 * safe to `source`), and JSON (an object of name → value).
 */
import { ConfigError } from "../errors.js";
import { assertEnvName } from "./env-names.js";

/** OutputFormat names the file formats `fetch` can write. */
export type OutputFormat = "dotenv" | "shell" | "json";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["dotenv", "shell", "json"];

/** NamedValue is a variable name and its value. */
export interface NamedValue {
  name: string;
  value: string;
}

/** render renders the values in `format`. */
export function render(values: readonly NamedValue[], format: OutputFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(Object.fromEntries(values.map((v) => [v.name, v.value])), null, 2)}\n`;
    case "shell":
      return values.map((v) => `export ${v.name}=${shellQuote(v.value)}\n`).join("");
    case "dotenv":
      return values.map((v) => `${v.name}=${dotenvQuote(v.value)}\n`).join("");
  }
}

/** shellQuote quotes a value for POSIX shells: '…' with ' written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** dotenvQuote double-quotes a value, escaping backslash, quote, $, and line breaks. */
export function dotenvQuote(value: string): string {
  const escaped = value
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replaceAll("$", "\\$")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r");
  return `"${escaped}"`;
}

/**
 * parseSecretsFile reads back what `render` wrote, in any of its formats (detected), so
 * `exec --from-file` can run a command with a fetch's values.
 */
export function parseSecretsFile(text: string, label: string): NamedValue[] {
  if (text.trimStart().startsWith("{")) return parseJsonValues(text, label);
  const values: NamedValue[] = [];
  let i = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw new ConfigError(`${label} line ${line}: ${what}.`, { hint: "Pass a file `vaultgate fetch --out` wrote." });
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\n") {
      line++;
      i++;
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      i++;
    } else if (ch === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else {
      const head = /^(?:export )?([A-Za-z_][A-Za-z0-9_]*)=/.exec(text.slice(i, i + 300));
      if (!head?.[1]) return fail('not NAME="value"');
      i += head[0].length;
      const [value, next] = readValue(text, i, fail);
      line += text.slice(i, next).split("\n").length - 1;
      i = next;
      if (i < text.length && text[i] !== "\n") return fail("unexpected text after the value");
      values.push({ name: head[1], value });
    }
  }
  return values;
}

/** readValue reads a double-quoted (dotenv), single-quoted (shell, '\\'' for ') or bare value. */
function readValue(text: string, start: number, fail: (what: string) => never): [string, number] {
  let i = start;
  if (text[i] === '"') {
    const escapes: Readonly<Record<string, string>> = { n: "\n", r: "\r", "\\": "\\", '"': '"', $: "$" };
    let out = "";
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text[i] !== "\\") {
        out += text[i];
        continue;
      }
      const escaped = escapes[text[++i] ?? ""];
      if (escaped === undefined) return fail(`unknown escape \\${text[i] ?? ""}`);
      out += escaped;
    }
    if (text[i] !== '"') return fail("unterminated double quote");
    return [out, i + 1];
  }
  if (text[i] === "'") {
    let out = "";
    while (text[i] === "'" || text.startsWith("\\'", i)) {
      if (text[i] === "\\") {
        out += "'";
        i += 2;
        continue;
      }
      const end = text.indexOf("'", i + 1);
      if (end < 0) return fail("unterminated single quote");
      out += text.slice(i + 1, end);
      i = end + 1;
    }
    return [out, i];
  }
  const end = text.indexOf("\n", i);
  return [text.slice(i, end < 0 ? text.length : end), end < 0 ? text.length : end];
}

function parseJsonValues(text: string, label: string): NamedValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label} is not valid JSON.`, { cause: error });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new ConfigError(`${label} is not a JSON object.`);
  return Object.entries(parsed).map(([name, value]) => {
    assertEnvName(name, label);
    if (typeof value !== "string") throw new ConfigError(`${label}: the value of ${name} is not a string.`);
    return { name, value };
  });
}
