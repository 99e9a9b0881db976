/**
 * server/reply — the shapes devvault answers with, as Vault and OpenBao do: the
 * response envelope (request_id, lease_id, data, auth, warnings...) and the error body
 * `{"errors": [...]}` with Vault's status codes.
 */
import { randomUUID } from "node:crypto";

/** Reply is one HTTP answer: status and JSON body (none for 204). */
export interface Reply {
  status: number;
  body?: unknown;
  /** A lease the router must record for this answer (dynamic secrets). */
  secret?: SecretLease;
}

/** SecretLease describes the lease a dynamic engine attaches to its answer. */
export interface SecretLease {
  ttlSeconds: number;
  maxTtlSeconds: number;
  renewable: boolean;
  /** Called once when the lease ends (revoked, or its token revoked); frees the credentials. */
  revoke(): void;
}

/**
 * ApiError is an HTTP error answer in flight: a handler throws it and the router writes
 * `{"errors": errors}` (or `body`, for answers like KV v2's deleted version that carry
 * data). It never leaves the server; it is not part of vaultgate's error hierarchy.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: readonly string[];
  readonly body: unknown;
  constructor(status: number, errors: readonly string[], body?: unknown) {
    super(`HTTP ${status}${errors.length ? `: ${errors.join("; ")}` : ""}`);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
    this.body = body;
  }
}

/** permissionDenied is Vault's answer to a missing, invalid or expired token. */
export function permissionDenied(): ApiError {
  return new ApiError(403, ["permission denied"]);
}

/** aclDenied is Vault's answer when the token is valid but its policies deny the path. */
export function aclDenied(): ApiError {
  return new ApiError(403, [multiError("permission denied")]);
}

/** multiError renders one message as Vault's go-multierror text, which some paths answer with. */
export function multiError(message: string): string {
  return `1 error occurred:\n\t* ${message}\n\n`;
}

/** badRequest is a 400 with one message, like Vault's logical.ErrorResponse. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, [message]);
}

/** notFound is Vault's bare 404 for a missing secret: `{"errors": []}`. */
export function notFound(): ApiError {
  return new ApiError(404, []);
}

/** unsupported is the 405 of an operation a path does not handle. */
export function unsupported(): ApiError {
  return new ApiError(405, ["unsupported operation"]);
}

/** EnvelopeParts are the fields a handler fills in the standard response envelope. */
export interface EnvelopeParts {
  data?: unknown;
  auth?: unknown;
  warnings?: string[];
  leaseDuration?: number;
  leaseId?: string;
  renewable?: boolean;
}

/** envelope builds Vault's standard response body. */
export function envelope(parts: EnvelopeParts): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: parts.leaseId ?? "",
    renewable: parts.renewable ?? false,
    lease_duration: parts.leaseDuration ?? 0,
    data: parts.data ?? null,
    wrap_info: null,
    warnings: parts.warnings && parts.warnings.length > 0 ? parts.warnings : null,
    auth: parts.auth ?? null,
  };
}

/** ok answers 200 with an envelope. */
export function ok(parts: EnvelopeParts): Reply {
  return { status: 200, body: envelope(parts) };
}

/** noContent answers 204. */
export function noContent(): Reply {
  return { status: 204 };
}

/** isoSeconds renders a time as Vault's KV metadata does (RFC 3339, whole seconds). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** isoTime renders a time with sub-second precision (token and lease times). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
