// Every way out still revokes and cleans up, against the real OpenBao: a broken pipe
// (`vaultgate exec … | head -1`), a state directory or state file owned by another user
// (run as root, with a second uid), a bad state file among good ones, a file size limit
// (`ulimit -f`), an output location that cannot be written (checked before login), and the
// secrets action with no GITHUB_ENV (nothing exported, nothing half-written).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@vaultgate/core";
import {
  ACTIONS,
  CLI_PATH,
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
/** OTHER_UID is a second user: the tests that need one run as root and hand files to it. */
const OTHER_UID = 65534;
let oidc: GitHubOidcServer;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(() => oidc.close());

async function jobEnv(extra: Record<string, string> = {}) {
  return (await gitlabJobEnv(vault, { VAULTGATE_MOUNT: "jwt-gitlab", VAULTGATE_ROLE: "deploy", ...extra })).env;
}

function lastAudit(file: string): AuditRecord {
  return JSON.parse(readFileSync(file, "utf8").trim().split("\n").at(-1)!) as AuditRecord;
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error("this test needs root (it gives files to a second uid); run the suite as root");
}

describe("exit paths", () => {
  it("EPIPE: `exec … | head -1` stops forwarding, drains the child, and still revokes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-epipe-"));
    const audit = join(dir, "audit.jsonl");
    const state = join(dir, "state.json");
    const e = await jobEnv({ RUNNER_TEMP: dir });
    const flood = "for(let i=0;i<200000;i++)console.log('line '+i+' '+process.env.DB_PASSWORD)";
    const args = [
      "exec",
      "--state",
      state,
      "--audit",
      audit,
      "-s",
      "secret/app/db password | DB_PASSWORD",
      "--",
      node,
      "-e",
      flood,
    ];
    const quoted = [node, CLI_PATH, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const shell = spawnSync("bash", ["-c", `set -o pipefail; ${quoted} | head -1; echo "codes: \${PIPESTATUS[*]}" >&2`], {
      env: e,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(shell.stdout).toMatch(/^line 0 \*\*\*\n$/);
    expect(shell.stderr).not.toMatch(/\n\s+at /);
    expect(shell.stderr).not.toContain("EPIPE");
    expect(shell.stderr).toMatch(/codes: 0 0/);
    const record = lastAudit(audit);
    expect(record.revocations[0]).toMatchObject({ kind: "token", outcome: "revoked" });
    expect(await admin.accessorWorks(record.identity!.accessor!)).toBe(false);
    expect(existsSync(state)).toBe(false);
  });

  it("a state directory owned by another uid is refused before login", async () => {
    requireRoot();
    const tmp = mkdtempSync(join(tmpdir(), "vaultgate-shared-tmp-"));
    const planted = join(tmp, `vaultgate-${process.getuid!()}`);
    mkdirSync(planted, { mode: 0o700 });
    chownSync(planted, OTHER_UID, OTHER_UID);
    const e = await jobEnv({ TMPDIR: tmp, GITLAB_CI: "" });
    const out = join(tmp, "out.env");
    const result = await runCli(["fetch", "-s", "secret/app/db password | DB_PASSWORD", "--out", out], e);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`The state directory ${planted} is owned by uid ${OTHER_UID}`);
    expect(result.stderr).toMatch(/^Hint: /m);
    expect(existsSync(out)).toBe(false);
    // revoke refuses to read it too
    const revoke = await runCli(["revoke"], e);
    expect(revoke.code).toBe(6);
  });

  it("a foreign state file is refused, a bad one is reported, and the good ones are still ended (worst exit code)", async () => {
    requireRoot();
    const temp = mkdtempSync(join(tmpdir(), "vaultgate-states-"));
    const e = await jobEnv({ RUNNER_TEMP: temp, CI_JOB_ID: "4242" });
    // Two good runs of this job.
    const outs = [join(temp, "a.env"), join(temp, "b.env")];
    for (const out of outs) {
      const r = await runCli(["fetch", "-s", "secret/app/db password | DB_PASSWORD", "--out", out], e);
      expect(r.code, r.stderr).toBe(0);
    }
    const dir = join(temp, "vaultgate");
    const good = readdirSync(dir).map((n) => join(dir, n));
    const tokens = good.map((p) => (JSON.parse(readFileSync(p, "utf8")) as { token: string }).token);
    // A victim's file that a planted state file names, and a corrupt state file.
    const victim = mkdtempSync(join(tmpdir(), "vaultgate-victim-"));
    writeFileSync(join(victim, "precious"), "keep me");
    const foreign = join(dir, "state-4242@1-aaaaaa.json");
    writeFileSync(foreign, JSON.stringify({ version: 1, vault: { url: vault.addr }, token: "x", files: [victim] }), {
      mode: 0o600,
    });
    chownSync(foreign, OTHER_UID, OTHER_UID);
    writeFileSync(join(dir, "state-4242@2-bbbbbb.json"), "\u0000\u0001 not json", { mode: 0o600 });
    const result = await runCli(["revoke"], e);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`owned by uid ${OTHER_UID}`);
    expect(result.stderr).toMatch(/is not JSON/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(victim, "precious"), "utf8")).toBe("keep me");
    for (const t of tokens) expect(await admin.tokenWorks(t)).toBe(false);
    for (const out of outs) expect(existsSync(out)).toBe(false);
    for (const p of good) expect(existsSync(p)).toBe(false);
  });

  it("revoke deletes a directory only inside the job's temp dir", async () => {
    const temp = mkdtempSync(join(tmpdir(), "vaultgate-rm-"));
    const e = await jobEnv({ RUNNER_TEMP: temp });
    const state = join(temp, "state.json");
    const r = await runCli(
      ["fetch", "--state", state, "-s", "secret/app/db password | DB_PASSWORD", "--out", join(temp, "x.env")],
      e,
    );
    expect(r.code, r.stderr).toBe(0);
    const outside = mkdtempSync(join(tmpdir(), "vaultgate-outside-"));
    writeFileSync(join(outside, "keep"), "1");
    const saved = JSON.parse(readFileSync(state, "utf8")) as { files: string[] };
    writeFileSync(state, JSON.stringify({ ...saved, files: [...saved.files, outside] }), { mode: 0o600 });
    const result = await runCli(["revoke", "--state", state], e);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`Not removing ${outside}: it is outside ${temp} and not a regular file`);
    expect(existsSync(join(outside, "keep"))).toBe(true);
    expect(existsSync(join(temp, "x.env"))).toBe(false);
  });

  it("ulimit -f: a fetch that cannot write every byte exits 6, leaves no file, and revokes", async () => {
    const temp = mkdtempSync(join(tmpdir(), "vaultgate-ulimit-"));
    const state = join(temp, "state.json");
    const e = await jobEnv({ RUNNER_TEMP: temp });
    const out = join(temp, "out.env");
    // bash's ulimit -f counts 1024-byte blocks: the state file fits, the dotenv file with the PEM does not.
    const big = `big-${randomBytes(4).toString("hex")}`;
    await admin.putKv2("secret", `app/${big}`, { value: randomBytes(1500).toString("hex") });
    const args = ["fetch", "--state", state, "-s", `secret/app/${big} value | BIG`, "--out", out];
    const quoted = [node, CLI_PATH, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const shell = spawnSync("bash", ["-c", `ulimit -f 1; ${quoted}`], { env: e, encoding: "utf8", timeout: 60_000 });
    expect(shell.status, shell.stderr).toBe(6);
    expect(shell.stderr).toMatch(/^Error: Cannot write .*out\.env: EFBIG/m);
    expect(shell.stderr).toMatch(/^Hint: .*ulimit -f/m);
    expect(readdirSync(temp).filter((n) => n.includes("out.env"))).toEqual([]);
    // The state file is deleted only once the revocation left nothing alive.
    expect(existsSync(state)).toBe(false);
    expect(shell.stderr).not.toContain("is kept");
  });

  it("an output location that cannot be written fails before login, with no token held", async () => {
    const temp = mkdtempSync(join(tmpdir(), "vaultgate-noout-"));
    const audit = join(temp, "audit.jsonl");
    const e = await jobEnv({ RUNNER_TEMP: temp });
    const started = Date.now();
    const result = await runCli(
      ["fetch", "--audit", audit, "-s", "secret/app/db password | DB_PASSWORD", "--out", "/proc/x/out.env"],
      e,
      {
        timeoutMs: 20_000,
      },
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^Error: Cannot create files in \/proc\/x/m);
    expect(result.stderr).toMatch(/^Hint: /m);
    expect(existsSync(audit) ? lastAudit(audit).identity?.accessor : undefined).toBeUndefined();
  });

  it("exec --files in a temp dir that cannot be made says so, before login", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vaultgate-notdir-")), "a-file");
    writeFileSync(file, "");
    const e = await jobEnv({ RUNNER_TEMP: join(file, "sub") });
    const result = await runCli(
      [
        "exec",
        "--files",
        "--state",
        join(tmpdir(), `vg-${Date.now()}.json`),
        "-s",
        "secret/app/db password | DB_PASSWORD",
        "--",
        node,
        "-e",
        "1",
      ],
      e,
    );
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/Cannot create files in .*a-file\/sub \(the job's temp directory, for --files\): ENOTDIR/);
  });

  it("actions/secrets without GITHUB_ENV fails before login and exports nothing", async () => {
    const step = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: { url: vault.addr, role: "deploy", audience: vault.audience, secrets: "secret/data/app/db password | DB_PASSWORD" },
      env: { ...oidc.env, GITHUB_ENV: undefined },
    });
    expect(step.code).toBe(1);
    expect(step.stdout).toContain("GITHUB_ENV is not set");
    // A failed step's one output is errorMessage, as vault-action sets it; no value is exported.
    expect(step.records.output.map(([name]) => name)).toEqual(["errorMessage"]);
    expect(step.files.state).toBe("");
    expect(step.masks).toEqual([]);
  });

  it("actions/secrets with an unwritable RUNNER_TEMP and files: true fails before login", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "vaultgate-rt-")), "a-file");
    writeFileSync(file, "");
    const step = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: {
        url: vault.addr,
        role: "deploy",
        audience: vault.audience,
        secrets: "secret/data/app/db password | DB_PASSWORD",
        files: "true",
      },
      env: { ...oidc.env, RUNNER_TEMP: join(file, "t") },
    });
    expect(step.code).toBe(1);
    expect(step.records.output.map(([name]) => name)).toEqual(["errorMessage"]);
    expect(step.files.env + step.files.state).toBe("");
  });
});
