/**
 * providers/vault/reasons — what a Vault or OpenBao answer means, as data: each entry's
 * `text` is an error's message and its `fix` the error's hint. providers/vault/errors.ts
 * builds its errors from these entries, the gate shows them as reasons, and
 * docs/check.md lists them.
 */
import { defineReasons, fill, type ReasonSpec, type ReasonVars } from "../../reasons.js";

/** VAULT_REASONS are the reasons a vault's answer (or its silence) gives a login or a read. */
export const VAULT_REASONS = defineReasons([
  {
    id: "vault.namespace-not-found",
    check: "login, secret.<NAME>",
    status: "fail",
    text: 'The namespace "{namespace}" was not found on {address}',
    fix: "Set namespace (input namespace, --namespace or VAULT_NAMESPACE) to the full path of an existing namespace, e.g. team/app, or leave it empty for the root namespace",
  },
  {
    id: "vault.unreachable",
    check: "vault.health, login, secret.<NAME>",
    status: "fail",
    text: "The vault at {address} failed while {doing}: {detail}",
    fix: "Check the vault address, network, proxy settings (HTTPS_PROXY/NO_PROXY) and the vault's health",
  },
  {
    id: "vault.untrusted-ca",
    check: "vault.health, login, secret.<NAME>",
    status: "fail",
    text: "The TLS certificate of {address} is not trusted ({code})",
    fix: "Set ca-cert (input ca-cert, --ca-cert or VAULT_CACERT) to the PEM of the CA that signed the vault's certificate",
  },
  {
    id: "vault.sealed-answer",
    check: "login, secret.<NAME>",
    status: "fail",
    text: "The vault at {address} failed while {doing}: {detail}",
    fix: "The vault is sealed: it must be unsealed by its operators before any job can read secrets",
  },
  {
    id: "vault.rate-limited",
    check: "login, secret.<NAME>",
    status: "fail",
    text: "The vault at {address} failed while {doing}: {detail}",
    fix: "The vault's rate-limit quota (sys/quotas/rate-limit) refused requests until the deadline: ask its operators to raise the quota, lower --concurrency (fetch.concurrency), or stagger the jobs that start together; a longer --timeout lets the retries wait it out",
  },
  {
    id: "vault.no-active-node",
    check: "login, secret.<NAME>",
    status: "fail",
    text: "The vault at {address} failed while {doing}: {detail}",
    fix: "The vault (or the load balancer in front of it) had no active node until the deadline: a leader election, a sealed or restarting cluster. Check the cluster's health (sys/health on each node), or allow a longer --timeout",
  },
  {
    id: "vault.late-login",
    check: "login",
    status: "fail",
    text: "The vault at {address} failed while {doing}: {detail}",
    fix: "The vault answered the login too slowly for the run's deadline: it is overloaded, or a node stalled. A token answered late was revoked; one never answered expires with the role's token TTL. Allow a longer --timeout, lower --concurrency or stagger the jobs, or check the vault's load",
  },
  {
    id: "vault.replica-lag",
    check: "login, secret.<NAME>",
    status: "fail",
    text: "The vault at {address} failed while {doing}: {detail}",
    fix: "A performance replica has not caught up; retry later or point url at the primary",
  },
  {
    id: "read.not-found",
    check: "secret.<NAME>",
    status: "fail",
    text: "Secret not found: {what}",
    fix: "Check the path (KV v2 paths may be written with or without /data/) and that the secret exists; or {optional}",
  },
  {
    id: "read.deleted",
    check: "secret.<NAME>",
    status: "fail",
    text: "Secret {what}: its current version was deleted at {time} and has no data",
    fix: "Undelete it (vault kv undelete) or write a new version; or {optional}",
  },
  {
    id: "read.destroyed",
    check: "secret.<NAME>",
    status: "fail",
    text: "Secret {what}: its current version{version} was destroyed, and a destroyed version cannot be restored",
    fix: "Write a new version (vault kv put), or pin an older version that still has data (write the path as {pinned}); or {optional}",
  },
  {
    id: "read.denied",
    check: "secret.<NAME>",
    status: "fail",
    text: "Permission denied, or no such path: {op} of {what}{withRole}",
    fix: "Check the path and the role's policy: it must grant {capability} on {apiPath}",
  },
  {
    id: "read.metadata-path",
    check: "secret.<NAME>",
    status: "fail",
    text: "{path} is a KV v2 metadata path: it holds versions and deletion state, not the secret's keys",
    fix: "Read the data path instead: {plain} (or {apiPath})",
  },
  {
    id: "read.refused",
    check: "secret.<NAME>",
    status: "fail",
    text: "The vault refused the {op} of {what}: {detail}",
    fix: "Check the path and, for a dynamic engine, the request's params",
  },
  {
    id: "login.audience",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "Audience mismatch: the token's aud is {aud}, which is not in the role's bound_audiences. Request the role's audience (GitHub: the audience input; GitLab: id_tokens aud; Jenkins: the credential's audience), or add this one to bound_audiences",
  },
  {
    id: "login.bound-claim",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "Bound-claim mismatch on \"{claim}\": the token has {claim}={value}, which the role's bound_claims do not allow. Run from the branch/environment the role is bound to, or widen the role's bound_claims",
  },
  {
    id: "login.approle-rejected",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: 'The role_id "{roleId}" or its secret_id is not accepted on auth/{mount}: role-id is the AppRole\'s RoleID (not its name), and the secret_id must be current (secret-id-variable)',
  },
  {
    id: "login.credentials-rejected",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "The username or password is not accepted on auth/{mount}: check both (inputs username and password){ldap}",
  },
  {
    id: "login.github-token-rejected",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "The GitHub token (input githubToken) is not accepted on auth/{mount}: it must be current and belong to a member of the organization the mount is configured for",
  },
  {
    id: "login.token-invalid",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "The vault token is invalid, expired or revoked: give a current token (VAULT_TOKEN or token-variable), or log in with method jwt",
  },
  {
    id: "login.unknown-role",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: 'The role "{role}" does not exist on auth/{mount}; check the role name and the auth mount (path)',
  },
  {
    id: "login.token-time",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "The ID token is expired or not yet valid: obtain it just before login, and check the runner's clock",
  },
  {
    id: "login.issuer",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "The vault does not trust this token's issuer{issuer}: configure the jwt mount's jwks_url/oidc_discovery_url (or bound_issuer) for it",
  },
  {
    id: "login.mount-denied",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "Login is not allowed on auth/{mount}; check that the mount exists and is enabled for this namespace",
  },
  {
    id: "login.role-missing",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "Name the role to log in as (input role), or set default_role on the mount",
  },
  {
    id: "login.rejected",
    check: "login",
    status: "fail",
    text: "The vault rejected the {where}: {detail}",
    fix: "Compare the token's claims above with the role's bound_audiences, bound_claims and bound_subject",
  },
] as const satisfies readonly ReasonSpec[]);

/** VaultReasonId names one of VAULT_REASONS. */
export type VaultReasonId = keyof typeof VAULT_REASONS;

/** errorParts renders a reason as an error's message and hint. */
export function errorParts(id: VaultReasonId, vars: ReasonVars): { message: string; hint: string; reasonId: string } {
  const spec = VAULT_REASONS[id];
  const text = fill(spec.text, vars);
  const fix = fill(spec.fix ?? "", vars);
  const end = (s: string) => (/[.?!]$/.test(s) ? s : `${s}.`);
  return { message: end(text), hint: end(fix.charAt(0).toUpperCase() + fix.slice(1)), reasonId: id };
}
