// Load and failover on a real 3-node OpenBao Raft cluster behind HAProxy: 50 concurrent
// `vaultgate exec` jobs (own identities) under a 30 req/s rate-limit quota all succeed
// and leave no token or lease alive without any cleanup step; the same with the active
// node SIGKILLed mid-run, where each job succeeds or fails with exit 5 and `vaultgate
// revoke` later ends its token; and a job started while no node is active waits and
// succeeds once a leader is elected. Without haproxy or a cluster, this suite fails.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startLoadJobs, startRaftCluster, type JobOutcome, type RaftCluster } from "@vaultgate/test-harness";

const JOBS = 50;
const KV_READS = 5;
let cluster: RaftCluster;
let idBase = 0;
// VAULTGATE_CLUSTER_AUDIT=1: each node keeps a file audit log (accessors in clear), and a token
// left alive is traced through it. Off by default: with audit devices in their configuration, the
// surviving nodes of the failover tests did not become active within 60 s (2 of 2 runs).
const auditDir = process.env.VAULTGATE_CLUSTER_AUDIT ? mkdtempSync(join(tmpdir(), "vaultgate-raft-audit-")) : undefined;

beforeAll(async () => {
  cluster = await startRaftCluster(auditDir ? { auditDir } : {});
}, 240_000);
afterAll(async () => {
  await cluster?.stop();
  if (auditDir) rmSync(auditDir, { recursive: true, force: true });
});

function workdir(): string {
  return mkdtempSync(join(tmpdir(), "vaultgate-load-"));
}

function jobs(timeoutSeconds: number, commandSeconds = 1, requestTimeoutSeconds?: number) {
  idBase += 1000;
  return startLoadJobs({
    ...(requestTimeoutSeconds ? { requestTimeoutSeconds } : {}),
    addr: cluster.addr,
    fixture: cluster.fixture,
    jobs: JOBS,
    kvReads: KV_READS,
    timeoutSeconds,
    commandSeconds,
    dir: workdir(),
    idBase,
  });
}

/** expectNoValue: no secret value and no vault token in any job's output. */
function expectNoValue(outcomes: readonly JobOutcome[]): void {
  const values = Object.values(cluster.fixture.values).filter((v) => v.length >= 8);
  for (const { result } of outcomes) {
    const output = result.stdout + result.stderr;
    for (const value of values) expect(output.includes(value), "a secret value reached a job's output").toBe(false);
    expect(output).not.toMatch(/\bs\.[A-Za-z0-9]{20,}|hvs\.[A-Za-z0-9]{20,}/);
    expect(output).not.toMatch(/\n\s+at /);
  }
}

type LiveIds = { accessors: string[]; leases: string[] };

/** added lists what is alive now and was not in `before`. */
function added(now: LiveIds, before: LiveIds): LiveIds {
  return {
    accessors: now.accessors.filter((a) => !before.accessors.includes(a)),
    leases: now.leases.filter((l) => !before.leases.includes(l)),
  };
}

/**
 * expectNothingLeft: no token accessor and no PKI lease alive that was not alive before the run.
 * The vault finishes a revoked token (its leases, then its accessor) in the background, slowly on a
 * busy machine: wait up to a minute for that.
 */
