// Lifecycle against the real OpenBao: a 5 s token survives a 15 s exec by renewal;
// on success, failure, a thrown error, SIGTERM and SIGINT the token and the lease are
// revoked, the files removed, and the audit record validates and holds no value.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@vaultgate/core";
import {
  VaultAdmin,
  baseEnv,
  runCli,
  schemaValidator,
  startCli,
  startGitHubOidc,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const validate = schemaValidator("audit-record.v1.json");
const node = process.execPath;
let oidc: GitHubOidcServer;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(() => oidc.close());

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-life-"));
  const temp = join(dir, "runner-temp");
  const manifest = join(dir, "vaultgate.yml");
  writeFileSync(
    manifest,
    [
      "auth:",
      "  role: ${ROLE}",
      `  audience: ${vault.audience}`,
      "secrets:",
      "  - secret/app/db password | DB_PASSWORD",
      "  - path: pki/issue/app",
      "    key: private_key",
      "    name: TLS_KEY",
      "    method: POST",
      "    params: { common_name: deploy.example.com, ttl: 30m }",
      "",
    ].join("\n"),
  );
  return { dir, temp, manifest, audit: join(dir, "audit.jsonl"), state: join(dir, "state.json") };
}

/** execArgs: `vaultgate exec` with files, the workspace's manifest, state and audit, up to `--`. */
function execArgs(w: ReturnType<typeof workspace>): string[] {
  return ["exec", "--files", "-f", w.manifest, "--state", w.state, "--audit", w.audit, "--"];
}

function env(w: ReturnType<typeof workspace>, role = "deploy-plain", extra: Record<string, string> = {}) {
  return baseEnv({ GITHUB_ACTIONS: "true", ...oidc.env, VAULT_ADDR: vault.addr, RUNNER_TEMP: w.temp, ROLE: role, ...extra });
}

async function assertEnded(w: ReturnType<typeof workspace>, rawOutput: string) {
  // On GitHub, `::add-mask::` lines register values with the runner, which removes them.
  const output = rawOutput
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n");
  const lines = readFileSync(w.audit, "utf8").trim().split("\n");
  const record = JSON.parse(lines.at(-1)!) as AuditRecord;
  expect(validate(record)).toEqual([]);
  const text = readFileSync(w.audit, "utf8");
  for (const value of Object.values(vault.values))
    expect(text.includes(value), "a secret value is in the audit record").toBe(false);
  expect(text).not.toMatch(/-----BEGIN/);
  for (const value of Object.values(vault.values))
    expect(output.includes(value), "a secret value reached the output").toBe(false);
  const accessor = record.identity?.accessor;
  expect(accessor).toBeTruthy();
  expect(await admin.accessorWorks(accessor!)).toBe(false);
  const leased = record.reads.filter((r) => r.leaseId);
  for (const r of leased) expect(await admin.leaseExists(r.leaseId!)).toBe(false);
  expect(existsSync(w.state)).toBe(false);
  expect(existsSync(w.temp) ? readdirSync(w.temp).filter((f) => f.startsWith("vaultgate-exec-")) : []).toEqual([]);
  return { record, leased };
}

describe("renewal", () => {
  it("keeps a 5 s token alive through a 15 s exec", async () => {
    const w = workspace();
    const run = startCli(
      [
        "exec",
        "-f",
        w.manifest,
        "--state",
        w.state,
        "--audit",
        w.audit,
        "--",
        node,
        "-e",
        "console.log('started');setTimeout(()=>console.log('done'),15000)",
      ],
      env(w, "short-ttl"),
    );
    await run.waitFor(/started/);
    const token = (JSON.parse(readFileSync(w.state, "utf8")) as { token: string }).token;
    await new Promise((r) => setTimeout(r, 11_000));
    expect(await admin.tokenWorks(token)).toBe(true); // past twice its 5 s TTL
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("done");
    expect(await admin.tokenWorks(token)).toBe(false);
    const { record } = await assertEnded(w, result.stdout + result.stderr);
    const tokenRenewals = record.renewals.filter((r) => r.kind === "token" && r.ok);
    expect(tokenRenewals.length).toBeGreaterThanOrEqual(3);
    expect(record.revocations).toContainEqual(expect.objectContaining({ kind: "token", outcome: "revoked" }));
  }, 40_000);
});

