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
  VaultgateError,
} from "../../errors.js";
import { NetworkError } from "../../http/client.js";
import { RetriesExhaustedError } from "../../http/retry.js";
import { audiences, formatClaims, summarizeClaims, type Claims } from "../../identity/claims.js";
import { VaultHttpError, isElectionError } from "./client.js";
import { errorParts, type VaultReasonId } from "./reasons.js";

/** ReadContext names what was being read, for messages. */
export interface ReadContext {
  /** The path as the user wrote it. */
  path: string;
  origin?: string | undefined;
  role?: string | undefined;
  address: string;
  /** "read" for a GET, "request" for an engine that issues on POST (pki/issue, ...). */
  op?: "read" | "request" | undefined;
  /** How to make this secret optional, in the form the user wrote it (config optionalAdvice). */
  optional?: string | undefined;
}

/** mapReadError maps a failed read of a secret; an error that is already vaultgate's passes through. */
export function mapReadError(error: unknown, ctx: ReadContext): VaultgateError {
  if (error instanceof VaultgateError) return error;
  const what = `${ctx.path}${ctx.origin ? ` (${ctx.origin})` : ""}`;
  const op = ctx.op ?? "read";
  const optional = ctx.optional ?? "mark it `required: false`";
  const http = unwrapHttp(error);
  if (http?.namespaceNotFound) return namespaceNotFound(http, ctx.address, error);
  if (http?.status === 404) {
    const meta = deletedVersion(http.body);
    const parts = meta?.destroyed
      ? errorParts("read.destroyed", {
          what,
          version: meta.version ? ` (version ${meta.version})` : "",
          pinned: `${ctx.path.replace(/\?.*$/, "")}?version=${meta.version && meta.version > 1 ? meta.version - 1 : "N"}`,
          optional,
        })
      : meta?.deletedAt
        ? errorParts("read.deleted", { what, time: meta.deletedAt, optional })
        : errorParts("read.not-found", { what, optional });
    return new SecretNotFoundError(parts.message, { ...parts, cause: error });
  }
  if (http?.status === 403) {
    const parts = errorParts("read.denied", {
      op,
      what,
      withRole: ctx.role ? ` with role "${ctx.role}"` : "",
      capability: op === "request" ? '"update"' : '"read"',
      apiPath: http.path,
    });
    return new PermissionDeniedError(parts.message, { ...parts, cause: error });
  }
  if (http?.status === 400) {
    const parts = errorParts("read.refused", { op, what, detail: http.errors.join("; ") || "bad request" });
    return new ConfigError(parts.message, { ...parts, cause: error });
  }
  return unavailable(error, `${op === "request" ? "requesting" : "reading"} ${what}`, ctx.address);
}

/** namespaceNotFound says that the configured namespace itself does not exist. */
function namespaceNotFound(http: VaultHttpError, address: string, cause: unknown): ConfigError {
  const parts = errorParts("vault.namespace-not-found", { namespace: http.namespace ?? "", address });
  return new ConfigError(parts.message, { ...parts, cause });
}

/** unavailable maps network failures, 5xx and exhausted retries. */
export function unavailable(error: unknown, doing: string, address: string): VaultgateError {
  // An error that already says what happened (an answer that is not a vault's) is kept as it is.
  if (error instanceof VaultUnavailableError) return error;
  const http = unwrapHttp(error);
  const network = unwrapNetwork(error);
  if (network && isUntrustedCertificate(network.code)) {
    const parts = errorParts("vault.untrusted-ca", { address, code: network.code });
    return new VaultUnavailableError(parts.message, { ...parts, cause: error });
  }
  const sealed = http?.errors.some((e) => /sealed/i.test(e));
  const detail = error instanceof Error ? error.message : String(error);
  const reason = network?.code === "ELATE" ? "vault.late-login" : unavailableReason(http, sealed === true);
  const parts = errorParts(reason, { address, doing, detail: detail.replace(/\.$/, "") });
  return new VaultUnavailableError(parts.message, { ...parts, cause: error });
}

/** unavailableReason names the likely cause of the last answer (its reason carries the fix). */
function unavailableReason(http: VaultHttpError | undefined, sealed: boolean): VaultReasonId {
  if (sealed) return "vault.sealed-answer";
  if (http && isElectionError(http)) return "vault.no-active-node";
  switch (http?.status) {
    case 429:
      return "vault.rate-limited";
    case 502:
    case 503:
    case 504:
      return "vault.no-active-node";
    case 412:
      return "vault.replica-lag";
    default:
      return "vault.unreachable";
  }
}

