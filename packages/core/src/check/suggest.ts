/**
 * check/suggest — "did you mean …?" for a path the vault denies. The vault answers the
 * same for a denied path and for a path that does not exist outside the policy, so the
 * gate looks at what the token's own policies do allow and names the readable paths
 * nearest (by edit distance) to the one written. Knows nothing of HTTP: it gets the
 * policy's paths as data.
 */
import { distance } from "fastest-levenshtein";

/** PolicyPath is one path a token's policies name; a glob path is a prefix (its `*` dropped). */
export interface PolicyPath {
  path: string;
  glob: boolean;
  capabilities: readonly string[];
}

/** Engines' own housekeeping paths the default policy grants, never what a deploy reads. */
const HOUSEKEEPING = /^(sys|auth|identity|cubbyhole)\//;

/**
 * nearestAllowed returns up to `limit` paths the policies allow one of `needed` on, nearest
 * to `wanted` (the API path and the path as written), closest first.
 */
export function nearestAllowed(
  wanted: { apiPath: string; written: string },
  policy: readonly PolicyPath[],
  needed: readonly string[],
  limit = 3,
): string[] {
  // KV v2 metadata paths hold no values: never suggest them where the mount's data/ paths are named.
  const kv2 = new Set(policy.filter((r) => r.path.split("/")[1] === "data").map((r) => r.path.split("/")[0]));
  const scored = new Map<string, number>();
  for (const rule of policy) {
    if (HOUSEKEEPING.test(rule.path) || rule.capabilities.includes("deny")) continue;
    if (!needed.some((n) => rule.capabilities.includes(n))) continue;
    const [mount, second] = rule.path.split("/");
    if (second === "metadata" && kv2.has(mount ?? "")) continue;
    for (const candidate of concrete(rule, wanted.apiPath)) {
      if (candidate === wanted.apiPath) continue;
      const d = Math.min(distance(candidate, wanted.apiPath), distance(candidate, wanted.written));
      const bound = Math.max(2, Math.floor(candidate.length / 6));
      if (d <= bound && d < (scored.get(candidate) ?? Infinity)) scored.set(candidate, d);
    }
  }
  const ranked = [...scored.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const best = ranked[0]?.[1] ?? 0;
  return ranked
    .filter(([, d]) => d <= best + 1)
    .slice(0, limit)
    .map(([path]) => path);
}

/**
 * concrete turns a policy path into the paths it would let the user read: `+` segments
 * take the wanted path's segment, and a glob prefix of whole segments takes the rest of
 * it, aligned up to two segments later so a typo in the prefix still lines up
 * (`secret/data/app/` + `secret/data/ap/db` → `secret/data/app/db`).
 */
function concrete(rule: PolicyPath, apiPath: string): string[] {
  const wanted = apiPath.split("/");
  const segments = rule.path.split("/").map((seg, i) => (seg === "+" ? (wanted[i] ?? "+") : seg));
  if (!rule.glob) return [segments.join("/")];
  if (segments.at(-1) !== "") return [`${segments.join("/")}*`];
  const fixed = segments.slice(0, -1);
  const out = new Set<string>();
  for (let from = fixed.length; from <= fixed.length + 2; from++) {
    const rest = wanted.slice(from);
    if (rest.length > 0) out.add([...fixed, ...rest].join("/"));
  }
  if (out.size === 0) out.add(`${fixed.join("/")}/*`);
  return [...out];
}
