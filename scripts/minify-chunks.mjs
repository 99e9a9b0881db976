#!/usr/bin/env node
// minify-chunks.mjs — minifies the split chunks ncc writes beside an action's
// dist/index.js. `ncc build -m` minifies the entry bundle only and leaves each chunk of a
// lazy import() as plain webpack output (measured: the @actions/github chunk of the check
// action is 1,164,742 bytes as ncc writes it, 541,745 after this pass), so the build
// runs esbuild's transform over them. Usage: node scripts/minify-chunks.mjs DIST_DIR...
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.index\.js$/.test(name)) continue;
    const file = join(dir, name);
    const { code } = transformSync(readFileSync(file, "utf8"), {
      minify: true,
      format: "esm",
      target: "node20",
      legalComments: "none",
    });
    writeFileSync(file, code);
  }
}