async function expectNothingLeft(
  before: LiveIds,
  outcomes: readonly JobOutcome[],
  options: { leases: "none" | "report" } = { leases: "none" },
): Promise<void> {
  let left = added(await cluster.liveIds(), before);
  for (let i = 0; i < 120 && left.accessors.length + left.leases.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    left = added(await cluster.liveIds(), before);
  }
  if (options.leases === "report") {
    // A pki/issue in flight on the leader when it dies may be committed with its answer lost
    // (docs/operations.md): no job saw that lease. Tokens must still all be gone.
    if (left.leases.length > 0) console.warn(`PKI leases alive after the failover's cleanup: ${left.leases.length}`);
    // A revoke-self the dying leader answered 2xx ends the token's rest (leases, accessor) in the
    // background: that part can be lost with the node. Such a token was seen revoked by its job
    // and is reported; every other token must be gone.
    const confirmed = new Set(
      outcomes
        .filter((o) => o.record?.revocations.some((r) => r.kind === "token" && r.outcome === "revoked"))
        .map((o) => o.record?.identity?.accessor),
    );
    const lost = left.accessors.filter((a) => confirmed.has(a));
    if (lost.length > 0)
      console.warn(`tokens whose revocation the vault confirmed, still listed after the failover: ${lost.length}`);
    const alive = { accessors: left.accessors.filter((a) => !confirmed.has(a)), leases: [] };
    expect(alive.accessors, `tokens the jobs left alive:\n${jobsHolding(alive, outcomes)}`).toEqual([]);
    return;
  }
  const trail = `${auditTrail(left)}\n${jobsHolding(left, outcomes)}`;
  expect(left, `tokens and leases the jobs left alive; what the vault audit logs and the jobs say of them:\n${trail}`).toEqual({
    accessors: [],
    leases: [],
  });
}

/** jobsHolding gives the revocations and the end of stderr of each job whose token is left alive. */
function jobsHolding(left: LiveIds, outcomes: readonly JobOutcome[]): string {
  return outcomes
    .filter((o) => left.accessors.includes(o.record?.identity?.accessor ?? ""))
    .map((o) => `job ${o.index}: revocations ${JSON.stringify(o.record?.revocations)}\n${o.result.stderr.slice(-1500)}`)
    .join("\n");
}

/**
 * auditTrail lists, from every node's audit log, the requests and answers that carried a
 * left-alive accessor or lease id: when, which node, which path, and the answer's error.
 */
function auditTrail(left: LiveIds): string {
  if (!auditDir) return "(no audit logs: set VAULTGATE_CLUSTER_AUDIT=1 to keep them)";
  const ids = [...left.accessors, ...left.leases];
  const lines: string[] = [];
  for (const file of readdirSync(auditDir).sort()) {
    for (const line of readFileSync(join(auditDir, file), "utf8").split("\n")) {
      const hit = ids.find((id) => line.includes(id));
      if (!hit) continue;
      const entry = JSON.parse(line) as {
        type?: string;
        time?: string;
        error?: string;
        request?: { path?: string; operation?: string };
        response?: { data?: unknown };
      };
      const error = entry.error ? ` error: ${entry.error}` : "";
      lines.push(
        `${entry.time} ${file.split(".")[0]} ${entry.type} ${entry.request?.operation} ${entry.request?.path} [${hit}]${error}`,
      );
    }
  }
  return lines.join("\n") || "(none of them appears in the audit logs)";
}

