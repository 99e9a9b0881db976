// The GitLab components with a two-source manifest, run by gitlab-ci-local in shell-executor
// mode: Vault secrets from the real OpenBao and AWS Secrets Manager + SSM secrets from a real
// moto server, in one `vaultgate.yml` named by the components' `manifest` input. The jobs
// declare a second ID token for AWS (audience sts.amazonaws.com, or the one the manifest
// configures) next to the components' vault token; both are minted by the local GitLab issuer
// and passed as variables (gitlab-ci-local does not create id_tokens). The deploy job's
// command sees every value, its log shows none of them (vaultgate exec's own masker, base64
// and URL forms included), the audit record lists both sources, and no vault token outlives
// the job, also when exec is killed and after_script revokes. The check job passes on the
// healthy manifest and fails, naming the secret and why, when an AWS secret is missing.
// docs/gitlab.md's "Several sources (Vault and AWS)" example is the manifest and pipeline here.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it, type ExpectStatic } from "vitest";
import type { AuditRecord, CheckReport } from "@vaultgate/core";
import {
  assumeRequests,
  gitlabIdToken,
  gitlabJobEnv,
  runCli,
  startAwsTestBed,
  VaultAdmin,
  type AssumeRequest,
  type AwsTestBed,
  type CliTarball,
} from "@vaultgate/test-harness";
import {
  COMPONENT_PROJECT,
  createComponentRepo,
  ensureGitlabCiLocal,
  filesUnder,
  packCli,
  runPipeline,
  type ComponentRepo,
  type PipelineRun,
} from "../harness/gitlab-ci-local.js";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const DOC = new URL("../../docs/gitlab.md", import.meta.url);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let cli: CliTarball;
let bed: AwsTestBed;

beforeAll(async () => {
  // The first run on a machine installs moto from PyPI into its cache: allow it the install's time.
  [cli, , bed] = await Promise.all([packCli(), ensureGitlabCiLocal(), startAwsTestBed()]);
  await bed.moto.startRecording();
}, 15 * 60_000);
afterAll(async () => {
  await bed?.stop();
});

/** docBlock returns the fenced block of docs/gitlab.md that follows `marker` (the blocks this suite runs). */
function docBlock(marker: string): string {
  const doc = readFileSync(DOC, "utf8");
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`docs/gitlab.md has no ${marker}`);
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!block?.[1]) throw new Error(`docs/gitlab.md: no block after ${marker}`);
  return block[1];
}

/** MANIFEST is docs/gitlab.md's two-source manifest; the test's moto endpoint comes from $AWS_ENDPOINT_URL_TEST. */
const manifest = (extraAws = "") =>
  docBlock("<!-- doc-test: run covered-by=test/integration/gitlab-sources.test.ts manifest -->").replace(
    /( {4}id-token:.*\n)/,
    `$1    endpoint: \${AWS_ENDPOINT_URL_TEST}\n${extraAws}`,
  );

/** pipeline is docs/gitlab.md's pipeline with the components at this commit and the CLI from its tarball. */
function pipeline(opts: { manifestFile: string; out: string; awsAudience: string }): string {
  const text = docBlock("<!-- doc-test: run covered-by=test/integration/gitlab-sources.test.ts pipeline -->")
    .replaceAll("gitlab.com/vaultgate/components/", `$CI_SERVER_FQDN/${COMPONENT_PROJECT.path}/`)
    .replace(/@\d+\.\d+\.\d+/g, "@$CI_COMMIT_SHA")
    .replaceAll("https://vault.example.com:8200", vault.addr)
    .replaceAll("https://vault.example.com", vault.audience)
    .replaceAll("mount: jwt-gitlab", `mount: ${vault.mounts.gitlab}`)
    .replaceAll("manifest: vaultgate.yml", `manifest: ${opts.manifestFile}`)
    .replaceAll("aud: sts.amazonaws.com", `aud: ${opts.awsAudience}`)
    .replace(/( {6}manifest: .*\n)/, `$1      cli-package: ${cli.path}\n      cli-integrity: "${cli.integrity}"\n`);
  return `${text}
  variables:
    VAULTGATE_AUDIT_FILE: ${join(opts.out, "audit.jsonl")}

# exec killed (as a runner's hard kill or the OOM killer would): after_script revokes.
deploy-killed:
  extends: .vaultgate
  stage: deploy
  allow_failure: true
  id_tokens:
    AWS_ID_TOKEN: { aud: ${opts.awsAudience} }
  variables:
    OUT_DIR: ${opts.out}
  script:
    - vaultgate exec -- sh ./killed.sh
`;
}

// What a deploy script does with its secrets: uses them and (by mistake) prints them in
// several encodings; the fingerprints prove each value arrived.
const DEPLOY_SH = `#!/bin/sh
set -eu
for name in DB_PASSWORD APP_PASSWORD APP_API_KEY SSM_DB_PASSWORD; do
  eval "value=\\\${$name}"
  echo "$name: $value"
  echo "$name base64: $(printf %s "$value" | base64)"
  echo "$name url: $(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$value")"
  echo "$name sha256: $(printf %s "$value" | sha256sum | cut -c1-64)"
done
echo "the vault's ID token in the command: [\${VAULT_ID_TOKEN:+present}]"
`;

