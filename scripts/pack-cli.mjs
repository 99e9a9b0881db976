#!/usr/bin/env node
// pack-cli.mjs — builds the `vaultgate` npm package that CI jobs install: the CLI and
// everything it needs bundled by ncc into one directory (no dependencies to resolve at
// install time), packed with `npm pack`. Prints the tarball's path.
//
// Usage: node scripts/pack-cli.mjs [--out DIR]     (default DIR: packages/cli/release)
// Next to the tarball it writes TARBALL.sha512 in `sha512sum -c` form, as the release attaches it.
// GitLab's before_script and Jenkins' withVaultgate install exactly this package, pinned
// by version (and verified by npm's integrity check), never with `curl | sh`.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "packages", "cli");
const outIndex = process.argv.indexOf("--out");
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(cli, "release"));
const pkg = JSON.parse(readFileSync(join(cli, "package.json"), "utf8"));
const staging = join(out, "package");

execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", cli], { stdio: "inherit" });
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
execFileSync(
  join(cli, "node_modules", ".bin", "ncc"),
  ["build", join(cli, "bin", "vaultgate.js"), "-o", join(staging, "dist"), "-m", "-q"],
  {
    stdio: "inherit",
  },
);
writeFileSync(join(staging, "vaultgate.js"), '#!/usr/bin/env node\nimport "./dist/index.js";\n', { mode: 0o755 });
cpSync(join(root, "LICENSE"), join(staging, "LICENSE"));
execFileSync(
  process.execPath,
  [join(root, "scripts", "third-party-notices.mjs"), cli, join(staging, "THIRD-PARTY-NOTICES.txt")],
  { stdio: "ignore" },
);
writeFileSync(
  join(staging, "README.md"),
  `# vaultgate\n\nShort-lived vault secrets for CI jobs, from the job's own OIDC identity: fetch, exec (masked), check, revoke.\nRun \`vaultgate --help\`. Documentation: ${pkg.repository.url.replace(/\.git$/, "")}\n`,
);
writeFileSync(
  join(staging, "package.json"),
  `${JSON.stringify(
    {
      name: "vaultgate",
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      type: "module",
      bin: { vaultgate: "vaultgate.js" },
      files: ["vaultgate.js", "dist", "README.md", "LICENSE", "THIRD-PARTY-NOTICES.txt"],
      engines: pkg.engines,
      repository: { type: "git", url: pkg.repository.url },
    },
    null,
    2,
  )}\n`,
);
const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: staging, encoding: "utf8" })
  .trim()
  .split("\n")
  .pop();
const digest = createHash("sha512")
  .update(readFileSync(join(out, tarball)))
  .digest("hex");
writeFileSync(join(out, `${tarball}.sha512`), `${digest}  ${tarball}\n`);
process.stdout.write(`${join(out, tarball)}\n`);
