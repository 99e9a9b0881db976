/**
 * providers/vault/errors — turns what the vault answered into vaultgate's errors,
 * with the context a user needs: which secret, which role, which claim, and the fix.
 */
import {
  AuthError,
  ConfigError,
  PermissionDeniedError,
  SecretNotFoundError,
  VaultUnavailableError,
  type VaultgateError,
} from "../../errors.js";
import { NetworkError } from "../../http/client.js";
import { RetriesExhaustedError } from "../../http/retry.js";
import { audiences, formatClaims, summarizeClaims, type Claims } from "../../identity/claims.js";
import { VaultHttpError, isElectionError } from "./client.js";

/** ReadContext names what was being read, for messages. */
export interface ReadContext {
  /** The path as the user wrote it. */
  path: string;
  origin?: string | undefined;
  role?: string | undefined;
  address: string;
}

/** mapReadError maps a failed read of a secret. */
export function mapReadError(error: unknown, ctx: ReadContext): VaultgateError {
  const what = `${ctx.path}${ctx.origin ? ` (${ctx.origin})` : ""}`;
  const http = unwrapHttp(error);
  if (http?.status === 404) {
    const deleted = deletedVersion(http.body);
    return new SecretNotFoundError(
      deleted ? `Secret ${what}: its current version was ${deleted} and has no data.` : `Secret not found: ${what}.`,
      {
        hint: deleted
          ? "Undelete it (vault kv undelete) or write a new version; or mark the secret `required: false`."
          : "Check the path (KV v2 paths may be written with or without /data/) and that the secret exists; or mark it `required: false`.",
        cause: error,
      },
    );
  }
  if (http?.status === 403) {
    return new PermissionDeniedError(`Permission denied reading ${what}${ctx.role ? ` with role "${ctx.role}"` : ""}.`, {
      hint: `Grant "read" on ${http.path} in a policy attached to the role${ctx.role ? ` "${ctx.role}"` : ""}.`,
      cause: error,
    });
  }
  if (http?.status === 400) {
    return new ConfigError(`The vault refused the read of ${what}: ${http.errors.join("; ") || "bad request"}.`, {
      cause: error,
    });
  }
  return unavailable(error, `reading ${what}`, ctx.address);
}

/** unavailable maps network failures, 5xx and exhausted retries. */
export function unavailable(error: unknown, doing: string, address: string): VaultgateError {
  const http = unwrapHttp(error);
  const sealed = http?.errors.some((e) => /sealed/i.test(e));
  const detail = error instanceof Error ? error.message : String(error);
  return new VaultUnavailableError(`The vault at ${address} failed while ${doing}: ${detail}.`, {
    hint: unavailableHint(http, sealed === true),
    cause: error,
  });
}

const electionHint =
  "The vault (or the load balancer in front of it) had no active node until the deadline: a leader election, " +
  "a sealed or restarting cluster. Check the cluster's health (sys/health on each node), or allow a longer --timeout.";

/** unavailableHint names the likely cause of the last answer and its fix. */
function unavailableHint(http: VaultHttpError | undefined, sealed: boolean): string {
  if (sealed) return "The vault is sealed: it must be unsealed by its operators before any job can read secrets.";
  if (http && isElectionError(http)) return electionHint;
  switch (http?.status) {
    case 429:
      return (
        "The vault's rate-limit quota (sys/quotas/rate-limit) refused requests until the deadline: " +
        "ask its operators to raise the quota, lower --concurrency (fetch.concurrency), or stagger the jobs that start together; " +
        "a longer --timeout lets the retries wait it out."
      );
    case 503:
    case 502:
    case 504:
      return electionHint;
    case 412:
      return "A performance replica has not caught up; retry later or point url at the primary.";
    default:
      return "Check the vault address, network, proxy settings (HTTPS_PROXY/NO_PROXY) and the vault's health.";
  }
}

/** LoginContext names the login that failed. */
export interface LoginContext {
  method: string;
  mount: string;
  role: string | undefined;
  address: string;
  claims?: Claims | undefined;
  tokenOrigin?: string | undefined;
  audience?: string | undefined;
}

