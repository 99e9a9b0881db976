// `vaultgate exec` against the real OpenBao: the child prints every secret in every
// encoding, byte by byte, on stdout and stderr; nothing leaks and its exit code is
// returned. Secrets are only in the child's environment (or files), never in argv.
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { baseEnv, gitlabJobEnv, runCli, VaultAdmin } from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const PRINT = fileURLToPath(new URL("../fixtures/print-secrets.mjs", import.meta.url));
const node = process.execPath;

async function env(extra: Record<string, string> = {}) {
  return (await gitlabJobEnv(vault, { VAULTGATE_MOUNT: "jwt-gitlab", VAULTGATE_ROLE: "deploy", ...extra })).env;
}

function encodings(value: string): string[] {
  const b = Buffer.from(value);
  return [
    value,
    b.toString("base64"),
    Buffer.from(`${value}\n`).toString("base64"),
    b.toString("base64url"),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    b.toString("hex"),
  ];
}

describe("vaultgate exec", () => {
  it("masks every secret in every encoding, byte by byte on stdout and stderr, and returns the child's exit code", async () => {
    const secrets = ["secret/app/db password | DB_PASSWORD", "secret/app/cert pem | PEM", "secret/app/api token | API_TOKEN"];
    const e = await env({ PRINT_SECRETS: "DB_PASSWORD,PEM,API_TOKEN", EXIT_CODE: "7", BYTE_DELAY_MS: "0" });
    const result = await runCli(["exec", ...secrets.flatMap((s) => ["-s", s]), "--", node, PRINT], e, { timeoutMs: 60_000 });
    expect(result.code).toBe(7);
    const out = result.stdout + result.stderr;
    for (const value of [vault.values.dbPassword!, vault.values.multiline!, vault.values.apiToken!]) {
      for (const encoded of encodings(value)) expect(out.includes(encoded), "a secret encoding leaked").toBe(false);
      for (const line of value.split("\n")) expect(out.includes(line), "a secret line leaked").toBe(false);
    }
    expect(out.includes(e.VAULT_ID_TOKEN!)).toBe(false);
    expect(result.stdout).toContain("plain text passes: {}[]()*\n");
    expect(result.stdout).toMatch(/marker DB_PASSWORD 0: \*\*\* end/);
    expect(result.stderr).toMatch(/marker DB_PASSWORD 1: \*\*\* end/);
    expect(result.stdout.match(/\*\*\*/g)?.length).toBeGreaterThanOrEqual(15);
  });

  it("works slowly too: one byte every 2 ms", async () => {
    const e = await env({ PRINT_SECRETS: "DB_PASSWORD", EXIT_CODE: "0", BYTE_DELAY_MS: "2" });
    const result = await runCli(["exec", "-s", "secret/app/db password | DB_PASSWORD", "--", node, PRINT], e, {
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(0);
    for (const encoded of encodings(vault.values.dbPassword!))
      expect((result.stdout + result.stderr).includes(encoded)).toBe(false);
  });

  it("passes stdin through and never puts a secret in argv", async () => {
    const e = await env();
    const script =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log('stdin:'+s);console.log('argv:'+process.argv.slice(1).join(' '))})";
    const result = await runCli(
      ["exec", "-s", "secret/app/db password | DB_PASSWORD", "--", node, "-e", script, "literal-arg"],
      e,
      { input: "hello" },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("stdin:hello");
    expect(result.stdout).toContain("argv:literal-arg");
  });

  it("writes 0600 files with --files and removes them afterwards", async () => {
    const temp = mkdtempSync(join(tmpdir(), "vaultgate-exec-"));
    const e = await env({ RUNNER_TEMP: temp });
    const script =
      "const fs=require('fs');const f=process.env.DB_PASSWORD_FILE;console.log(JSON.stringify({f,mode:(fs.statSync(f).mode&0o777).toString(8),dir:process.env.VAULTGATE_SECRETS_DIR,inEnv:'DB_PASSWORD' in process.env,same:fs.readFileSync(f,'utf8')===process.argv[1]}))";
    const result = await runCli(
      ["exec", "--files", "-s", "secret/app/db password | DB_PASSWORD", "--", node, "-e", script, "not-the-secret"],
      e,
    );
    expect(result.code).toBe(0);
    const seen = JSON.parse(result.stdout.trim()) as { f: string; mode: string; dir: string; inEnv: boolean };
    expect(seen.f.startsWith(temp)).toBe(true);
    expect(seen.mode).toBe("600");
    expect(seen.inEnv).toBe(false);
    expect(existsSync(seen.dir)).toBe(false);
    expect(readdirSync(temp).filter((f) => f.startsWith("vaultgate-exec-"))).toEqual([]);
  });

  it("exits 127 when the command does not exist, and still revokes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-exec-"));
    const audit = join(dir, "audit.jsonl");
    const result = await runCli(
      ["exec", "--audit", audit, "-s", "secret/app/db password", "--", "/nonexistent/cmd"],
      await env(),
    );
    expect(result.code).toBe(127);
    expect(result.stderr).toContain("/nonexistent/cmd: command not found");
    const record = JSON.parse(readFileSync(audit, "utf8")) as { revocations: { kind: string; outcome: string }[] };
    expect(record.revocations).toContainEqual(expect.objectContaining({ kind: "token", outcome: "revoked" }));
    expect(statSync(audit).mode & 0o777).toBe(0o600);
  });

  it("refuses to run without a command", async () => {
    const result = await runCli(["exec", "-s", "secret/app/db password"], await env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("needs a command to run");
  });

  it("does not start the command when a secret is denied, and revokes", async () => {
    const result = await runCli(
      ["exec", "-s", "secret/restricted/root token", "--", node, "-e", "console.log('the-command-ran')"],
      await env(),
    );
    expect(result.code).toBe(4);
    expect(result.stdout).not.toContain("the-command-ran");
    expect(admin).toBeDefined();
  });
});

describe("vaultgate exec --from-file", () => {
  it.each(["s.env", "s.json"])("runs a command with the values a fetch wrote to %s, masked, without logging in", async (name) => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-exec-"));
    const file = join(dir, name);
    const e = await env();
    const fetched = await runCli(
      ["fetch", "-s", "secret/app/db password | DB_PASSWORD", "-s", "secret/app/cert pem | PEM", "--out", file, "--revoke-now"],
      e,
    );
    expect(fetched.code).toBe(0);
    const script =
      "console.log(process.env.DB_PASSWORD);console.log(process.env.PEM);console.log(Buffer.from(process.env.DB_PASSWORD).toString('base64'))";
    // No vault address at all: the values come from the file only.
    const result = await runCli(["exec", "--from-file", file, "--", node, "-e", script], baseEnv({ PRINT: "1" }));
    expect(result.code).toBe(0);
    // The PEM is printed whole: its four lines are one masked run.
    expect(result.stdout).toBe("***\n***\n***\n");
    const values = [vault.values.dbPassword!, ...vault.values.multiline!.split("\n")];
    for (const v of values) expect((result.stdout + result.stderr).includes(v)).toBe(false);
  });

  it("refuses vault flags next to --from-file", async () => {
    const result = await runCli(["exec", "--from-file", "/nonexistent", "--role", "deploy", "--", node, "-e", "0"], baseEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot be combined with --role");
  });
});
