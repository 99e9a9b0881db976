/**
 * identity/validate — the one rule for an ID token before it is sent to a vault: not
 * expired, already valid (`nbf`, with the leeway a vault's jwt auth allows for clock
 * skew), and carrying the configured audience. The gate reports what it finds; a login
 * (fetch, exec, the actions) fails before it is attempted on an audience mismatch, with
 * the same words. Reasons as data, so docs/check.md lists them.
 */
import { IdentityError } from "../errors.js";
import { defineReasons, fill, sentence, type ReasonSpec, type ReasonVars } from "../reasons.js";
import { formatDuration } from "../util/duration.js";
import { audiences, type Claims } from "./claims.js";

/** CLOCK_SKEW_LEEWAY_SECONDS is the leeway of a vault's jwt auth (clock_skew_leeway, 60 s by default). */
export const CLOCK_SKEW_LEEWAY_SECONDS = 60;

/** IDENTITY_REASONS are what the identity rule can find wrong or worth a warning. */
export const IDENTITY_REASONS = defineReasons([
  {
    id: "identity.expired",
    check: "identity.token",
    status: "fail",
    text: "The ID token expired at {exp}",
    fix: "obtain it right before the job logs in",
  },
  {
    id: "identity.not-yet-valid",
    check: "identity.token",
    status: "fail",
    text: "The ID token is not valid before {nbf} (nbf), {ahead} ahead of this machine's clock, beyond the {leeway} leeway",
    fix: "check the clocks of the runner and of the token's issuer, and obtain the token right before login",
  },
  {
    id: "identity.audience",
    check: "identity.token",
    status: "fail",
    text: 'The ID token\'s audience is {aud}, not the configured audience "{expected}"',
    fix: "set the token's aud (GitHub: the audience input; GitLab: id_tokens aud; Jenkins: the credential's audience) to the vault role's bound audience, or set audience to the one the token carries",
  },
  {
    id: "identity.default-audience",
    check: "identity.token",
    status: "warn",
    text: "The token carries GitHub's default audience {aud}, shared by every repository of the owner",
    fix: "request a vault-specific audience",
  },
] as const satisfies readonly ReasonSpec[]);

/** IdentityFinding is what the rule found: a reason id and its words' values. */
export interface IdentityFinding {
  id: keyof typeof IDENTITY_REASONS;
  vars: ReasonVars;
}

/** validateIdToken applies the rule at `now` (ms); undefined when the token may be sent. */
export function validateIdToken(claims: Claims, audience: string | undefined, now = Date.now()): IdentityFinding | undefined {
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  if (exp !== undefined && exp <= now) return { id: "identity.expired", vars: { exp: new Date(exp).toISOString() } };
  const nbf = typeof claims.nbf === "number" ? claims.nbf * 1000 : undefined;
  if (nbf !== undefined && nbf > now + CLOCK_SKEW_LEEWAY_SECONDS * 1000) {
    return {
      id: "identity.not-yet-valid",
      vars: {
        nbf: new Date(nbf).toISOString(),
        ahead: formatDuration(Math.ceil((nbf - now) / 1000)),
        leeway: formatDuration(CLOCK_SKEW_LEEWAY_SECONDS),
      },
    };
  }
  const aud = audiences(claims);
  if (audience && !aud.includes(audience)) return { id: "identity.audience", vars: { aud: quoted(aud), expected: audience } };
  if (!audience && aud.some((a) => /^https:\/\/github\.com\/[^/]+$/.test(a))) {
    return { id: "identity.default-audience", vars: { aud: aud.join(", ") } };
  }
  return undefined;
}

/** findingSentence renders a finding as the gate's reason. */
export function findingSentence(finding: IdentityFinding): string {
  return sentence(IDENTITY_REASONS[finding.id], finding.vars);
}

/**
 * assertAudience throws before a login whose token lacks the configured audience: the
 * vault would refuse it with a less precise message, or accept it where a role is bound
 * to several audiences.
 */
export function assertAudience(claims: Claims, audience: string | undefined, origin: string): void {
  const aud = audiences(claims);
  if (!audience || aud.includes(audience)) return;
  const spec = IDENTITY_REASONS["identity.audience"];
  const vars = { aud: quoted(aud), expected: audience };
  const fix = fill(spec.fix ?? "", vars);
  throw new IdentityError(`${fill(spec.text, vars)} (token from ${origin}).`, {
    hint: `${fix.charAt(0).toUpperCase()}${fix.slice(1)}.`,
    reasonId: spec.id,
  });
}

function quoted(aud: readonly string[]): string {
  return aud.length === 0 ? "empty" : aud.map((a) => `"${a}"`).join(", ");
}
