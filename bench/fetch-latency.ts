/**
 * fetch-latency — benchmark of issue 2: 50 distinct secrets read from a real OpenBao
 * through a loopback proxy that adds 20 ms to every request; wall time of the whole
 * fetch (login + mount lookup + reads) at concurrency 16 and 1, and their ratio.
 * Bar: ratio ≥ 6. Run: pnpm bench:fetch
 */
import { loadConfig, openSession, nullLogger, type Platform } from "@vaultgate/core";
import { gitlabIdToken, startFaultProxy, startTestVault } from "@vaultgate/test-harness";

const DELAY_MS = 20;
const RUNS = 5;

const vault = await startTestVault();
try {
  const fixture = vault.fixture;
  const proxy = await startFaultProxy(fixture.addr, () => ({ kind: "delay", ms: DELAY_MS }));
  const secrets = Array.from({ length: 50 }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return `secret/app/bulk/${n} value | BULK_${n}`;
  }).join("\n");

  const time = async (concurrency: number): Promise<{ ms: number; requests: number }> => {
    const env = { VAULT_ID_TOKEN: await gitlabIdToken(fixture) };
    const platform: Platform = { name: "gitlab", env, log: nullLogger, mask: () => {} };
    const config = loadConfig({
      inputs: { url: proxy.url, path: "jwt-gitlab", role: "deploy", secrets, concurrency: String(concurrency) },
      env: { GITLAB_CI: "true" },
      cwd: "/",
    });
    proxy.setScript(() => ({ kind: "delay", ms: DELAY_MS }));
    const started = performance.now();
    const session = await openSession({ config, platform });
    const result = await session.fetch();
    const ms = performance.now() - started;
    if (result.secrets.length !== 50) throw new Error(`expected 50 secrets, got ${result.secrets.length}`);
    const requests = proxy.requests.length;
    proxy.setScript(undefined);
    await session.revoke();
    session.close();
    return { ms, requests };
  };

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const parallel: number[] = [];
  const serial: number[] = [];
  let requests = 0;
  for (let i = 0; i < RUNS; i++) {
    const p = await time(16);
    parallel.push(p.ms);
    requests = p.requests;
    serial.push((await time(1)).ms);
  }
  const p = median(parallel);
  const s = median(serial);
  console.log(
    `fetch of 50 distinct secrets, +${DELAY_MS} ms per request (${requests} requests per fetch), median of ${RUNS} runs`,
  );
  console.log(`  concurrency 16: ${p.toFixed(0)} ms`);
  console.log(`  concurrency  1: ${s.toFixed(0)} ms`);
  console.log(`  ratio: ${(s / p).toFixed(1)} (bar: >= 6)`);
  await proxy.close();
} finally {
  await vault.stop();
}
