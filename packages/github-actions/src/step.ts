/**
 * step — the one boundary where an action step meets errors: runStep runs a step and
 * turns any thrown value (not only an Error) into the step's failure, shown as the
 * error's message and hint, never a stack. A post step reports failures as warnings.
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, a named step is one trace (docs/observability.md).
 */
import {
  AuthError,
  CheckFailedError,
  ConfigError,
  IdentityError,
  InternalError,
  OutputError,
  PermissionDeniedError,
  SecretNotFoundError,
  TELEMETRY_OFF,
  VaultUnavailableError,
  loadManifestParser,
  startTelemetry,
  toVaultgateError,
  type VaultgateError,
} from "@vaultgate/core";
import { githubPlatform, type GitHubPlatform } from "./platform.js";
import { Runner } from "./runner/runner.js";

/** Step is the body of an action's entry point. */
export type Step = (runner: Runner, platform: GitHubPlatform) => Promise<void>;

/** StepOptions: whether a failure fails the step. */
export interface StepOptions {
  /** "warning" for post steps: report, but never change the job's result. */
  onError?: "fail" | "warning";
  /** The step's name as the root span of its trace (github-secrets, github-check...). */
  command?: string;
  /** A step output set to the failure's message (vault-action's errorMessage), on every failure. */
  errorOutput?: string;
}

/** runStep runs `step`, sets process.exitCode and returns it. */
export async function runStep(step: Step, options: StepOptions = {}): Promise<number> {
  const runner = new Runner();
  const platform = githubPlatform(runner);
  const telemetry = options.command
    ? await startTelemetry({
        command: options.command,
        env: runner.env,
        platform: "github",
        warn: (message) => runner.warning(message),
        mask: (value) => platform.mask(value, "token"),
      })
    : TELEMETRY_OFF;
  try {
    // The YAML parser loads only for a step that names a manifest (config/manifest.ts says why).
    if (runner.input("manifest")) await loadManifestParser();
    await step(runner, platform);
  } catch (thrown) {
    const error = toVaultgateError(thrown);
    if (options.errorOutput) setErrorOutput(runner, options.errorOutput, describeError(error));
    if (options.onError === "warning") runner.warning(describeError(error), { title: errorTitle(error) });
    else runner.setFailed(describeError(error), { title: errorTitle(error) });
  }
  await telemetry.end(runner.exitCode);
  process.exitCode = runner.exitCode;
  return runner.exitCode;
}

/** setErrorOutput sets the failure's output; a runner that cannot take it does not hide the failure itself. */
function setErrorOutput(runner: Runner, name: string, message: string): void {
  try {
    runner.setOutput(name, message);
  } catch {
    // The failure is reported by setFailed all the same.
  }
}

/** describeError is the error's message with its hint on the next line. */
export function describeError(error: VaultgateError): string {
  return error.hint ? `${error.message}\nHint: ${error.hint}` : error.message;
}

/** errorTitle names the kind of failure in the annotation's title (instanceof: minified bundles rename classes). */
export function errorTitle(error: VaultgateError): string {
  const kinds: [abstract new (...args: never[]) => VaultgateError, string][] = [
    [ConfigError, "configuration"],
    [IdentityError, "identity"],
    [AuthError, "login rejected"],
    [SecretNotFoundError, "secret not found"],
    [PermissionDeniedError, "permission denied"],
    [VaultUnavailableError, "vault unavailable"],
    [OutputError, "output"],
    [CheckFailedError, "check failed"],
    [InternalError, "internal error"],
  ];
  return `vaultgate: ${kinds.find(([type]) => error instanceof type)?.[1] ?? "error"}`;
}
