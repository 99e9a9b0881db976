/**
 * policy/lint/policy-rules — the rules over the ACL policies CI roles grant: a
 * permissive default policy left attached, wildcards over secret mounts, sudo and admin
 * paths, writes where a job only reads, and root in token_policies.
 */
import { LIFECYCLE_RULES } from "../acl.js";
import type { Issue, LintRule, PolicyRuleAt, PolicySnapshot, TrustSnapshot } from "./model.js";
import { jwtPolicies, policiesOf, roleLabel, rolesOf } from "./facts.js";

const REF = {
  policies: { title: "OpenBao: policies (capabilities, globs, + segments)", url: "https://openbao.org/docs/concepts/policies/" },
  defaultPolicy: { title: "OpenBao: the default policy", url: "https://openbao.org/docs/concepts/policies/#default-policy" },
  jwtApi: { title: "OpenBao: JWT/OIDC auth method API (token_no_default_policy)", url: "https://openbao.org/api-docs/auth/jwt/" },
} as const;

/** STOCK_DEFAULT_PATHS are what the default policy grants out of the box (and vaultgate's own token paths). */
const STOCK_DEFAULT_PATHS = new Set([
  ...LIFECYCLE_RULES.map((r) => r.path),
  "auth/token/lookup",
  "sys/renew",
  "sys/leases/renew",
  "sys/leases/lookup",
  "cubbyhole/*",
  "sys/wrapping/wrap",
  "sys/wrapping/lookup",
  "sys/wrapping/unwrap",
  "sys/tools/hash",
  "sys/tools/hash/*",
  "sys/control-group/request",
  "sys/mfa/validate",
  "sys/internal/ui/resultant-acl",
  "identity/entity/id/{{identity.entity.id}}",
  "identity/entity/name/{{identity.entity.name}}",
  "identity/oidc/provider/+/authorize",
]);

const WRITE = ["create", "update", "patch", "delete", "destroy"];

const ruleAt = (p: PolicySnapshot, r: PolicyRuleAt) => ({
  ...p.location,
  line: r.line ?? p.location.line,
  logical: `policy ${p.name}, path ${r.path}`,
});

/** isLifecycle tells whether a rule is one of the token paths a job may use on itself. */
function isLifecycle(r: PolicyRuleAt): boolean {
  return STOCK_DEFAULT_PATHS.has(r.path);
}

/** mountWide tells whether a path glob covers a whole mount (or everything). */
function mountWide(path: string): boolean {
  if (path.includes("+")) return true;
  if (!path.endsWith("*")) return false;
  const segments = path.slice(0, -1).split("/").filter(Boolean);
  const kvInner = segments[1] === "data" || segments[1] === "metadata";
  return segments.length === 0 || segments.length === 1 || (segments.length === 2 && kvInner);
}

/** isKvPath guesses whether a path is KV data: a known KV mount, or KV v2's data/metadata segments. */
function isKvPath(path: string, s: TrustSnapshot): boolean {
  const first = path.split("/")[0] ?? "";
  if (s.kvMounts) return s.kvMounts.some((m) => path === m || path.startsWith(`${m}/`));
  return /^[^/]+\/(data|metadata|delete|destroy|undelete)\//.test(path) || /^(secret|kv)[^/]*$/.test(first);
}

function issues(s: TrustSnapshot, pick: (r: PolicyRuleAt, s: TrustSnapshot) => string | undefined): Issue[] {
  return jwtPolicies(s).flatMap((p) =>
    p.rules.flatMap((r) => {
      const what = pick(r, s);
      return what ? [{ message: `policy ${p.name} ${what}`, location: ruleAt(p, r) }] : [];
    }),
  );
}

