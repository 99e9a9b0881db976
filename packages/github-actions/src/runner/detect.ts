/**
 * runner/detect — tells whether a process runs as a step of the real GitHub Actions
 * runner, for programs that are not actions (the vaultgate CLI in a `run:` step) and so
 * must decide on their own whether to write workflow commands.
 *
 * `GITHUB_ACTIONS=true` alone proves nothing: anyone can export it, and a shell that
 * sourced a dev environment or copied a job's variables has it. The runner also creates,
 * for every step, the file-command files it names in GITHUB_OUTPUT and GITHUB_ENV, and
 * the job's RUNNER_TEMP directory; a shell that merely copied the variables finds them
 * missing once the step is over. And the runner reads a step's output through pipes:
 * a terminal, a regular file (`2> log`) or /dev/null is never the runner.
 */
import { fstatSync, statSync } from "node:fs";
import type { Env } from "@vaultgate/core";

/** RunnerCheck says whether the runner is there, and if not, why (for diagnostics). */
export type RunnerCheck = { runner: true } | { runner: false; reason: string };

/** detectRunnerEnv checks the environment: GITHUB_ACTIONS=true and the files the runner creates for the step. */
export function detectRunnerEnv(env: Env): RunnerCheck {
  if (env.GITHUB_ACTIONS !== "true") return { runner: false, reason: "GITHUB_ACTIONS is not true" };
  if (!isDirectory(env.RUNNER_TEMP)) return { runner: false, reason: "RUNNER_TEMP is not an existing directory" };
  for (const variable of ["GITHUB_OUTPUT", "GITHUB_ENV"] as const) {
    if (!isFile(env[variable])) return { runner: false, reason: `${variable} does not name an existing file` };
  }
  return { runner: true };
}

/** isPipe tells whether file descriptor `fd` is a pipe or socket (how the runner reads a step's output). */
export function isPipe(fd: number): boolean {
  try {
    // bigint: on Node 20, a plain fstatSync of a pipe leaves the module resolver unable to
    // follow symlinks afterwards, so every later import() of a pnpm-linked package fails.
    const stat = fstatSync(fd, { bigint: true });
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

function isDirectory(path: string | undefined): boolean {
  try {
    return path !== undefined && path !== "" && statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string | undefined): boolean {
  try {
    return path !== undefined && path !== "" && statSync(path).isFile();
  } catch {
    return false;
  }
}
