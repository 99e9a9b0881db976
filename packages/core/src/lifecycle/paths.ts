/**
 * lifecycle/paths — where files holding secrets go: the CI platform's own per-job temp
 * directory (GitHub RUNNER_TEMP, GitLab's `<build dir>.tmp` next to CI_PROJECT_DIR,
 * Jenkins WORKSPACE_TMP), else the OS temp directory — never the workspace, which
 * artifacts and caches may pick up. State files live in a directory only their user can
 * enter: `<job temp>/vaultgate`, or `<os temp>/vaultgate-<uid>` on a machine shared by
 * users, checked with lstat (a directory, not a link, owned by us, mode 0700) before use.
 */
import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, type Stats } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputError } from "../errors.js";
import type { Env } from "../platform.js";

/** ciTempDir returns the CI platform's own per-job temp directory, if the job has one. */
export function ciTempDir(env: Env): string | undefined {
  if (env.RUNNER_TEMP) return env.RUNNER_TEMP;
  if (env.GITLAB_CI === "true" && env.CI_PROJECT_DIR) return `${env.CI_PROJECT_DIR.replace(/\/+$/, "")}.tmp`;
  if (env.WORKSPACE_TMP) return env.WORKSPACE_TMP;
  return undefined;
}

/** platformTempDir returns the job's temp directory (the OS one when the job has none). */
export function platformTempDir(env: Env): string {
  return ciTempDir(env) ?? tmpdir();
}

/** currentUid is the process's user id (undefined where there are none, on Windows). */
export function currentUid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}

/** foreignReason says why `stats` is not a private directory or file of this user, or undefined. */
export function foreignReason(stats: Stats, kind: "directory" | "file"): string | undefined {
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (kind === "directory" ? !stats.isDirectory() : !stats.isFile()) return `not a ${kind}`;
  const uid = currentUid();
  if (uid !== undefined && stats.uid !== uid) return `owned by uid ${stats.uid}, not by this user (uid ${uid})`;
  if (uid !== undefined && (stats.mode & 0o077) !== 0) return `open to other users (mode ${(stats.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * privateDir checks (and with `create`, first makes) a directory only this user may use.
 * Returns false when it does not exist and was not to be created.
 */
export function privateDir(dir: string, create: boolean): boolean {
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw unusableDir(dir, (error as NodeJS.ErrnoException).code ?? "");
    if (!create) return false;
    try {
      mkdirSync(join(dir, ".."), { recursive: true, mode: 0o700 });
      mkdirSync(dir, { mode: 0o700 });
    } catch (mkdirError) {
      if ((mkdirError as NodeJS.ErrnoException).code !== "EEXIST")
        throw unusableDir(dir, (mkdirError as NodeJS.ErrnoException).code ?? String(mkdirError));
    }
    stats = lstatSync(dir);
  }
  const reason = foreignReason(stats, "directory");
  if (reason) throw unusableDir(dir, reason);
  return true;
}

function unusableDir(dir: string, reason: string): OutputError {
  return new OutputError(`The state directory ${dir} is ${reason}; vaultgate keeps no token there.`, {
    hint: "Another user may have made it: remove it, or give the job a temp directory of its own (RUNNER_TEMP, or --state FILE in a directory only you can enter).",
  });
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

/** stateDir is the directory of the job's state files: per job on CI, per user otherwise. */
export function stateDir(env: Env): string {
  const ci = ciTempDir(env);
  if (ci) return join(ci, "vaultgate");
  const uid = currentUid();
  return join(tmpdir(), uid === undefined ? "vaultgate" : `vaultgate-${uid}`);
}

/**
 * newStatePath names the state file of one run (`fetch` or `exec`): one per process, so
 * two runs in one job never overwrite each other's. VAULTGATE_STATE names it instead.
 */
export function newStatePath(env: Env): string {
  if (env.VAULTGATE_STATE) return env.VAULTGATE_STATE;
  const dir = stateDir(env);
  privateDir(dir, true);
  return join(dir, `state-${jobKey(env)}@${process.pid}-${randomBytes(3).toString("hex")}.json`);
}

/** jobStatePaths lists the state files of the current job (what `revoke` ends by default). */
export function jobStatePaths(env: Env): string[] {
  if (env.VAULTGATE_STATE) return [env.VAULTGATE_STATE];
  const dir = stateDir(env);
  const prefix = `state-${jobKey(env)}@`; // job keys never contain "@"
  if (!privateDir(dir, false)) return [];
  const names = readdirSync(dir);
  return names.filter((n) => n.startsWith(prefix) && n.endsWith(".json")).map((n) => join(dir, n));
}

/**
 * removalRefusal says why `revoke` must not delete `path` that a state file lists, or
 * undefined when it may: anything inside the job's temp directory, and elsewhere only a
 * regular file of this user (the `fetch --out` file), never a directory or a link.
 */
export function removalRefusal(path: string, tempDir: string): string | undefined {
  if (isInside(path, tempDir) && !path.split("/").includes("..")) return undefined;
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch {
    return undefined; // already gone: nothing to delete
  }
  const uid = currentUid();
  if (stats.isSymbolicLink() || !stats.isFile()) return `it is outside ${tempDir} and not a regular file`;
  if (uid !== undefined && stats.uid !== uid) return `it is outside ${tempDir} and owned by uid ${stats.uid}`;
  return undefined;
}

/** isInside tells whether `path` lies under `dir`. */
export function isInside(path: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, "");
  return path === d || path.startsWith(`${d}/`);
}
