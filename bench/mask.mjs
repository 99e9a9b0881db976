// bench/mask.mjs — throughput and memory of the streaming masker (issue 3).
//
//   npx tsc -b && node bench/mask.mjs [--sizes 64,256] [--secrets 50] [--lengths 32,8] [--repeat 3]
//
// Each case runs in a fresh child process so peak RSS is comparable between input sizes
// (and is timed after a 16 MiB warm-up, so both sizes measure steady state; each case
// streams its input --repeat times and prints the worst and best MiB/s):
// 50 random secrets of each length are registered with all their encodings, then log-like
// text with a secret (in one of its encodings) every ~4 KiB is streamed through
// SecretMasker.createStream() in 64 KiB chunks. Printed per case: patterns registered,
// MiB/s, peak RSS and its growth over the RSS before streaming, and masked runs counted
// in the output against secrets inserted (they must be equal: the match path is
// exercised, not only the skip path). A "sync" row per secret length times
// createChunkMasker() (one buffer per write) at the largest size. A reference line first
// shows the same pipeline with a PassThrough and with a Transform that copies each chunk.
import { spawnSync } from "node:child_process";
import { PassThrough, Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const CHUNK = 64 * 1024;
const POOL_CHUNKS = 64; // 4 MiB of distinct input, cycled
const MiB = 1024 * 1024;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
}

/** random: a seeded generator (mulberry32), so every run streams the same input. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const WORDS = "the step job fetched bytes from cache worker retry done ok build test deploy module package resolved".split(" ");

/** makePool builds POOL_CHUNKS chunks of log-like text with a secret every ~4 KiB. */
function makePool(secrets, next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const forms = [
    (s) => s,
    (s) => Buffer.from(s).toString("base64"),
    (s) => Buffer.from(`${s}\n`).toString("base64"),
    (s) => Buffer.from(`x${s}yz`).toString("base64"),
    (s) => Buffer.from(`xy${s}z`).toString("base64url"),
    (s) => encodeURIComponent(s),
    (s) => JSON.stringify(s).slice(1, -1),
    (s) => Buffer.from(s).toString("hex"),
  ];
  // One buffer, written line by line (the tail padded with spaces); it is then cut at fixed
  // offsets, so secrets straddle chunk boundaries.
  const body = Buffer.alloc(POOL_CHUNKS * CHUNK, 0x20);
  let size = 0;
  let inserted = 0;
  let sinceSecret = 0;
  for (;;) {
    let line = `2026-11-28T00:00:${String(Math.floor(next() * 60)).padStart(2, "0")}.${Math.floor(next() * 1000)}Z INFO `;
    for (let w = 0; w < 12; w++) line += `${pick(WORDS)} `;
    if (next() < 0.2)
      line += `sha512-${Buffer.from(Array.from({ length: 64 }, () => Math.floor(next() * 256))).toString("base64")} `;
    if (next() < 0.1) line += `commit ${Array.from({ length: 40 }, () => "0123456789abcdef"[Math.floor(next() * 16)]).join("")} `;
    const secret = sinceSecret > 4096;
    if (secret) line += `token=${pick(forms)(pick(secrets))} `;
    line += "\n";
    if (size + Buffer.byteLength(line) > body.length) break;
    size += body.write(line, size);
    sinceSecret = secret ? 0 : sinceSecret + line.length;
    if (secret) inserted++;
  }
  const chunks = [];
  for (let i = 0; i < POOL_CHUNKS; i++) chunks.push(body.subarray(i * CHUNK, (i + 1) * CHUNK));
  return { chunks, inserted };
}

/** starCounter counts runs of "*" across output chunks. */
function starCounter() {
  let previous = false;
  let runs = 0;
  return {
    add(buf) {
      for (let i = buf.indexOf(42); i !== -1; i = buf.indexOf(42, i + 1)) {
        if (!(i === 0 ? previous : buf[i - 1] === 42)) runs++;
      }
      if (buf.length > 0) previous = buf[buf.length - 1] === 42;
    },
    get runs() {
      return runs;
    },
  };
}

/** streamThrough pipes `total` pool chunks through `transform` and returns the seconds taken. */
async function streamThrough(chunks, total, transform, onChunk) {
  let i = 0;
  const source = Readable.from(
    (function* () {
      while (i < total) yield chunks[i++ % POOL_CHUNKS];
    })(),
  );
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      onChunk(chunk);
      callback();
    },
  });
  const started = performance.now();
  await pipeline(source, transform, sink);
  return (performance.now() - started) / 1000;
}

