// The `vaultgate` command as a real process against the real OpenBao: fetch into a 0600
// file, revoke, and every documented failure with its exit code and no stack trace.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { gitlabClaims } from "@vaultgate/test-harness";
import { baseEnv, gitlabJobEnv, runCli, VaultAdmin, type CliResult } from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const secretValues = Object.values(vault.values);

const gitlabEnv = (extra: Record<string, string> = {}, ctx: Parameters<typeof gitlabClaims>[1] = {}) =>
  gitlabJobEnv(vault, extra, { ctx });

function expectClean(result: CliResult, token?: string) {
  for (const value of [...secretValues, ...(token ? [token] : [])]) {
    expect(result.stdout).not.toContain(value);
    expect(result.stderr).not.toContain(value);
  }
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe("vaultgate fetch and revoke", () => {
  it("writes a 0600 dotenv file, saves state, and revoke ends the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-cli-"));
    const out = join(dir, "secrets.env");
    const state = join(dir, "state.json");
    const { env, token } = await gitlabEnv();
    const fetched = await runCli(
      [
        "fetch",
        "--mount",
        "jwt-gitlab",
        "--role",
        "deploy",
        "-s",
        "secret/app/db password | DB_PASSWORD",
        "-s",
        "secret/app/cert pem | PEM",
        "--out",
        out,
        "--state",
        state,
      ],
      env,
    );
    expect(fetched.stderr).toContain("fetched 2 secrets");
    expect(fetched.code).toBe(0);
    expectClean(fetched, token);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    const escapedPem = (vault.values.multiline ?? "").replaceAll("\n", "\\n");
    expect(readFileSync(out, "utf8")).toBe(`DB_PASSWORD="${vault.values.dbPassword}"\nPEM="${escapedPem}"\n`);
    const vaultToken = (JSON.parse(readFileSync(state, "utf8")) as { token: string }).token;
    expect(await admin.tokenWorks(vaultToken)).toBe(true);

    const revoked = await runCli(["revoke", "--state", state], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toContain("revoked: token revoked");
    expect(await admin.tokenWorks(vaultToken)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(state)).toBe(false);

    const again = await runCli(["revoke", "--state", state], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("nothing to revoke");
  });

  it("writes JSON and shell formats, and revokes at once with --revoke-now", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-cli-"));
    const { env } = await gitlabEnv({
      VAULTGATE_MOUNT: "jwt-gitlab",
      VAULTGATE_ROLE: "deploy",
      VAULTGATE_SECRETS: "secret/app/db *",
    });
    const json = await runCli(["fetch", "--out", join(dir, "s.json"), "--revoke-now"], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "s.json"), "utf8"))).toEqual({
      PASSWORD: vault.values.dbPassword,
      USERNAME: vault.values.dbUser,
    });
    const shell = await runCli(["fetch", "--out", join(dir, "s.sh"), "--revoke-now"], env);
    expect(shell.code).toBe(0);
    expect(readFileSync(join(dir, "s.sh"), "utf8")).toContain(`export PASSWORD='${vault.values.dbPassword}'`);
  });

  it("reads a manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-cli-"));
    const manifest = join(dir, "vaultgate.yml");
    writeFileSync(
      manifest,
      [
        "version: 1",
        "vault:",
        "  url: ${VAULT_ADDR}",
        "auth:",
        "  mount: jwt-gitlab",
        "  role: deploy",
        "  id-token:",
        "    from: gitlab",
        "    variable: MY_TOKEN",
        "secrets:",
        "  - secret/app/db password | DB_PASSWORD",
        "  - path: secret/app/api",
        "    key: token",
        "    name: API_TOKEN",
        "  - path: secret/app/missing",
        "    key: x",
        "    required: false",
      ].join("\n"),
    );
    const { env, token } = await gitlabEnv();
    env.MY_TOKEN = token;
    delete env.VAULT_ID_TOKEN;
    const result = await runCli(["fetch", "-f", manifest, "--out", join(dir, "out.env"), "--revoke-now"], env);
    expect(result.stderr).toContain("Optional secret skipped: Secret not found: secret/app/missing");
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, "out.env"), "utf8")).toBe(
      `DB_PASSWORD="${vault.values.dbPassword}"\nAPI_TOKEN="${vault.values.apiToken}"\n`,
    );
  });
});

