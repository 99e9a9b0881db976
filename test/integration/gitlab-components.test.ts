// The GitLab components (actions/gitlab) run by gitlab-ci-local in shell-executor mode
// against the real OpenBao: a consumer pipeline includes `secrets` and `check` with
// `include: component:` at HEAD's SHA from a repository laid out like the published
// component project; the job's ID token is minted by the local GitLab issuer and passed
// as a variable (gitlab-ci-local does not create id_tokens). The job sees its secrets,
// its log shows them masked, base64 form included; the check job passes, or fails with
// a JUnit failure and stops the pipeline before the deploy stage; after_script revokes
// what a killed `vaultgate exec` left. No value is in any output, log, artifact or file.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, inject, it, type ExpectStatic } from "vitest";
import { parse } from "yaml";
import type { AuditRecord, CheckReport } from "@vaultgate/core";
import { gitlabIdToken, VaultAdmin } from "@vaultgate/test-harness";
import {
  COMPONENT_PROJECT,
  COMPONENT_SOURCE,
  createComponentRepo,
  ensureGitlabCiLocal,
  filesUnder,
  packCli,
  runPipeline,
  type ComponentRepo,
  type PipelineRun,
} from "../harness/gitlab-ci-local.js";
import type { CliTarball } from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const SECRETS = "secret/data/app/db password | DB_PASSWORD ; secret/data/app/cert pem | TLS_KEY";
const MISSING = "secret/data/app/db password | DB_PASSWORD ; secret/data/app/absent password | ABSENT_PASSWORD";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

// What a deploy script does with its secrets: uses them, and (by mistake or for
// debugging) prints them, their base64, and a multi-line key.
const DEPLOY_SH = `set -eu
echo "deploying with the database password: $DB_PASSWORD"
echo "its base64: $(printf %s "$DB_PASSWORD" | base64)"
echo "the key:"
printf '%s\\n' "$TLS_KEY"
echo "fingerprints: $(printf %s "$DB_PASSWORD" | sha256sum | cut -c1-64) $(printf %s "$TLS_KEY" | sha256sum | cut -c1-64)"
`;

// A command whose `vaultgate exec` dies before it can revoke (SIGKILL, as a runner's
// hard kill or the OOM killer would): it notes the token's accessor from exec's state
// file, then kills exec. `vaultgate revoke` in after_script reports "token revoked"
// only for a token that was still alive ("already-invalid" otherwise).
const KILLED_SH = `set -eu
state="$(ls "\${CI_PROJECT_DIR}.tmp/vaultgate/state-\${CI_JOB_ID}@"*.json)"
node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[2], JSON.parse(fs.readFileSync(process.argv[1], "utf8")).accessor)' "$state" "$OUT_DIR/accessor"
kill -KILL "$PPID"
`;

interface Scenario {
  repo: ComponentRepo;
  out: string;
  run: PipelineRun;
  idToken: string;
}

let cli: CliTarball;

beforeAll(async () => {
  [cli] = await Promise.all([packCli(), ensureGitlabCiLocal()]);
}, 600_000);

/** consumerPipeline includes both components from the project, as a user's .gitlab-ci.yml would. */
function consumerPipeline(opts: { checkSecrets: string; deploy: string; out: string; oldNodeJob: boolean }): string {
  const component = (name: string) => `$CI_SERVER_FQDN/${COMPONENT_PROJECT.path}/${name}@$CI_COMMIT_SHA`;
  return `stages: [build, deploy]

include:
  - component: ${component("secrets")}
    inputs: &vault
      url: ${vault.addr}
      audience: ${vault.audience}
      role: deploy
      mount: ${vault.mounts.gitlab}
      secrets: "${SECRETS}"
      cli-package: ${cli.path}
      cli-integrity: "${cli.integrity}"
  - component: ${component("check")}
    inputs:
      <<: *vault
      secrets: "${opts.checkSecrets}"
      min-ttl: 2m

deploy:
  extends: .vaultgate
  stage: deploy
  variables:
    VAULTGATE_AUDIT_FILE: ${join(opts.out, "audit.jsonl")}
    OUT_DIR: ${opts.out}
  script:
    - 'echo "outside exec: [\${DB_PASSWORD:-not set}]"'
    - vaultgate exec -- sh ./${opts.deploy}
${opts.oldNodeJob ? OLD_NODE_JOB : ""}`;
}

// A job on an image whose Node.js is too old, with its own before_script that pulls the
// component's back in with !reference (as the README shows): before_script must stop
// it with the message that names the fix.
const OLD_NODE_JOB = `
old-node:
  extends: .vaultgate
  stage: build
  allow_failure: true
  before_script:
    - export PATH="$PWD/old-node:$PATH"
    - !reference [.vaultgate, before_script]
  script:
    - vaultgate exec -- true
`;
const OLD_NODE = `#!/bin/sh
if [ "$1" = "--version" ]; then echo v18.20.4; exit 0; fi
exit 1
`;

