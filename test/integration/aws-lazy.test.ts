// The AWS provider loads lazily: a Vault-only `vaultgate fetch` against OpenBao loads no
// AWS SDK module and no providers/aws code, while loading the provider does (so the
// recorder would see it); and each action's bundle keeps the SDK in chunks of its own
// (mixed-sources.test.ts proves a Vault-only run of the action loads none of them).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { CLI_PATH, gitlabJobEnv } from "@vaultgate/test-harness";

const vault = inject("vault");
const RECORDER = fileURLToPath(new URL("../fixtures/record-imports.mjs", import.meta.url));
const CONTROL = fileURLToPath(new URL("../fixtures/load-aws.mjs", import.meta.url));
// providers/aws/refs.js (reference parsing) and reasons.js (the gate's AWS reason table, data)
// import no SDK: config validation and the reason table load them in every run.
const AWS =
  /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@aws-sdk\/[^/]+)\/|core\/dist\/(providers\/aws)\/(?!(?:refs|reasons)\.js)/;

function loaded(script: string, args: string[], env: Record<string, string>): { code: number | null; aws: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-aws-lazy-"));
  const log = join(dir, "imports.txt");
  writeFileSync(log, "");
  const run = spawnSync(process.execPath, ["--import", RECORDER, script, ...args], {
    cwd: dir,
    env: { ...env, VAULTGATE_RECORD_IMPORTS: log },
    encoding: "utf8",
    timeout: 60_000,
  });
  const urls = readFileSync(log, "utf8").split("\n");
  const aws = [
    ...new Set(
      urls
        .map((u) => AWS.exec(u))
        .map((m) => m?.[1] ?? m?.[2])
        .filter((m): m is string => m !== undefined),
    ),
  ];
  return { code: run.status, aws: aws.sort() };
}

describe("lazy loading of the AWS provider", () => {
  it("a Vault-only fetch loads no AWS code", async () => {
    const { env } = await gitlabJobEnv(vault, {
      VAULTGATE_MOUNT: "jwt-gitlab",
      VAULTGATE_ROLE: "deploy",
      VAULTGATE_SECRETS: "secret/app/db *",
    });
    const out = join(mkdtempSync(join(tmpdir(), "vaultgate-aws-lazy-")), "s.json");
    const run = loaded(CLI_PATH, ["fetch", "--out", out, "--revoke-now"], env);
    expect(run.code).toBe(0);
    expect(run.aws).toEqual([]);
  });

  it("loading the provider loads the SDK clients (the recorder sees them)", async () => {
    const { env } = await gitlabJobEnv(vault);
    const run = loaded(CONTROL, ["aws"], env);
    expect(run.code).toBe(0);
    expect(run.aws).toEqual(
      expect.arrayContaining(["@aws-sdk/client-secrets-manager", "@aws-sdk/client-ssm", "@aws-sdk/client-sts", "providers/aws"]),
    );
    expect(loaded(CONTROL, [], env).aws).toEqual([]);
  });

  it("each action's bundle keeps the AWS SDK out of its entry point, in chunks of its own", () => {
    for (const action of ["secrets", "check"]) {
      const dir = fileURLToPath(new URL(`../../actions/${action}/dist/`, import.meta.url));
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
      const withAws = files.filter((f) => readFileSync(join(dir, f), "utf8").includes("AssumeRoleWithWebIdentity"));
      expect(withAws.length, action).toBeGreaterThan(0);
      for (const entry of ["index.js", "post/index.js"]) expect(withAws).not.toContain(entry);
    }
  });
});
