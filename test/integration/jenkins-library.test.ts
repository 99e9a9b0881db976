// The Jenkins shared library (actions/jenkins) under JenkinsPipelineUnit, driving the real
// CLI against the real OpenBao: `mvn test` runs the library's steps and example Jenkinsfiles
// with a minted Jenkins ID token, the packed CLI tarball as the agent's package, and a
// `sh` that really runs. Here the evidence the pipeline tests wrote is checked against the
// secret values, which the Groovy side is never given: the body got them, nothing printed,
// recorded or handed to Groovy holds one, and every session's token and leases are revoked.
// A manifest with two sources (pipelines/app/vaultgate-aws.yml: the vault and AWS Secrets
// Manager + SSM on a real moto server) goes through both steps, the AWS role assumed with a
// second credential of the audience sts.amazonaws.com; docs/jenkins.md's "Several sources"
// pipeline is pipelines/aws-sources.jenkinsfile.
// docs/try-locally.md's Jenkins walkthrough is this file, run with `npx vitest run`.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  TestIssuer,
  VaultAdmin,
  assumeRequests,
  startAwsTestBed,
  hostileCli,
  startNpmRegistry,
  JENKINS_TEST_DIR,
  baseEnv,
  jenkinsClaims,
  packCli,
  runPipelineTests,
  type AssumeRequest,
  type AwsTestBed,
  type PipelineEvidence,
  type HostileCli,
  type NpmRegistry,
  type PipelineRun,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
let run: PipelineRun;
let idToken: string;
let hostile: HostileCli;
let registry: NpmRegistry;
let bed: AwsTestBed;
let awsIdToken: string;
let assumed: AssumeRequest[];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-jenkins-"));
  // The first run on a machine installs moto from PyPI into its cache.
  bed = await startAwsTestBed();
  await bed.moto.startRecording();
  const cli = await packCli(join(dir, "cli"));
  hostile = hostileCli(dir);
  // The registry the agents' npm asks when the package is a registry version without cliIntegrity.
  registry = await startNpmRegistry([{ name: "vaultgate", version: "0.1.0", tarball: cli.path }]);
  // The OIDC Provider plugin's default lifetime is an hour; Maven's first run may download a while.
  idToken = await new TestIssuer(vault.issuers.jenkins).sign(jenkinsClaims(vault.audience, { job: "app/deploy" }), {
    ttl: 3600,
  });
  // The AWS credential: another OIDC Provider credential of the same Jenkins, audience sts.amazonaws.com.
  awsIdToken = await new TestIssuer(vault.issuers.jenkins).sign(jenkinsClaims("sts.amazonaws.com", { job: "app/deploy" }), {
    ttl: 3600,
  });
  run = await runPipelineTests(
    baseEnv({
      JAVA_HOME: process.env.JAVA_HOME,
      VAULTGATE_TEST_VAULT_ADDR: vault.addr,
      VAULTGATE_TEST_ID_TOKEN: idToken,
      VAULTGATE_TEST_AWS_ID_TOKEN: awsIdToken,
      VAULTGATE_TEST_AWS_ROLE_ARN: bed.aws.roleArn,
      VAULTGATE_TEST_AWS_ENDPOINT: bed.moto.endpoint,
      VAULTGATE_TEST_CLI_PACKAGE: cli.path,
      VAULTGATE_TEST_CLI_INTEGRITY: cli.integrity,
      VAULTGATE_TEST_HOSTILE_CLI: hostile.path,
      VAULTGATE_TEST_HOSTILE_MARKS: hostile.marks,
      VAULTGATE_TEST_NPM_REGISTRY: registry.url,
      VAULTGATE_TEST_CLI_URL: registry.tarballUrl("vaultgate", "0.1.0"),
      VAULTGATE_TEST_CACHE_DIR: join(dir, "agent-cache"),
      VAULTGATE_TEST_OUT: join(dir, "evidence"),
    }),
  );
  assumed = await assumeRequests(bed.moto);
}, 900_000);

afterAll(async () => {
  await registry?.close();
  await bed?.stop();
});

