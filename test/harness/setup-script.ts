/**
 * setup-script — runs one of test/servers' scripts that build or install a test server
 * or tool once, cache it outside the repository, and print its path as their last line.
 * A script that fails is an error naming the script with the end of its output, never a
 * skip. An override variable (VAULTGATE_<NAME>_BIN and the like) names a ready one.
 */
import { execFile } from "node:child_process";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** SetupScript names the script, what it provides, and how long a cold run may take. */
export interface SetupScript {
  /** The script's absolute path. */
  script: string;
  /** What it provides, for the error: "OpenBao", "moto", "act"… */
  what: string;
  /** "built" or "installed", for the error. */
  verb: "built" | "installed";
  /** The environment variable that, when set, names the path instead. */
  override: string;
  timeoutMs: number;
}

/** runSetupScript returns the path the script prints last (or the override's value). */
export async function runSetupScript(setup: SetupScript): Promise<string> {
  const explicit = process.env[setup.override];
  if (explicit) return explicit;
  try {
    const { stdout } = await promisify(execFile)("bash", [setup.script], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: setup.timeoutMs,
    });
    const path = stdout.trim().split("\n").pop();
    if (!path) throw new Error("the script printed no path");
    return path;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.split("\n").slice(-15).join("\n") ?? String(error);
    throw new Error(`${setup.what} could not be ${setup.verb} (${relative(ROOT, setup.script)}):\n${detail}`, { cause: error });
  }
}