// Notes the vault token's accessor from exec's state file, then kills exec.
const KILLED_SH = `set -eu
state="$(ls "\${CI_PROJECT_DIR}.tmp/vaultgate/state-\${CI_JOB_ID}@"*.json)"
node -e 'const fs = require("fs"); fs.writeFileSync(process.argv[2], JSON.parse(fs.readFileSync(process.argv[1], "utf8")).accessor)' "$state" "$OUT_DIR/accessor"
kill -KILL "$PPID"
`;

const MISSING_SECRET = "  - aws://secretsmanager/vaultgate/absent password | ABSENT_PASSWORD\n";

interface Scenario {
  repo: ComponentRepo;
  out: string;
  run: PipelineRun;
  tokens: { vault: string; aws: string };
  assumed: AssumeRequest[];
}

async function scenario(opts: { manifestText: string; awsAudience: string }): Promise<Scenario> {
  const out = mkdtempSync(join(tmpdir(), "vaultgate-gitlab-sources-"));
  const repo = await createComponentRepo({
    "consumer.gitlab-ci.yml": pipeline({ manifestFile: "vaultgate.yml", out, awsAudience: opts.awsAudience }),
    "vaultgate.yml": opts.manifestText,
    "deploy.sh": DEPLOY_SH,
    "killed.sh": KILLED_SH,
  });
  const tokens = { vault: await gitlabIdToken(vault), aws: await gitlabIdToken(vault, {}, opts.awsAudience) };
  const run = await runPipeline(repo, {
    file: "consumer.gitlab-ci.yml",
    // What a project's CI/CD variables would hold (the role ARN is not a secret), and the job's two ID tokens.
    variables: {
      VAULT_ID_TOKEN: tokens.vault,
      AWS_ID_TOKEN: tokens.aws,
      AWS_ROLE_ARN: bed.aws.roleArn,
      AWS_ENDPOINT_URL_TEST: bed.moto.endpoint,
    },
    imageJobs: ["vaultgate-check"],
    timeoutMs: 170_000,
  });
  // Pipelines run side by side: each one's AssumeRoleWithWebIdentity calls are those with its token.
  const assumed = (await assumeRequests(bed.moto)).filter((r) => r.token === tokens.aws);
  return { repo, out, run, tokens, assumed };
}

/** secretStrings are this run's values the pipelines read, with their base64 and URL forms. */
function secretStrings(): string[] {
  const values = [vault.values.dbPassword!, bed.aws.values.appPassword, bed.aws.values.appApiKey, bed.aws.values.dbPassword];
  return values.flatMap((v) => [v, Buffer.from(v).toString("base64"), encodeURIComponent(v)]);
}

/** assertNoLeak scans gitlab-ci-local's output and every file the pipeline left for a value or an ID token. */
function assertNoLeak(expect: ExpectStatic, s: Scenario) {
  const forbidden = [...secretStrings(), s.tokens.vault, s.tokens.aws];
  const texts = [
    s.run.stdout,
    s.run.stderr,
    ...[...filesUnder(s.repo.dir), ...filesUnder(s.out)].map((f) => readFileSync(f, "latin1")),
  ];
  for (const text of texts) {
    for (const value of forbidden) expect(text.includes(value), "a secret or an ID token leaked").toBe(false);
  }
}

function checkReport(run: PipelineRun): CheckReport {
  return JSON.parse(readFileSync(join(run.artifacts("vaultgate-check"), "vaultgate-check.json"), "utf8")) as CheckReport;
}

