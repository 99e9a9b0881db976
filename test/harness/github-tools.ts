/**
 * github-tools — the GitHub tools the suites run: actionlint (lints workflows and the
 * local actions' metadata they use) and nektos/act (runs a workflow on this host); and,
 * built the same way, Jaeger for the telemetry suites (harness/jaeger.ts). Each is built
 * once from the Go module proxy and cached outside the repository; a tool that cannot be
 * built is an error, never a skip.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { endInput } from "./processes.js";
import { runSetupScript } from "./setup-script.js";

const SCRIPTS = {
  actionlint: fileURLToPath(new URL("../servers/build-actionlint.sh", import.meta.url)),
  act: fileURLToPath(new URL("../servers/build-act.sh", import.meta.url)),
  jaeger: fileURLToPath(new URL("../servers/build-jaeger.sh", import.meta.url)),
} as const;

/** ensureTool returns the path of the tool's binary, building it on first use (VAULTGATE_<TOOL>_BIN overrides). */
export function ensureTool(tool: keyof typeof SCRIPTS): Promise<string> {
  return runSetupScript({
    script: SCRIPTS[tool],
    what: tool,
    verb: "built",
    override: `VAULTGATE_${tool.toUpperCase()}_BIN`,
    timeoutMs: 40 * 60_000,
  });
}

/** ToolRun is an exited tool process. */
export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runTool runs a binary and captures its output; a non-zero exit is returned, not thrown. */
export function runTool(
  bin: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    endInput(child.stdin, options.input ?? "", reject);
  });
}
