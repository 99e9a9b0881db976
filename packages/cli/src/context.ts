/** context — what every command receives: environment, streams, and its Platform. */
import type { Env, MaskRequest, Platform, RunTelemetry } from "@vaultgate/core";
import { processRunnerMode, terminalPlatform, type RunnerMode, type Verbosity } from "./terminal.js";

/** CommandContext is the outside world as one command invocation sees it. */
export interface CommandContext {
  env: Env;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether this process may write workflow commands (the real GitHub Actions runner reads its stderr); default "none". */
  runner?: RunnerMode;
  /** platform builds the Platform for the parsed --quiet/--verbose flags. */
  platform(
    flags: { quiet?: boolean | undefined; verbose?: boolean | undefined },
    onMask?: (value: string, request: MaskRequest) => void,
  ): Platform;
  /** The run's telemetry (main starts it): exec passes its trace context to the command. */
  telemetry?: RunTelemetry;
}

/** processContext builds the context of the running process. */
export function processContext(): CommandContext {
  const env = process.env;
  const runner = processRunnerMode(env);
  // A write to a closed pipe (`vaultgate … | head -1`) must never end the process before
  // it revokes: an output stream's error is dropped (the reader is gone), never thrown.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  return {
    env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    runner,
    platform(flags, onMask) {
      const verbosity: Verbosity = flags.quiet ? "quiet" : flags.verbose ? "verbose" : "normal";
      return terminalPlatform({
        env,
        stderr: process.stderr,
        stdout: process.stdout,
        verbosity,
        runner,
        ...(onMask ? { onMask } : {}),
      });
    },
  };
}
