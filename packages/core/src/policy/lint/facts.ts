/**
 * policy/lint/facts — what the rules ask of a role or mount: its bound claims as lists,
 * whether it globs, which platform's tokens it takes (by issuer, else by claim names),
 * and the policies it grants.
 */
import type { MountSnapshot, PolicySnapshot, RoleSnapshot, TrustSnapshot } from "./model.js";

/** RoleView is a role with its mount, as the role rules see it. */
export interface RoleView {
  role: RoleSnapshot;
  mount: MountSnapshot;
}

/** rolesOf lists every role of every mount. */
export function rolesOf(snapshot: TrustSnapshot): RoleView[] {
  return snapshot.mounts.flatMap((mount) => mount.roles.map((role) => ({ role, mount })));
}

/** strings reads a field that may be a list, a comma-separated string (Terraform) or absent. */
export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((v) => v !== "");
  if (typeof value === "string") return value === "" ? [] : value.split(",").map((v) => v.trim());
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  return [];
}

/** text reads a scalar field as a string, or `fallback` when it is absent or not a scalar. */
export function text(value: unknown, fallback = ""): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : fallback;
}

/** boundClaims returns a role's bound claims as claim → allowed values (bound_subject counts as sub). */
export function boundClaims(role: RoleSnapshot): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = role.data.bound_claims;
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    for (const [claim, value] of Object.entries(raw as Record<string, unknown>)) out[claim] = strings(value);
  }
  const subject = role.data.bound_subject;
  if (typeof subject === "string" && subject !== "") out.sub = [...(out.sub ?? []), subject];
  return out;
}

/** isGlob tells whether the role's bound_claims are matched as globs. */
export function isGlob(role: RoleSnapshot): boolean {
  return role.data.bound_claims_type === "glob";
}

/** seconds reads a TTL field (number of seconds, or a duration string such as "1h"). */
export function seconds(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+)([smhd])/g))
    total += Number(n) * ({ s: 1, m: 60, h: 3600, d: 86400 }[unit ?? "s"] ?? 1);
  return total;
}

export type TokenPlatform = "github" | "gitlab" | "jenkins" | "unknown";

/** issuerOf is the mount's bound_issuer, else its discovery URL. */
export function issuerOf(mount: MountSnapshot): string {
  const c = mount.config;
  return text(c.bound_issuer) || text(c.oidc_discovery_url) || text(c.jwks_url);
}

const GITHUB_CLAIMS = [
  "repository",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "job_workflow_ref",
  "workflow_ref",
];
const GITLAB_CLAIMS = ["project_id", "project_path", "namespace_id", "namespace_path", "ref_path", "pipeline_source"];

/** platformOf guesses whose tokens a role takes: from the mount's issuer, else from its claims. */
export function platformOf(view: RoleView): TokenPlatform {
  const issuer = issuerOf(view.mount);
  if (/token\.actions\.githubusercontent\.com/.test(issuer)) return "github";
  if (/\/oidc(\/|$)/.test(pathOf(issuer))) return "jenkins";
  if (/gitlab/i.test(issuer)) return "gitlab";
  const claims = Object.keys(boundClaims(view.role));
  const sub = boundClaims(view.role).sub ?? [];
  if (claims.some((c) => GITHUB_CLAIMS.includes(c)) || sub.some((s) => s.startsWith("repo:"))) return "github";
  if (claims.some((c) => GITLAB_CLAIMS.includes(c)) || sub.some((s) => s.startsWith("project_path:"))) return "gitlab";
  return "unknown";
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

/** policiesOf is the role's token_policies (and legacy policies). */
export function policiesOf(role: RoleSnapshot): string[] {
  return [...new Set([...strings(role.data.token_policies), ...strings(role.data.policies)])];
}

/** grantedPolicies are the policy snapshots a role grants (those that were found). */
export function grantedPolicies(view: RoleView, snapshot: TrustSnapshot): PolicySnapshot[] {
  return policiesOf(view.role)
    .map((name) => snapshot.policies.get(name))
    .filter((p): p is PolicySnapshot => p !== undefined);
}

/** jwtPolicies are the policies any jwt/oidc role grants (what CI jobs can get). */
export function jwtPolicies(snapshot: TrustSnapshot): PolicySnapshot[] {
  const names = new Set(rolesOf(snapshot).flatMap((v) => policiesOf(v.role)));
  return [...snapshot.policies.values()].filter((p) => names.has(p.name));
}

/** roleLabel names a role in messages. */
export function roleLabel(view: RoleView): string {
  return `role ${view.role.name} on auth/${view.mount.path}`;
}
