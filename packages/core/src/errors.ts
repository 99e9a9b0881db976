/**
 * errors — the one error hierarchy of vaultgate. Every error carries a message that
 * says what went wrong and what to do next, an exit code documented in
 * docs/exit-codes.md, and the underlying `cause`. Wrappers map these to their platform
 * at one boundary (the CLI's `main`, an action's `run`); nothing else exits.
 */

/** ExitCode lists the process exit codes of every vaultgate command. */
export const ExitCode = {
  ok: 0,
  /** `check`: a required check failed. */
  checkFailed: 1,
  /** Bad configuration, input or usage. */
  config: 2,
  /** No usable identity: the OIDC token is missing or unreadable, or login was rejected. */
  auth: 3,
  /** A secret is missing, a key is absent, or the policy denies it. */
  access: 4,
  /** The vault could not be reached, is sealed, or kept failing until the deadline. */
  unavailable: 5,
  /** A result could not be written (output file, env file, state file). */
  output: 6,
  /** A bug in vaultgate: please report it. */
  internal: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** ErrorOptions of every VaultgateError: the fix to suggest and the underlying cause. */
export interface VaultgateErrorOptions {
  /** What the user should do next, shown on its own line under the message. */
  hint?: string | undefined;
  cause?: unknown;
  /** The id of the reason this error gives a check (see reasons.ts), when it has one. */
  reasonId?: string | undefined;
}

/**
 * VaultgateError is the base class; `exitCode` decides the process exit status. Each
 * subclass names itself explicitly: bundlers rename classes, and `name` is recorded in
 * audit records.
 */
export abstract class VaultgateError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  readonly #hint: string | undefined;
  readonly reasonId: string | undefined;

  constructor(message: string, options: VaultgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.#hint = options.hint;
    this.reasonId = options.reasonId;
  }

  /** hint is the fix to suggest: the error's own, else its class's general advice (never empty). */
  get hint(): string {
    return this.#hint ?? DEFAULT_HINTS[this.name] ?? DEFAULT_HINTS.InternalError ?? "";
  }
}

/** DEFAULT_HINTS is each class's advice for the errors that carry no hint of their own. */
const DEFAULT_HINTS: Readonly<Record<string, string>> = {
  ConfigError:
    "Check the flags, inputs and manifest against docs/configuration.md; `vaultgate <command> --help` lists the flags.",
  IdentityError: "See docs/configuration.md for where the job's OIDC ID token comes from on each CI platform.",
  AuthError: "Check the role, the auth mount and the token's claims against the vault role's bound claims.",
  SecretNotFoundError: "Check the path and the key (`vault kv get <path>`), or mark the secret required: false.",
  PermissionDeniedError: "Grant the role's policy read on the path, or ask the vault's administrator to.",
  VaultUnavailableError: "Check the vault address and that the vault is up and unsealed; raise --timeout if it is only slow.",
  OutputError: "Choose a location you can write to (the job's temp directory is a good one).",
  CheckFailedError: "See the check's report for each failed check and its fix.",
  InternalError: "This is a bug in vaultgate; please report it with the command you ran (never include secret values).",
};

/** ConfigError: the manifest, an input, a flag or a combination of them is wrong. */
export class ConfigError extends VaultgateError {
  override readonly name = "ConfigError";
  readonly exitCode = ExitCode.config;
}

/** IdentityError: the CI job's OIDC token could not be obtained or is unusable. */
export class IdentityError extends VaultgateError {
  override readonly name = "IdentityError";
  readonly exitCode = ExitCode.auth;
}

/** AuthError: the vault rejected the login; `claims` are the token's non-secret claims. */
export class AuthError extends VaultgateError {
  override readonly name = "AuthError";
  readonly exitCode = ExitCode.auth;
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  readonly reasons: readonly string[];

  constructor(
    message: string,
    options: VaultgateErrorOptions & { claims?: Record<string, unknown> | undefined; reasons?: readonly string[] } = {},
  ) {
    super(message, options);
    this.claims = options.claims;
    this.reasons = options.reasons ?? [];
  }
}

/** SecretNotFoundError: the path, version or selected key does not exist. */
export class SecretNotFoundError extends VaultgateError {
  override readonly name = "SecretNotFoundError";
  readonly exitCode = ExitCode.access;
}

/** PermissionDeniedError: the token's policies do not allow the operation. */
export class PermissionDeniedError extends VaultgateError {
  override readonly name = "PermissionDeniedError";
  readonly exitCode = ExitCode.access;
}

/** VaultUnavailableError: network failure, 5xx, sealed or standby vault, deadline hit. */
export class VaultUnavailableError extends VaultgateError {
  override readonly name = "VaultUnavailableError";
  readonly exitCode = ExitCode.unavailable;
}

/** OutputError: a result could not be written where it was asked to go. */
export class OutputError extends VaultgateError {
  override readonly name = "OutputError";
  readonly exitCode = ExitCode.output;
}

/** CheckFailedError: the pre-deploy gate found a required check failing. */
export class CheckFailedError extends VaultgateError {
  override readonly name = "CheckFailedError";
  readonly exitCode = ExitCode.checkFailed;
}

/** InternalError: something that should not happen; wraps unexpected throwables. */
export class InternalError extends VaultgateError {
  override readonly name = "InternalError";
  readonly exitCode = ExitCode.internal;
}

/** toVaultgateError turns any thrown value (not only Error) into a VaultgateError. */
export function toVaultgateError(thrown: unknown): VaultgateError {
  if (thrown instanceof VaultgateError) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new InternalError(`Unexpected error: ${detail}`, {
    hint: "This is a bug in vaultgate; please report it with the command you ran (never include secret values).",
    cause: thrown,
  });
}

/** formatError renders an error for a terminal or CI log: message, hint, no stack. */
export function formatError(error: VaultgateError): string {
  const lines = [`Error: ${error.message}`];
  if (error.hint) lines.push(`Hint: ${error.hint}`);
  return lines.join("\n");
}
