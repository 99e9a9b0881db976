/**
 * load — the release-train benchmark: N concurrent `vaultgate exec` jobs (separate
 * processes, own identities) against a 3-node OpenBao Raft cluster behind HAProxy.
 * Each job logs in, reads 20 KV secrets and one PKI certificate (a lease), runs a short
 * command and revokes. Scenarios: no quota; a 30 req/s rate-limit quota; the quota and
 * the active node SIGKILLed once mid-run (when half the jobs have logged in). After
 * each run `vaultgate revoke` cleans up every job that kept its state (it failed, or its
 * revocation did not finish within its budget), as a CI cleanup step would. Reports success rate, p50/p95/p99
 * job time, requests, 429s and 5xx seen by the balancer, retries per job, the vault's
 * request rate over time, and the tokens and leases left alive. Bounded: at most the
 * given job counts, each job killed past its deadline plus a minute.
 *
 * Run: pnpm bench:load [--jobs 50,100] [--scenarios none,quota,failover] [--quota 30] [--kv 20]
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCli, startLoadJobs, startRaftCluster, type JobOutcome, type RaftCluster } from "@vaultgate/test-harness";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "50,100" },
    scenarios: { type: "string", default: "none,quota,failover" },
    quota: { type: "string", default: "30" },
    kv: { type: "string", default: "20" },
  },
});
const jobCounts = values.jobs.split(",").map(Number);
const scenarios = values.scenarios.split(",") as ("none" | "quota" | "failover")[];
const quota = Number(values.quota);
const kvReads = Number(values.kv);

interface Row {
  scenario: string;
  jobs: number;
  ok: number;
  exit5: number;
  other: number;
  p50: number;
  p95: number;
  p99: number;
  wallS: number;
  requests: number;
  r429: number;
  r5xx: number;
  /** The 5xx by status and HAProxy termination state (`503 SC--`: no healthy server). */
  kinds5xx: string;
  /** The 1-minute load average at the start and the end of the run. */
  load: string;
  retriesMean: number;
  retriesMax: number;
  rateMax: number;
  rateMean: number;
  dispersion: number;
  series: string;
  /** The failed jobs' first error lines (addresses and paths generalised), counted. */
  errors: string[];
  /** Jobs that kept their state for the cleanup step (failed, or revocation not finished in its budget). */
  kept: number;
  leftAfterJobs: string;
  leftAfterCleanup: string;
}

const cluster = await startRaftCluster();
const rows: Row[] = [];
let idBase = 0;
try {
  for (const jobs of jobCounts) {
    for (const scenario of scenarios) rows.push(await run(cluster, jobs, scenario));
  }
} finally {
  await cluster.stop();
}
print(rows);

async function run(c: RaftCluster, jobs: number, scenario: "none" | "quota" | "failover"): Promise<Row> {
  await c.waitForLeader();
  const before = await c.liveIds();
  const loadStart = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-bench-load-"));
  if (scenario !== "none") await c.setQuota(quota);
  const logStart = c.balancerLog.length;
  const started = Date.now();
  idBase += 10_000;
  let outcomes: JobOutcome[];
  let killed: (typeof c.nodes)[number] | undefined;
  try {
    const running = await startLoadJobs({
      addr: c.addr,
      fixture: c.fixture,
      jobs,
      kvReads,
      timeoutSeconds: 240,
      dir,
      idBase,
    });
    if (scenario === "failover") {
      while (running.loggedIn() < jobs / 2 && Date.now() - started < 120_000) await sleep(100);
      killed = await c.activeNode();
      if (killed) await c.kill(killed, "SIGKILL");
    }
    outcomes = await running.done;
  } finally {
    if (scenario !== "none") await c.setQuota(undefined).catch(() => undefined);
  }
  const wallS = (Date.now() - started) / 1000;
  const loadEnd = loadavg()[0] ?? 0;
  const log = c.balancerLog.slice(logStart).filter((e) => e.at >= started && e.path !== "/v1/sys/health");
  const afterJobs = await settle(c, before);
  if (killed) {
    await c.restart(killed);
    await c.waitForLeader();
  }
  // The cleanup step (after_script, finally): every job that kept its state — it failed, or its
  // revocation did not finish within its budget and it said so.
  const kept = outcomes.filter((x) => existsSync(x.statePath));
  for (const o of kept) await runCli(["revoke", "--state", o.statePath], o.env);
  const afterCleanup = await settle(c, before);
  rmSync(dir, { recursive: true, force: true });

  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const retries = outcomes.map((o) => o.record?.requests.retries ?? 0);
  const perSecond = buckets(log, started, 1000);
  const per100ms = buckets(log, started, 100);
  return {
    scenario: scenario === "none" ? "no quota" : scenario === "quota" ? `quota ${quota}/s` : `quota ${quota}/s + leader SIGKILL`,
    jobs,
    ok: outcomes.filter((o) => o.result.code === 0).length,
    exit5: outcomes.filter((o) => o.result.code === 5).length,
    other: outcomes.filter((o) => o.result.code !== 0 && o.result.code !== 5).length,
    p50: pct(times, 0.5),
    p95: pct(times, 0.95),
    p99: pct(times, 0.99),
    wallS,
    requests: log.length,
    r429: log.filter((e) => e.status === 429).length,
    r5xx: log.filter((e) => e.status >= 500).length,
    kinds5xx: kinds(log.filter((e) => e.status >= 500).map((e) => `${e.status} ${e.termination}`)),
    load: `${loadStart.toFixed(1)}–${loadEnd.toFixed(1)}`,
    retriesMean: retries.reduce((a, b) => a + b, 0) / jobs,
    retriesMax: Math.max(...retries),
    rateMax: Math.max(...perSecond),
    rateMean: log.length / Math.max(1, perSecond.length),
    dispersion: variance(per100ms) / Math.max(1e-9, mean(per100ms)),
    series: perSecond.join(" "),
    errors: errorSummary(outcomes),
    kept: kept.length,
    leftAfterJobs: delta(afterJobs),
    leftAfterCleanup: delta(afterCleanup),
  };
}

