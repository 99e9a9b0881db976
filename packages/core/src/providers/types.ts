/**
 * providers/types — the one interface every secrets backend implements. The engine
 * (fetch, check, lifecycle) asks a session what it can do — renew, revoke, issue — and
 * never which backend it is. A provider authenticates with the job's identity into a
 * session; the session reads specs (data before selection), validates them for the
 * gate, renews and revokes itself, and describes what a later step needs to clean up.
 */
import type { SecretSpec } from "../config/schema.js";
import type { VaultgateError } from "../errors.js";
import type { Claims } from "../identity/claims.js";
import type { IdToken } from "../identity/sources.js";
import type { Platform } from "../platform.js";

/** SourceKind names the backends vaultgate speaks to. */
export type SourceKind = "vault" | "aws";

/** Capabilities are what a session can do; the engine branches on these, not on the backend. */
export interface Capabilities {
  /** The session's credentials (or leases) can be extended, or re-obtained, while a job runs. */
  readonly renewable: boolean;
  /** The backend can end the credentials server-side before they expire. */
  readonly revocable: boolean;
  /** Reads may issue new credentials with leases, not only return stored values. */
  readonly dynamic: boolean;
}

/** AuthenticateOptions: the platform (env, masks, logs), the user agent, and the time budget. */
export interface AuthenticateOptions {
  platform: Platform;
  userAgent: string;
  /** An ID token already obtained for this source (the gate obtains it first to check it). */
  idToken?: IdToken | undefined;
  /** Absolute deadline (Date.now() scale) of the reads that follow. */
  deadline?: number | undefined;
  /** Attempts per request, for backends whose SDK retries on its own. */
  maxAttempts?: number | undefined;
}

/** SessionIdentity says who the session is, for the audit record and the gate (never a credential). */
export interface SessionIdentity {
  source: SourceKind;
  method: string;
  /** The vault role, or the AWS role ARN. */
  role: string | undefined;
  /** Where the identity came from ("GitHub OIDC (audience sts.amazonaws.com)", "$VAULT_TOKEN"). */
  origin: string;
  claims: Claims | undefined;
  /** Seconds the credentials live from authentication (0 = no expiry). */
  ttlSeconds: number;
  /** Non-secret facts of the session (accessor, policies, session name, assumed role ARN). */
  details: Readonly<Record<string, string | string[]>>;
}

/** SecretData is one read before selection: the keys a selector applies to, and where it came from. */
export interface SecretData {
  data: Record<string, unknown>;
  /** The backend's own name for what was read (API path, secret ARN, parameter name). */
  apiPath: string;
  leaseId?: string | undefined;
  ttlSeconds?: number | undefined;
  renewable?: boolean | undefined;
  /** Version, when the backend has one (KV v2 version, Secrets Manager version id, SSM version). */
  version?: string | number | undefined;
}

/** ReadOutcome is a spec's data or the error its read ended with (already in vaultgate's terms). */
export type ReadOutcome = { ok: true; value: SecretData } | { ok: false; error: VaultgateError };

/** ReadOptions: the bound on parallel requests, shared by every backend. */
export interface ReadOptions {
  concurrency: number;
}

/** Verdict is the gate's answer for one spec or for the session. */
export interface Verdict {
  status: "pass" | "warn" | "fail";
  /** One sentence: what was found and, unless passing, the fix. */
  reason: string;
  details: Record<string, string | number | boolean | string[]>;
}

/** ValidateOptions: how long the deploy will need access, and whether to issue dynamic credentials. */
export interface ValidateOptions {
  minTtlSeconds: number;
  issueDynamic: boolean;
  concurrency: number;
}

/** RenewOutcome reports one renewal (or re-authentication) of the session's own credentials. */
export interface RenewOutcome {
  ok: boolean;
  /** Seconds the credentials now live. */
  ttlSeconds: number;
  /** True when the backend granted less than asked: the end is near. */
  capped: boolean;
  message: string;
}

/** RevokeOutcome says what revocation did; `"not-supported"` when the backend cannot revoke. */
export interface RevokeOutcome {
  outcome: "revoked" | "already-invalid" | "kept" | "failed" | "not-supported";
  message: string;
}

/** ProviderSession is one authenticated hold on a backend. */
export interface ProviderSession {
  readonly kind: SourceKind;
  readonly capabilities: Capabilities;
  readonly identity: SessionIdentity;
  /** read returns each spec's data (in the order of `specs`); the same reference is read once. */
  read(specs: readonly SecretSpec[], options: ReadOptions): Promise<ReadOutcome[]>;
  /** validate proves, for the gate, that each spec exists and is readable, without exporting a value. */
  validate(specs: readonly SecretSpec[], options: ValidateOptions): Promise<Verdict[]>;
  /** validateSession says whether the session's credentials outlive the deploy. */
  validateSession(options: ValidateOptions): Promise<Verdict>;
  /** renew extends (or re-obtains) the session's credentials. */
  renew(): Promise<RenewOutcome>;
  /** revoke ends the credentials where the backend allows it, by `deadline` (Date.now() scale). */
  revoke(deadline: number): Promise<RevokeOutcome>;
  /** close releases connections; it does not revoke. */
  close(): void;
}

/** Provider turns an identity into a session for one kind of backend. */
export interface Provider<Config> {
  readonly kind: SourceKind;
  authenticate(config: Config, options: AuthenticateOptions): Promise<ProviderSession>;
}