describe("vaultgate errors and exit codes", () => {
  const out = () => join(mkdtempSync(join(tmpdir(), "vaultgate-cli-")), "s.env");

  it("prints help and exits 0", async () => {
    const result = await runCli(["fetch", "--help"], baseEnv());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: vaultgate fetch");
  });

  it.each([
    [["fetch", "--bogus"], /Unknown option '--bogus'[\s\S]*Hint: Run `vaultgate fetch --help`/],
    [["fetch", "-s", "secret/app/db password"], /needs --out FILE/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["fetch", "--out", "/tmp/x", "-s", "secret/app/db password", "--concurrency", "zero"], /concurrency must be a whole number/],
  ])("usage error %j exits 2", async (args, message) => {
    const result = await runCli(args, baseEnv({ VAULT_ADDR: vault.addr }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expectClean(result);
  });

  it("exits 3 with the token's claims when login is rejected", async () => {
    const { env, token } = await gitlabEnv({}, { ref: "feature-x" });
    const result = await runCli(
      ["fetch", "--mount", "jwt-gitlab", "--role", "deploy", "-s", "secret/app/db password", "--out", out()],
      env,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("ref: feature-x");
    expect(result.stderr).toContain("Hint: Bound-claim mismatch");
    expectClean(result, token);
  });

  it("exits 3 when the job has no ID token", async () => {
    const result = await runCli(
      ["fetch", "--role", "deploy", "-s", "secret/app/db password", "--out", out()],
      baseEnv({ GITLAB_CI: "true", VAULT_ADDR: vault.addr }),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("id_tokens");
  });

  it("exits 4 for a denied secret, writes nothing, and revokes the token", async () => {
    const file = out();
    const { env } = await gitlabEnv();
    const result = await runCli(
      [
        "fetch",
        "--mount",
        "jwt-gitlab",
        "--role",
        "deploy",
        "-s",
        "secret/app/db password",
        "-s",
        "secret/restricted/root token",
        "--out",
        file,
      ],
      env,
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("Permission denied, or no such path: read of secret/restricted/root");
    expect(existsSync(file)).toBe(false);
    expectClean(result);
  });

  it("exits 5 when the vault is unreachable", async () => {
    const { env } = await gitlabEnv({ VAULT_ADDR: "http://127.0.0.1:9" });
    const result = await runCli(
      ["fetch", "--mount", "jwt-gitlab", "--role", "deploy", "-s", "secret/app/db password", "--out", out(), "--timeout", "2s"],
      env,
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("connection refused by 127.0.0.1:9");
  });

  it("exits 6 when the output cannot be written", async () => {
    const { env } = await gitlabEnv();
    // A path below a regular file cannot be created.
    const blocker = out();
    writeFileSync(blocker, "");
    const result = await runCli(
      ["fetch", "--mount", "jwt-gitlab", "--role", "deploy", "-s", "secret/app/db password", "--out", `${blocker}/x.env`],
      env,
    );
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`Cannot create files in ${blocker} (--out): ENOTDIR`);
    expectClean(result);
  });
});

describe("other login methods", () => {
  it("logs in with AppRole, the secret_id read from a variable", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "vaultgate-cli-")), "s.env");
    const env = baseEnv({ VAULT_ADDR: vault.addr, CI_SECRET_ID: vault.approle.secretId });
    const result = await runCli(
      [
        "fetch",
        "--method",
        "approle",
        "--role-id",
        vault.approle.roleId,
        "--secret-id-variable",
        "CI_SECRET_ID",
        "-s",
        "secret/app/db password | P",
        "--out",
        out,
        "--revoke-now",
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(`P="${vault.values.dbPassword}"\n`);
    expect(result.stderr).not.toContain(vault.approle.secretId);
  });

  it("uses an existing token from VAULT_TOKEN and never revokes it", async () => {
    const created = (await admin.call("POST", "auth/token/create", { policies: ["app-read"], ttl: "10m" })) as {
      auth: { client_token: string };
    };
    const token = created.auth.client_token;
    const out = join(mkdtempSync(join(tmpdir(), "vaultgate-cli-")), "s.env");
    const result = await runCli(
      ["fetch", "--method", "token", "-s", "secret/app/db password | P", "--out", out, "--revoke-now"],
      baseEnv({ VAULT_ADDR: vault.addr, VAULT_TOKEN: token }),
    );
    expect(result.code).toBe(0);
    expect(await admin.tokenWorks(token)).toBe(true);
    await admin.call("POST", "auth/token/revoke", { token });
  });
});
