// actions/check from its committed dist/ with the AWS source given as inputs (aws-role-arn,
// aws-region, aws-audience, aws-session-duration, the names and meaning of actions/secrets),
// against the real OpenBao and a real moto: the gate assumes the role with the job's
// token requested for aws-audience, checks the session against min-ttl and each aws://
// secret next to the vault's, and never shows a value. AWS_ENDPOINT_URL points the AWS
// SDK at moto, as a runner's environment can point it at a VPC endpoint. With aws-role-arn
// and no url the gate checks AWS alone.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CheckReport } from "@vaultgate/core";
import {
  runCheckAction,
  seedAws,
  startGitHubOidc,
  startMoto,
  type AwsFixture,
  type GitHubOidcServer,
  type MotoServer,
  type StepOptions,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let moto: MotoServer;
let aws: AwsFixture;
let oidc: GitHubOidcServer;

// The first run on a machine installs moto from PyPI into its cache: allow it the install's time.
beforeAll(async () => {
  moto = await startMoto();
  aws = await seedAws(moto.endpoint);
  oidc = await startGitHubOidc(vault.issuers.github, { repository: "acme/app" });
}, 15 * 60_000);
afterAll(async () => {
  await oidc?.close();
  await moto?.stop();
});

/** check runs the check action with the AWS inputs over `inputs`; no value may appear anywhere. */
async function check(inputs: Record<string, string>, options: StepOptions = {}): Promise<CheckReport> {
  const values = [...Object.values(vault.values), ...Object.values(aws.values).map(String)];
  const { run, report, problems } = await runCheckAction(
    oidc,
    {
      ...options,
      env: { AWS_ENDPOINT_URL: aws.endpoint, ...options.env },
      inputs: { "aws-role-arn": aws.roleArn, "aws-region": aws.region, ...inputs },
    },
    values,
  );
  expect(problems).toEqual([]);
  expect(run.outputs.ok).toBe(String(report.ok));
  expect(run.code, run.stdout).toBe(report.ok ? 0 : 1);
  return report;
}

const status = (report: CheckReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const vaultInputs = { url: vault.addr, role: "deploy", audience: vault.audience };

describe("actions/check with the aws-* inputs", () => {
  it("checks the AWS login, session and secrets next to the vault's, the token requested for aws-audience", async () => {
    const before = oidc.audiences.length;
    const report = await check({
      ...vaultInputs,
      "aws-audience": "sts.amazonaws.com",
      "aws-session-duration": "1h",
      "min-ttl": "10m",
      secrets: [
        "secret/data/app/db password | DB_PASSWORD",
        "aws://secretsmanager/vaultgate/app api-key | API_KEY",
        "aws://ssm/vaultgate/app/db_user value | DB_USER",
      ].join("\n"),
    });
    expect(report.ok, JSON.stringify(report.checks.filter((c) => c.status === "fail"))).toBe(true);
    expect(status(report)).toMatchObject({
      login: "pass",
      "aws.login": "pass",
      "aws.session.ttl": "pass",
      "secret.DB_PASSWORD": "pass",
      "secret.API_KEY": "pass",
      "secret.DB_USER": "pass",
    });
    expect(report.checks.find((c) => c.id === "aws.login")?.details).toMatchObject({ role: aws.roleArn, region: aws.region });
    // One token for the vault's audience, one for STS's.
    expect(oidc.audiences.slice(before)).toEqual(expect.arrayContaining([vault.audience, "sts.amazonaws.com"]));
  });

  it("fails when aws-session-duration is shorter than min-ttl, naming the fix", async () => {
    const report = await check({
      ...vaultInputs,
      "aws-session-duration": "15m",
      "min-ttl": "1h",
      secrets: "aws://secretsmanager/vaultgate/app api-key | API_KEY",
    });
    expect(report.ok).toBe(false);
    const ttl = report.checks.find((c) => c.id === "aws.session.ttl");
    expect(ttl?.status).toBe("fail");
    expect(ttl?.reason).toMatch(/shorter than the deploy.*session-duration/);
  });

  it("with aws-role-arn and no url, checks AWS alone: no vault check, reason ids on every AWS check", async () => {
    const before = oidc.audiences.length;
    const report = await check({
      "min-ttl": "5m",
      secrets: "secretsmanager/vaultgate/app api-key | API_KEY\nssm/vaultgate/app/nope value | NOPE",
    });
    expect(report.ok).toBe(false);
    expect(report.vault).toBeNull();
    expect(report.checks.map((c) => [c.id, c.status, c.details.reason])).toEqual([
      ["identity.token", "pass", "identity.ok"],
      ["aws.login", "pass", "aws.login.ok"],
      ["aws.session.ttl", "pass", "aws.session.ok"],
      ["secret.API_KEY", "pass", "aws.secret.readable"],
      ["secret.NOPE", "fail", "aws.read.not-found"],
      ["budget", "pass", "budget.ok"],
    ]);
    // One token, for STS's audience (the default of aws-audience).
    expect(oidc.audiences.slice(before)).toEqual(["sts.amazonaws.com"]);
  });

  it("a typo'd aws-session-duration is a failing config check, before any login", async () => {
    const report = await check({ ...vaultInputs, "aws-session-duration": "an hour", secrets: "aws://ssm/x value | X" });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([["config", "fail"]]);
    expect(report.checks[0]?.reason).toMatch(/session-duration/);
  });
});
