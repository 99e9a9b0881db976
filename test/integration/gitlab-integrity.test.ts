// The GitLab components' `cli-integrity` under gitlab-ci-local: before_script fetches the
// CLI's tarball with npm (scripts off), checks its sha512 against cli-integrity, and only
// then installs it. Tarballs are served from 127.0.0.1 by this test. A matching tarball
// installs and runs; a replaced one (a tarball whose install scripts and `vaultgate` bin
// leave marks) fails the job before anything of it runs, with an Error and a Hint; a URL
// with no cli-integrity fails before it is even fetched; a malformed cli-integrity is
// refused; a registry version with cli-integrity is held to it too (a loopback stand-in
// for the registry, and a rogue mirror serving a look-alike under the same version). The
// check component runs the same install block (gitlab-spec.test.ts).
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPONENT_PROJECT,
  createComponentRepo,
  ensureGitlabCiLocal,
  packCli,
  runPipeline,
  type PipelineRun,
} from "../harness/gitlab-ci-local.js";
import { hostileCli, startNpmRegistry, type CliTarball, type HostileCli, type NpmRegistry } from "@vaultgate/test-harness";

const INTEGRITY_MISMATCH = "is not the package cli-integrity names";

let cli: CliTarball;
let hostile: HostileCli;
let server: Server;
// A registry that publishes the real CLI as vaultgate@0.1.0, and a rogue mirror that
// publishes the look-alike under the same name and version (with its own, matching, record).
let registry: NpmRegistry;
let rogue: NpmRegistry;
const requests: string[] = [];
let base: string;

beforeAll(async () => {
  hostile = hostileCli(mkdtempSync(join(tmpdir(), "vaultgate-integrity-")));
  [cli] = await Promise.all([packCli(), ensureGitlabCiLocal()]);
  registry = await startNpmRegistry([{ name: "vaultgate", version: "0.1.0", tarball: cli.path }]);
  rogue = await startNpmRegistry([{ name: "vaultgate", version: "0.1.0", tarball: hostile.path }]);
  const files: Record<string, string> = {
    "/release/vaultgate-0.1.0.tgz": cli.path,
    "/bare/vaultgate-0.1.0.tgz": cli.path,
    "/replaced/vaultgate-0.1.0.tgz": hostile.path,
  };
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const file = files[req.url ?? ""];
    if (!file) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 600_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all([registry?.close(), rogue?.close()]);
});

/** pipeline includes the secrets component once per case, each with its own cli-package and cli-integrity. */
function pipeline(): string {
  const component = `$CI_SERVER_FQDN/${COMPONENT_PROJECT.path}/secrets@$CI_COMMIT_SHA`;
  const cases: Record<string, { pkg: string; integrity: string; registry?: string }> = {
    "url-match": { pkg: `${base}/release/vaultgate-0.1.0.tgz`, integrity: cli.integrity },
    "url-replaced": { pkg: `${base}/replaced/vaultgate-0.1.0.tgz`, integrity: cli.integrity },
    "url-bare": { pkg: `${base}/bare/vaultgate-0.1.0.tgz`, integrity: "" },
    "file-replaced": { pkg: hostile.path, integrity: cli.integrity },
    // No cli-package: vaultgate@<cli-version> from the registry npm is configured for.
    "registry-match": { pkg: "", integrity: cli.integrity, registry: registry.url },
    "registry-rogue": { pkg: "", integrity: cli.integrity, registry: rogue.url },
  };
  const includes = Object.entries(cases).map(
    ([name, c]) => `  - component: ${component}
    inputs:
      job-name: .vg-${name}
      url: http://127.0.0.1:1
      audience: https://vault.example.com
      role: deploy
      secrets: "secret/data/app/db password | DB_PASSWORD"
      cli-package: "${c.pkg}"
      cli-integrity: "${c.integrity}"
`,
  );
  const jobs = Object.entries(cases).map(
    ([name, c]) => `${name}:
  extends: .vg-${name}
  allow_failure: true
${c.registry ? `  variables:\n    NPM_CONFIG_REGISTRY: ${c.registry}\n` : ""}  script:
    - echo "the job's script ran"
    - vaultgate --version
`,
  );
  // A typo'd integrity set as a variable (the input's regex cannot see what a variable holds).
  const malformed = `malformed:
  extends: .vg-url-match
  allow_failure: true
  variables:
    VAULTGATE_CLI_INTEGRITY: sha256-not-what-the-release-gives
  script:
    - echo "the job's script ran"
`;
  return `include:\n${includes.join("")}\n${jobs.join("\n")}\n${malformed}`;
}

