/**
 * openbao — builds (once, cached outside the repository) and starts a real OpenBao dev
 * server on 127.0.0.1 for the test suites. A missing or unbuildable server is an error,
 * never a skip.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { stopProcess } from "./processes.js";
import { runSetupScript } from "./setup-script.js";

const BUILD_SCRIPT = fileURLToPath(new URL("../servers/build-openbao.sh", import.meta.url));

/** ensureOpenBao returns the path of the OpenBao binary, building it on first use. */
export function ensureOpenBao(): Promise<string> {
  return runSetupScript({
    script: BUILD_SCRIPT,
    what: "OpenBao",
    verb: "built",
    override: "VAULTGATE_OPENBAO_BIN",
    timeoutMs: 30 * 60_000,
  });
}

/** OpenBaoServer is a running dev server. */
export interface OpenBaoServer {
  addr: string;
  rootToken: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** startOpenBao starts `bao server -dev` on a free port and waits until it is healthy. */
export async function startOpenBao(bin: string, rootToken: string): Promise<OpenBaoServer> {
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const addr = `http://127.0.0.1:${port}`;
    const child = spawn(bin, ["server", "-dev", `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, BAO_ADDR: addr, HOME: process.env.HOME ?? "/tmp" },
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    child.stderr.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    if (await waitHealthy(addr, exited)) {
      return {
        addr,
        rootToken,
        process: child,
        stop: () => stopProcess(child),
      };
    }
    child.kill("SIGKILL");
    lastError = output;
  }
  throw new Error(`OpenBao did not become healthy:\n${lastError}`);
}

async function waitHealthy(addr: string, exited: Promise<void>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const until = Date.now() + 30_000;
  while (Date.now() < until && !gone) {
    try {
      const res = await fetch(`${addr}/v1/sys/health`);
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
