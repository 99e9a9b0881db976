/** helpers — a Runner over a recorded stdout and temp file-command files, for the unit tests. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runner, type RunnerIO } from "@vaultgate/github-actions";

/** TestRunner is a Runner plus what it wrote. */
export interface TestRunner {
  runner: Runner;
  io: RunnerIO;
  /** stdout so far. */
  out(): string;
  /** The content of a file command file. */
  file(name: "GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_STATE" | "GITHUB_STEP_SUMMARY"): string;
  env: Record<string, string | undefined>;
}

/** testRunner builds a Runner whose env holds `env` plus fresh file command files. */
export function testRunner(env: Record<string, string | undefined> = {}): TestRunner {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-unit-"));
  const files = {
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_ENV: join(dir, "env"),
    GITHUB_STATE: join(dir, "state"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
  };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const fullEnv = { RUNNER_TEMP: dir, ...files, ...env };
  let out = "";
  const io: RunnerIO = { env: fullEnv, write: (text) => void (out += text) };
  return {
    runner: new Runner(io),
    io,
    out: () => out,
    file: (name) => readFileSync(files[name], "utf8"),
    env: fullEnv,
  };
}
