/**
 * moto — installs (once, cached outside the repository) and starts moto's server mode
 * on 127.0.0.1 for the AWS provider's suites. A missing or uninstallable moto is an
 * error, never a skip. moto records the requests it receives (its recorder API), which
 * is how the suites check what AssumeRoleWithWebIdentity was sent: moto itself verifies
 * neither the web identity token nor the role's trust policy.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { stopProcess } from "./processes.js";
import { runSetupScript } from "./setup-script.js";

const INSTALL_SCRIPT = fileURLToPath(new URL("../servers/install-moto.sh", import.meta.url));

/** ensureMoto returns the path of moto_server, installing it on first use. */
export function ensureMoto(): Promise<string> {
  return runSetupScript({
    script: INSTALL_SCRIPT,
    what: "moto",
    verb: "installed",
    override: "VAULTGATE_MOTO_BIN",
    timeoutMs: 15 * 60_000,
  });
}

/** MotoRequest is one request moto received. */
export interface MotoRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** MotoServer is a running moto. */
export interface MotoServer {
  endpoint: string;
  /** enforceAuthAfter makes moto check signatures and IAM policies after `n` more requests. */
  enforceAuthAfter(n: number | "never"): Promise<void>;
  /** startRecording clears moto's recording and records from now on. */
  startRecording(): Promise<void>;
  /** recorded returns the requests recorded since startRecording. */
  recorded(): Promise<MotoRequest[]>;
  stop(): Promise<void>;
}

/** startMoto starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const bin = await ensureMoto();
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-moto-"));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MOTO_RECORDER_FILEPATH: join(dir, "recording.jsonl"),
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
    },
  });
  let output = "";
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const api = async (path: string, body?: string) => {
    const res = await fetch(`${endpoint}/moto-api/${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined ? {} : { body }),
    });
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status}`);
    return res.text();
  };
  const until = Date.now() + 30_000;
  let ready = false;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!ready && !gone && Date.now() < until) {
    ready = await api("data.json").then(
      () => true,
      () => false,
    );
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }
  if (!ready) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`moto did not start on ${endpoint}:\n${output}`);
  }
  return {
    endpoint,
    enforceAuthAfter: async (n) => void (await api("reset-auth", n === "never" ? "inf" : String(n))),
    startRecording: async () => {
      await api("recorder/reset-recording", "");
      await api("recorder/start-recording", "");
    },
    recorded: async () =>
      (await api("recorder/download-recording"))
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
          const entry = JSON.parse(line) as MotoRequest & { body_encoded?: boolean };
          return { ...entry, body: entry.body_encoded ? Buffer.from(entry.body, "base64").toString("utf8") : (entry.body ?? "") };
        }),
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
