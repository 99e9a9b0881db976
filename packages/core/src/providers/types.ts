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

/** RequestEvent is one HTTP attempt a backend made, for the audit record and the gate's budget. */
export interface RequestEvent {
  method: string;
  path: string;
  status: number | undefined;
  ms: number;
  attempt: number;
  error?: string;
}

/** RetryEvent is one retry a backend is about to make. */
export interface RetryEvent {
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** AuthenticateOptions: the platform (env, masks, logs), the user agent, and the time budget. */
export interface AuthenticateOptions {
  platform: Platform;
  userAgent: string;
  /** An ID token already obtained for this source (the gate obtains it first to check it). */
  idToken?: IdToken | undefined;
  /** Absolute deadline (Date.now() scale) of the reads that follow. */
  deadline?: number | undefined;
  /** Attempts per request (the gate caps them; otherwise the source's own setting). */
  maxAttempts?: number | undefined;
  /** Sees every request attempt. */
  observe?: ((event: RequestEvent) => void) | undefined;
  /** Told before each retry. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
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
  /** The credentials can be renewed (or re-obtained) before they expire. */
  renewable: boolean;
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
  /** The KV engine's version when the backend has versions of its key-value store (1 or 2). */
  kv?: 1 | 2 | undefined;
}

/** ReadOutcome is a spec's data or the error its read ended with (already in vaultgate's terms). */
export type ReadOutcome = (
  { ok: true; value: SecretData } | { ok: false; error: VaultgateError; apiPath?: string | undefined; kv?: 1 | 2 | undefined }
) & {
  /** How long the read took, in milliseconds. */
  ms?: number | undefined;
};

/** ReadOptions: the bound on parallel requests, shared by every backend. */
export interface ReadOptions {
  concurrency: number;
  /**
   * settled is told each spec's outcome as soon as its read ends (by index into the
   * specs), so the caller can mask its values before the other reads finish; the read
   * waits for it (selectors evaluate asynchronously).
   */
  settled?: ((index: number, outcome: ReadOutcome) => void | Promise<void>) | undefined;
}

/** Verdict is the gate's answer for one spec or for the session; `skip` when it could not be checked. */
export interface Verdict {
  status: "pass" | "warn" | "fail" | "skip";
  /** One sentence: what was found and, unless passing, the fix. */
  reason: string;
  details: Record<string, string | number | boolean | string[]>;
  /** How long the check of this spec took, in milliseconds. */
  ms?: number | undefined;
}

/** GateBudget is the gate's time budget as a backend sees it: spent, and a cut-off told from a failure. */
export interface GateBudget {
  readonly spent: boolean;
  readonly deadline: number;
  cutOff(error: unknown): boolean;
  skipped(): Verdict;
  readonly observe: (event: RequestEvent) => void;
}

/** ValidateOptions: how long the deploy will need access, and whether to issue dynamic credentials. */
export interface ValidateOptions {
  minTtlSeconds: number;
  issueDynamic: boolean;
  concurrency: number;
  /** The gate's budget; without one, nothing is cut off. */
  budget?: GateBudget | undefined;
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

/** RevocableLease is a lease to end, with its expiry when known (ISO 8601). */
export interface RevocableLease {
  leaseId: string;
  expiresAt?: string | undefined;
}

/** RevocationNote is one thing a revocation did, for the audit record. */
export interface RevocationNote {
  kind: "token" | "lease" | "credentials";
  leaseId: string | null;
  outcome: "revoked" | "already-invalid" | "with-token" | "failed" | "kept" | "not-revocable";
  error: string | null;
}

/** RevokeRequest: the leases the run obtained, what to keep, the deadline, whom to tell. */
export interface RevokeRequest {
  leases: readonly RevocableLease[];
  /** Keep the session's credentials (ones the user supplied): end only the leases. */
  keepCredentials: boolean;
  /** Absolute deadline of the whole revocation (Date.now() scale). */
  deadline: number;
  /**
   * A later deadline for a vault that answers 429 (it is up and asks to wait): a rate-limit
   * quota shared by many jobs must not leave a token alive. Unset: `deadline` for all.
   */
  throttledDeadline?: number | undefined;
  /** When the credentials expire (ISO 8601), to name them if they are left alive. */
  expiresAt?: string | undefined;
  note?: ((entry: RevocationNote) => void) | undefined;
}

/** RevokeReport says what revocation did; failures are listed, never thrown. */
export interface RevokeReport {
  token: "revoked" | "already-invalid" | "failed" | "not-revoked" | "not-supported";
  leasesRevoked: number;
  /** Leases ended by the token's revocation (or left to it when the policy has no sys/leases/revoke). */
  leasesWithToken: number;
  errors: string[];
  /** What is still alive after this revocation, each with when it expires; empty when all ended. */
  leftAlive: string[];
  /** The backend cannot revoke these credentials (a batch token, STS): they expire on their own. */
  unrevocable?: boolean | undefined;
}

/** HandOver is what a later process needs to renew or end a session (the run's state file). */
export interface HandOver {
  token: string;
  accessor: string | undefined;
  /** False when the credentials were supplied by the user: they are not revoked. */
  ownsToken: boolean;
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
  /** label names the session's credentials in messages ("the vault token"). */
  readonly label: string;
  /** renew extends (or re-obtains) the session's credentials, asking for `incrementSeconds`. */
  renew(incrementSeconds?: number): Promise<RenewOutcome>;
  /** renewLease extends a lease a read obtained (dynamic sessions); it throws when it cannot. */
  renewLease(leaseId: string, incrementSeconds: number): Promise<number>;
  /** lookupLease tells a lease's remaining TTL and whether it renews (for a later process's renewals). */
  lookupLease(leaseId: string): Promise<{ ttlSeconds: number; renewable: boolean }>;
  /** revoke ends the credentials and leases where the backend allows it. */
  revoke(request: RevokeRequest): Promise<RevokeReport>;
  /** exports are the session's own credentials as variables for the job, when asked for (already masked). */
  exports?(): { name: string; value: string }[];
  /** handOver is what a later process needs to renew or end this session; undefined when nothing. */
  handOver(): HandOver | undefined;
  /** close releases connections; it does not revoke. */
  close(): void;
}

/** Provider turns an identity into a session for one kind of backend (a provider may add its own helpers). */
export interface Provider<Config> {
  readonly kind: SourceKind;
  authenticate(config: Config, options: AuthenticateOptions): Promise<ProviderSession>;
  /** probe asks, before login, whether the backend answers (the gate's first check of it). */
  probe?(config: Config, options: AuthenticateOptions): Promise<Verdict>;
}