async function scenario(checkSecrets: string, deploy: "deploy.sh" | "killed.sh", oldNodeJob = false): Promise<Scenario> {
  const out = mkdtempSync(join(tmpdir(), "vaultgate-gitlab-out-"));
  const repo = await createComponentRepo({
    "consumer.gitlab-ci.yml": consumerPipeline({ checkSecrets, deploy, out, oldNodeJob }),
    "deploy.sh": DEPLOY_SH,
    "killed.sh": KILLED_SH,
    "old-node/node": OLD_NODE,
  });
  const idToken = await gitlabIdToken(vault);
  const run = await runPipeline(repo, {
    file: "consumer.gitlab-ci.yml",
    variables: { VAULT_ID_TOKEN: idToken },
    imageJobs: ["vaultgate-check"],
  });
  return { repo, out, run, idToken };
}

/** assertNoLeak scans gitlab-ci-local's output and every file the pipeline left (logs, artifacts, checkouts, temp dirs). */
function assertNoLeak(expect: ExpectStatic, s: Scenario) {
  const forbidden: string[] = [s.idToken];
  for (const value of [vault.values.dbPassword!, vault.values.multiline!]) {
    forbidden.push(value, Buffer.from(value).toString("base64"), ...value.split("\n"));
  }
  const texts = [
    s.run.stdout,
    s.run.stderr,
    ...[...filesUnder(s.repo.dir), ...filesUnder(s.out)].map((f) => readFileSync(f, "latin1")),
  ];
  for (const text of texts) {
    for (const value of forbidden) expect(text.includes(value), "a secret or the ID token leaked").toBe(false);
  }
}

function junit(run: PipelineRun): string {
  return readFileSync(join(run.artifacts("vaultgate-check"), "vaultgate-check.junit.xml"), "utf8");
}

function checkReport(run: PipelineRun): CheckReport {
  return JSON.parse(readFileSync(join(run.artifacts("vaultgate-check"), "vaultgate-check.json"), "utf8")) as CheckReport;
}

