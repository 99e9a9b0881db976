// Revocation within its budget, against the real OpenBao behind the fault proxy: the
// token goes first (revoke-self ends its leases), a blackholed vault costs the budget
// and no more, a vault answering 429 is waited out past it, a slow one is not asked
// twice, what is left alive is named at error level and the state is kept, and once
// the vault answers `vaultgate revoke` ends the token first and with it every lease.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord, SessionState } from "@vaultgate/core";
import { VaultAdmin, gitlabJobEnv, runCli, startFaultProxy, type FaultProxy } from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(vault.addr);
});
afterAll(() => proxy.close());

const LEASES = 5;

/** fetchWithLeases runs `vaultgate fetch` through the proxy: one KV secret and five PKI leases, state kept. */
async function fetchWithLeases() {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-revocation-"));
  const state = join(dir, "state.json");
  const { env, token } = await gitlabJobEnv(vault, { VAULT_ADDR: proxy.url });
  const manifest = join(dir, "vaultgate.yml");
  const pki = Array.from({ length: LEASES }, (_, i) =>
    [
      "  - path: pki/issue/app",
      "    key: serial_number",
      `    name: SERIAL_${i}`,
      "    method: POST",
      `    params: { common_name: host${i}.example.com, ttl: 30m }`,
    ].join("\n"),
  );
  writeFileSync(
    manifest,
    ["auth:", "  mount: jwt-gitlab", "  role: deploy", "secrets:", "  - secret/app/db password | DB_PASSWORD", ...pki, ""].join(
      "\n",
    ),
  );
  const fetched = await runCli(["fetch", "-f", manifest, "--out", join(dir, "out.env"), "--state", state], env);
  expect(fetched.stderr).toContain(`fetched ${LEASES + 1} secrets`);
  expect(fetched.code).toBe(0);
  const saved = JSON.parse(readFileSync(state, "utf8")) as SessionState;
  expect(saved.leases).toHaveLength(LEASES);
  return { dir, state, env, token, saved };
}

async function leasesAlive(leases: readonly { leaseId: string }[]): Promise<number> {
  let alive = 0;
  for (const lease of leases) if (await admin.leaseExists(lease.leaseId)) alive++;
  return alive;
}

