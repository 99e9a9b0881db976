/**
 * lifecycle/paths — where files holding secrets go: the CI platform's own per-job temp
 * directory (GitHub RUNNER_TEMP, GitLab's `<build dir>.tmp` next to CI_PROJECT_DIR,
 * Jenkins WORKSPACE_TMP), else the OS temp directory — never the workspace, which
 * artifacts and caches may pick up.
 */
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Env } from "../platform.js";

/** platformTempDir returns the job's temp directory. */
export function platformTempDir(env: Env): string {
  if (env.RUNNER_TEMP) return env.RUNNER_TEMP;
  if (env.GITLAB_CI === "true" && env.CI_PROJECT_DIR) return `${env.CI_PROJECT_DIR.replace(/\/+$/, "")}.tmp`;
  if (env.WORKSPACE_TMP) return env.WORKSPACE_TMP;
  return tmpdir();
}

/** jobKey names the current job so that concurrent jobs on one machine do not collide. */
export function jobKey(env: Env): string {
  const parts = env.GITHUB_RUN_ID
    ? [env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB]
    : env.CI_JOB_ID
      ? [env.CI_JOB_ID]
      : env.BUILD_TAG
        ? [env.BUILD_TAG]
        : [env.USER ?? env.USERNAME ?? "local"];
  return parts
    .filter(Boolean)
    .join("-")
    .replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** stateDir is the directory of the job's state files. */
export function stateDir(env: Env): string {
  return join(platformTempDir(env), "vaultgate");
}

/**
 * newStatePath names the state file of one run (`fetch` or `exec`): one per process, so
 * two runs in one job never overwrite each other's. VAULTGATE_STATE names it instead.
 */
export function newStatePath(env: Env): string {
  return env.VAULTGATE_STATE || join(stateDir(env), `state-${jobKey(env)}@${process.pid}-${randomBytes(3).toString("hex")}.json`);
}

/** jobStatePaths lists the state files of the current job (what `revoke` ends by default). */
export function jobStatePaths(env: Env): string[] {
  if (env.VAULTGATE_STATE) return [env.VAULTGATE_STATE];
  const dir = stateDir(env);
  const prefix = `state-${jobKey(env)}@`; // job keys never contain "@"
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && n.endsWith(".json")).map((n) => join(dir, n));
}

/** isInside tells whether `path` lies under `dir`. */
export function isInside(path: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, "");
  return path === d || path.startsWith(`${d}/`);
}
