#!/usr/bin/env node
// third-party-notices.mjs — writes the licence notices of every third-party package a
// bundle contains: the production dependency closure of the given workspace package,
// resolved the way Node resolves it, each package's licence file copied verbatim.
//
// Usage: node scripts/third-party-notices.mjs <workspace package dir> <output file>
import { readFileSync, readdirSync, writeFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [from, out] = process.argv.slice(2);
if (!from || !out) {
  process.stderr.write("usage: third-party-notices.mjs <package dir> <output file>\n");
  process.exit(2);
}

/** packageDir finds the directory of `name` as seen from `dir` (via its package.json). */
function packageDir(name, dir) {
  const require = createRequire(join(dir, "package.json"));
  const paths = require.resolve.paths(name) ?? [];
  for (const base of paths) {
    try {
      const candidate = join(base, name);
      readFileSync(join(candidate, "package.json"));
      return realpathSync(candidate);
    } catch {
      // not in this node_modules
    }
  }
  throw new Error(`cannot resolve ${name} from ${dir}`);
}

const seen = new Map();
function visit(dir, root) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (!root) {
    if (seen.has(dir)) return;
    seen.set(dir, manifest);
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) visit(packageDir(name, dir), false);
}
visit(realpathSync(resolve(from)), true);

const sections = [...seen.entries()]
  .filter(([, m]) => !m.name.startsWith("@vaultgate/"))
  .sort(([, a], [, b]) => a.name.localeCompare(b.name))
  .map(([dir, m]) => {
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${m.license ?? "see the package"}`;
    return `${m.name}@${m.version} (${m.license ?? "unknown"})\n${"-".repeat(60)}\n${text}\n`;
  });
writeFileSync(out, `Third-party software bundled in this file set, with its licence notices.\n\n${sections.join("\n")}`);
process.stdout.write(`${out}: ${sections.length} packages\n`);
