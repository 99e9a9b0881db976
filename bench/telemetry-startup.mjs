// bench/telemetry-startup.mjs — what telemetry adds to a run's start and end.
//
//   node bench/telemetry-startup.mjs [--runs 20]      (pnpm bench:telemetry; build first: pnpm run build:actions)
//
// Runs the built CLI (`vaultgate fetch --method token`) and the check action's bundled
// dist/index.js against a loopback stand-in vault that refuses the token (403), with
// telemetry off (no OTEL_* variables) and on (OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// loopback OTLP sink that accepts everything). For each it reports the median, p90 and
// min of two clocks, both started just before spawn(): "start" stops when the first
// request reaches the stand-in vault (what telemetry adds before the run's first real
// work: loading the SDK), "total" when the process exits (adding the export at the end).
// Off and on runs alternate, so a busy machine slows both alike.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = process.argv.indexOf("--runs");
const runs = Math.max(5, at === -1 ? 20 : Number(process.argv[at + 1]));

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

const vault = await listen((req, res) => {
  vault.server.emit("first-request");
  req.resume();
  res.writeHead(403, { "content-type": "application/json" }).end('{"errors":["permission denied"]}');
});
let exported = 0;
const sink = await listen((req, res) => {
  req.resume();
  req.on("end", () => {
    exported++;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});

const temp = mkdtempSync(join(tmpdir(), "vaultgate-bench-otel-"));
for (const f of ["output", "env", "state", "summary"]) writeFileSync(join(temp, f), "");
const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: temp, VAULT_ADDR: vault.url, VAULT_TOKEN: "bench-token" };
const cases = {
  "cli fetch": {
    args: [
      join(root, "packages/cli/bin/vaultgate.js"),
      "fetch",
      "--method",
      "token",
      "--out",
      join(temp, "out.env"),
      "-s",
      "secret/app x",
    ],
    env: base,
  },
  "action check": {
    args: [join(root, "actions/check/dist/index.js")],
    env: {
      ...base,
      GITHUB_ACTIONS: "true",
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: join(temp, "output"),
      GITHUB_ENV: join(temp, "env"),
      GITHUB_STATE: join(temp, "state"),
      GITHUB_STEP_SUMMARY: join(temp, "summary"),
      INPUT_URL: vault.url,
      INPUT_METHOD: "token",
      INPUT_TOKEN: "bench-token",
      INPUT_SECRETS: "secret/app x",
    },
  },
};

function once(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let start;
    const onFirst = () => (start ??= performance.now() - started);
    vault.server.once("first-request", onFirst);
    const child = spawn(process.execPath, args, { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => {
      vault.server.off("first-request", onFirst);
      resolve({ start: start ?? Number.NaN, total: performance.now() - started });
    });
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(0).padStart(5)} ms  p90 ${q(0.9).toFixed(0).padStart(5)} ms  min ${s[0].toFixed(0).padStart(5)} ms`;
};

console.log(`node ${process.version}, ${runs} runs each, off and on alternating (a shared machine slows both alike)`);
const floor = [];
for (let i = 0; i < runs; i++) floor.push((await once(["-e", "0"], base)).total);
console.log(`${"node -e 0".padEnd(13)}     total ${stats(floor)}   (the floor: a process that does nothing)`);
for (const [name, c] of Object.entries(cases)) {
  const results = { off: [], on: [] };
  for (let i = 0; i < runs; i++) {
    results.off.push(await once(c.args, c.env));
    results.on.push(await once(c.args, { ...c.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: "bench" }));
  }
  for (const mode of ["off", "on"]) {
    console.log(`${name.padEnd(13)} ${mode.padEnd(3)} start ${stats(results[mode].map((r) => r.start))}`);
    console.log(`${name.padEnd(13)} ${mode.padEnd(3)} total ${stats(results[mode].map((r) => r.total))}`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const added = (k) => (median(results.on.map((r) => r[k])) - median(results.off.map((r) => r[k]))).toFixed(0);
  console.log(`${name.padEnd(13)} added by telemetry (medians): start ${added("start")} ms, total ${added("total")} ms`);
}
console.log(`OTLP requests received by the sink: ${exported}`);
vault.server.close();
sink.server.close();
