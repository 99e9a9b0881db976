/** util/duration — small parsers for the durations users write ("90", "30s", "5m", "1h30m"). */

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * parseDuration returns the number of seconds in `text`, or undefined when it is not a
 * duration. A bare number counts seconds, as Vault's own TTL fields do.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(trimmed) ? trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g) : null;
  if (!parts) return undefined;
  let seconds = 0;
  for (const part of parts) {
    const [, amount = "0", unit = "s"] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part) ?? [];
    seconds += Number(amount) * (UNIT_SECONDS[unit] ?? 1);
  }
  return seconds;
}

/** formatDuration renders seconds the way Vault prints TTLs: "1h2m3s", "45s", "0s". */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.round(totalSeconds));
  if (rest === 0) return "0s";
  const out: string[] = [];
  for (const [unit, size] of [
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out.push(`${n}${unit}`);
    rest -= n * size;
  }
  return out.join("");
}
