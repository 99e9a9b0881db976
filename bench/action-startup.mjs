// bench/action-startup.mjs — size and start-up time of the GitHub Actions' bundles (issue 4).
//
//   node bench/action-startup.mjs [--runs 30]          (pnpm bench:action; run build:actions first if sources changed)
//
// For each committed bundle — actions/secrets dist/index.js and dist/post/index.js,
// actions/check dist/index.js — prints the entry's size, the size with every lazily loaded
// chunk beside it, and that without the chunks only a run that uses AWS or telemetry loads
// (the AWS SDK, OpenTelemetry: each proven lazy by its own suite), which is what a Vault
// run can load at most and what the secrets action's entries are held to: the bar of
// hashicorp/vault-action v3.4's bundle (1,004,890 bytes, which has neither),
// and the time from spawning `node <bundle>` to the first HTTP request arriving at a
// loopback server that stands in for the first thing the step calls: the runner's ID
// token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) for the two main entries, the vault for
// the post entry (its state names the loopback server as the vault). The clock starts
// just before spawn() and stops when the request's headers arrive; the child is then
// killed. Runs are sequential; median, p90 and min over --runs (default 30, at least 20)
// against the 100 ms bar for the median. A reference row times `node -e 0` (the floor
// no bundle can beat), and the node version is printed, since the runner uses node24.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SIZE_BAR = 1_004_890;
const TIME_BAR_MS = 100;
const at = process.argv.indexOf("--runs");
const runs = Math.max(20, at === -1 ? 30 : Number(process.argv[at + 1]));

const server = createServer((req, res) => {
  server.emit("first-request", req);
  res.writeHead(503).end();
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const temp = mkdtempSync(join(tmpdir(), "vaultgate-bench-"));
for (const f of ["output", "env", "state", "summary"]) writeFileSync(join(temp, f), "");
const runnerEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: temp,
  GITHUB_ACTIONS: "true",
  RUNNER_TEMP: temp,
  GITHUB_OUTPUT: join(temp, "output"),
  GITHUB_ENV: join(temp, "env"),
  GITHUB_STATE: join(temp, "state"),
  GITHUB_STEP_SUMMARY: join(temp, "summary"),
  ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/_apis/idtoken?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "bench-request-token",
  INPUT_URL: base,
  INPUT_ROLE: "deploy",
  INPUT_AUDIENCE: "https://vault.example.com",
  INPUT_SECRETS: "secret/data/app/db password | DB_PASSWORD",
};
// The main step hands its post step the path of a 0600 state file.
const stateFile = join(temp, "vaultgate-state.json");
writeFileSync(
  stateFile,
  JSON.stringify({
    version: 1,
    vault: { url: base, tls: { skipVerify: false }, headers: {} },
    token: "s.bench",
    leases: [],
    files: [],
  }),
  { mode: 0o600 },
);

const cases = [
  { name: "reference: node -e 0 (exit)", args: ["-e", "0"], exit: true },
  { name: "actions/secrets dist/index.js", file: "actions/secrets/dist/index.js" },
  { name: "actions/secrets dist/post/index.js", file: "actions/secrets/dist/post/index.js", env: { STATE_vaultgate: stateFile } },
  // The check action has no vault-action counterpart, and it loads @actions/github's Octokit (542 KB) to post its
  // check run and PR comment: its sizes are printed, not held to vault-action's.
  { name: "actions/check dist/index.js", file: "actions/check/dist/index.js", noSizeBar: true },
];

/** once spawns the case and resolves with ms from spawn to the first request (or to exit for the reference). */
function once(c) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, c.args ?? [join(root, c.file)], { env: { ...runnerEnv, ...c.env }, stdio: "ignore" });
    const onRequest = () => {
      const ms = performance.now() - started;
      child.kill("SIGKILL");
      resolve(ms);
    };
    if (c.exit) child.on("exit", () => resolve(performance.now() - started));
    else server.once("first-request", onRequest);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!c.exit && code !== null) {
        server.off("first-request", onRequest);
        reject(new Error(`${c.name} exited (${code}) before any request`));
      }
    });
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`node ${process.version}, ${runs} runs per bundle, sequential\n`);
console.log(
  "bundle                                   entry     +chunks   Vault run  size bar   median    p90      min     time bar",
);
// A chunk that holds the AWS SDK or OpenTelemetry loads only for a run that uses them.
const optional = (text) => text.includes("AssumeRoleWithWebIdentity") || text.includes("@opentelemetry");
let failed = false;
for (const c of cases) {
  // The entry and the chunks of its lazy imports (N.index.js beside it): all it can load.
  const chunks = c.file
    ? readdirSync(join(root, dirname(c.file)))
        .filter((f) => /^\d+\.index\.js$/.test(f))
        .map((f) => join(root, dirname(c.file), f))
    : [];
  const entry = c.file ? statSync(join(root, c.file)).size : undefined;
  const all = entry === undefined ? undefined : entry + chunks.reduce((a, f) => a + statSync(f).size, 0);
  const bytes =
    entry === undefined
      ? undefined
      : entry + chunks.filter((f) => !optional(readFileSync(f, "utf8"))).reduce((a, f) => a + statSync(f).size, 0);
  await once(c); // warm the file cache
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once(c));
  times.sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  const sizeOk = bytes === undefined || c.noSizeBar || bytes < SIZE_BAR;
  const timeOk = c.exit || median < TIME_BAR_MS;
  failed ||= !sizeOk || !timeOk;
  console.log(
    `${c.name.padEnd(40)} ${[entry, all, bytes].map((b) => (b === undefined ? "" : String(b)).padStart(8)).join("  ")}  ${bytes === undefined || c.noSizeBar ? "    " : sizeOk ? "ok  " : "OVER"}  ` +
      `${median.toFixed(1).padStart(6)} ms ${quantile(times, 0.9).toFixed(1).padStart(6)} ms ${times[0].toFixed(1).padStart(6)} ms  ${c.exit ? "" : timeOk ? "ok" : "OVER"}`,
  );
}
server.close();
console.log(
  `\nbars: what a Vault run can load (entry + chunks, without the AWS SDK and OpenTelemetry ones) < ${SIZE_BAR.toLocaleString("en")} bytes; median spawn → first request < ${TIME_BAR_MS} ms`,
);
process.exitCode = failed ? 1 : 0;
