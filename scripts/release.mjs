#!/usr/bin/env node
// release.mjs — the checks .github/workflows/release.yml runs before it publishes anything.
//
//   node scripts/release.mjs versions TAG      TAG (v1.2.3) must be the version of the CLI
//                                              package, of both GitLab components' cli-version
//                                              default and of the Jenkins library's pinned
//                                              package; prints the version.
//   node scripts/release.mjs tarball FILE.tgz  the packed CLI holds exactly its files, names
//                                              the version, and matches FILE.tgz.sha512;
//                                              prints its integrity (sha512-…).
// Exits 1 with the reason when a check fails. No dependencies: runs before any install.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The files the `vaultgate` package ships (dist/ holds the bundle). */
export const TARBALL_FILES = ["LICENSE", "README.md", "THIRD-PARTY-NOTICES.txt", "package.json", "vaultgate.js"];

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

/** pinnedVersions reads every version a release must agree on. */
function pinnedVersions() {
  const cli = JSON.parse(readFileSync(join(root, "packages/cli/package.json"), "utf8")).version;
  const pins = { "packages/cli/package.json": cli };
  for (const name of ["secrets", "check"]) {
    const file = `actions/gitlab/templates/${name}.yml`;
    const m = /cli-version:\n(?:\s+\w+:.*\n)*?\s+default: "([^"]+)"/.exec(readFileSync(join(root, file), "utf8"));
    pins[`${file} (cli-version default)`] = m?.[1];
  }
  const options = "actions/jenkins/src/io/vaultgate/jenkins/Options.groovy";
  const jenkins = /DEFAULT_CLI_PACKAGE = 'vaultgate@([^']+)'/.exec(readFileSync(join(root, options), "utf8"));
  pins[`${options} (DEFAULT_CLI_PACKAGE)`] = jenkins?.[1];
  return pins;
}

function versions(tag) {
  const version = /^v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag ?? "")?.[1];
  if (!version) fail(`"${tag}" is not a release tag (v1.2.3)`);
  const wrong = Object.entries(pinnedVersions()).filter(([, v]) => v !== version);
  if (wrong.length > 0) fail(`tag ${tag} but ${wrong.map(([file, v]) => `${file} says ${v ?? "nothing"}`).join("; ")}`);
  process.stdout.write(`${version}\n`);
}

function tarball(file) {
  const bytes = readFileSync(file);
  const listed = execFileSync("tar", ["-tzf", file], { encoding: "utf8" }).trim().split("\n").sort();
  const top = listed.filter((p) => !p.startsWith("package/dist/")).map((p) => p.replace(/^package\//, ""));
  if (JSON.stringify(top) !== JSON.stringify(TARBALL_FILES))
    fail(`${file} holds ${top.join(", ")}; expected ${TARBALL_FILES.join(", ")} and dist/`);
  if (!listed.includes("package/dist/index.js")) fail(`${file} has no dist/index.js`);
  const manifest = JSON.parse(execFileSync("tar", ["-xzOf", file, "package/package.json"], { encoding: "utf8" }));
  const cli = JSON.parse(readFileSync(join(root, "packages/cli/package.json"), "utf8"));
  if (manifest.name !== "vaultgate" || manifest.version !== cli.version) fail(`${file} is ${manifest.name}@${manifest.version}`);
  if (manifest.dependencies || manifest.scripts) fail(`${file} declares dependencies or scripts; the bundle must need neither`);
  if (basename(file) !== `vaultgate-${cli.version}.tgz`) fail(`${file} is not named vaultgate-${cli.version}.tgz`);
  const sum = readFileSync(`${file}.sha512`, "utf8");
  const hex = createHash("sha512").update(bytes).digest("hex");
  if (sum !== `${hex}  ${basename(file)}\n`) fail(`${file}.sha512 does not match the tarball`);
  process.stdout.write(`sha512-${createHash("sha512").update(bytes).digest("base64")}\n`);
}

const [command, arg] = process.argv.slice(2);
if (command === "versions") versions(arg);
else if (command === "tarball" && arg) tarball(arg);
else fail("usage: node scripts/release.mjs versions TAG | tarball FILE.tgz");