/** eventually polls `check` (the vault ends a revoked token's leases in the background) for up to 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("revocation order and budget", () => {
  it("a blackholed vault with 5 leases: revocation ends within its budget and the token is revoked first once the vault answers", async () => {
    proxy.setScript(() => undefined);
    const run = await fetchWithLeases();
    expect(await leasesAlive(run.saved.leases)).toBe(LEASES);

    // The vault stops answering: every request is held open, never answered.
    proxy.setScript(() => ({ kind: "blackhole" }));
    const started = Date.now();
    const blocked = await runCli(["revoke", "--state", run.state], run.env, { timeoutMs: 45_000 });
    // It ended on its own (not killed by the harness), within its 10 s budget (plus a loaded
    // machine's start-up), with the vault-unavailable code.
    expect(blocked.signal).toBeNull();
    expect(Date.now() - started).toBeLessThan(18_000);
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toMatch(
      /Revocation did not finish within its budget of 10 s \(60 s while the vault answers 429\); still alive: the token \(accessor /,
    );
    expect(blocked.stderr).toContain(run.saved.accessor ?? "(no accessor)");
    expect(blocked.stderr).toMatch(/which expires at \d{4}-\d\d-\d\dT/);
    expect(blocked.stderr).not.toContain(run.saved.token);
    expect(blocked.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(run.state)).toBe(true);
    const firstTry = proxy.requests.map((r) => r.path);
    expect(firstTry[0]).toBe("/v1/auth/token/revoke-self");
    expect(await admin.tokenWorks(run.saved.token)).toBe(true);

    // The vault answers again: the token is revoked first, and it takes the five leases with it.
    proxy.setScript(() => undefined);
    const revoked = await runCli(["revoke", "--state", run.state], run.env);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toContain(`revoked: token revoked, ${LEASES} lease(s)`);
    const paths = proxy.requests.map((r) => r.path);
    expect(paths[0]).toBe("/v1/auth/token/revoke-self");
    expect(paths.filter((p) => p === "/v1/sys/leases/revoke")).toEqual([]);
    expect(await admin.tokenWorks(run.saved.token)).toBe(false);
    expect(await eventually(async () => (await leasesAlive(run.saved.leases)) === 0)).toBe(true);
    expect(existsSync(run.state)).toBe(false);
  });

  it("retries 429s and 503s inside the budget and ends the run", async () => {
    proxy.setScript(() => undefined);
    const run = await fetchWithLeases();
    proxy.setScript(({ path, count }) =>
      path === "/v1/auth/token/revoke-self" && count < 3
        ? count % 2 === 0
          ? { kind: "status", status: 429, body: JSON.stringify({ errors: ["request path: rate limit quota exceeded"] }) }
          : { kind: "status", status: 503, body: JSON.stringify({ errors: ["no active node"] }) }
        : undefined,
    );
    const revoked = await runCli(["revoke", "--state", run.state], run.env);
    expect(revoked.code).toBe(0);
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/token/revoke-self")).toHaveLength(4);
    expect(await admin.tokenWorks(run.saved.token)).toBe(false);
    expect(await eventually(async () => (await leasesAlive(run.saved.leases)) === 0)).toBe(true);
  });

  it("waits out a vault answering 429 past the 10 s budget (a quota many ending jobs share)", async () => {
    proxy.setScript(() => undefined);
    const run = await fetchWithLeases();
    const until = Date.now() + 13_000;
    proxy.setScript(({ path }) =>
      path === "/v1/auth/token/revoke-self" && Date.now() < until
        ? { kind: "status", status: 429, body: JSON.stringify({ errors: ["request path: rate limit quota exceeded"] }) }
        : undefined,
    );
    const revoked = await runCli(["revoke", "--state", run.state], run.env, { timeoutMs: 90_000 });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/token/revoke-self").length).toBeGreaterThan(3);
    expect(await admin.tokenWorks(run.saved.token)).toBe(false);
    expect(await eventually(async () => (await leasesAlive(run.saved.leases)) === 0)).toBe(true);
  }, 90_000);
});

describe("a slow revocation", () => {
  it("is waited for past the per-request timeout, not abandoned and sent again", async () => {
    // A vault that takes longer than the request timeout to revoke: abandoned half-way, a
    // revocation may be stopped with the token unusable but its accessor and leases alive,
    // and a second one is then refused as if the token were gone.
    proxy.setScript(({ path }) => (path === "/v1/auth/token/revoke-self" ? { kind: "late", ms: 2500 } : undefined));
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-revocation-slow-"));
    const { env, token } = await gitlabJobEnv(vault, { VAULT_ADDR: proxy.url });
    const manifest = join(dir, "vaultgate.yml");
    writeFileSync(
      manifest,
      ["auth:", "  mount: jwt-gitlab", "  role: deploy", "secrets:", "  - secret/app/db password | DB_PASSWORD", ""].join("\n"),
    );
    const audit = join(dir, "audit.jsonl");
    const seen = proxy.requests.length;
    const ran = await runCli(
      ["exec", "-f", manifest, "--request-timeout", "1s", "--audit", audit, "--", "sh", "-c", "echo job-ok"],
      env,
    );
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("job-ok");
    expect(ran.stderr).not.toContain("Revocation did not finish");
    const revocations = proxy.requests.slice(seen).filter((r) => r.path === "/v1/auth/token/revoke-self");
    expect(revocations).toHaveLength(1);
    const record = JSON.parse(readFileSync(audit, "utf8").trim().split("\n").at(-1)!) as AuditRecord;
    expect(record.revocations.find((r) => r.kind === "token")?.outcome).toBe("revoked");
    expect(ran.stderr).not.toContain(token);
    proxy.setScript(() => undefined);
  });
});