/** isUntrustedCertificate tells the TLS errors a private CA (ca-cert) fixes. */
export function isUntrustedCertificate(code: string): boolean {
  return /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED)$/.test(
    code,
  );
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
  if (error instanceof VaultgateError) return error;
  const http = unwrapHttp(error);
  const who = ctx.method === "approle" ? ` with role_id "${ctx.role}"` : ctx.role ? ` for role "${ctx.role}"` : "";
  const where = `${ctx.method} login${who} on auth/${ctx.mount}`;
  if (http?.namespaceNotFound) return namespaceNotFound(http, ctx.address, error);
  if (!http || (http.status !== 400 && http.status !== 401 && http.status !== 403 && http.status !== 404)) {
    return unavailable(error, `attempting the ${where}`, ctx.address);
  }
  const detail = http.errors.join("; ") || `HTTP ${http.status}`;
  const diagnosis = diagnose(detail, http.status, ctx);
  const claims = ctx.claims ? summarizeClaims(ctx.claims, diagnosis.claim ? [diagnosis.claim] : []) : undefined;
  const parts = errorParts(diagnosis.id, { where, detail, ...diagnosis.vars });
  const lines = [parts.message];
  if (claims) lines.push(`Token claims${ctx.tokenOrigin ? ` (from ${ctx.tokenOrigin})` : ""}:`, formatClaims(claims));
  return new AuthError(lines.join("\n"), {
    hint: parts.hint,
    reasonId: parts.reasonId,
    claims,
    reasons: http.errors,
    cause: error,
  });
}

function diagnose(
  reason: string,
  status: number,
  ctx: LoginContext,
): { id: VaultReasonId; vars?: Record<string, string>; claim?: string } {
  const lower = reason.toLowerCase();
  if (/audience|\baud\b/.test(lower)) {
    const tokenAud = ctx.claims ? audiences(ctx.claims) : [];
    return { id: "login.audience", claim: "aud", vars: { aud: tokenAud.map((a) => `"${a}"`).join(", ") || "empty" } };
  }
  const claimMatch = /claim "?([A-Za-z0-9_.:/-]+)"?/i.exec(reason) ?? /bound[_ ]?(subject|claims?)/i.exec(reason);
  if (claimMatch && /bound|does not match|not match|sub/.test(lower)) {
    const claim = claimMatch[1] === "subject" ? "sub" : (claimMatch[1] ?? "sub");
    const value = ctx.claims?.[claim];
    return {
      id: "login.bound-claim",
      claim,
      vars: { claim, value: value === undefined ? "(absent)" : JSON.stringify(value) },
    };
  }
  if (ctx.method === "approle" && /role|secret/.test(lower)) {
    return { id: "login.approle-rejected", vars: { roleId: ctx.role ?? "", mount: ctx.mount } };
  }
  if (ctx.method === "token") {
    return { id: "login.token-invalid" };
  }
  // A refused password or GitHub token, not a missing mount (403 permission denied).
  if (status !== 403 && !/permission denied/.test(lower)) {
    if (ctx.method === "userpass" || ctx.method === "ldap") {
      const ldap =
        ctx.method === "ldap"
          ? `; an LDAP bind failure can also be the mount's url, userdn or userattr (read auth/${ctx.mount}/config)`
          : "";
      return { id: "login.credentials-rejected", vars: { mount: ctx.mount, ldap } };
    }
    if (ctx.method === "github") return { id: "login.github-token-rejected", vars: { mount: ctx.mount } };
  }
  if (/role .*(not found|could not be found)|unknown role|invalid role/.test(lower)) {
    return { id: "login.unknown-role", vars: { role: ctx.role ?? "(default)", mount: ctx.mount } };
  }
  if (/expired|exp\b|not valid yet|nbf|iat/.test(lower)) return { id: "login.token-time" };
  if (/signature|issuer|iss\b|key/.test(lower)) {
    const iss = typeof ctx.claims?.iss === "string" ? ` (${ctx.claims.iss})` : "";
    return { id: "login.issuer", claim: "iss", vars: { issuer: iss } };
  }
  if (status === 403 || /permission denied/.test(lower)) return { id: "login.mount-denied", vars: { mount: ctx.mount } };
  if (/missing|required/.test(lower) && /role/.test(lower)) return { id: "login.role-missing" };
  return { id: "login.rejected" };
}

function unwrapHttp(error: unknown): VaultHttpError | undefined {
  if (error instanceof VaultHttpError) return error;
  if (error instanceof RetriesExhaustedError && error.cause instanceof VaultHttpError) return error.cause;
  return undefined;
}

function unwrapNetwork(error: unknown): NetworkError | undefined {
  if (error instanceof NetworkError) return error;
  if (error instanceof RetriesExhaustedError && error.cause instanceof NetworkError) return error.cause;
  return undefined;
}

/** deletedVersion reads the metadata OpenBao sends with the 404 of a deleted or destroyed KV v2 version. */
function deletedVersion(
  body: unknown,
): { destroyed: boolean; deletedAt: string | undefined; version: number | undefined } | undefined {
  type Meta = { deletion_time?: string; destroyed?: boolean; version?: number };
  const meta = (body as { data?: { metadata?: Meta } } | undefined)?.data?.metadata;
  if (!meta || (!meta.destroyed && !meta.deletion_time)) return undefined;
  return {
    destroyed: meta.destroyed === true,
    deletedAt: meta.deletion_time || undefined,
    version: typeof meta.version === "number" ? meta.version : undefined,
  };
}

/** isNetwork tells errors that never reached an HTTP answer. */
export function isNetwork(error: unknown): boolean {
  return error instanceof NetworkError || (error instanceof RetriesExhaustedError && error.cause instanceof NetworkError);
}
