/**
 * child — runs the user's command for `vaultgate exec`: secrets only in its environment
 * (never in argv), stdin passed through, stdout and stderr piped through the masker,
 * SIGINT/SIGTERM/SIGHUP forwarded. Resolves with the exit code to return: the child's
 * own, 128 + signal number when a signal ended it, 127/126 when it could not start.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { SecretMasker } from "@vaultgate/core";
import type { SignalGuard } from "./signals.js";

/** ChildOptions: the command, its environment, the masker and where output goes. */
export interface ChildOptions {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  masker: SecretMasker;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signals: SignalGuard;
}

/** runChild runs the command to completion and returns the exit code to use. */
export function runChild(options: ChildOptions): Promise<{ code: number; spawnError?: string; hint?: string }> {
  return new Promise((resolve) => {
    const child = spawn(options.command, [...options.args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ["inherit", "pipe", "pipe"],
    });
    const outputs = [
      pipeMasked(child.stdout, options.masker, options.stdout),
      pipeMasked(child.stderr, options.masker, options.stderr),
    ];
    const detach = options.signals.forwardTo((signal) => child.kill(signal));
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on("error", (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    child.on("close", (code, signal) => {
      detach();
      void Promise.all(outputs).then(() => {
        if (spawnError) {
          const notFound = spawnError.code === "ENOENT";
          resolve({
            code: notFound ? 127 : 126,
            spawnError: `${options.command}: ${notFound ? "command not found" : (spawnError.code ?? spawnError.message)}`,
            hint: notFound
              ? "Check the command's name and that it is on PATH, or give its path (./deploy.sh)."
              : "The file is not an executable program: make it executable (chmod +x) with a #! line, or run it through its interpreter (sh ./script).",
          });
        } else if (signal) {
          resolve({ code: 128 + (constants.signals[signal] ?? 0) });
        } else {
          resolve({ code: code ?? 1 });
        }
      });
    });
  });
}

/**
 * pipeMasked copies `from` through a masking stream into `to` (left open); resolves when
 * flushed. When `to` fails (EPIPE: the reader of `vaultgate exec … | head -1` has gone)
 * forwarding stops but the child's output is still drained, so the child never blocks on
 * a full pipe and the run goes on to revoke.
 */
function pipeMasked(from: NodeJS.ReadableStream, masker: SecretMasker, to: NodeJS.WritableStream): Promise<void> {
  const masked = masker.createStream();
  from.pipe(masked);
  masked.pipe(to, { end: false });
  to.once("error", () => {
    masked.unpipe(to);
    masked.resume();
  });
  return new Promise((resolve) => {
    masked.on("end", resolve);
    masked.on("error", () => resolve());
  });
}
