// The policy and lint commands' heavy parts load lazily: a `vaultgate policy` run with
// the ids given (no API token) loads neither @octokit/rest nor @gitbeaker/rest nor the
// HCL parser, and `vaultgate fetch --help` loads none of them; `vaultgate lint` of an
// HCL file does load the parser (the recorder sees what it should).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI_PATH, baseEnv } from "@vaultgate/test-harness";

const RECORDER = fileURLToPath(new URL("../fixtures/record-imports.mjs", import.meta.url));
const HEAVY = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@octokit\/rest|@gitbeaker\/rest|hcl2-parser)\//;

function loaded(args: string[], cwd: string): { code: number | null; heavy: string[] } {
  const log = join(cwd, `imports-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, "");
  const run = spawnSync(process.execPath, ["--import", RECORDER, CLI_PATH, ...args], {
    cwd,
    env: baseEnv({ VAULTGATE_RECORD_IMPORTS: log }),
    encoding: "utf8",
    timeout: 30_000,
  });
  const urls = readFileSync(log, "utf8").split("\n");
  const heavy = [...new Set(urls.map((u) => HEAVY.exec(u)?.[1]).filter((m): m is string => m !== undefined))];
  return { code: run.status, heavy };
}

describe("lazy loading of the policy module's API clients and parser", () => {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-lazy-"));

  it("policy with ids given, and fetch --help, load no API client and no parser", () => {
    const policy = loaded(
      ["policy", "--url", "https://vault.example.com", "-s", "secret/app/db password", "--platform", "github"].concat([
        "--repository",
        "acme/app",
        "--repository-id",
        "1",
        "--owner-id",
        "2",
        "--branch",
        "main",
      ]),
      dir,
    );
    expect(policy.code).toBe(0);
    expect(policy.heavy).toEqual([]);
    expect(loaded(["fetch", "--help"], dir).heavy).toEqual([]);
  });

  it("lint of an HCL policy loads the parser, and only it", () => {
    writeFileSync(join(dir, "app.hcl"), 'path "secret/data/app/db" { capabilities = ["read"] }\n');
    const lint = loaded(["lint", "app.hcl"], dir);
    expect(lint.code).toBe(0);
    expect(lint.heavy).toEqual(["hcl2-parser"]);
  });
});