/** mapLoginError maps a rejected or failed login, explaining jwt claim mismatches. */
export function mapLoginError(error: unknown, ctx: LoginContext): VaultgateError {
  const http = unwrapHttp(error);
  const where = `${ctx.method} login${ctx.role ? ` for role "${ctx.role}"` : ""} on auth/${ctx.mount}`;
  if (!http || (http.status !== 400 && http.status !== 401 && http.status !== 403 && http.status !== 404)) {
    return unavailable(error, `attempting the ${where}`, ctx.address);
  }
  const reason = http.errors.join("; ") || `HTTP ${http.status}`;
  const diagnosis = diagnose(reason, http.status, ctx);
  const claims = ctx.claims ? summarizeClaims(ctx.claims, diagnosis.claim ? [diagnosis.claim] : []) : undefined;
  const lines = [`The vault rejected the ${where}: ${reason}.`];
  if (claims) lines.push(`Token claims${ctx.tokenOrigin ? ` (from ${ctx.tokenOrigin})` : ""}:`, formatClaims(claims));
  return new AuthError(lines.join("\n"), { hint: diagnosis.hint, claims, reasons: http.errors, cause: error });
}

function diagnose(reason: string, status: number, ctx: LoginContext): { hint: string; claim?: string } {
  const lower = reason.toLowerCase();
  if (/audience|\baud\b/.test(lower)) {
    const tokenAud = ctx.claims ? audiences(ctx.claims) : [];
    return {
      claim: "aud",
      hint:
        `Audience mismatch: the token's aud is ${tokenAud.map((a) => `"${a}"`).join(", ") || "empty"}, which is not in the role's bound_audiences. ` +
        "Request the role's audience (GitHub: the audience input; GitLab: id_tokens aud; Jenkins: the credential's audience), or add this one to bound_audiences.",
    };
  }
  const claimMatch = /claim "?([A-Za-z0-9_.:/-]+)"?/i.exec(reason) ?? /bound[_ ]?(subject|claims?)/i.exec(reason);
  if (claimMatch && /bound|does not match|not match|sub/.test(lower)) {
    const claim = claimMatch[1] === "subject" ? "sub" : (claimMatch[1] ?? "sub");
    const value = ctx.claims?.[claim];
    return {
      claim,
      hint:
        `Bound-claim mismatch on "${claim}": the token has ${claim}=${value === undefined ? "(absent)" : JSON.stringify(value)}, which the role's bound_claims do not allow. ` +
        "Run from the branch/environment the role is bound to, or widen the role's bound_claims.",
    };
  }
  if (/role .*(not found|could not be found)|unknown role|invalid role/.test(lower)) {
    return {
      hint: `The role "${ctx.role ?? "(default)"}" does not exist on auth/${ctx.mount}; check the role name and the auth mount (path).`,
    };
  }
  if (/expired|exp\b|not valid yet|nbf|iat/.test(lower)) {
    return { hint: "The ID token is expired or not yet valid: obtain it just before login, and check the runner's clock." };
  }
  if (/signature|issuer|iss\b|key/.test(lower)) {
    return {
      claim: "iss",
      hint: `The vault does not trust this token's issuer${typeof ctx.claims?.iss === "string" ? ` (${ctx.claims.iss})` : ""}: configure the jwt mount's jwks_url/oidc_discovery_url (or bound_issuer) for it.`,
    };
  }
  if (status === 403 || /permission denied/.test(lower)) {
    return { hint: `Login is not allowed on auth/${ctx.mount}; check that the mount exists and is enabled for this namespace.` };
  }
  if (/missing|required/.test(lower) && /role/.test(lower)) {
    return { hint: "Name the role to log in as (input role), or set default_role on the mount." };
  }
  return { hint: "Compare the token's claims above with the role's bound_audiences, bound_claims and bound_subject." };
}

function unwrapHttp(error: unknown): VaultHttpError | undefined {
  if (error instanceof VaultHttpError) return error;
  if (error instanceof RetriesExhaustedError && error.cause instanceof VaultHttpError) return error.cause;
  return undefined;
}

function deletedVersion(body: unknown): string | undefined {
  const meta = (body as { data?: { metadata?: { deletion_time?: string; destroyed?: boolean } } } | undefined)?.data?.metadata;
  if (!meta) return undefined;
  if (meta.destroyed) return "destroyed";
  if (meta.deletion_time) return `deleted at ${meta.deletion_time}`;
  return undefined;
}

/** isNetwork tells errors that never reached an HTTP answer. */
export function isNetwork(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof RetriesExhaustedError && error.cause instanceof NetworkError);
}
