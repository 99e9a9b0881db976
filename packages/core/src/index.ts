/**
 * @vaultgate/core — the engine behind every vaultgate wrapper. No CI toolkit imports,
 * no console output, no process exits: wrappers pass a Platform in and map results out.
 */
export * from "./errors.js";
export * from "./platform.js";
export * from "./config/index.js";
export { VERSION } from "./version.js";
export { parseDuration, formatDuration } from "./util/duration.js";
export { decodeClaims, summarizeClaims, formatClaims, audiences, type Claims } from "./identity/claims.js";
export { obtainIdToken, DEFAULT_ID_TOKEN_VARIABLES, type IdToken } from "./identity/sources.js";
export { loginVariables } from "./identity/login-env.js";
export { HttpClient, NetworkError, type HttpRequest, type HttpResponse } from "./http/client.js";
export {
  withRetry,
  backoffDelay,
  serverWait,
  RetriesExhaustedError,
  parseRetryAfter,
  isTransientStatus,
  THROTTLE_WINDOW_MS,
  type RetryOptions,
  type RetryDecision,
} from "./http/retry.js";
export { AdaptiveLimit, type Outcome } from "./http/aimd.js";
export { mapLimit } from "./fetch/limit.js";
export {
  fetchSecrets,
  planReads,
  type FetchResult,
  type FetchedSecret,
  type LeaseRecord,
  type ReadRecord,
  type SkippedSecret,
} from "./fetch/run.js";
export {
  VaultClient,
  VaultHttpError,
  type VaultResponse,
  type VaultAuth,
  type MountInfo,
  type RequestObserver,
} from "./providers/vault/client.js";
export { login, revokeToken, type LoginResult } from "./providers/vault/auth.js";
export { MountResolver, resolveWithMount, type ResolvedPath } from "./providers/vault/paths.js";
export { writeSecureFile, writeFileAtomic, removeFile, ensureDir, assertWritableDir, appendNoWait } from "./export/files.js";
export {
  render,
  shellQuote,
  dotenvQuote,
  parseSecretsFile,
  OUTPUT_FORMATS,
  type OutputFormat,
  type NamedValue,
} from "./export/formats.js";
export {
  PROTECTED_ENV_NAMES,
  protectedEntry,
  assertEnvName,
  checkExportNames,
  checkSecretNames,
  parseAllowEnvNames,
  type ExportName,
  type NamedSecret,
  type ProtectedName,
} from "./export/env-names.js";
export { Session, openSession, USER_AGENT, type SessionOptions } from "./lifecycle/session.js";
export {
  revokeSessions,
  REVOKE_BUDGET_SECONDS,
  REVOKE_THROTTLED_SECONDS,
  type RevokeReport,
  type RevokeOptions,
  type RevokeTarget,
  type RevocableLease,
} from "./lifecycle/revoke.js";
export { saveState, loadState, parseState, removeState, stateFileWriter, type SessionState } from "./lifecycle/state.js";
export { fetchJob, sourcesLabel, stateOf, type FetchJob, type FetchJobOptions } from "./lifecycle/job.js";
export {
  platformTempDir,
  ciTempDir,
  jobKey,
  stateDir,
  newStatePath,
  jobStatePaths,
  isInside,
  privateDir,
  removalRefusal,
} from "./lifecycle/paths.js";
export * from "./mask/index.js";
export * from "./check/index.js";
export {
  AuditRecorder,
  appendAuditRecord,
  auditMarkdown,
  AUDIT_RECORD_SCHEMA,
  type AuditRecord,
  type RenewalEntry,
  type RevocationEntry,
} from "./lifecycle/audit.js";
export { Renewer, type RenewerOptions } from "./lifecycle/renewer.js";
export { startKeepAlive, type KeepAlive } from "./lifecycle/keepalive.js";
export { endRun, type EndRunOptions, type EndRunResult } from "./lifecycle/end.js";
export { Watchdog, WATCHDOG_GRACE_MS, type WatchdogStep } from "./lifecycle/watchdog.js";
export type * from "./providers/types.js";
export { vaultProvider, VaultSession, VAULT_CAPABILITIES, type VaultSourceConfig } from "./providers/vault/provider.js";
// The AWS provider is loaded lazily (a run without an AWS source loads no AWS code): only its loader is exported.
export { loadAws, authenticateAws, type AwsModule } from "./providers/load.js";
export { parseAwsRef, type AwsRef } from "./providers/aws/refs.js";
export * from "./telemetry/index.js";
