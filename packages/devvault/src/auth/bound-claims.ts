/**
 * auth/bound-claims — the role checks Vault's jwt auth applies to a verified token's
 * claims: bound_claims (exact JSON values, or glob patterns where `*` spans any
 * characters including ":" and "/"), with a claim addressed by name or JSON pointer,
 * and the user_claim that names the identity.
 */

/** BoundClaimsType is how bound claim values are compared. */
export type BoundClaimsType = "string" | "glob";

/** claimAt reads a claim by name, or by JSON pointer when it starts with "/". */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (!name.startsWith("/")) return claims[name];
  let node: unknown = claims;
  for (const raw of name.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** globMatch matches `value` against `pattern`, where each `*` matches any run of characters. */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === "*") return true;
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === value;
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  if (!value.startsWith(first)) return false;
  let at = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found === -1) return false;
    at = found + middle.length;
  }
  return value.length - last.length >= at && value.endsWith(last);
}

/** checkBoundClaims returns Vault's error for the first claim that fails, or undefined. */
export function checkBoundClaims(
  bound: Readonly<Record<string, unknown>>,
  type: BoundClaimsType,
  claims: Record<string, unknown>,
): string | undefined {
  for (const [name, expected] of Object.entries(bound)) {
    const actual = claimAt(claims, name);
    if (actual === undefined || actual === null) return `claim "${name}" is missing`;
    const actualValues = Array.isArray(actual) ? (actual as unknown[]) : [actual];
    const expectedValues = Array.isArray(expected) ? (expected as unknown[]) : [expected];
    const found = expectedValues.some((e) =>
      actualValues.some((a) => (type === "glob" ? typeof e === "string" && typeof a === "string" && globMatch(e, a) : e === a)),
    );
    if (!found) return `claim "${name}" does not match any associated bound claim values`;
  }
  return undefined;
}

/** userClaimValue returns the user claim as a string, or Vault's error text. */
export function userClaimValue(claims: Record<string, unknown>, name: string): { value: string } | { error: string } {
  const raw = claimAt(claims, name);
  if (raw === undefined || raw === null) return { error: `claim "${name}" not found in token` };
  if (typeof raw !== "string") return { error: `claim "${name}" could not be converted to string` };
  return { value: raw };
}
