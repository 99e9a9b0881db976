/**
 * identity/claims — decodes an OIDC ID token's claims for diagnostics only. The
 * signature is not checked here (the vault checks it); the raw token is never logged.
 */

/** Claims are a decoded JWT payload. */
export type Claims = Readonly<Record<string, unknown>>;

/** decodeClaims returns the payload of a JWT, or undefined when it is not a JWT. */
export function decodeClaims(token: string): Claims | undefined {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = Buffer.from(parts[1], "base64url").toString("utf8");
    const payload = JSON.parse(json) as unknown;
    return payload !== null && typeof payload === "object" && !Array.isArray(payload) ? (payload as Claims) : undefined;
  } catch {
    return undefined;
  }
}

/** DIAGNOSTIC_CLAIMS are the claims worth showing when a login fails, in display order. */
export const DIAGNOSTIC_CLAIMS: readonly string[] = [
  "iss",
  "aud",
  "sub",
  "ref",
  "ref_type",
  "ref_protected",
  "environment",
  "repository",
  "job_workflow_ref",
  "event_name",
  "project_path",
  "namespace_path",
  "pipeline_source",
  "environment_protected",
  "build_number",
  "exp",
];

/** summarizeClaims picks the diagnostic claims present in `claims`, plus `extra` ones. */
export function summarizeClaims(claims: Claims, extra: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [...DIAGNOSTIC_CLAIMS, ...extra]) {
    if (claims[name] !== undefined && out[name] === undefined) out[name] = claims[name];
  }
  return out;
}

/** formatClaims renders claims one per line, `exp`/`iat`/`nbf` as ISO times. */
export function formatClaims(claims: Readonly<Record<string, unknown>>): string {
  return Object.entries(claims)
    .map(([name, value]) => {
      const shown =
        (name === "exp" || name === "iat" || name === "nbf") && typeof value === "number"
          ? new Date(value * 1000).toISOString()
          : typeof value === "string"
            ? value
            : JSON.stringify(value);
      return `  ${name}: ${shown}`;
    })
    .join("\n");
}

/** audiences returns the token's `aud` as a list. */
export function audiences(claims: Claims): string[] {
  const aud = claims.aud;
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === "string");
  return [];
}