export const POLICY_RULES: readonly LintRule[] = [
  {
    id: "VG113",
    name: "default-policy-permissive",
    severity: "warning",
    title: "Role keeps a permissive default policy",
    why: "Every token gets the default policy unless the role sets token_no_default_policy. When someone has widened the default policy (a shared secret path, a sys/ path), every CI job of every role inherits that access on top of its own policy.",
    fix: "Set token_no_default_policy=true on CI roles and grant the token paths the job needs in its own policy (`vaultgate policy` does both); or restore the default policy.",
    reference: REF.defaultPolicy,
    check: (s) => {
      const extra = (s.policies.get("default")?.rules ?? []).filter((r) => !isLifecycle(r)).map((r) => r.path);
      if (extra.length === 0) return [];
      return rolesOf(s)
        .filter((v) => v.role.data.token_no_default_policy !== true && v.role.data.token_no_default_policy !== "true")
        .map((v) => ({
          message: `${roleLabel(v)} keeps the default policy, which also grants ${extra.join(", ")}.`,
          location: v.role.location,
        }));
    },
  },
  {
    id: "VG114",
    name: "policy-wildcard",
    severity: "error",
    title: "Policy granted to CI globs over a whole secrets mount",
    why: "A `*` at the top of a mount (secret/*, secret/data/*) or a `+` segment gives the job every secret on the mount, present and future, so one compromised pipeline reads every other team's secrets. A bare `*` grants the whole vault.",
    fix: "List the exact paths the job reads (`vaultgate policy` writes them from the manifest).",
    reference: REF.policies,
    check: (s) =>
      issues(s, (r) => (!isLifecycle(r) && mountWide(r.path) ? `grants ${r.capabilities.join(", ")} on ${r.path}.` : undefined)),
  },
  {
    id: "VG115",
    name: "policy-admin",
    severity: "error",
    title: "Policy granted to CI holds sudo or administrative paths",
    why: "sudo, and any capability on sys/ (policies, mounts, audit), auth/ (roles, other methods) or identity/ beyond the token's own paths, lets a CI job change the vault's trust itself: write a role that admits it forever, read another team's mount, disable audit.",
    fix: "Remove sudo and the administrative paths from policies any CI role grants; administer the vault with a separate, human-held identity.",
    reference: REF.policies,
    check: (s) =>
      issues(s, (r) => {
        if (isLifecycle(r)) return undefined;
        if (r.capabilities.includes("sudo")) return `grants sudo on ${r.path}.`;
        return /^(sys|auth|identity)(\/|\*|$)/.test(r.path) && r.capabilities.some((c) => c !== "deny")
          ? `grants ${r.capabilities.join(", ")} on the administrative path ${r.path}.`
          : undefined;
      }),
  },
  {
    id: "VG116",
    name: "write-on-read-path",
    severity: "warning",
    title: "Policy granted to CI writes where a job only reads",
    why: "A CI job reads its KV secrets; create, update, patch or delete there let a compromised job replace a secret (say, a webhook URL or a signing key) that other systems then trust, or destroy it.",
    fix: "Grant read on KV data paths; keep update only for engines that issue credentials on POST (pki/issue, database/creds).",
    reference: REF.policies,
    check: (s) =>
      issues(s, (r, snap) =>
        isKvPath(r.path, snap) && r.capabilities.some((c) => WRITE.includes(c))
          ? `grants ${r.capabilities.filter((c) => WRITE.includes(c)).join(", ")} on the KV path ${r.path}.`
          : undefined,
      ),
  },
  {
    id: "VG119",
    name: "root-policy",
    severity: "error",
    title: "Role grants the root policy",
    why: "root is every capability on every path. A CI token with it can do anything an operator can, and no policy check will ever stop it.",
    fix: "Grant a policy with the job's exact paths (`vaultgate policy`).",
    reference: REF.jwtApi,
    check: (s) =>
      rolesOf(s)
        .filter((v) => policiesOf(v.role).includes("root"))
        .map((v) => ({ message: `${roleLabel(v)} grants the root policy.`, location: v.role.location })),
  },
];