// The pipelines are independent (each in its own repository, job ids and temp dirs):
// they run side by side, most of their time is process start-up and waiting (minutes on
// a loaded machine: each installs the CLI, checks its digest, starts node several times).
describe.concurrent("GitLab components under gitlab-ci-local", { timeout: 180_000 }, () => {
  it("check passes, the deploy job sees its secrets, its log shows them masked, and exec revokes", async ({ expect }) => {
    const s = await scenario(SECRETS, "deploy.sh", true);
    const output = `${s.run.stdout}\n${s.run.stderr}`;
    expect(s.run.jobs, output).toEqual({ "vaultgate-check": "PASS", "old-node": "WARN", deploy: "PASS" });
    expect(s.run.code).toBe(0);
    expect(s.run.log("old-node")).toContain("this job's image needs Node.js >= 20.19 with npm (found: v18.20.4)");

    const report = checkReport(s.run);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["login", "secret.DB_PASSWORD", "secret.TLS_KEY"]));
    const xml = junit(s.run);
    expect(xml).toMatch(/<testcase [^>]*name="Secret DB_PASSWORD /);
    expect(xml).not.toMatch(/<failure/);

    const log = s.run.log("deploy")!;
    expect(log).toContain("outside exec: [not set]"); // the job's own shell never holds a secret
    expect(log).toContain("deploying with the database password: ***");
    expect(log).toContain("its base64: ***");
    expect(log).toContain(`fingerprints: ${sha256(vault.values.dbPassword!)} ${sha256(vault.values.multiline!)}`);
    expect(log).toMatch(/nothing to revoke/); // after_script: exec had revoked already

    const record = JSON.parse(readFileSync(join(s.out, "audit.jsonl"), "utf8").trim().split("\n").at(-1)!) as AuditRecord;
    expect(record.outcome).toBe("success");
    expect(await admin.accessorWorks(record.identity!.accessor!)).toBe(false);
    assertNoLeak(expect, s);
  });

  it("check fails with a JUnit failure when a secret is missing, and the deploy stage never starts", async ({ expect }) => {
    const s = await scenario(MISSING, "deploy.sh");
    expect(s.run.jobs, s.run.stdout).toEqual({ "vaultgate-check": "FAIL" });
    expect(s.run.code).not.toBe(0);
    expect(s.run.log("deploy")).toBeUndefined();

    const report = checkReport(s.run);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === "secret.ABSENT_PASSWORD")?.status).toBe("fail");
    expect(report.checks.find((c) => c.id === "secret.DB_PASSWORD")?.status).toBe("pass");
    const xml = junit(s.run);
    expect(xml).toMatch(/<testcase [^>]*name="Secret ABSENT_PASSWORD [^>]*>\s*<failure message="Secret not found/);
    expect(xml.match(/<failure/g)).toHaveLength(1);
    assertNoLeak(expect, s);
  });

  it("after_script revokes the token of a `vaultgate exec` that was killed", async ({ expect }) => {
    const s = await scenario(SECRETS, "killed.sh");
    expect(s.run.jobs, s.run.stdout).toEqual({ "vaultgate-check": "PASS", deploy: "FAIL" });
    const accessor = readFileSync(join(s.out, "accessor"), "utf8");
    expect(s.run.log("deploy")).toMatch(/revoked: token revoked/); // alive until after_script
    expect(await admin.accessorWorks(accessor)).toBe(false);
    expect(existsSync(join(s.repo.dir, ".gitlab-ci-local/builds/deploy.tmp/vaultgate"))).toBe(true);
    expect(filesUnder(join(s.repo.dir, ".gitlab-ci-local/builds/deploy.tmp/vaultgate"))).toEqual([]);
    assertNoLeak(expect, s);
  });

  it("the component project's own pipeline includes both at its commit and passes its self-tests; a version tag only releases", async ({
    expect,
  }) => {
    const repo = await createComponentRepo();
    const idToken = await gitlabIdToken(vault);
    // The project's CI/CD variables, and a pipeline variable that installs the CLI from
    // the tarball, with its integrity, instead of the registry (nothing is published yet).
    const variables = {
      VAULTGATE_TEST_URL: vault.addr,
      VAULTGATE_TEST_AUDIENCE: vault.audience,
      VAULTGATE_TEST_ROLE: "deploy",
      VAULTGATE_TEST_MOUNT: vault.mounts.gitlab,
      VAULTGATE_TEST_SECRETS: "secret/data/app/db password | SMOKE",
      VAULTGATE_CLI_PACKAGE: cli.path,
      VAULTGATE_CLI_INTEGRITY: cli.integrity,
      VAULT_ID_TOKEN: idToken,
    };
    const jobsListed = async (extra: Record<string, string>) => {
      const list = await runPipeline(repo, { variables: { ...variables, ...extra }, args: ["--list"] });
      expect(list.code, list.stderr).toBe(0);
      return list.stdout
        .split("\n")
        .slice(list.stdout.split("\n").findIndex((l) => l.startsWith("name ")) + 1)
        .map((l) => l.split(/\s+/)[0])
        .filter(Boolean);
    };
    expect(await jobsListed({ CI_COMMIT_TAG: "1.2.3" })).toEqual(["create-release"]);

    const run = await runPipeline(repo, { variables, imageJobs: ["self-test-check", "self-test-secrets"] });
    expect(run.jobs, `${run.stdout}\n${run.stderr}`).toEqual({ "self-test-check": "PASS", "self-test-secrets": "PASS" });
    expect(run.log("self-test-secrets")).toMatch(/^\*\*\*\n\*\*\*\nline:\*\*\*$/m);
    assertNoLeak(expect, { repo, out: mkdtempSync(join(tmpdir(), "vaultgate-gitlab-out-")), run, idToken });
  }, 180_000);

  it("the README's examples expand as written: the hidden job gets the ID token and the install, the check job its reports", async ({
    expect,
  }) => {
    const readme = readFileSync(join(COMPONENT_SOURCE, "README.md"), "utf8");
    const examples = [...readme.matchAll(/```yaml\n(include:[\s\S]*?)```/g)].map((m) =>
      m[1]!
        .replaceAll("gitlab.com/vaultgate/components/", `$CI_SERVER_FQDN/${COMPONENT_PROJECT.path}/`)
        .replace(/@\d+\.\d+\.\d+/g, "@$CI_COMMIT_SHA"),
    );
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const files = Object.fromEntries(examples.map((text, i) => [`example-${i}.gitlab-ci.yml`, text]));
    const repo = await createComponentRepo(files);
    for (const file of Object.keys(files)) {
      const preview = await runPipeline(repo, { file, args: ["--preview"] });
      expect(preview.code, `${file}: ${preview.stderr}`).toBe(0);
      const jobs = parse(preview.stdout.slice(preview.stdout.indexOf("---"))) as Record<string, Record<string, unknown>>;
      if (jobs.deploy) {
        expect(jobs.deploy.id_tokens, file).toEqual({ VAULT_ID_TOKEN: { aud: "https://vault.example.com" } });
        expect(String((jobs.deploy.before_script as string[])[0]), file).toContain("npm install --global");
        expect(
          (jobs.deploy.script as string[]).some((line) => line.startsWith("vaultgate exec -- ")),
          file,
        ).toBe(true);
      }
      if (jobs["vaultgate-check"]) {
        expect(jobs["vaultgate-check"].stage, file).toBe(".pre");
        expect(jobs["vaultgate-check"].artifacts, file).toMatchObject({
          when: "always",
          reports: { junit: "vaultgate-check.junit.xml" },
        });
      }
      expect(jobs.deploy ?? jobs["vaultgate-check"], file).toBeTruthy();
    }
  });
});
