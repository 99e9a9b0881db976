/**
 * export/formats — renders fetched secrets for files: dotenv (double-quoted with
 * escapes, read by dotenv libraries and `docker compose`), shell (`export NAME='…'`,
 * safe to `source`), and JSON (an object of name → value).
 */
import { ConfigError } from "../errors.js";

/** OutputFormat names the file formats `fetch` can write. */
export type OutputFormat = "dotenv" | "shell" | "json";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["dotenv", "shell", "json"];

/** NamedValue is a variable name and its value. */
export interface NamedValue {
  name: string;
  value: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** assertEnvName refuses names a shell or env file cannot carry. */
export function assertEnvName(name: string, origin: string): void {
  if (!ENV_NAME.test(name)) {
    throw new ConfigError(`"${name}" (${origin}) is not a valid environment variable name.`, {
      hint: "Rename it with `| NAME` using only letters, digits and _, not starting with a digit.",
    });
  }
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
