/**
 * fetch-floor — the secrets action against its round-trip floor (pnpm bench:fetch).
 *
 * A real OpenBao holds 200 KV v2 secrets; a loopback proxy in front of it adds 20 ms to
 * every request. For N = 10, 50 and 200 secrets (vault-action's `path key | NAME` lines),
 * the action's committed dist/index.js is spawned as the runner spawns it (INPUT_* env,
 * GITHUB_OUTPUT/GITHUB_ENV files, the ID-token service on loopback) and timed from spawn
 * to exit. The floor is what no client can beat: `node -e 0` (spawned the same way) plus
 * (1 login + ⌈N/c⌉ reads) round trips of 20 ms, c being the action's concurrency. The bar
 * is ≤ 1.3× the floor at N = 50 and 200.
 *
 * Per case it prints the median and min wall time over --runs (default 9), the ratio of
 * the median to the floor, the requests the vault proxy saw per run (and their kinds),
 * the CPU time of the process (user + system, from its own resource usage at exit), and
 * the time from spawn to the first request (the ID-token service).
 *
 * Each N also times bench/bare-client.mjs, the same job done by the least a Node.js program
 * can do (no masking, checks or retries): the floor in practice on this machine, where the
 * vault, the proxy and the client share its cores.
 *
 * Side by side: VAULT_ACTION_DIST=/path/to/vault-action/dist/index.js times that bundle on
 * the same vault with the same inputs (its code is never part of this repository).
 *
 *   pnpm bench:fetch [--runs 9] [--sizes 10,50,200] [--concurrency 32] [--style data|plain]
 *
 * Pinned: `taskset -c 0 env BENCH_ACTION_CPUS=1 pnpm bench:fetch` keeps the vault, the
 * proxies and the ID-token service on CPU 0 and runs the action (and `node -e 0`) on CPU 1,
 * so the action's time is not the vault's CPU time on a small machine.
 *
 * `--style plain` writes paths as vaultgate's docs do (`secret/app/x`), which needs the
 * mount lookup; `data` (default) writes them as vault-action users do (`secret/data/app/x`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { DEFAULT_FETCH } from "@vaultgate/core";
import {
  ACTIONS,
  FIXTURE_MOUNTS,
  VaultAdmin,
  randomSecret,
  startFaultProxy,
  startGitHubOidc,
  startTestVault,
} from "@vaultgate/test-harness";

const DELAY_MS = 20;
const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const RUNS = Number(arg("runs", "9"));
const SIZES = arg("sizes", "10,50,200").split(",").map(Number);
const CONCURRENCY = Number(arg("concurrency", String(DEFAULT_FETCH.concurrency)));
const STYLE = arg("style", "data");
const MAX = Math.max(...SIZES);
const other = process.env.VAULT_ACTION_DIST;
// The practical floor on this machine: the same job with no masking, checks or retries (bench/bare-client.mjs).
const BARE_CLIENT = fileURLToPath(new URL("./bare-client.mjs", import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// The child writes its own resource usage at exit: CPU time without a wrapper process.
const scratch = mkdtempSync(join(tmpdir(), "vaultgate-bench-fetch-"));
const usageHook = join(scratch, "usage.cjs");
writeFileSync(
  usageHook,
  'process.on("exit", () => { const u = process.resourceUsage(); require("fs").writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ user: u.userCPUTime, system: u.systemCPUTime, rss: u.maxRSS })); });\n',
);

interface Run {
  ms: number;
  cpuMs: number;
  firstRequestMs: number;
  requests: string[];
  code: number | null;
}

const vault = await startTestVault();
try {
  const fixture = vault.fixture;
  const admin = new VaultAdmin(fixture.addr, fixture.rootToken);
  const values: string[] = [];
  for (let i = 0; i < MAX; i++) {
    values.push(randomSecret());
    await admin.putKv2("secret", `app/bench/${String(i).padStart(3, "0")}`, { value: values[i] });
  }
  const proxy = await startFaultProxy(fixture.addr, () => ({ kind: "delay", ms: DELAY_MS }));
  const oidc = await startGitHubOidc(fixture.issuers.github, { repository: "acme/app", ref: "refs/heads/main" });
  // The ID-token service is reached through a proxy without delay, which records when the first request arrived.
  const oidcUrl = new URL(oidc.env.ACTIONS_ID_TOKEN_REQUEST_URL);
  const tokenProxy = await startFaultProxy(oidcUrl.origin);
  const tokenUrl = `${tokenProxy.url}${oidcUrl.pathname}${oidcUrl.search}`;

  const secretsFor = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const id = String(i).padStart(3, "0");
      return `secret/${STYLE === "plain" ? "" : "data/"}app/bench/${id} value | BENCH_${id}`;
    }).join(" ;\n");

  const runOnce = async (entry: string, inputs: Record<string, string>, expect: number): Promise<Run> => {
    const dir = mkdtempSync(join(scratch, "job-"));
    const files = {
      output: join(dir, "output"),
      env: join(dir, "env"),
      state: join(dir, "state"),
      summary: join(dir, "summary"),
    };
    for (const f of Object.values(files)) writeFileSync(f, "");
    const usageFile = join(dir, "usage.json");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      GITHUB_ACTIONS: "true",
      CI: "true",
      RUNNER_TEMP: dir,
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_RUN_ID: "7000000001",
      GITHUB_REPOSITORY: "acme/app",
      ACTIONS_ID_TOKEN_REQUEST_URL: tokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      NODE_OPTIONS: `--require ${usageHook}`,
      BENCH_USAGE_FILE: usageFile,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    const before = proxy.requests.length;
    const tokenBefore = tokenProxy.requests.length;
    const started = performance.now();
    const startedAt = Date.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      // BENCH_NODE_ARGS go before the bundle, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
      const node = [process.execPath, ...(entry === "-e" ? ["-e", "0"] : [...extra, entry])];
      // BENCH_ACTION_CPUS pins the spawned process (and the floor's node) to those CPUs with taskset.
      const cpus = process.env.BENCH_ACTION_CPUS;
      const [command, ...args] = cpus ? ["taskset", "-c", cpus, ...node] : node;
      const child = spawn(command!, args, {
        env,
        cwd: dir,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.on("error", reject);
      child.on("close", (c) => resolve({ code: c, stderr: err }));
    });
    const ms = performance.now() - started;
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { user: number; system: number };
    const requests = proxy.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    const first = tokenProxy.requests[tokenBefore]?.at;
    if (entry !== "-e") {
      const out = readFileSync(files.env, "utf8") + readFileSync(files.output, "utf8");
      const found = values.slice(0, expect).filter((v) => out.includes(v)).length;
      if (code !== 0 || found !== expect)
        throw new Error(`run failed (exit ${code}, ${found}/${expect} values): ${stderr.slice(0, 2000)}`);
    }
    if (process.env.BENCH_TIMELINE && entry !== "-e") {
      // When each request reached the proxies (ms after spawn), for finding where a run spends its time.
      const seen = proxy.requests.slice(before).map((r) => r.at - startedAt);
      console.log(
        `timeline N=${expect}: token ${first === undefined ? "?" : first - startedAt}, login ${seen[0]}, reads ${seen[1]}…${seen.at(-1)}, exit ${ms.toFixed(0)}`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    return {
      ms,
      cpuMs: (usage.user + usage.system) / 1000,
      firstRequestMs: first === undefined ? NaN : first - startedAt,
      requests,
      code,
    };
  };

  const series = async (entry: string, inputs: Record<string, string>, n: number): Promise<Run[]> => {
    await runOnce(entry, inputs, n); // warm-up: file cache, vault caches
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(entry, inputs, n));
    return runs;
  };

  const nodeStart = median((await series("-e", {}, 0)).map((r) => r.ms));
  console.log(
    `node ${process.version}; +${DELAY_MS} ms per vault request; ${RUNS} runs per case (median, min); paths ${STYLE === "plain" ? "secret/app/…" : "secret/data/app/…"}`,
  );
  console.log(`node -e 0: ${nodeStart.toFixed(1)} ms (median); concurrency c = ${CONCURRENCY}`);
  console.log("");
  console.log("| bundle | N | floor ms | median ms | min ms | × floor | requests | CPU ms | spawn → 1st request ms |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

  const kinds = (requests: string[]) => {
    const counts = new Map<string, number>();
    for (const r of requests) {
      const kind = r.includes("/auth/")
        ? "login"
        : r.includes("sys/internal/ui/mounts")
          ? "mount lookup"
          : r.includes("revoke")
            ? "revoke"
            : "read";
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    return [...counts].map(([k, v]) => `${v} ${k}`).join(", ");
  };

  const notes: string[] = [];
  for (const n of SIZES) {
    const floor = nodeStart + (1 + Math.ceil(n / CONCURRENCY)) * DELAY_MS;
    const inputs: Record<string, string> = {
      url: proxy.url,
      method: "jwt",
      path: FIXTURE_MOUNTS.github,
      role: "deploy",
      jwtGithubAudience: fixture.audience,
      secrets: secretsFor(n),
      exportEnv: "true",
      concurrency: String(CONCURRENCY),
    };
    const bundles: [string, string, Record<string, string>][] = [
      ["bare client", BARE_CLIENT, inputs],
      ["vaultgate", ACTIONS.secrets.main, inputs],
    ];
    if (other) {
      const theirs = Object.fromEntries(Object.entries(inputs).filter(([name]) => name !== "concurrency"));
      bundles.push(["vault-action", other, theirs]);
    }
    for (const [name, entry, given] of bundles) {
      const runs = await series(entry, given, n);
      const med = median(runs.map((r) => r.ms));
      const min = Math.min(...runs.map((r) => r.ms));
      const requests = runs[0]?.requests ?? [];
      console.log(
        `| ${name} | ${n} | ${floor.toFixed(0)} | ${med.toFixed(0)} | ${min.toFixed(0)} | ${(med / floor).toFixed(2)} | ${requests.length} | ${median(runs.map((r) => r.cpuMs)).toFixed(0)} | ${median(runs.map((r) => r.firstRequestMs)).toFixed(0)} |`,
      );
      notes.push(`${name} N=${n}: ${kinds(requests)}`);
    }
  }
  console.log("");
  for (const line of notes) console.log(line);
  await Promise.all([proxy.close(), tokenProxy.close(), oidc.close()]);
} finally {
  await vault.stop();
  rmSync(scratch, { recursive: true, force: true });
}