type LiveIds = { accessors: string[]; leases: string[] };

/** settle waits up to 30 s for the vault to finish revoking (it does so in the background), then lists what is alive. */
async function settle(c: RaftCluster, before: LiveIds): Promise<LiveIds> {
  let left = added(await c.liveIds(), before);
  for (let i = 0; i < 60 && left.accessors.length + left.leases.length > 0; i++) {
    await sleep(500);
    left = added(await c.liveIds(), before);
  }
  return left;
}

/** added lists what is alive now and was not in `before`. */
function added(now: LiveIds, before: LiveIds): LiveIds {
  return {
    accessors: now.accessors.filter((a) => !before.accessors.includes(a)),
    leases: now.leases.filter((l) => !before.leases.includes(l)),
  };
}

function kinds(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of items) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(", ") || "none";
}

function errorSummary(outcomes: readonly JobOutcome[]): string[] {
  const counts = new Map<string, number>();
  for (const o of outcomes.filter((x) => x.result.code !== 0)) {
    const line = /Error: .*/.exec(o.result.stderr)?.[0] ?? `exit ${o.result.code}, no Error: line`;
    const key = line
      .replace(/127\.0\.0\.1:\d+/g, "ADDR")
      .replace(/\/tmp\/\S+/g, "FILE")
      .replace(/\b\d{4,}\b/g, "N");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => `${n}× ${line}`);
}

function buckets(log: readonly { at: number }[], from: number, width: number): number[] {
  const last = Math.max(from, ...log.map((e) => e.at));
  const out = new Array<number>(Math.floor((last - from) / width) + 1).fill(0);
  for (const e of log) out[Math.floor((e.at - from) / width)]!++;
  return out;
}

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}
function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length);
}
function delta(left: LiveIds): string {
  return `${left.accessors.length} tokens, ${left.leases.length} leases`;
}
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function print(all: readonly Row[]): void {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  console.log(`\n${kvReads} KV reads + 1 PKI lease per job; shared 2-core machine (other work was running)\n`);
  console.log(
    "| scenario | jobs | ok | exit 5 | other | p50 s | p95 s | p99 s | wall s | requests | 429s | 5xx | retries/job (mean, max) | req/s (mean, max) | dispersion | left after jobs | states kept | left after cleanup | load avg |",
  );
  console.log(
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- | --: | --- | --- |",
  );
  for (const r of all) {
    console.log(
      `| ${r.scenario} | ${r.jobs} | ${r.ok} | ${r.exit5} | ${r.other} | ${s(r.p50)} | ${s(r.p95)} | ${s(r.p99)} | ${r.wallS.toFixed(1)} | ${r.requests} | ${r.r429} | ${r.r5xx} | ${r.retriesMean.toFixed(1)}, ${r.retriesMax} | ${r.rateMean.toFixed(0)}, ${r.rateMax} | ${r.dispersion.toFixed(1)} | ${r.leftAfterJobs} | ${r.kept} | ${r.leftAfterCleanup} | ${r.load} |`,
    );
  }
  console.log("\nrequests per second seen by the balancer, from the start of each run:");
  for (const r of all) console.log(`- ${r.scenario}, ${r.jobs} jobs: ${r.series}`);
  console.log("\n5xx seen by the balancer (status, HAProxy termination state):");
  for (const r of all) console.log(`- ${r.scenario}, ${r.jobs} jobs: ${r.kinds5xx}`);
  console.log("\nwhy jobs failed:");
  for (const r of all) for (const e of r.errors) console.log(`- ${r.scenario}, ${r.jobs} jobs: ${e}`);
}
