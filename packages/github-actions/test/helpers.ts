/**
 * helpers — a Runner over this process, as the runner sees it: a test environment
 * (INPUT_*, STATE_*, fresh file-command files) put into process.env, stdout recorded,
 * and both restored after each test, with the exit code a failed step set.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { Runner } from "@vaultgate/github-actions";

/** TestRunner is a Runner plus what it wrote. */
export interface TestRunner {
  runner: Runner;
  /** stdout so far. */
  out(): string;
  /** The content of a file command file. */
  file(name: "GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_STATE" | "GITHUB_STEP_SUMMARY"): string;
  env: Record<string, string | undefined>;
}

const original = { ...process.env };
const originalWrite = process.stdout.write.bind(process.stdout);

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in original)) delete process.env[name];
  Object.assign(process.env, original);
  process.stdout.write = originalWrite;
  process.exitCode = 0;
});

/** testRunner puts `env` plus fresh file command files into process.env and records stdout. */
export function testRunner(env: Record<string, string | undefined> = {}): TestRunner {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-unit-"));
  const files = {
    GITHUB_OUTPUT: join(dir, "output"),
    GITHUB_ENV: join(dir, "env"),
    GITHUB_STATE: join(dir, "state"),
    GITHUB_STEP_SUMMARY: join(dir, "summary"),
  };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const fullEnv: Record<string, string | undefined> = { RUNNER_TEMP: dir, ...files, ...env };
  for (const name of Object.keys(process.env)) {
    if (/^(INPUT_|STATE_|GITHUB_|RUNNER_|ACTIONS_)/.test(name)) delete process.env[name];
  }
  for (const [name, value] of Object.entries(fullEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let out = "";
  const record = (chunk: string | Uint8Array): boolean => {
    out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  };
  process.stdout.write = record;
  const runner = new Runner();
  return {
    runner,
    // What the step has written so far, queued `::add-mask::` lines included.
    out: () => {
      runner.flushMasks();
      return out;
    },
    file: (name) => readFileSync(files[name], "utf8"),
    env: fullEnv,
  };
}