/** reference: the same pipeline with a PassThrough, and with a Transform that copies each chunk. */
async function reference() {
  const mib = Number(option("mib", "256"));
  const { chunks } = makePool(["reference-secret"], random(1));
  const total = (mib * MiB) / CHUNK;
  const pass = await streamThrough(chunks, total, new PassThrough(), () => {});
  const copy = new Transform({ transform: (chunk, _encoding, callback) => callback(null, Buffer.from(chunk)) });
  const copied = await streamThrough(chunks, total, copy, () => {});
  process.stdout.write(`${JSON.stringify({ passMiBs: mib / pass, copyMiBs: mib / copied })}\n`);
}

async function child() {
  const { SecretMasker } = await import("../packages/core/dist/index.js");
  const count = Number(option("secrets", "50"));
  const length = Number(option("length", "32"));
  const mib = Number(option("mib", "256"));
  const next = random(length * 1000 + count);
  const secrets = Array.from({ length: count }, () => Array.from({ length }, () => ALNUM[Math.floor(next() * 62)]).join(""));
  const masker = new SecretMasker();
  for (const s of secrets) masker.add(s);
  const { chunks, inserted } = makePool(secrets, next);
  const total = (mib * MiB) / CHUNK;
  // Warm up (compile the matcher, let V8 optimise) on 16 MiB, so both input sizes time steady state.
  await streamThrough(chunks, (16 * MiB) / CHUNK, masker.createStream(), () => {});
  const baseline = process.memoryUsage().rss;

  // Repeated passes over the same input: the machine is shared, so best and worst are printed.
  const repeat = Number(option("repeat", "3"));
  const seconds = [];
  const stars = starCounter();
  for (let pass = 0; pass < repeat; pass++) {
    const count = pass === 0 ? (chunk) => stars.add(chunk) : () => {};
    const started = performance.now();
    if (option("mode", "stream") === "sync") {
      // createChunkMasker: one buffer per write, so a copy whenever a write has several parts.
      const sync = masker.createChunkMasker();
      for (let j = 0; j < total; j++) count(sync.write(chunks[j % POOL_CHUNKS]));
      count(sync.end());
    } else {
      await streamThrough(chunks, total, masker.createStream(), count);
    }
    seconds.push((performance.now() - started) / 1000);
  }
  const result = {
    secrets: count,
    length,
    patterns: masker.patternCount,
    mib,
    bestMiBs: mib / Math.min(...seconds),
    worstMiBs: mib / Math.max(...seconds),
    baselineMiB: baseline / MiB,
    peakMiB: (process.resourceUsage().maxRSS * 1024) / MiB,
    masked: stars.runs,
    inserted: (inserted * total) / POOL_CHUNKS,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function parent() {
  const sizes = option("sizes", "64,256").split(",").map(Number);
  const lengths = option("lengths", "32,8").split(",").map(Number);
  const secrets = option("secrets", "50");
  const repeat = option("repeat", "3");
  const self = fileURLToPath(import.meta.url);
  const spawn = (args) => {
    const run = spawnSync(process.execPath, [self, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    if (run.status !== 0) throw new Error(`bench/mask.mjs ${args.join(" ")} failed`);
    return JSON.parse(run.stdout);
  };
  const ref = spawn(["--reference"]);
  console.log(`node ${process.version}, ${secrets} secrets per case, 64 KiB chunks, each case in a fresh process`);
  console.log(
    `reference, 256 MiB: PassThrough ${ref.passMiBs.toFixed(0)} MiB/s, copying Transform ${ref.copyMiBs.toFixed(0)} MiB/s\n`,
  );
  console.log("case                          patterns    input  MiB/s worst–best  peak RSS  growth  masked/inserted");
  let failed = false;
  for (const length of lengths) {
    const runs = sizes.map((mib) => ["stream", mib]).concat([["sync", Math.max(...sizes)]]);
    for (const [mode, mib] of runs) {
      const r = spawn([
        "--child",
        "--mode",
        mode,
        "--secrets",
        secrets,
        "--length",
        String(length),
        "--mib",
        String(mib),
        "--repeat",
        repeat,
      ]);
      const ok = r.masked === r.inserted;
      failed ||= !ok;
      console.log(
        [
          `${r.secrets} x ${r.length}-char, ${mode}`.padEnd(28),
          String(r.patterns).padStart(9),
          `${r.mib} MiB`.padStart(8),
          `${r.worstMiBs.toFixed(0)}–${r.bestMiBs.toFixed(0)}`.padStart(13),
          `${r.peakMiB.toFixed(0)} MiB`.padStart(9),
          `${(r.peakMiB - r.baselineMiB).toFixed(0)} MiB`.padStart(7),
          `${r.masked}/${r.inserted}${ok ? "" : "  MISMATCH"}`.padStart(16),
        ].join(" "),
      );
    }
  }
  if (failed) process.exitCode = 1;
}

if (process.argv.includes("--child")) await child();
else if (process.argv.includes("--reference")) await reference();
else parent();
