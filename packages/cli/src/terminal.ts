/**
 * terminal — the CLI's Platform: diagnostics to stderr (never a value), and on GitHub
 * Actions every secret registered with `::add-mask::` so a `run:` step's log hides it.
 */
import { detectPlatform, maskVariants, type Env, type Logger, type Platform } from "@vaultgate/core";

/** Verbosity of the CLI's stderr output. */
export type Verbosity = "quiet" | "normal" | "verbose";

/** TerminalOptions: where to write and how much. */
export interface TerminalOptions {
  env: Env;
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
  verbosity: Verbosity;
  /** Extra mask hook (exec registers values with its stream masker). */
  onMask?: (value: string) => void;
}

/** terminalPlatform builds the Platform the CLI hands to the core. */
export function terminalPlatform(options: TerminalOptions): Platform {
  const name = detectPlatform(options.env);
  const write = (line: string) => void options.stderr.write(`${line}\n`);
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
  const masked = new Set<string>();
  return {
    name,
    env: options.env,
    log,
    mask(value, kind = "secret") {
      if (value === "" || masked.has(value)) return;
      masked.add(value);
      options.onMask?.(value);
      if (name === "github") {
        // The runner masks line by line: register each line and each encoding it would miss.
        const variants = kind === "token" ? [value] : maskVariants(value);
        for (const variant of variants) options.stdout.write(`::add-mask::${variant}\n`);
      }
    },
  };
}
