/**
 * The AWS provider's pure parts: secret references, the RoleSessionName derived from
 * the CI run, and the mapping of the SDK's own exception classes onto vaultgate's
 * errors (the refusals moto cannot produce, since it accepts every token).
 */
import { describe, expect, it } from "vitest";
import { IDPRejectedClaimException, InvalidIdentityTokenException, STSServiceException } from "@aws-sdk/client-sts";
import { ResourceNotFoundException, InvalidRequestException } from "@aws-sdk/client-secrets-manager";
import { mapAssumeError, mapAwsReadError } from "../src/providers/aws/errors.js";
import { sessionNameFor } from "../src/providers/aws/credentials.js";
import { hierarchyKey, parseAwsRef, secretDataOf } from "../src/providers/aws/refs.js";

const meta = { $metadata: { httpStatusCode: 400 } };
const claims = {
  iss: "https://token.actions.githubusercontent.com",
  sub: "repo:acme/app:ref:refs/heads/main",
  aud: "sts.amazonaws.com",
  repository: "acme/app",
};
const assumeCtx = {
  roleArn: "arn:aws:iam::111122223333:role/deploy",
  region: "eu-west-1",
  claims,
  tokenOrigin: "GitHub OIDC",
  audience: "sts.amazonaws.com",
};

describe("AWS secret references", () => {
  it.each([
    ["secretsmanager/app/db", { service: "secretsmanager", id: "app/db", versionId: undefined, versionStage: undefined }],
    [
      "sm/app/db?version-stage=AWSPREVIOUS",
      { service: "secretsmanager", id: "app/db", versionId: undefined, versionStage: "AWSPREVIOUS" },
    ],
    [
      "secretsmanager/arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCd?version-id=v1",
      {
        service: "secretsmanager",
        id: "arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCd",
        versionId: "v1",
        versionStage: undefined,
      },
    ],
    ["ssm/app/prod/password", { service: "ssm", name: "/app/prod/password" }],
    ["ssm/app/prod/password:3", { service: "ssm", name: "/app/prod/password:3" }],
  ])("%s", (path, ref) => expect(parseAwsRef(path, "t")).toEqual(ref));

  it.each(["s3/bucket", "ssm", "secretsmanager/", "secretsmanager/x?version=1", "secretsmanager/x?version-id=a&version-stage=b"])(
    "refuses %s with a ConfigError",
    (path) => expect(() => parseAwsRef(path, "t")).toThrow(expect.objectContaining({ name: "ConfigError", exitCode: 2 })),
  );

  it("JSON objects give their keys, anything else one `value`; hierarchy names become keys", () => {
    expect(secretDataOf('{"a":"1","b":{"c":2}}')).toEqual({ a: "1", b: { c: 2 } });
    expect(secretDataOf("[1,2]")).toEqual({ value: "[1,2]" });
    expect(secretDataOf("{not json")).toEqual({ value: "{not json" });
    expect(hierarchyKey("/app", "/app/db/password")).toBe("db_password");
  });
});

describe("RoleSessionName", () => {
  it.each([
    [{ GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "99", GITHUB_RUN_ATTEMPT: "3" }, {}, "vaultgate-acme.app-99-3"],
    [{ CI_PROJECT_PATH: "group/sub/proj", CI_JOB_ID: "5005" }, {}, "vaultgate-group.sub.proj-5005"],
    [{ JOB_NAME: "folder/deploy job", BUILD_NUMBER: "12" }, {}, "vaultgate-folder.deploy.job-12"],
    [{}, { project_path: "acme/app", job_id: 7 }, "vaultgate-acme.app-7"],
  ])("%j %j → %s", (env, c, name) => expect(sessionNameFor(env, c)).toBe(name));

  it("keeps the run id and stays within STS's 64 characters", () => {
    const name = sessionNameFor({ GITHUB_REPOSITORY: `acme/${"x".repeat(100)}`, GITHUB_RUN_ID: "123456789" }, {});
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[\w+=,.@-]+-123456789-1$/);
  });
});

describe("AWS errors", () => {
  it("a rejected claim names the trust policy's aud and sub next to the token's claims", () => {
    const e = mapAssumeError(new IDPRejectedClaimException({ message: "Incorrect token audience", ...meta }), assumeCtx);
    expect(e).toMatchObject({ name: "AuthError", exitCode: 3, reasonId: "aws.login.trust-refused" });
    expect(e.message).toContain("repo:acme/app:ref:refs/heads/main");
    expect(e.hint).toMatch(
      /trust policy of arn:aws:iam::111122223333:role\/deploy .*"<issuer>:aud" must be sts\.amazonaws\.com .*"repo:acme\/app:ref:refs\/heads\/main"/,
    );
    expect((e as { claims?: unknown }).claims).toMatchObject({ sub: claims.sub, aud: "sts.amazonaws.com" });
  });

  it("an unverifiable token asks for the IAM OIDC provider; a trust refusal (AccessDenied) names the policy", () => {
    const invalid = mapAssumeError(
      new InvalidIdentityTokenException({ message: "No OpenIDConnect provider found", ...meta }),
      assumeCtx,
    );
    expect(invalid.reasonId).toBe("aws.login.untrusted-issuer");
    expect(invalid.hint).toMatch(/IAM OIDC identity provider for the issuer https:\/\/token\.actions\.githubusercontent\.com/);
    const denied = new STSServiceException({
      name: "AccessDenied",
      $fault: "client",
      message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      $metadata: { httpStatusCode: 403 },
    });
    const refused = mapAssumeError(denied, assumeCtx);
    expect(refused).toMatchObject({ name: "AuthError", reasonId: "aws.login.trust-refused" });
    expect(refused.hint).toMatch(/trust policy/);
  });

  it("read errors: not found, scheduled for deletion, network", () => {
    const ctx = {
      what: "Secrets Manager secret x",
      origin: "line 1",
      roleArn: "r",
      region: "eu-west-1",
      action: "secretsmanager:GetSecretValue",
      resource: "x",
    };
    expect(mapAwsReadError(new ResourceNotFoundException({ message: "nope", ...meta }), ctx)).toMatchObject({
      name: "SecretNotFoundError",
      reasonId: "aws.read.not-found",
    });
    const deleted = new InvalidRequestException({
      message: "You can't perform this operation on the secret because it was marked for deletion.",
      ...meta,
    });
    const gone = mapAwsReadError(deleted, ctx);
    expect(gone).toMatchObject({ name: "SecretNotFoundError", reasonId: "aws.read.scheduled-for-deletion" });
    expect(gone.hint).toMatch(/restore-secret/);
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(mapAwsReadError(refused, ctx)).toMatchObject({
      name: "VaultUnavailableError",
      exitCode: 5,
      reasonId: "aws.unavailable",
    });
  });
});