function evidence(test: string): PipelineEvidence {
  const e = run.evidence.get(test);
  if (!e) throw new Error(`no evidence from ${test}; Maven said:\n${run.output.slice(-4000)}`);
  return e;
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** Every secret string that must never show: each value and each line of multi-line values. */
function secretStrings(): string[] {
  const out = new Set<string>();
  for (const value of Object.values(vault.values)) {
    if (value.length >= 6) out.add(value);
    for (const line of value.split("\n")) if (line.length >= 6) out.add(line);
  }
  for (const value of [bed.aws.values.appPassword, bed.aws.values.dbPassword]) {
    out.add(value);
    out.add(Buffer.from(value).toString("base64"));
  }
  out.add(idToken);
  out.add(awsIdToken);
  return [...out];
}

function leaks(text: string): number {
  return secretStrings().filter((s) => text.includes(s)).length + (text.includes("PRIVATE KEY") ? 1 : 0);
}

describe("the Jenkins shared library", () => {
  it("passes its JenkinsPipelineUnit suite (Maven, JUnit)", () => {
    const total = run.suites.reduce((n, s) => n + s.tests, 0);
    const broken = run.suites.reduce((n, s) => n + s.failures + s.errors + s.skipped, 0);
    expect(run.code, run.output.slice(-6000)).toBe(0);
    expect(run.suites.map((s) => s.name).sort()).toEqual([
      "io.vaultgate.jenkins.AwsSourcesTest",
      "io.vaultgate.jenkins.VaultgateCheckTest",
      "io.vaultgate.jenkins.VaultgateInstallTest",
      "io.vaultgate.jenkins.WithVaultgateTest",
    ]);
    expect(total).toBe(run.evidence.size);
    expect(total).toBeGreaterThanOrEqual(13);
    expect(broken).toBe(0);
  });

  it("never lets a secret reach the console, an sh script, a step argument or a value Groovy holds", () => {
    for (const e of run.evidence.values()) {
      expect(leaks(e.console), `${e.test}: console`).toBe(0);
      expect(leaks(e.scripts.join("\n")), `${e.test}: sh scripts`).toBe(0);
      expect(leaks(JSON.stringify(e.shReturns)), `${e.test}: what sh returned to Groovy`).toBe(0);
      expect(leaks(JSON.stringify(e.archived) + JSON.stringify(e.junit)), `${e.test}: reports`).toBe(0);
      if (e.calls) expect(leaks(e.calls.join("\n")), `${e.test}: pipeline calls and their arguments`).toBe(0);
      expect(e.readFiles, `${e.test}: readFile`).toEqual([]);
      expect(e.calls, `${e.test}: every step call is recorded and checked`).not.toBeNull();
    }
    // maskPasswords: true would hand the values to a step (stored on the controller): refused before login.
    const refused = evidence("WithVaultgateTest.maskPasswordsIsRefusedBeforeLogin");
    expect(refused.scripts).toEqual([]);
    expect(refused.observed.maskPasswordsPairs ?? null).toBeNull();
  });

  it("gives the body the exact secrets, in `vaultgate exec` and in `vaultgate-env`", () => {
    const line = (name: string, value: string) => `${name} sha256 ${sha256(value)}`;
    const db = line("DB_PASSWORD", vault.values.dbPassword!);
    const api = line("API_TOKEN", vault.values.apiToken!);
    const pem = line("TLS_PEM", vault.values.multiline!);
    for (const test of ["shortestJenkinsfile", "declarativeExample", "fileCredential", "bodyThrows"]) {
      const { console } = evidence(`WithVaultgateTest.${test}`);
      expect(console, test).toContain(db);
      expect(console, test).toContain(api);
      expect(console, test).toContain(pem);
      expect(console, test).toMatch(/TLS_KEY sha256 [0-9a-f]{64}/);
    }
    const scripted = evidence("WithVaultgateTest.scriptedExample").console;
    expect(scripted.split(db).length - 1, "exec and vaultgate-env both saw DB_PASSWORD").toBe(2);
    expect(scripted.split(pem).length - 1).toBe(2);
    expect(scripted).not.toContain("API_TOKEN sha256");
  });

  it("masks every value, and every line of a multi-line value, that the body prints", () => {
    const exec = evidence("WithVaultgateTest.shortestJenkinsfile").console;
    expect(exec).toMatch(/DB_PASSWORD value: \*\*\*/);
    expect(exec).toMatch(/TLS_PEM value: \*\*\*/);
    expect(exec).toContain("deploy.sh: deployed");
  });

  it("revokes the token and its leases and deletes the file, on success and when the body throws", async () => {
    const withSessions = [...run.evidence.values()].filter((e) => e.sessions.length > 0);
    expect(withSessions.map((e) => e.test)).toEqual(
      expect.arrayContaining([
        "WithVaultgateTest.shortestJenkinsfile",
        "WithVaultgateTest.bodyThrows",
        "WithVaultgateTest.revocationFails",
        "AwsSourcesTest.vaultAndAwsSecretsReachTheBodyAndTheTokenIsRevoked",
      ]),
    );
    for (const e of withSessions) {
      for (const s of e.sessions) {
        if (e.test === "WithVaultgateTest.revocationFails") {
          // The vault was "unreachable" at the end: the token outlived the block, the file did not.
          expect(e.result).toBe("UNSTABLE");
          expect(await admin.accessorWorks(s.accessor)).toBe(true);
          await admin.call("POST", "auth/token/revoke-accessor", { accessor: s.accessor });
          expect(existsSync(s.envFile)).toBe(false);
          continue;
        }
        expect(await admin.accessorWorks(s.accessor), `${e.test}: token`).toBe(false);
        // The manifest (vaultgate.yml) asks for a PKI certificate: a leased secret.
        if (!e.test.includes("scripted") && !e.test.startsWith("AwsSourcesTest."))
          expect(s.leases.length, `${e.test}: the PKI lease was recorded`).toBeGreaterThan(0);
        for (const lease of s.leases) expect(await admin.leaseExists(lease), `${e.test}: lease`).toBe(false);
        expect(s.envFileMode).toEqual(["OWNER_READ", "OWNER_WRITE"]);
        expect(s.envFile.startsWith(`${e.workspaceTmp}/`)).toBe(true);
        expect(existsSync(s.envFile)).toBe(false);
        expect(existsSync(s.runDir)).toBe(false);
      }
    }
    const failed = evidence("WithVaultgateTest.bodyThrows");
    expect(failed.result).toBe("FAILURE");
    expect(failed.failure).toBe("the body failed on purpose");
  });

  it("keeps secrets out of every sh script: the scripts are the library's constants", () => {
    const e = evidence("WithVaultgateTest.shortestJenkinsfile");
    const fetch = e.scripts.find((s) => s.includes("vaultgate fetch"));
    expect(fetch).toBe('vaultgate fetch --format shell --out "$VAULTGATE_ENV_FILE" --state "$VAULTGATE_RUN_DIR/state.json"');
    expect(e.scripts.some((s) => s.includes("vaultgate revoke"))).toBe(true);
    expect(e.calls?.some((c) => c.includes("withCredentials([{binding=string, credentialsId=vault-oidc"))).toBe(true);
  });

  it("vaultgateCheck archives the JSON report, records JUnit and fails the build on a failed required check", () => {
    const pass = evidence("VaultgateCheckTest.passes");
    expect(pass.result).toBe("SUCCESS");
    expect(pass.archived.map((a) => a.artifacts)).toEqual(["reports/gate.json"]);
    expect(pass.junit[0]?.failures).toBe(0);
    const fail = evidence("VaultgateCheckTest.failsTheBuildWhenARequiredCheckFails");
    expect(fail.result).toBe("FAILURE");
    expect(fail.junit[0]?.failures).toBeGreaterThan(0);
    expect(fail.junit[0]?.content).toContain("secret/restricted/root");
    expect(fail.console).not.toContain("deploying");
  });

  it("runs the README's Jenkinsfiles exactly as the README shows them", () => {
    const readme = readFileSync(join(JENKINS_TEST_DIR, "..", "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```groovy\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const name of ["shortest", "declarative", "scripted"]) {
      const pipeline = readFileSync(join(JENKINS_TEST_DIR, "pipelines", `${name}.jenkinsfile`), "utf8");
      expect(blocks, `${name}.jenkinsfile is in the README`).toContain(pipeline);
    }
  });

  it("installs the CLI pinned and verified on every use, from one download per agent", () => {
    const mismatch = evidence("VaultgateInstallTest.refusesAPackageWhoseIntegrityDiffers");
    expect(mismatch.result).toBe("FAILURE");
    expect(mismatch.console).toContain("integrity mismatch");
    const twice = evidence("VaultgateInstallTest.installsAFreshVerifiedCopyOnEveryUseFromOneDownload");
    expect(twice.result).toBe("SUCCESS");
    expect(twice.console).toMatch(/cached in \S+, verified \(sha512-/);
    expect(evidence("VaultgateInstallTest.installsFromATarballUrlWithItsIntegrity").result).toBe("SUCCESS");
    expect(registry.requests).toContain("/vaultgate/-/vaultgate-0.1.0.tgz");
    const unpinned = evidence("VaultgateInstallTest.refusesATarballWithoutIntegrity");
    expect(unpinned.result).toBe("FAILURE");
    expect(unpinned.console).toMatch(/^vaultgateInstall: Hint: pass cliIntegrity/m);
    for (const e of run.evidence.values()) {
      for (const script of e.scripts.filter((s) => /\bnpm (pack|install)\b/.test(s))) {
        for (const [line] of script.matchAll(/^.*\bnpm (pack|install) .*$/gm)) expect(line, e.test).toContain("--ignore-scripts");
      }
    }
    expect(run.seconds).toBeLessThan(600);
  });

  it("refuses a cached CLI another build replaced, before the ID token is bound, and never runs it", () => {
    const replaced = evidence("VaultgateInstallTest.aCachedTarballReplacedBetweenBuildsIsRefusedBeforeTheTokenIsBound");
    expect(replaced.result).toBe("FAILURE");
    expect(replaced.console).toMatch(/^vaultgateInstall: Error: the CLI cached in \S+ is not the package it was verified as/m);
    // Two builds: the first logged in once and revoked; the second never got as far as the token.
    expect(replaced.calls!.filter((c) => c.includes("withCredentials(")).length).toBe(1);
    expect(replaced.scripts.filter((s) => s.includes("vaultgate fetch")).length).toBe(1);
    const registryRecord = evidence("VaultgateInstallTest.aRegistryVersionWithoutIntegrityIsHeldToTheRegistrysRecordOnEveryUse");
    expect(registryRecord.result).toBe("FAILURE");
    expect(
      registry.requests.filter((r) => r === "/vaultgate").length,
      "the registry's record is asked on every use",
    ).toBeGreaterThanOrEqual(3);
    const edited = evidence("VaultgateInstallTest.installedFilesChangedBetweenBuildsAreNeverRun");
    expect(edited.result).toBe("SUCCESS");
    expect(readdirSync(hostile.marks), "no script, command or edited file of the look-alike ran").toEqual([]);
  });
});

describe("the Jenkins library with a Vault + AWS manifest", () => {
  it("the gate passes, the body's command gets the Vault and AWS values, masked in the console, and finally revokes", async () => {
    const e = evidence("AwsSourcesTest.vaultAndAwsSecretsReachTheBodyAndTheTokenIsRevoked");
    expect(e.result, e.console.slice(-3000)).toBe("SUCCESS");
    const report = JSON.parse(e.archived[0]?.content ?? "{}") as { ok?: boolean; checks?: { id: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(Object.fromEntries((report.checks ?? []).map((c) => [c.id, c.status]))).toMatchObject({
      login: "pass",
      "aws.login": "pass",
      "secret.DB_PASSWORD": "pass",
      "secret.APP_PASSWORD": "pass",
      "secret.SSM_DB_PASSWORD": "pass",
    });
    const values: Record<string, string> = {
      DB_PASSWORD: vault.values.dbPassword!,
      APP_PASSWORD: bed.aws.values.appPassword,
      SSM_DB_PASSWORD: bed.aws.values.dbPassword,
    };
    for (const [name, value] of Object.entries(values)) {
      expect(e.console, `${name} reached the command`).toContain(`${name} sha256 ${sha256(value)}`);
      expect(e.console).toMatch(new RegExp(`${name} value: \\*\\*\\*`));
    }
    expect(leaks(e.console)).toBe(0);
    // finally: the vault token is gone (AWS credentials cannot be revoked; they end with the session).
    expect(e.sessions).toHaveLength(1);
    expect(await admin.accessorWorks(e.sessions[0]!.accessor)).toBe(false);
    expect(e.calls?.some((c) => c.includes("credentialsId=aws-oidc, variable=AWS_ID_TOKEN"))).toBe(true);
  });

  it("assumes the role with the AWS credential (audience sts.amazonaws.com), a session name from the build, unsigned", () => {
    // vaultgateCheck, withVaultgate's fetch and the body's `vaultgate exec`, each once; the failing check once more.
    const ours = assumed.filter((r) => r.token === awsIdToken);
    expect(ours.length).toBeGreaterThanOrEqual(4);
    expect(assumed.filter((r) => r.token !== awsIdToken)).toEqual([]);
    for (const r of ours) {
      expect(r.roleArn).toBe(bed.aws.roleArn);
      expect(r.claims.aud).toBe("sts.amazonaws.com");
      expect(r.claims.sub).toBe("https://jenkins.example.com/job/app/job/deploy/");
      expect(r.sessionName).toBe("vaultgate-app.deploy-17");
      expect(r.signed).toBe(false);
    }
  });

  it("vaultgateCheck fails the build on a missing AWS secret, naming it, before the deploy", () => {
    const e = evidence("AwsSourcesTest.checkFailsOnAMissingAwsSecret");
    expect(e.result).toBe("FAILURE");
    expect(e.console).not.toContain("deploying");
    const report = JSON.parse(e.archived[0]?.content ?? "{}") as { checks?: { id: string; status: string; reason?: string }[] };
    const absent = report.checks?.find((c) => c.id === "secret.ABSENT_PASSWORD");
    expect(absent?.status).toBe("fail");
    expect(absent?.reason).toMatch(/Not found in eu-west-1: Secrets Manager secret vaultgate\/absent/);
    expect(report.checks?.find((c) => c.id === "secret.APP_PASSWORD")?.status).toBe("pass");
    expect(e.junit[0]?.content).toContain("ABSENT_PASSWORD");
  });
});
