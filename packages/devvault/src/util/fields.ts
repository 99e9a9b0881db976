/** util/fields — reading request fields the way Vault's API does: scalars as text, durations as seconds or "1h30m". */
import { parseDuration } from "@vaultgate/core";
import { badRequest } from "../server/reply.js";

/** scalarText renders a JSON scalar as text; objects, arrays, null and undefined give undefined. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** durationField parses a duration field to whole seconds; absent or "" gives undefined; anything else invalid is a 400. */
export function durationField(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const text = scalarText(value);
  const seconds = text === undefined ? undefined : parseDuration(text);
  if (seconds === undefined) throw badRequest(`invalid '${field}': ${JSON.stringify(value)}`);
  return Math.floor(seconds);
}
