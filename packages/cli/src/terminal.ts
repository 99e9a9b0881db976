/**
 * terminal — the CLI's Platform: diagnostics to stderr (never a value), and under the
 * real GitHub Actions runner every secret registered with `::add-mask::` so that a
 * `run:` step's log hides it.
 *
 * Workflow commands go to stderr, never stdout: users capture stdout (`> build.log`,
 * `| tee`, `$(…)`, `check --format json > r.json`), and the runner reads commands from
 * both streams of a step. They are written only when the runner is really there
 * (runnerMode): GITHUB_ACTIONS=true, the RUNNER_TEMP directory and the GITHUB_OUTPUT /
 * GITHUB_ENV files the runner creates for each step, and stderr a pipe (the runner
 * reads through pipes; a terminal or a file it is not). A shell that only sets
 * GITHUB_ACTIONS is treated as local and gets no workflow command at all.
 */
import {
  detectPlatform,
  maskRequest,
  maskVariants,
  tokenVariants,
  type Env,
  type Logger,
  type MaskRequest,
  type Platform,
} from "@vaultgate/core";
import { detectRunnerEnv, escapeData, inertLines, isPipe } from "@vaultgate/github-actions/protocol";

/** Verbosity of the CLI's stderr output. */
export type Verbosity = "quiet" | "normal" | "verbose";

/**
 * RunnerMode: "commands" — the runner reads this process's stderr, workflow commands are
 * written there; "captured" — a runner job whose stderr is not the runner's pipe (no
 * command can reach it); "none" — not the runner.
 */
export type RunnerMode = "commands" | "captured" | "none";

/** runnerMode decides whether workflow commands may be written (see the file comment). */
export function runnerMode(env: Env, stderrIsPipe: boolean): RunnerMode {
  if (!detectRunnerEnv(env).runner) return "none";
  return stderrIsPipe ? "commands" : "captured";
}

/** processRunnerMode is runnerMode for this process: its environment and file descriptor 2. */
export function processRunnerMode(env: Env): RunnerMode {
  return runnerMode(env, isPipe(2));
}

/** TerminalOptions: where to write and how much. */
export interface TerminalOptions {
  env: Env;
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
  verbosity: Verbosity;
  /** Whether workflow commands may be written to stderr (processRunnerMode); default "none". */
  runner?: RunnerMode | undefined;
  /** Extra mask hook (exec registers values with its stream masker). */
  onMask?: (value: string, request: MaskRequest) => void;
}

/** diagnosticLines returns the lines to write for `text` on stderr: untrusted text is made inert under the runner. */
export function diagnosticLines(text: string, runner: RunnerMode): string[] {
  return runner === "commands" ? inertLines(text) : [text];
}

/** terminalPlatform builds the Platform the CLI hands to the core. */
export function terminalPlatform(options: TerminalOptions): Platform {
  const runner = options.runner ?? "none";
  const detected = detectPlatform(options.env);
  // GITHUB_ACTIONS without the runner's files is a local shell, whatever it exported.
  const name = detected === "github" && runner === "none" ? "local" : detected;
  const write = (text: string) => {
    for (const line of diagnosticLines(text, runner)) options.stderr.write(`${line}\n`);
  };
  const log: Logger = {
    debug: (m) => {
      if (options.verbosity === "verbose") write(`vaultgate: ${m}`);
    },
    info: (m) => {
      if (options.verbosity !== "quiet") write(`vaultgate: ${m}`);
    },
    warn: (m) => write(`vaultgate: warning: ${m}`),
    error: (m) => write(`vaultgate: error: ${m}`),
  };
  if (detected === "github" && runner === "none") {
    log.debug(`GITHUB_ACTIONS is set but ${reasonNotRunner(options.env)}: not a runner step, no workflow commands are written`);
  }
  // The one workflow command the CLI writes, to stderr: a mask, escaped as the runner unescapes it.
  const addMask =
    runner === "commands" ? (text: string) => void options.stderr.write(`::add-mask::${escapeData(text)}\n`) : undefined;
  const masked = new Set<string>();
  let warnedCaptured = false;
  return {
    name,
    env: options.env,
    log,
    mask(value, request) {
      const r = maskRequest(request);
      if (value === "" || masked.has(value)) return;
      masked.add(value);
      options.onMask?.(value, r);
      if (runner === "captured" && !warnedCaptured) {
        warnedCaptured = true;
        log.warn(
          "stderr is not the runner's pipe (redirected?), so the values cannot be registered with the runner's log " +
            "masker: later steps that print them show them. Leave stderr to the runner.",
        );
      }
      // The runner masks line by line: register each line, each JSON field and each encoding it would miss.
      const variants =
        r.kind === "token"
          ? tokenVariants(value)
          : maskVariants(value, { name: r.name, minLength: r.minLength, onWarning: (m) => log.warn(m) });
      for (const variant of variants) if (variant !== "") addMask?.(variant);
    },
  };
}

function reasonNotRunner(env: Env): string {
  const check = detectRunnerEnv(env);
  return check.runner ? "stderr is not a pipe" : check.reason;
}