describe("renewal of a fetch's run while a later command uses it (Jenkins' vaultgate-env)", () => {
  it("exec --from-file --renew-state keeps a 5 s token alive; the fetch's revoke still ends it", async () => {
    const w = workspace();
    const out = join(w.dir, "secrets.env");
    const e = env(w, "short-ttl");
    const fetched = await runCli(["fetch", "-f", w.manifest, "--out", out, "--state", w.state], e);
    expect(fetched.code).toBe(0);
    const token = (JSON.parse(readFileSync(w.state, "utf8")) as { token: string }).token;
    const run = startCli(
      [
        "exec",
        "--from-file",
        out,
        "--renew-state",
        w.state,
        "--",
        node,
        "-e",
        "console.log('started');setTimeout(()=>console.log('done'),9000)",
      ],
      e,
    );
    await run.waitFor(/started/);
    await new Promise((r) => setTimeout(r, 8000));
    expect(await admin.tokenWorks(token)).toBe(true); // past its 5 s TTL
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(await admin.tokenWorks(token)).toBe(true); // exec --from-file does not revoke
    expect((await runCli(["revoke", "--state", w.state], e)).code).toBe(0);
    expect(await admin.tokenWorks(token)).toBe(false);
  }, 40_000);
});

describe("every exit path revokes and cleans up", () => {
  it("success", async () => {
    const w = workspace();
    const result = await runCli(
      [...execArgs(w), node, "-e", "console.log(require('fs').existsSync(process.env.TLS_KEY_FILE))"],
      env(w),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("true");
    const { record, leased } = await assertEnded(w, result.stdout + result.stderr);
    expect(leased).toHaveLength(1);
    expect(record.outcome).toBe("success");
    // The token goes first; revoke-self ends the lease with it.
    expect(record.revocations.map((r) => [r.kind, r.outcome])).toEqual([
      ["token", "revoked"],
      ["lease", "with-token"],
    ]);
  });

  it("failure of the command", async () => {
    const w = workspace();
    const result = await runCli([...execArgs(w), node, "-e", "process.exit(3)"], env(w, "deploy"));
    expect(result.code).toBe(3);
    const { record } = await assertEnded(w, result.stdout + result.stderr);
    expect(record).toMatchObject({ outcome: "failure", exitCode: 3 });
    // Even where the policy allows sys/leases/revoke, the token goes first and takes the lease with it.
    expect(record.revocations.map((r) => [r.kind, r.outcome])).toEqual([
      ["token", "revoked"],
      ["lease", "with-token"],
    ]);
  });

  it("an error after the lease was issued", async () => {
    const w = workspace();
    writeFileSync(w.manifest, `${readFileSync(w.manifest, "utf8")}  - secret/app/db no_such_key | NOPE\n`);
    const result = await runCli([...execArgs(w), node, "-e", "console.log('the-command-ran')"], env(w));
    expect(result.code).toBe(4);
    expect(result.stdout).not.toContain("the-command-ran");
    expect(result.stderr).toContain('Key "no_such_key" not found in secret secret/app/db');
    const { record, leased } = await assertEnded(w, result.stdout + result.stderr);
    expect(leased).toHaveLength(1);
    expect(record.failures[0]).toMatchObject({ code: 4, error: "SecretNotFoundError" });
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s of exec is forwarded to the command, then everything is revoked", async (signal, code) => {
    const w = workspace();
    const script = `process.on('${signal}',()=>{console.log('child got ${signal}');process.exit(${code})});console.log('ready');setInterval(()=>{},1000)`;
    const run = startCli([...execArgs(w), node, "-e", script], env(w));
    await run.waitFor(/ready/);
    const dir = (JSON.parse(readFileSync(w.state, "utf8")) as { files: string[] }).files[0];
    expect(dir && existsSync(dir)).toBe(true);
    run.child.kill(signal);
    const result = await run.done;
    expect(result.stdout).toContain(`child got ${signal}`);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(`received ${signal}`);
    const { record } = await assertEnded(w, result.stdout + result.stderr);
    expect(record.revocations[0]).toMatchObject({ kind: "token", outcome: "revoked" });
  });

  it("a killed exec is cleaned up by `vaultgate revoke` (GitLab after_script, Jenkins finally)", async () => {
    const w = workspace();
    const run = startCli(
      [
        "exec",
        "--files",
        "-f",
        w.manifest,
        "--state",
        w.state,
        "--",
        node,
        "-e",
        "console.log('ready');setInterval(()=>{},1000)",
      ],
      env(w),
    );
    await run.waitFor(/ready/);
    const state = JSON.parse(readFileSync(w.state, "utf8")) as { token: string; files: string[]; leases: { leaseId: string }[] };
    run.child.kill("SIGKILL");
    await run.done;
    expect(await admin.tokenWorks(state.token)).toBe(true);
    const result = await runCli(["revoke", "--state", w.state], env(w));
    expect(result.code).toBe(0);
    expect(await admin.tokenWorks(state.token)).toBe(false);
    for (const l of state.leases) expect(await admin.leaseExists(l.leaseId)).toBe(false);
    for (const f of state.files) expect(existsSync(f)).toBe(false);
    expect(existsSync(w.state)).toBe(false);
  });
});
