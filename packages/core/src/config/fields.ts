/**
 * config/fields — small pure readers for untyped configuration objects (parsed YAML,
 * wrapper inputs). Each rejects wrong types and typo'd keys with a message naming the
 * field and the fix.
 */
import { ConfigError } from "../errors.js";
import { SECRET_ENCODINGS, type SecretEncoding } from "./schema.js";
import { parseDuration } from "../util/duration.js";

export type RawObject = Readonly<Record<string, unknown>>;

/** isObject tells plain objects apart from arrays and null. */
export function isObject(value: unknown): value is RawObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** expectObject returns `value` as an object, or an empty one when it is absent. */
export function expectObject(value: unknown, where: string): RawObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new ConfigError(`${where} must be a mapping of keys to values.`);
  return value;
}

/** rejectUnknownKeys fails on keys not in `known`, suggesting the closest known key. */
export function rejectUnknownKeys(obj: RawObject, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const suggestion = closest(key, known);
    throw new ConfigError(`Unknown key "${key}" in ${where}.`, {
      hint: suggestion ? `Did you mean "${suggestion}"? Known keys: ${known.join(", ")}.` : `Known keys: ${known.join(", ")}.`,
    });
  }
}

/** optionalString reads a string field; empty strings count as absent. */
export function optionalString(obj: RawObject, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") throw new ConfigError(`${where}.${key} must be a string.`);
  return value;
}

/** optionalBoolean accepts booleans and the strings true/false (any case); anything else is an error. */
export function optionalBoolean(obj: RawObject, key: string, where: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  throw new ConfigError(`${where}.${key} must be true or false, got ${show(value)}.`);
}

/** optionalInteger reads a positive integer within [min, max]. */
export function optionalInteger(obj: RawObject, key: string, where: string, min: number, max: number): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${where}.${key} must be a whole number from ${min} to ${max}, got ${show(value)}.`);
  }
  return n;
}

/** optionalDuration reads seconds from a number or a duration text ("30s", "5m"). */
export function optionalDuration(obj: RawObject, key: string, where: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === "") return undefined;
  const seconds = typeof value === "number" ? value : typeof value === "string" ? parseDuration(value) : undefined;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(`${where}.${key} must be a duration such as 30, 30s, 5m or 1h, got ${show(value)}.`);
  }
  return seconds;
}

/** show renders an offending value for a message. */
function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : (JSON.stringify(value) ?? typeof value);
}

/** oneOf checks that a string is one of the allowed values. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  const lower = value.toLowerCase();
  const found = allowed.find((a) => a === lower);
  if (found) return found;
  const suggestion = closest(lower, allowed);
  throw new ConfigError(`${where} must be one of ${allowed.join(", ")}, got "${value}".`, {
    hint: suggestion ? `Did you mean "${suggestion}"?` : undefined,
  });
}

/** closest returns the candidate within edit distance 2 of `word`, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** optionalEncoding reads how values are decoded before export: base64, hex or utf8 (key `encoding`). */
export function optionalEncoding(obj: RawObject, where: string): SecretEncoding | undefined {
  const text = optionalString(obj, "encoding", where);
  return text === undefined ? undefined : oneOf(text, SECRET_ENCODINGS, `${where}.encoding`);
}
