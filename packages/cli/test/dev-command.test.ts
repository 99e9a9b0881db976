// `vaultgate dev` (packages/cli/src/commands/dev.ts): the environment it prints works,
// for each identity, with the built-in seed and with a seed file.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, nullLogger, openSession, type Platform } from "@vaultgate/core";
import { DEV_HELP, startDev } from "../src/commands/dev.js";
import type { CommandContext } from "../src/context.js";
import { toInputs } from "../src/options.js";

/** configFrom builds the config the CLI would from `env` (VAULTGATE_* variables, VAULT_ADDR). */
function configFrom(env: Record<string, string>, secrets: string, cwd: string) {
  const { inputs } = toInputs({}, env);
  return loadConfig({ inputs: { ...inputs, secrets }, env, cwd });
}

function context(cwd = "/") {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const ctx: CommandContext = {
    env: {},
    cwd,
    stdout,
    stderr,
    platform: (): Platform => ({
      name: "local",
      env: {},
      mask: () => undefined,
      log: { ...nullLogger, warn: (m) => void (err += `warn: ${m}\n`) },
    }),
  };
  return { ctx, out: () => out, err: () => err };
}

/** parseExports reads `export NAME='value'` lines back into an environment. */
function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)) {
    env[match[1] ?? ""] = (match[2] ?? "").replace(/'\\''/g, "'");
  }
  return env;
}

describe("vaultgate dev", () => {
  it("prints its help", async () => {
    const { ctx, out } = context();
    expect(await startDev(["--help"], ctx)).toBeUndefined();
    expect(out()).toBe(`${DEV_HELP}\n`);
  });

  it.each(["local", "github", "gitlab", "jenkins"])(
    "prints an environment vaultgate logs in with (--identity %s)",
    async (identity) => {
      const dir = mkdtempSync(join(tmpdir(), "vaultgate-dev-"));
      const { ctx, out } = context(dir);
      const running = await startDev(["--identity", identity, "--env-out", "dev.env"], ctx);
      try {
        const env = parseExports(out());
        expect(env).toEqual(running?.env);
        expect(parseExports(readFileSync(join(dir, "dev.env"), "utf8"))).toEqual(env);
        expect(statSync(join(dir, "dev.env")).mode & 0o777).toBe(0o600);
        expect(out()).toContain("# Admin (dev only): export VAULT_TOKEN=");
        const name = identity === "local" ? "local" : (identity as Platform["name"]);
        const platform: Platform = { name, env, log: nullLogger, mask: () => undefined };
        const config = configFrom(env, "secret/app/db password", dir);
        const session = await openSession({ config, platform });
        const result = await session.fetch();
        expect(result.secrets[0]?.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
        await session.revoke();
        session.close();
      } finally {
        await running?.stop();
      }
    },
  );

  it("serves a seed file, taking the role and audience from it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-dev-"));
    writeFileSync(
      join(dir, "seed.yml"),
      [
        "policies: { p: { 'kv/*': [read] } }",
        "auth:",
        "  ci:",
        "    type: jwt",
        "    local_issuer: true",
        "    roles:",
        "      builder: { role_type: jwt, bound_audiences: [my-aud], user_claim: sub, token_policies: [p] }",
        "secrets:",
        "  kv: { type: kv, version: 1, data: { app: { k: v } } }",
      ].join("\n"),
    );
    const { ctx, out } = context(dir);
    const running = await startDev(["--seed", "seed.yml", "--quiet"], ctx);
    try {
      expect(out().startsWith("export VAULT_ADDR=")).toBe(true);
      const env = parseExports(out());
      expect(env).toMatchObject({ VAULTGATE_MOUNT: "ci", VAULTGATE_ROLE: "builder", VAULTGATE_AUDIENCE: "my-aud" });
      const config = configFrom(env, "kv/app k", dir);
      const session = await openSession({ config, platform: { name: "local", env, log: nullLogger, mask: () => undefined } });
      expect((await session.fetch()).secrets[0]?.value).toBe("v");
      await session.revoke();
      session.close();
    } finally {
      await running?.stop();
    }
  });

  it.each([
    [["--identity", "travis"], /--identity must be one of local, github, gitlab, jenkins/],
    [["--port", "http"], /--port "http" is not a port/],
    [["--token-ttl", "soon"], /--token-ttl "soon" is not a duration/],
    [["--seed", "/does/not/exist.yml"], /Cannot read the devvault seed/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("rejects %j", async (argv, message) => {
    const { ctx } = context();
    const error = await startDev(argv, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
