/**
 * processes — the two things every server and tool the suites start needs done the same
 * way: stopping it (a signal, then SIGKILL if it has not exited within 5 s) and handing it
 * its stdin (a child that exits without reading closes the pipe: that is its answer, not
 * the harness's error).
 */
import type { ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** stopProcess sends `signal`, waits up to 5 s for the exit, then SIGKILLs and waits up to 2 s more. */
export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await Promise.race([exited, sleep(2000)]);
  }
}

/** endInput writes `input` to a child's stdin and closes it; an error other than the closed pipe goes to `reject`. */
export function endInput(stdin: Writable, input: string, reject: (error: Error) => void): void {
  stdin.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
  });
  stdin.end(input);
}
