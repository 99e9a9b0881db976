// The release workflow's dry run (.github/workflows/release.yml, workflow_dispatch with
// dry-run: true) run by nektos/act on this host, in a clean clone of this repository:
// the versions check, the pack and the tarball check run for real, the publishing steps
// print what they would do. The tarball it packed is then opened here: exactly the
// package's files, its .sha512, the integrity the release notes carry, and a CLI that
// installs from it and runs. A tag that disagrees with the pinned versions is refused.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, baseEnv, ensureTool, runTool, type ToolRun } from "@vaultgate/test-harness";

const run = promisify(execFile);
const version = (JSON.parse(readFileSync(join(REPO_ROOT, "packages/cli/package.json"), "utf8")) as { version: string }).version;

let clone: string;
let act: ToolRun;
let scratch: string;

beforeAll(
  async () => {
    scratch = mkdtempSync(join(tmpdir(), "vaultgate-release-"));
    clone = join(scratch, "vaultgate");
    await run("git", ["clone", "--quiet", REPO_ROOT, clone]);
    const bin = await ensureTool("act");
    for (const f of ["env", "secrets"]) writeFileSync(join(scratch, f), "");
    // The pack goes where this test can open it after act has removed its own temp dir.
    writeFileSync(join(scratch, "vars"), `RELEASE_DIR=${join(scratch, "out")}\n`);
    act = await runTool(
      bin,
      [
      "workflow_dispatch",
      "-C", clone,
      "-W", join(clone, ".github/workflows/release.yml"),
      "-P", "ubuntu-latest=-self-hosted",
      "--input", `tag=v${version}`,
      "--input", "dry-run=true",
      "--action-cache-path", join(scratch, "cache"),
      "--action-offline-mode",
      "--no-cache-server",
      "--env-file", join(scratch, "env"),
      "--var-file", join(scratch, "vars"),
      "--secret-file", join(scratch, "secrets"),
    ], // prettier-ignore
      { cwd: clone, env: baseEnv({ HOME: process.env.HOME }), timeoutMs: 15 * 60 * 1000 },
    );
  },
  20 * 60 * 1000,
);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the release workflow (dry run, act)", () => {
  it("checks the versions, packs and checks the tarball, and prints each publishing step", () => {
    const log = act.stdout + act.stderr;
    expect(act.code, log).toBe(0);
    expect(log).toContain("🏁  Job succeeded");
    expect(log).toContain("dry run: npm publish --provenance --access public ");
    expect(log).toMatch(
      new RegExp(`dry run: gh release create v${version.replace(/\./g, "\\.")} \\S+\\.tgz \\S+\\.tgz\\.sha512`),
    );
    expect(log).toContain("dry run: git push --force origin refs/tags/v1");
    expect(log).toMatch(
      new RegExp(`dry run: git push <component project> [0-9a-f]{40}:refs/heads/main [0-9a-f]{40}:refs/tags/${version}`),
    );
  });

  it("packed a tarball with exactly the package's files, its .sha512 and the integrity the notes give", async () => {
    const log = act.stdout + act.stderr;
    const tarball = /dry run: npm publish --provenance --access public (\S+\.tgz)/.exec(log)?.[1] ?? "";
    expect(existsSync(tarball), `${tarball} (from the log)`).toBe(true);
    const bytes = readFileSync(tarball);
    const { stdout: listing } = await run("tar", ["-tzf", tarball]);
    const files = listing.trim().split("\n").sort();
    expect(files.filter((f) => !f.startsWith("package/dist/"))).toEqual(
      ["LICENSE", "README.md", "THIRD-PARTY-NOTICES.txt", "package.json", "vaultgate.js"].map((f) => `package/${f}`),
    );
    expect(files).toContain("package/dist/index.js");
    const { stdout: manifest } = await run("tar", ["-xzOf", tarball, "package/package.json"]);
    expect(JSON.parse(manifest)).toMatchObject({ name: "vaultgate", version, bin: { vaultgate: "vaultgate.js" } });
    expect(JSON.parse(manifest)).not.toHaveProperty("dependencies");
    const hex = createHash("sha512").update(bytes).digest("hex");
    expect(readFileSync(`${tarball}.sha512`, "utf8")).toBe(`${hex}  vaultgate-${version}.tgz\n`);
    const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
    expect(log).toContain(`integrity ${integrity}`);

    const prefix = join(scratch, "prefix");
    await run("npm", ["install", "--global", "--prefix", prefix, "--ignore-scripts", "--no-audit", "--no-fund", tarball]);
    const { stdout } = await run(join(prefix, "bin", "vaultgate"), ["--version"]);
    expect(stdout.trim()).toBe(version);
  });

  it("refuses a tag that is not the version every wrapper pins", async () => {
    const refused = await run(process.execPath, [join(REPO_ROOT, "scripts/release.mjs"), "versions", "v99.0.0"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((refused as { code: number }).code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain(`tag v99.0.0 but packages/cli/package.json says ${version}`);
    expect((refused as { stderr: string }).stderr).toContain("Options.groovy (DEFAULT_CLI_PACKAGE) says");
  });
});
