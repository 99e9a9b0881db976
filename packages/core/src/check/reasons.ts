/**
 * check/reasons — the gate's own findings as data: one entry per reason a check gives,
 * with its status, words and fix (what a vault's answer means is in
 * providers/vault/reasons.ts, an AWS answer in providers/aws/reasons.ts). docs/check.md's reason table is generated from both
 * (`pnpm run docs:check-reasons`) and a unit test keeps it in step.
 */
import { IDENTITY_REASONS } from "../identity/validate.js";
import { AWS_REASONS } from "../providers/aws/reasons.js";
import { VAULT_REASONS } from "../providers/vault/reasons.js";
import { defineReasons, sentence, type ReasonSpec, type ReasonVars } from "../reasons.js";
import type { CheckStatus } from "./model.js";

/** CHECK_REASONS are the reasons of the gate's own checks, in the order the gate runs them. */
export const CHECK_REASONS = defineReasons([
  { id: "identity.ok", check: "identity.token", status: "pass", text: "Token from {origin} for {subject}" },
  {
    id: "identity.unavailable",
    check: "identity.token",
    status: "fail",
    text: "{message}",
    fix: "{hint} (the ID token source's own words: no token, not a JWT, GitHub refused the request)",
  },
  { id: "health.active", check: "vault.health", status: "pass", text: "Active, initialized and unsealed{version}" },
  {
    id: "health.standby",
    check: "vault.health",
    status: "warn",
    text: "Answered by a standby node{version}; requests are forwarded to the active node",
    fix: "nothing is needed for the deploy; point url at the cluster's load balancer to reach the active node directly",
  },
  {
    id: "health.performance-standby",
    check: "vault.health",
    status: "warn",
    text: "Answered by a performance standby{version}; reads may lag the active node (412 is retried)",
    fix: "nothing is needed unless the deploy reads what it has just written; then point url at the active node",
  },
  {
    id: "health.dr-secondary",
    check: "vault.health",
    status: "fail",
    text: "The node is a disaster-recovery secondary{version} and cannot serve secrets",
    fix: "point url at the primary cluster",
  },
  {
    id: "health.uninitialized",
    check: "vault.health",
    status: "fail",
    text: "The vault is not initialized{version}",
    fix: "its operators must initialize it",
  },
  {
    id: "health.sealed",
    check: "vault.health",
    status: "fail",
    text: "The vault is sealed{version}",
    fix: "its operators must unseal it before any deploy can read secrets",
  },
  {
    id: "health.unexpected",
    check: "vault.health",
    status: "fail",
    text: "Unexpected health status HTTP {status}{version}",
    fix: "check that url points at the vault itself, not at a proxy or another service",
  },
  {
    id: "health.unreachable",
    check: "vault.health",
    status: "fail",
    text: "The vault at {address} did not answer: {detail}",
    fix: "check the address, network and proxy settings (HTTPS_PROXY/NO_PROXY)",
  },
  {
    id: "health.untrusted-ca",
    check: "vault.health",
    status: "fail",
    text: "The TLS certificate of {address} is not trusted ({code})",
    fix: "set ca-cert (input ca-cert, --ca-cert or VAULT_CACERT) to the PEM of the CA that signed the vault's certificate",
  },
  { id: "login.ok", check: "login", status: "pass", text: "Logged in with policies {policies}" },
  {
    id: "login.credentials",
    check: "login",
    status: "fail",
    text: "{message}",
    fix: "{hint} (the login material itself is missing or unreadable: no vault token variable, no secret_id, no Kubernetes token file)",
  },
  { id: "login.not-attempted", check: "login", status: "skip", text: "Not attempted: {why}" },
  { id: "token.no-expiry", check: "token.ttl", status: "pass", text: "The token does not expire" },
  { id: "token.ok", check: "token.ttl", status: "pass", text: "TTL {ttl} ≥ {min}{batch}" },
  {
    id: "token.too-short",
    check: "token.ttl",
    status: "fail",
    text: "TTL {ttl} is shorter than the deploy ({min}) and the token is not renewable{batch}",
    fix: "raise the role's token_ttl",
  },
  {
    id: "token.renewal-covers",
    check: "token.ttl",
    status: "warn",
    text: "TTL {ttl} is shorter than the deploy, but renewal reaches {reach}",
    fix: "keep the job under vaultgate (exec or a wrapper) so it renews the token",
  },
  {
    id: "token.renewal-short",
    check: "token.ttl",
    status: "fail",
    text: "TTL {ttl} and at most {reach} after renewal, shorter than the deploy ({min})",
    fix: "raise the role's token_ttl/token_max_ttl",
  },
  { id: "token.no-token", check: "token.ttl", status: "skip", text: "Not checked: no token" },
  {
    id: "secrets.none",
    check: "secrets",
    status: "warn",
    text: "No secrets are configured",
    fix: "name the deploy's secrets (input secrets or manifest)",
  },
  {
    id: "secret.denied",
    check: "secret.<NAME>",
    status: "fail",
    text: "The token may not {op} {apiPath}{forRole} — denied, or no such path",
    fix: "check the path and the role's policy{suggestion}",
  },
  {
    id: "secret.allowed-not-issued",
    check: "secret.<NAME>",
    status: "pass",
    text: "The policy allows {capability} on {apiPath}; no credential issued (pass --issue-dynamic to issue and revoke one)",
  },
  {
    id: "secret.no-data",
    check: "secret.<NAME>",
    status: "fail",
    text: "The current version of {path} has no data (deleted or destroyed)",
    fix: "write a new version, or undelete it if it was only deleted",
  },
  {
    id: "secret.key-missing",
    check: "secret.<NAME>",
    status: "fail",
    text: 'The key "{key}" is missing from {path}; it has: {keys}',
    fix: "fix the key's name, or add the key to the secret",
  },
  { id: "secret.no-keys", check: "secret.<NAME>", status: "fail", text: "{path} has no keys", fix: "write the secret's keys" },
  {
    id: "secret.lease-short",
    check: "secret.<NAME>",
    status: "fail",
    text: "Its lease lasts {ttl}, shorter than the deploy ({min})",
    fix: "raise the engine role's ttl",
  },
  { id: "secret.readable", check: "secret.<NAME>", status: "pass", text: "Readable{version}{lease}" },
  { id: "secret.issued", check: "secret.<NAME>", status: "pass", text: "Issued on request{lease}" },
  {
    id: "secret.lease-left",
    check: "secret.<NAME>",
    status: "warn",
    text: "Issued on request, but the lease {lease} was NOT revoked ({why}): the check's token was given, not created, so it is not revoked and the lease lives until its TTL ({ttl}) ends",
    fix: "allow update on sys/leases/revoke to the check's token, or run: vault lease revoke {lease}",
  },
  { id: "secret.not-checked", check: "secret.<NAME>", status: "skip", text: "Not checked: {why}" },
  {
    id: "budget.spent",
    check: "every check after the budget ran out",
    status: "skip",
    text: "Not checked: the gate's time budget ({budget} s) was spent",
  },
  { id: "budget.ok", check: "budget", status: "pass", text: "Done in {elapsed} s" },
  {
    id: "budget.over",
    check: "budget",
    status: "fail",
    text: "The checks took {elapsed} s, over the budget of {budget} s; the slow part: {slow}",
    fix: "find why that part is slow (the vault, a proxy, the network), or raise timeout (input timeout, --timeout)",
  },
  {
    id: "internal",
    check: "any",
    status: "fail",
    text: "Unexpected error: {detail}",
    fix: "This is a bug in vaultgate; please report it with the command you ran (never include secret values)",
  },
  {
    id: "config.invalid",
    check: "config",
    status: "fail",
    text: "{message}",
    fix: "{hint}",
  },
] as const satisfies readonly ReasonSpec[]);

/** GATE_REASONS are every reason a check can give: the identity rule's, the gate's own, the vault's and AWS's answers'. */
export const GATE_REASONS: readonly ReasonSpec[] = [
  ...Object.values(IDENTITY_REASONS),
  ...Object.values(CHECK_REASONS),
  ...Object.values(VAULT_REASONS),
  ...Object.values(AWS_REASONS),
];

/** CheckReasonId names one of CHECK_REASONS. */
export type CheckReasonId = keyof typeof CHECK_REASONS;

/** Said is a check's outcome as a reason gives it. */
export interface Said {
  status: CheckStatus;
  reason: string;
  details: Record<string, string | number | boolean | string[]>;
}

/** say renders a reason of the gate: its status, its sentence, and its id in the details. */
export function say(id: CheckReasonId, vars: ReasonVars = {}, details: Said["details"] = {}): Said {
  const spec = CHECK_REASONS[id];
  return { status: spec.status, reason: sentence(spec, vars), details: { ...details, reason: id } };
}
