/** cli — runs the built `vaultgate` command as a real process and captures its output. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { endInput } from "./processes.js";

/** CLI_PATH is the built CLI entry (bin/vaultgate.js → dist/main.js). */
export const CLI_PATH = fileURLToPath(new URL("../../packages/cli/bin/vaultgate.js", import.meta.url));

/** CliResult is an exited CLI process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** baseEnv is a minimal environment for child processes: no VAULT_* or CI variables leak in. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** RunningCli is a started CLI process whose output is being collected. */
export interface RunningCli {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  done: Promise<CliResult>;
  /** waitFor resolves once stdout+stderr match `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** startCli starts `vaultgate args…` and returns at once. */
export function startCli(args: string[], env: Record<string, string>, options: { cwd?: string } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env,
    cwd: options.cwd ?? process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (c: Buffer) => (output.stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output.stderr += c.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, ...output }));
  });
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(output.stdout + output.stderr)) {
      if (Date.now() > until || child.exitCode !== null)
        throw new Error(`did not see ${String(pattern)}; output:\n${output.stdout}\n${output.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, output, done, waitFor };
}

/** runCli runs `vaultgate args…` with `env`, optional stdin, and a timeout. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env, cwd: options.cwd ?? process.cwd(), stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    endInput(child.stdin, options.input ?? "", reject);
  });
}
