// Vault data cannot take over the job: for each class of protected environment name, a
// vault key exported with `*` and an explicit `| NAME`, through `vaultgate exec` (the
// child never runs with it), `vaultgate fetch` (no dotenv file is written) and the
// secrets action's dist/ (GITHUB_ENV and GITHUB_OUTPUT stay empty; the post step still
// revokes). The explicit name is accepted once opted in with allow-env-names.
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ACTIONS,
  VaultAdmin,
  gitlabJobEnv,
  runActionStep,
  runCli,
  startGitHubOidc,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const node = process.execPath;
let oidc: GitHubOidcServer;

/** One name of each class export/env-names protects. */
const CLASSES = [
  "PATH",
  "LD_PRELOAD",
  "DYLD_INSERT_LIBRARIES",
  "BASH_ENV",
  "GIT_SSH_COMMAND",
  "HTTPS_PROXY",
  "NODE_OPTIONS",
  "PYTHONPATH",
  "JAVA_TOOL_OPTIONS",
  "SSL_CERT_FILE",
  "GITHUB_ENV",
  "VAULT_ADDR",
];
const run = randomBytes(4).toString("hex");
const pathOf = (name: string) => `secret/app/hijack-${run}-${name.toLowerCase()}`;
const planted = mkdtempSync(join(tmpdir(), "vaultgate-planted-"));

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
  for (const name of CLASSES) await admin.putKv2("secret", `app/hijack-${run}-${name.toLowerCase()}`, { [name]: planted });
  // What a PATH from vault data would run instead of the job's deploy.sh.
  writeFileSync(join(planted, "deploy.sh"), `#!/bin/sh\necho PLANTED-${run}\n`);
  chmodSync(join(planted, "deploy.sh"), 0o755);
});
afterAll(() => oidc.close());

async function cliEnv(extra: Record<string, string> = {}) {
  const temp = mkdtempSync(join(tmpdir(), "vaultgate-hijack-"));
  const env = (
    await gitlabJobEnv(vault, { VAULTGATE_MOUNT: "jwt-gitlab", VAULTGATE_ROLE: "deploy", RUNNER_TEMP: temp, ...extra })
  ).env;
  return { env, temp };
}

/** childProbe prints a marker and what the child sees for `name`. */
const childProbe = (name: string, marker: string) => [
  node,
  "-e",
  `console.log(${JSON.stringify(marker)} + JSON.stringify(process.env[${JSON.stringify(name)}] ?? null))`,
];

function expectRefused(result: { code: number | null; stdout: string; stderr: string }, name: string) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(/^Error: /m);
  expect(result.stderr).toMatch(/^Hint: /m);
  expect(result.stderr).toContain(name);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout + result.stderr).not.toContain(planted);
}