describe("cli-integrity of the GitLab components, under gitlab-ci-local", () => {
  let run: PipelineRun;
  let repoDir: string;

  beforeAll(async () => {
    const repo = await createComponentRepo({ "integrity.gitlab-ci.yml": pipeline() });
    repoDir = repo.dir;
    run = await runPipeline(repo, { file: "integrity.gitlab-ci.yml", variables: { VAULT_ID_TOKEN: "not-a-real-token" } });
  }, 300_000);

  const installed = (job: string) => join(repoDir, ".gitlab-ci-local/builds", `${job}.tmp`);

  it("installs and runs the CLI from a URL whose tarball matches cli-integrity", () => {
    expect(run.jobs, `${run.stdout}\n${run.stderr}`).toMatchObject({ "url-match": "PASS" });
    const log = run.log("url-match")!;
    expect(log).toContain(`vaultgate: ${base}/release/vaultgate-0.1.0.tgz matches cli-integrity ${cli.integrity}`);
    expect(log).toContain("the job's script ran");
    expect(log).toMatch(/^0\.1\.0$/m);
    expect(requests).toContain("/release/vaultgate-0.1.0.tgz");
    expect(existsSync(join(installed("url-match"), "vaultgate-cli/bin/vaultgate"))).toBe(true);
    expect(existsSync(join(installed("url-match"), "vaultgate-cli.pack"))).toBe(false);
  });

  it.each(["url-replaced", "file-replaced"])("%s: a replaced tarball fails before anything of it runs or is installed", (job) => {
    expect(run.jobs[job], run.stdout).toBe("WARN"); // failed (allowed to)
    const log = run.log(job)!;
    expect(log).toContain(INTEGRITY_MISMATCH);
    expect(log).toContain(`cli-integrity is ${cli.integrity}. Nothing was installed.`);
    expect(log).toMatch(/^Hint: .*set cli-integrity to its integrity/m);
    expect(log).not.toContain("the job's script ran");
    expect(readdirSync(hostile.marks), "no install script and no bin of the tarball ran").toEqual([]);
    expect(existsSync(join(installed(job), "vaultgate-cli"))).toBe(false);
    expect(existsSync(join(installed(job), "vaultgate-cli.pack"))).toBe(false);
  });

  it("holds a registry version to cli-integrity too: the registry's matches, a rogue mirror's look-alike fails", () => {
    expect(run.jobs["registry-match"], run.stdout).toBe("PASS");
    const log = run.log("registry-match")!;
    expect(log).toContain(`vaultgate: vaultgate@0.1.0 matches cli-integrity ${cli.integrity}`);
    expect(log).toMatch(/^0\.1\.0$/m);
    expect(registry.requests).toContain("/vaultgate/-/vaultgate-0.1.0.tgz");

    expect(run.jobs["registry-rogue"], run.stdout).toBe("WARN");
    const rogueLog = run.log("registry-rogue")!;
    expect(rogueLog).toContain(`Error: the CLI package vaultgate@0.1.0 ${INTEGRITY_MISMATCH}`);
    expect(rogueLog).not.toContain("the job's script ran");
    expect(rogue.requests).toContain("/vaultgate/-/vaultgate-0.1.0.tgz");
    expect(readdirSync(hostile.marks), "nothing of the look-alike ran").toEqual([]);
    expect(existsSync(join(installed("registry-rogue"), "vaultgate-cli"))).toBe(false);
  });

  it("a URL without cli-integrity fails with the fix, before it is fetched", () => {
    expect(run.jobs["url-bare"], run.stdout).toBe("WARN");
    const log = run.log("url-bare")!;
    expect(log).toMatch(
      /^Error: cli-package http:\/\/127\.0\.0\.1:\d+\/bare\/vaultgate-0\.1\.0\.tgz is not a registry package at an exact version .* and cli-integrity is empty/m,
    );
    expect(log).toMatch(/^Hint: set cli-integrity to the sha512-\.\.\. integrity of the tarball/m);
    expect(log).not.toContain("the job's script ran");
    expect(requests.filter((r) => r.startsWith("/bare/"))).toEqual([]);
  });

  it("a cli-integrity that is not sha512-<base64> is refused with the fix", () => {
    expect(run.jobs.malformed, run.stdout).toBe("WARN");
    const log = run.log("malformed")!;
    expect(log).toMatch(/^Error: cli-integrity is not an npm integrity string/m);
    expect(log).toMatch(/^Hint: set it to the sha512-\.\.\. integrity of the tarball/m);
    expect(log).not.toContain("the job's script ran");
  });
});
