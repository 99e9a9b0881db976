/**
 * runner/commands — the runner's workflow commands, written to stdout one per line:
 * `::name key=value,key=value::message`. The runner unescapes `%25`, `%0D` and `%0A` in
 * the message, and in property values also `%3A` and `%2C`; these functions escape
 * exactly those, so a command's text reaches the runner unchanged.
 */
import { randomBytes } from "node:crypto";

/** escapeData escapes a command's message: %, CR and LF. */
export function escapeData(text: string): string {
  if (!/[%\r\n]/.test(text)) return text;
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** escapeProperty escapes a property value: as escapeData, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/**
 * looksLikeCommand tells whether the runner could read a command in `text`: it trims a
 * line before looking for a leading `::`, and finds the older `##[` form anywhere in it.
 */
export function looksLikeCommand(text: string): boolean {
  return /^\s*::/m.test(text) || text.includes("##[");
}

/**
 * stopCommandsToken returns a fresh token for `::stop-commands::TOKEN` … `::TOKEN::`,
 * between which the runner reads no command: 128 random bits, so untrusted text cannot
 * contain it and resume command processing early.
 */
export function stopCommandsToken(): string {
  return `vaultgate-${randomBytes(16).toString("hex")}`;
}

/**
 * inertLines returns the lines of untrusted text (a vault's error message, a child's
 * output) ready to log: as they are when none could be read as a command, else wrapped
 * in stop-commands with a fresh token.
 */
export function inertLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (!looksLikeCommand(text)) return lines;
  const token = stopCommandsToken();
  return [`::stop-commands::${token}`, ...lines, `::${token}::`];
}

/** CommandProperties are a command's key=value properties (undefined ones are left out). */
export type CommandProperties = Readonly<Record<string, string | number | undefined>>;

/** formatCommand renders one workflow command line, without the line break. */
export function formatCommand(name: string, message: string, properties: CommandProperties = {}): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== "")
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/** AnnotationProperties place an annotation: a title, and optionally a file position. */
export interface AnnotationProperties {
  title?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
  endLine?: number | undefined;
  col?: number | undefined;
  endColumn?: number | undefined;
}
