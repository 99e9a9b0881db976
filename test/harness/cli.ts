/** cli — runs the built `vaultgate` command as a real process and captures its output. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

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
    child.stdin.end(options.input ?? "");
  });
}
