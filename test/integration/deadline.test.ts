// No step outlives the deadline, against the real OpenBao behind the fault proxy: a vault
// that answers the login and then holds every read open ends `fetch`, `exec` and the
// secrets action at their timeout with the documented exit code, and the token is revoked;
// an output that would block (a named pipe nobody reads) never holds a run.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@vaultgate/core";
import {
  ACTIONS,
  VaultAdmin,
  gitlabJobEnv,
  runActionStep,
  runCli,
  startFaultProxy,
  startGitHubOidc,
  type FaultProxy,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
let proxy: FaultProxy;
let oidc: GitHubOidcServer;

/** TIMEOUT_S is the run's --timeout; each request alone would wait 60 s. */
const TIMEOUT_S = 3;
/** BOUND_MS: the timeout, the revocation (it answers at once here), and a loaded machine's start-up. */
const BOUND_MS = (TIMEOUT_S + 9) * 1000;

beforeAll(async () => {
  proxy = await startFaultProxy(vault.addr);
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(async () => {
  await proxy.close();
  await oidc.close();
});

/** silentAfterLogin: the login and everything else is answered; reads of secret/ are held open, never answered. */
function silentAfterLogin(): void {
  proxy.setScript(({ path }) => (path.startsWith("/v1/secret/") ? { kind: "blackhole" } : undefined));
}

function lastAudit(file: string): AuditRecord {
  return JSON.parse(readFileSync(file, "utf8").trim().split("\n").at(-1)!) as AuditRecord;
}

function fifo(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  return path;
}

async function jobEnv(extra: Record<string, string> = {}) {
  return (await gitlabJobEnv(vault, { VAULT_ADDR: proxy.url, VAULTGATE_MOUNT: "jwt-gitlab", VAULTGATE_ROLE: "deploy", ...extra }))
    .env;
}

const SLOW = ["--timeout", `${TIMEOUT_S}s`, "--request-timeout", "60s"];

describe("no step outlives the deadline", () => {
  it("a vault that goes silent after login: fetch ends at its --timeout with exit 5, and the token is revoked", async () => {
    silentAfterLogin();
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-deadline-"));
    const [out, state, audit] = [join(dir, "out.env"), join(dir, "state.json"), join(dir, "audit.jsonl")];
    const started = Date.now();
    const run = await runCli(
      ["fetch", "-s", "secret/app/db password | DB_PASSWORD", "--out", out, "--state", state, "--audit", audit, ...SLOW],
      await jobEnv(),
      { timeoutMs: 60_000 },
    );
    const elapsed = Date.now() - started;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(5);
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect(run.stderr).toMatch(/^Error: .*/m);
    expect(run.stderr).toMatch(/^Hint: .*/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(proxy.requests.some((r) => r.path.startsWith("/v1/secret/") && r.fault === "blackhole")).toBe(true);
    const record = lastAudit(audit);
    expect(record.identity?.accessor).toBeTruthy();
    expect(await admin.accessorWorks(record.identity!.accessor!)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(state)).toBe(false);
  });

  it("a vault that goes silent after login: exec never starts its command, exits 5 at its --timeout, and revokes", async () => {
    silentAfterLogin();
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-deadline-"));
    const [marker, audit] = [join(dir, "started"), join(dir, "audit.jsonl")];
    const started = Date.now();
    const run = await runCli(
      ["exec", "-s", "secret/app/db password | DB_PASSWORD", "--audit", audit, ...SLOW, "--", "touch", marker],
      await jobEnv({ RUNNER_TEMP: dir }),
      { timeoutMs: 60_000 },
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(5);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(run.stderr).toMatch(/^Hint: .*/m);
    expect(existsSync(marker)).toBe(false);
    const record = lastAudit(audit);
    expect(await admin.accessorWorks(record.identity!.accessor!)).toBe(false);
  });

  it("a vault that goes silent after login: the secrets action fails at its timeout input, exports nothing, and revokes", async () => {
    silentAfterLogin();
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-deadline-"));
    const audit = join(dir, "audit.jsonl");
    const started = Date.now();
    const step = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: {
        url: proxy.url,
        role: "deploy",
        audience: vault.audience,
        secrets: "secret/data/app/db password | DB_PASSWORD",
        timeout: `${TIMEOUT_S}s`,
        audit,
      },
      env: oidc.env,
      timeoutMs: 60_000,
    });
    expect(step.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    expect(step.stdout).toMatch(/Hint: /);
    // A failed step's one output is errorMessage; no value is exported.
    expect(step.records.output.map(([name]) => name)).toEqual(["errorMessage"]);
    expect(step.files.env).toBe("");
    const record = lastAudit(audit);
    expect(await admin.accessorWorks(record.identity!.accessor!)).toBe(false);
  });

  it("a vault that goes silent after login: check fails at its --timeout (exit 1) and still revokes its token", async () => {
    silentAfterLogin();
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-deadline-"));
    const before = proxy.requests.length;
    const started = Date.now();
    const run = await runCli(
      ["check", "-s", "secret/app/db password", "--report", join(dir, "report.json"), ...SLOW],
      await jobEnv(),
      { timeoutMs: 60_000 },
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
    const seen = proxy.requests.slice(before).map((r) => `${r.fault ?? "answered"} ${r.path}`);
    expect(seen.some((r) => r.startsWith("blackhole /v1/secret/"))).toBe(true);
    expect(seen.at(-1)).toBe("answered /v1/auth/token/revoke-self");
  });

  it("a named pipe nobody reads never holds a run: fetch --audit warns at once, check --summary exits 6", async () => {
    proxy.setScript(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-fifo-"));
    const env = await jobEnv();
    const state = join(dir, "state.json");
    const fetched = await runCli(
      ["fetch", "-s", "secret/app/db password | DB_PASSWORD", "--out", join(dir, "out.env"), "--state", state],
      { ...env, VAULTGATE_AUDIT_FILE: fifo(dir, "audit.pipe") },
      { timeoutMs: 30_000 },
    );
    expect(fetched.signal).toBeNull();
    expect(fetched.code).toBe(0);
    expect(fetched.stderr).toMatch(/Cannot append the audit record to .*audit\.pipe: ENXIO \(a named pipe that nobody reads\)/);
    expect((await runCli(["revoke", "--state", state], env)).code).toBe(0);

    const checked = await runCli(
      ["check", "-s", "secret/app/db password", "--report", join(dir, "report.json"), "--summary", fifo(dir, "summary.pipe")],
      env,
      { timeoutMs: 30_000 },
    );
    expect(checked.signal).toBeNull();
    expect(checked.code).toBe(6);
    expect(checked.stderr).toMatch(/^Error: Cannot append the report to .*summary\.pipe: ENXIO/m);
    expect(checked.stderr).toMatch(/^Hint: .*/m);
  });

  it("a runner file that is a named pipe is refused before login: nothing is read, nothing exported", async () => {
    proxy.setScript(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-fifo-"));
    const before = proxy.requests.length;
    const step = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: { url: proxy.url, role: "deploy", audience: vault.audience, secrets: "secret/data/app/db password | DB_PASSWORD" },
      env: { ...oidc.env, GITHUB_ENV: fifo(dir, "set_env") },
    });
    expect(step.code).toBe(1);
    expect(step.stdout).toMatch(/Cannot append to GITHUB_ENV .*not a regular file/);
    expect(proxy.requests.length).toBe(before);
    expect(step.records.output.map(([name]) => name)).toEqual(["errorMessage"]);
    expect(step.files.state).toBe("");
  });
});
