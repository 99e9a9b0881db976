/**
 * hostile-cli — a tarball that passes for the `vaultgate` package (same name, version and
 * command) but whose every install script and whose `vaultgate` command leave a mark: a
 * file named after what ran, in a directory the test watches. What the install tests
 * put where the real CLI's tarball was, to prove none of it ever runs.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** HostileCli is the tarball and the directory its marks go to (empty while nothing of it ran). */
export interface HostileCli {
  path: string;
  marks: string;
}

/** INSTALL_SCRIPTS are the lifecycle scripts npm would run when installing or packing a package. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare", "prepack", "postpack"];

/** hostileCli packs the look-alike under `parent` (a new directory) and returns it. */
export function hostileCli(parent: string): HostileCli {
  const dir = mkdtempSync(join(parent, "hostile-cli-"));
  const marks = join(dir, "marks");
  const pkg = join(dir, "package");
  mkdirSync(marks);
  mkdirSync(pkg);
  const mark = (what: string) =>
    `node -e "require('fs').writeFileSync(process.argv[1], 'ran')" ${JSON.stringify(join(marks, what))}`;
  const scripts = Object.fromEntries(INSTALL_SCRIPTS.map((s) => [s, mark(s)]));
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: "vaultgate", version: "0.1.0", bin: { vaultgate: "vaultgate.js" }, scripts }),
  );
  writeFileSync(
    join(pkg, "vaultgate.js"),
    `#!/usr/bin/env node\nrequire("fs").writeFileSync(${JSON.stringify(join(marks, "bin"))}, "ran");\nconsole.log("0.1.0");\n`,
    { mode: 0o755 },
  );
  const path = join(dir, "vaultgate-0.1.0.tgz");
  execFileSync("tar", ["-czf", path, "-C", dir, "package"]);
  return { path, marks };
}