describe("exec: a protected name never reaches the child", () => {
  it.each(CLASSES)("wildcard key %s fails before the command runs, naming path and key, offering a prefix", async (name) => {
    const { env } = await cliEnv();
    const marker = `CHILD-${randomBytes(4).toString("hex")}`;
    const result = await runCli(["exec", "-s", `${pathOf(name)} **`, "--", ...childProbe(name, marker)], env);
    expectRefused(result, name);
    expect(result.stdout).not.toContain(marker);
    expect(result.stderr).toContain(pathOf(name));
    expect(result.stderr).toMatch(/prefix/);
  });

  it.each(CLASSES)("explicit | %s is refused before login, and accepted when opted in by name", async (name) => {
    const { env } = await cliEnv();
    const marker = `CHILD-${randomBytes(4).toString("hex")}`;
    const refused = await runCli(["exec", "-s", `${pathOf(name)} ${name} | ${name}`, "--", ...childProbe(name, marker)], env);
    expectRefused(refused, name);
    expect(refused.stderr).toContain("allow-env-names");
    expect(refused.stdout).not.toContain(marker);
    if (name === "PATH") return; // with PATH replaced, node itself is still found by its absolute path; skip the positive run
    const allowed = await runCli(
      ["exec", "--allow-env-names", name, "-s", `${pathOf(name)} ${name} | ${name}`, "--", ...childProbe(name, marker)],
      env,
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain(marker);
  });

  it("a PATH from vault data never runs a planted deploy.sh", async () => {
    const { env } = await cliEnv();
    const result = await runCli(["exec", "-s", `${pathOf("PATH")} *`, "--", "deploy.sh"], env);
    expectRefused(result, "PATH");
    expect(result.stdout + result.stderr).not.toContain(`PLANTED-${run}`);
  });

  it("a prefix makes the keys safe", async () => {
    const { env } = await cliEnv();
    const marker = `CHILD-${randomBytes(4).toString("hex")}`;
    const result = await runCli(
      ["exec", "-s", `${pathOf("LD_PRELOAD")} ** | APP_`, "--", ...childProbe("LD_PRELOAD", marker)],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${marker}null`);
  });
});

describe("fetch: a protected name is never written to the dotenv file", () => {
  it.each(CLASSES)("wildcard key %s fails and writes nothing; explicit is refused", async (name) => {
    const { env, temp } = await cliEnv();
    const out = join(temp, "out.env");
    const wildcard = await runCli(["fetch", "-s", `${pathOf(name)} *`, "--out", out], env);
    expectRefused(wildcard, name);
    expect(existsSync(out)).toBe(false);
    const explicit = await runCli(["fetch", "-s", `${pathOf(name)} ${name} | ${name}`, "--out", out], env);
    expectRefused(explicit, name);
    expect(existsSync(out)).toBe(false);
    // Nothing is left behind: the failed run revoked and cleared its state.
    const stateDir = join(temp, "vaultgate");
    expect(existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith(".json")) : []).toEqual([]);
  });
});

describe("actions/secrets: GITHUB_ENV never gets a protected name", () => {
  const connection = { url: vault.addr, role: "deploy", audience: vault.audience };
  const main = (inputs: Record<string, string>) =>
    runActionStep("secrets", ACTIONS.secrets.main, { inputs: { ...connection, ...inputs }, env: oidc.env });

  it.each(CLASSES)("wildcard key %s fails with nothing exported, and the post step revokes", async (name) => {
    const step = await main({ secrets: `${pathOf(name)} *` });
    expect(step.code).not.toBe(0);
    expect(step.files.env).toBe("");
    expect(Object.keys(step.outputs)).toEqual(["errorMessage"]);
    expect(step.stdout).toContain(name);
    expect(step.stdout).not.toMatch(/\n\s+at /);
    // The main step hands its post step the path of its 0600 state file.
    const saved = Object.values(step.state).find((v) => v !== "");
    const token = saved && existsSync(saved) ? (JSON.parse(readFileSync(saved, "utf8")) as { token: string }).token : undefined;
    const post = await runActionStep("secrets", ACTIONS.secrets.post, { state: step.state });
    expect(post.code, post.stdout).toBe(0);
    if (token) expect(await admin.tokenWorks(token)).toBe(false);
  });

  it.each(CLASSES)("explicit | %s is refused unless allow-env-names names it", async (name) => {
    const refused = await main({ secrets: `${pathOf(name)} ${name} | ${name}` });
    expect(refused.code).not.toBe(0);
    expect(refused.files.env).toBe("");
    expect(refused.stdout).toContain("allow-env-names");
    if (name === "NODE_OPTIONS" || name === "GITHUB_ENV") return; // the runner itself refuses these
    const allowed = await main({ secrets: `${pathOf(name)} ${name} | ${name}`, "allow-env-names": name });
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.env[name]).toBe(planted);
    const post = await runActionStep("secrets", ACTIONS.secrets.post, { state: allowed.state });
    expect(post.code).toBe(0);
  });
});