describe.concurrent("GitLab components with a Vault + AWS manifest", { timeout: 200_000 }, () => {
  it("check passes; the deploy command gets every value, masked in its log; one audit record, both sources; no token left", async ({
    expect,
  }) => {
    const s = await scenario({ manifestText: manifest(), awsAudience: "sts.amazonaws.com" });
    const output = `${s.run.stdout}\n${s.run.stderr}`;
    expect(s.run.jobs, output).toEqual({ "vaultgate-check": "PASS", deploy: "PASS", "deploy-killed": "WARN" });

    const report = checkReport(s.run);
    expect(report.ok).toBe(true);
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      login: "pass",
      "aws.login": "pass",
      "aws.session.ttl": "pass",
      "secret.DB_PASSWORD": "pass",
      "secret.APP_PASSWORD": "pass",
      "secret.APP_API_KEY": "pass",
      "secret.SSM_DB_PASSWORD": "pass",
    });

    const log = s.run.log("deploy")!;
    const values: Record<string, string> = {
      DB_PASSWORD: vault.values.dbPassword!,
      APP_PASSWORD: bed.aws.values.appPassword,
      APP_API_KEY: bed.aws.values.appApiKey,
      SSM_DB_PASSWORD: bed.aws.values.dbPassword,
    };
    for (const [name, value] of Object.entries(values)) {
      expect(log).toContain(`${name}: ***`);
      expect(log).toContain(`${name} base64: ***`);
      expect(log).toContain(`${name} url: ***`);
      expect(log, `${name} reached the command`).toContain(`${name} sha256: ${sha256(value)}`);
    }
    // The command gets the secrets, not the identity (the AWS token: see the exec test below).
    expect(log).toContain("the vault's ID token in the command: []");
    expect(log).toMatch(/nothing to revoke/); // after_script: exec had revoked already

    const record = JSON.parse(readFileSync(join(s.out, "audit.jsonl"), "utf8").trim().split("\n").at(-1)!) as AuditRecord;
    expect(record.outcome).toBe("success");
    expect(record.sources?.map((x) => [x.source, x.revocable])).toEqual([
      ["vault", true],
      ["aws", false],
    ]);
    expect(record.sources?.[1]).toMatchObject({ role: bed.aws.roleArn, method: "aws-web-identity" });
    // One read per distinct reference: APP_PASSWORD and APP_API_KEY are two keys of one secret.
    expect(record.reads.map((r) => r.source ?? "vault").sort()).toEqual(["aws", "aws", "vault"]);
    expect(await admin.accessorWorks(record.identity!.accessor!)).toBe(false);

    // exec killed: the token was alive until after_script revoked it.
    expect(s.run.log("deploy-killed")).toMatch(/revoked: token revoked/);
    expect(await admin.accessorWorks(readFileSync(join(s.out, "accessor"), "utf8"))).toBe(false);

    // moto checks neither token nor trust policy: what each job sent STS is checked here.
    expect(s.assumed.length).toBeGreaterThanOrEqual(3); // check, deploy, deploy-killed
    for (const r of s.assumed) {
      expect(r.roleArn).toBe(bed.aws.roleArn);
      expect(r.claims.aud).toBe("sts.amazonaws.com");
      expect(r.claims.sub).toBe("project_path:acme/app:ref_type:branch:ref:main");
      expect(r.sessionName).toMatch(/^vaultgate-vaultgate\.components-\d+$/);
      expect(r.signed).toBe(false);
    }
    assertNoLeak(expect, s);
  });

  it("check fails on a missing AWS secret, naming it and why, and the deploy stage never starts (a configured audience)", async ({
    expect,
  }) => {
    const audience = "https://aws.example.com/acme";
    const text = manifest(`    audience: ${audience}\n`) + MISSING_SECRET;
    const s = await scenario({ manifestText: text, awsAudience: audience });
    expect(s.run.jobs, s.run.stdout).toEqual({ "vaultgate-check": "FAIL" });
    expect(s.run.log("deploy")).toBeUndefined();

    const report = checkReport(s.run);
    expect(report.ok).toBe(false);
    const absent = report.checks.find((c) => c.id === "secret.ABSENT_PASSWORD");
    expect(absent?.status).toBe("fail");
    expect(absent?.reason).toMatch(/Not found in eu-west-1: Secrets Manager secret vaultgate\/absent/);
    for (const id of ["aws.login", "secret.DB_PASSWORD", "secret.APP_PASSWORD", "secret.SSM_DB_PASSWORD"]) {
      expect(report.checks.find((c) => c.id === id)?.status, id).toBe("pass");
    }
    const xml = readFileSync(join(s.run.artifacts("vaultgate-check"), "vaultgate-check.junit.xml"), "utf8");
    expect(xml).toMatch(/<testcase [^>]*name="Secret ABSENT_PASSWORD [^>]*>\s*<failure /);
    expect(xml.match(/<failure/g)).toHaveLength(1);
    expect(s.run.log("vaultgate-check")).toMatch(/ABSENT_PASSWORD/);

    expect(s.assumed).toHaveLength(1);
    expect(s.assumed[0]?.claims.aud).toBe(audience);
    assertNoLeak(expect, s);
  });

  // The command gets the secrets, not the identity: exec removes every source's login
  // material, the AWS source's ID token (sources.aws id-token) as well as the vault's.
  it("exec does not hand the AWS ID token variable (sources.aws id-token) to the command", async ({ expect }) => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-gitlab-sources-env-"));
    const file = join(dir, "vaultgate.yml");
    writeFileSync(file, manifest().replace("${AWS_ENDPOINT_URL_TEST}", bed.moto.endpoint));
    const { env } = await gitlabJobEnv(vault, {
      AWS_ID_TOKEN: await gitlabIdToken(vault, {}, "sts.amazonaws.com"),
      AWS_ROLE_ARN: bed.aws.roleArn,
      VAULTGATE_MOUNT: vault.mounts.gitlab,
      VAULTGATE_ROLE: "deploy",
      VAULTGATE_AUDIENCE: vault.audience,
    });
    const probe = "process.stdout.write(`AWS_ID_TOKEN ${process.env.AWS_ID_TOKEN ? 'present' : 'absent'}\\n`)";
    const result = await runCli(["exec", "-f", file, "--", process.execPath, "-e", probe], env, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("AWS_ID_TOKEN absent");
  });
});
