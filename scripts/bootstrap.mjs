#!/usr/bin/env node
// bootstrap.mjs — the set-up behind the README's two commands (`npm run demo`,
// `npm test`) on a machine that has Node.js and npm but not pnpm.
//
// 1. Finds the pnpm version pinned in package.json's `packageManager` field; uses a pnpm
//    on PATH when it is exactly that version, otherwise installs that version with npm
//    into the user's cache directory (never globally, never from a hard-coded address).
// 2. Installs the workspace from the committed lockfile (`--frozen-lockfile`).
// 3. Runs the given package script with that pnpm.
// No dependencies: it runs before anything is installed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const script = process.argv[2];
if (!script) {
  process.stderr.write("usage: node scripts/bootstrap.mjs <package-script> [args...]\n");
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(manifest.packageManager ?? "");
if (!match) {
  process.stderr.write('bootstrap: package.json needs "packageManager": "pnpm@<x.y.z>"\n');
  process.exit(2);
}
const version = match[1];

function versionOf(bin) {
  try {
    return execFileSync(bin, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function findPnpm() {
  if (versionOf("pnpm") === version) return "pnpm";
  const cache = process.env.VAULTGATE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "vaultgate");
  const prefix = join(cache, "tools", `pnpm-${version}`);
  const bin = join(prefix, "node_modules", ".bin", "pnpm");
  if (existsSync(bin) && versionOf(bin) === version) return bin;
  process.stderr.write(`bootstrap: installing pnpm ${version} into ${prefix}\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = spawnSync(npm, ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", `pnpm@${version}`], {
    stdio: "inherit",
  });
  if (res.status !== 0 || versionOf(bin) !== version) {
    process.stderr.write(
      `bootstrap: could not install pnpm ${version} with npm; install it yourself (npm install -g pnpm@${version}) and retry\n`,
    );
    process.exit(1);
  }
  return bin;
}

const pnpm = findPnpm();
const env = { ...process.env, PATH: [dirname(pnpm === "pnpm" ? "" : pnpm), process.env.PATH].filter(Boolean).join(delimiter) };
const run = (args) => {
  const res = spawnSync(pnpm, args, { cwd: root, stdio: "inherit", env });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
run(["install", "--frozen-lockfile", "--prefer-offline"]);
run(["run", script, ...process.argv.slice(3)]);