/** waitUntil polls `condition` every 100 ms for up to `ms`. */
async function waitUntil(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("a release train against a Raft cluster behind HAProxy", () => {
  it("50 jobs under a 30 req/s quota all succeed, and no token or lease outlives its job", async () => {
    const before = await cluster.liveIds();
    await cluster.setQuota(30);
    let outcomes: JobOutcome[];
    try {
      // A 2 s request timeout: under the quota many logins are answered later than that, and each
      // must still be waited for (a login abandoned then leaves the token the vault created for it).
      outcomes = await (await jobs(150, 1, 2)).done;
    } finally {
      await cluster.setQuota(undefined);
    }
    const failed = outcomes.filter((o) => o.result.code !== 0);
    expect(failed.map((o) => `job ${o.index}: exit ${o.result.code}\n${o.result.stderr.slice(-600)}`)).toEqual([]);
    for (const o of outcomes) expect(o.result.stdout).toContain("job-ok");
    // The quota was really hit, and the jobs retried through it.
    expect(cluster.balancerLog.some((e) => e.status === 429)).toBe(true);
    expect(outcomes.reduce((n, o) => n + (o.record?.requests.retries ?? 0), 0)).toBeGreaterThan(0);
    const slow = cluster.balancerLog.filter((e) => e.path.endsWith("/login") && e.status === 200 && e.ms > 2000);
    console.info(`logins answered after the 2 s request timeout (and waited for): ${slow.length}`);
    expectNoValue(outcomes);
    // Without any cleanup step: every token and lease of the 50 jobs is gone.
    await expectNothingLeft(before, outcomes);
  }, 300_000);

  it("the active node SIGKILLed mid-run: each job succeeds or fails with exit 5, and `vaultgate revoke` ends the rest", async () => {
    const before = await cluster.liveIds();
    await cluster.setQuota(30);
    let outcomes: JobOutcome[];
    let killed: string | undefined;
    try {
      const running = await jobs(120, 3);
      // Kill once every job holds a token (a login in flight at the kill could leave a
      // token no job knows of) while most are still reading or running their command.
      await waitUntil(() => running.loggedIn() === JOBS, 90_000);
      const active = await cluster.waitForLeader();
      killed = active.name;
      await cluster.kill(active, "SIGKILL");
      outcomes = await running.done;
    } finally {
      await cluster.setQuota(undefined).catch(() => undefined);
    }
    const node = cluster.nodes.find((n) => n.name === killed)!;
    // Requests were in flight when the leader died: the balancer answered for no node for a while.
    expect(cluster.balancerLog.some((e) => e.status === 503 || e.status === 502)).toBe(true);
    const failed = outcomes.filter((o) => o.result.code !== 0);
    for (const o of failed) {
      expect(o.result.code, o.result.stderr).toBe(5);
      expect(o.result.stderr).toMatch(/Error: .*\n(.*\n)*Hint: /);
      expect(o.result.stderr).toContain(cluster.addr);
      // ...and what the balancer last answered (a status, a refused or reset connection, no answer).
      expect(o.result.stderr).toMatch(/HTTP \d{3}|refused|reset|no answer|answered/);
    }
    const succeeded = outcomes.filter((x) => x.result.code === 0);
    for (const o of succeeded) {
      expect(o.result.stdout).toContain("job-ok");
      // Its revocation ran after the failover; if the election outlasted the 10 s budget, it says
      // what is left alive and keeps the state for the cleanup step.
      if (existsSync(o.statePath)) expect(o.result.stderr).toMatch(/Revocation did not finish .*still alive: the token/);
    }
    expectNoValue(outcomes);
    // The cluster is back: the cleanup step (after_script, finally) ends what the jobs left.
    await cluster.restart(node);
    await cluster.waitForLeader();
    for (const o of outcomes.filter((x) => existsSync(x.statePath))) {
      const revoked = await runCli(["revoke", "--state", o.statePath], o.env);
      expect(revoked.code, revoked.stderr).toBe(0);
    }
    await expectNothingLeft(before, outcomes, { leases: "report" });
  }, 300_000);

  it("a job started while no node is active waits within its deadline and succeeds once a leader is elected", async () => {
    const active = await cluster.waitForLeader();
    const standby = cluster.nodes.find((n) => n !== active && n.process)!;
    // Two of three nodes gone: the last one cannot elect itself, and the balancer has no healthy node.
    await cluster.kill(active, "SIGKILL");
    await cluster.kill(standby, "SIGKILL");
    expect(await cluster.activeNode()).toBeUndefined();
    const seenBefore = cluster.balancerLog.length;
    const dir = workdir();
    idBase += 1000;
    const running = await startLoadJobs({
      addr: cluster.addr,
      fixture: cluster.fixture,
      jobs: 1,
      kvReads: KV_READS,
      timeoutSeconds: 90,
      dir,
      idBase,
    });
    // The job is refused (503, no server) for a while and keeps waiting.
    expect(
      await waitUntil(
        () => cluster.balancerLog.slice(seenBefore).filter((e) => e.status === 503 && e.path.startsWith("/v1/auth/")).length >= 2,
        30_000,
      ),
    ).toBe(true);
    await cluster.restart(standby);
    const [outcome] = await running.done;
    expect(outcome?.result.code, outcome?.result.stderr).toBe(0);
    expect(outcome?.result.stdout).toContain("job-ok");
    await cluster.restart(active);
    await cluster.waitForLeader();
  }, 240_000);
});
