/**
 * The AWS provider against a real moto server: AssumeRoleWithWebIdentity with the job's
 * token (what was sent is checked in moto's recording, since moto verifies neither the
 * token nor the trust policy), Secrets Manager and SSM reads batched as the APIs allow,
 * the gate's verdicts, re-assumption, and the absence of revocation.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  DEFAULT_AWS_AUDIENCE,
  MIN_AWS_SESSION_SECONDS,
  parseSelector,
  type AwsSourceConfig,
  type SecretSpec,
} from "@vaultgate/core";
import { authenticateAws, type RevocationNote } from "@vaultgate/core";
import {
  assumeRequests,
  recordingPlatform,
  startAwsTestBed,
  type AwsFixture,
  type AwsTestBed,
  type GitHubOidcServer,
  type MotoServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let bed: AwsTestBed;
let moto: MotoServer;
let aws: AwsFixture;
let oidc: GitHubOidcServer;

// The first run on a machine installs moto from PyPI into its cache: allow it the install's time.
beforeAll(async () => {
  bed = await startAwsTestBed({ github: { issuer: vault.issuers.github, ctx: { repository: "acme/app" } } });
  ({ moto, aws } = bed);
  oidc = bed.oidc!;
}, 15 * 60_000);
afterAll(async () => {
  await bed?.stop();
});

const jobEnv = () => ({ ...oidc.env, GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "7000000001", GITHUB_RUN_ATTEMPT: "2" });
const source = (over: Partial<AwsSourceConfig> = {}): AwsSourceConfig => ({
  roleArn: aws.roleArn,
  region: aws.region,
  audience: DEFAULT_AWS_AUDIENCE,
  idToken: { from: "auto" },
  sessionDurationSeconds: MIN_AWS_SESSION_SECONDS,
  sessionName: undefined,
  exportCredentials: false,
  endpoint: aws.endpoint,
  ...over,
});
const spec = (path: string, key: string, name = ""): SecretSpec => ({
  path,
  selector: parseSelector(key, "test"),
  envName: name,
  outputName: name,
  required: true,
  method: "GET",
  params: undefined,
  origin: `test ${path} ${key}`,
  source: "aws",
});
const login = async (over: Partial<AwsSourceConfig> = {}) => {
  const platform = recordingPlatform(jobEnv(), "github");
  const session = await authenticateAws(source(over), { platform, userAgent: "vaultgate/test" });
  return { platform, session };
};
const params = (body: string) => new URLSearchParams(body);
const targets = async () =>
  (await moto.recorded()).map((r) => r.headers["X-Amz-Target"] ?? r.headers["x-amz-target"] ?? params(r.body).get("Action"));

describe("AWS provider on moto", () => {
  it("assumes the role with the job's token, role and a session name from the CI run, unsigned", async () => {
    await moto.startRecording();
    const { platform, session } = await login();
    const sts = await assumeRequests(moto);
    expect(sts).toHaveLength(1);
    const sent = sts[0]!;
    expect(sent.roleArn).toBe(aws.roleArn);
    expect(sent.sessionName).toBe("vaultgate-acme.app-7000000001-2");
    expect(sent.durationSeconds).toBe("900");
    expect(platform.masked).toContain(sent.token);
    expect(oidc.audiences.at(-1)).toBe("sts.amazonaws.com");
    expect(sent.claims.aud).toBe("sts.amazonaws.com");
    expect(sent.claims.sub).toBe("repo:acme/app:ref:refs/heads/main");
    expect(sent.signed).toBe(false);
    const exported = session.credentialExports();
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
      expect(platform.masked).toContain(exported.find((e) => e.name === name)?.value);
    expect(session.identity).toMatchObject({
      source: "aws",
      role: aws.roleArn,
      details: { sessionName: "vaultgate-acme.app-7000000001-2" },
    });
    expect(session.capabilities).toEqual({ renewable: true, revocable: false, dynamic: false });
    session.close();
  });

  it("reads JSON keys, text, binary, versions, SecureStrings and hierarchies, batched", async () => {
    const { session } = await login();
    await moto.startRecording();
    const specs = [
      spec("secretsmanager/vaultgate/app", "password"),
      spec("secretsmanager/vaultgate/app", "*"),
      spec("secretsmanager/vaultgate/plain", "value"),
      spec("secretsmanager/vaultgate/binary", "value"),
      spec("secretsmanager/vaultgate/rotated?version-stage=AWSPREVIOUS", "value"),
      spec("ssm/vaultgate/app/db_password", "value"),
      spec("ssm/vaultgate/app/db_user", "value"),
      spec("ssm/vaultgate/json", "key"),
      spec("ssm/vaultgate/app", "*"),
    ];
    const out = await session.read(specs, { concurrency: 4 });
    const data = out.map((o) => (o.ok ? o.value.data : o.error.message));
    expect(data[0]).toEqual({
      username: aws.values.appUsername,
      password: aws.values.appPassword,
      "api-key": aws.values.appApiKey,
    });
    expect(data[2]).toEqual({ value: aws.values.plain });
    expect(data[3]).toEqual({ value: aws.values.binary.toString("base64") });
    expect(data[4]).toEqual({ value: aws.values.previous });
    expect(data[5]).toEqual({ value: aws.values.dbPassword });
    expect(data[6]).toEqual({ value: aws.values.dbUser });
    expect(data[7]).toEqual({ key: aws.values.jsonParamKey });
    expect(data[8]).toEqual({
      db_password: aws.values.dbPassword,
      db_user: aws.values.dbUser,
      nested_token: aws.values.nestedToken,
    });
    const calls = await targets();
    // Three unversioned secrets in one BatchGetSecretValue, three parameters in one GetParameters.
    expect(calls.filter((c) => c === "secretsmanager.BatchGetSecretValue")).toHaveLength(1);
    expect(calls.filter((c) => c === "secretsmanager.GetSecretValue")).toHaveLength(1);
    expect(calls.filter((c) => c === "AmazonSSM.GetParameters")).toHaveLength(1);
    expect(calls.filter((c) => c === "AmazonSSM.GetParametersByPath")).toHaveLength(1);
    session.close();
  });

  it("maps missing secrets and parameters to not-found errors that name the reference", async () => {
    const { session } = await login();
    const out = await session.read(
      [
        spec("secretsmanager/vaultgate/nope", "value"),
        spec("ssm/vaultgate/nope", "value"),
        spec("secretsmanager/vaultgate/app", "x"),
      ],
      { concurrency: 2 },
    );
    expect(out[0]).toMatchObject({ ok: false, error: { name: "SecretNotFoundError", exitCode: 4 } });
    expect(out[1]).toMatchObject({ ok: false, error: { name: "SecretNotFoundError" } });
    expect(out[1]?.ok === false && out[1].error.message).toContain("/vaultgate/nope");
    expect(out[2]?.ok).toBe(true);
    session.close();
  });

  it("gives the gate's verdicts: healthy, missing secret, missing key, scheduled for deletion, short session", async () => {
    const { session } = await login();
    const verdicts = await session.validate(
      [
        spec("secretsmanager/vaultgate/app", "password"),
        spec("ssm/vaultgate/app", "*"),
        spec("secretsmanager/vaultgate/missing", "value"),
        spec("secretsmanager/vaultgate/app", "missing_key"),
        spec("secretsmanager/vaultgate/doomed", "value"),
      ],
      { minTtlSeconds: 600, issueDynamic: false, concurrency: 4 },
    );
    expect(verdicts.map((v) => v.status)).toEqual(["pass", "pass", "fail", "fail", "fail"]);
    expect(verdicts[2]?.reason).toMatch(/Not found in eu-west-1: Secrets Manager secret vaultgate\/missing/);
    expect(verdicts[3]?.reason).toMatch(/key "missing_key" is missing.*it has: username, password, api-key/);
    expect(verdicts[4]?.reason).toMatch(/scheduled for deletion on .*restore-secret/);
    expect(verdicts.map((v) => v.details.reason)).toEqual([
      "aws.secret.readable",
      "aws.secret.readable",
      "aws.read.not-found",
      "aws.secret.key-missing",
      "aws.read.scheduled-for-deletion",
    ]);
    expect((await session.validateSession({ minTtlSeconds: 600, issueDynamic: false, concurrency: 1 })).status).toBe("pass");
    const short = await session.validateSession({ minTtlSeconds: 3600, issueDynamic: false, concurrency: 1 });
    expect(short.status).toBe("fail");
    expect(short.reason).toMatch(/session-duration/);
    expect(short.details.reason).toBe("aws.session.too-short");
    session.close();
  });

  it("a parameter the role may not read fails with the IAM action to grant (moto enforcing IAM)", async () => {
    // The first request (the unsigned AssumeRoleWithWebIdentity) passes; moto checks every later one.
    await moto.enforceAuthAfter(1);
    try {
      const { session } = await login({ roleArn: aws.limitedRoleArn });
      const [param, tree, secret] = await session.validate(
        [
          spec("ssm/vaultgate/app/db_password", "value"),
          spec("ssm/vaultgate/app", "*"),
          spec("secretsmanager/vaultgate/app", "password"),
        ],
        { minTtlSeconds: 60, issueDynamic: false, concurrency: 2 },
      );
      expect(param?.status).toBe("fail");
      expect(param?.reason).toMatch(
        /Permission denied reading SSM parameter \/vaultgate\/app\/db_password .*as .*vaultgate-limited.*Allow ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter\/vaultgate/,
      );
      expect(tree?.status).toBe("pass");
      expect(secret?.status).toBe("pass");
      session.close();
    } finally {
      await moto.enforceAuthAfter("never");
    }
  });

  it("re-assumes the role for fresh credentials and cannot revoke", async () => {
    const { platform, session } = await login();
    const before = session.identity.details.accessKeyId;
    const renewed = await session.renew();
    expect(renewed).toMatchObject({ ok: true });
    expect(session.identity.details.accessKeyId).not.toBe(before);
    expect(platform.masked).toContain(session.identity.details.accessKeyId);
    const notes: RevocationNote[] = [];
    const revoked = await session.revoke({
      leases: [],
      keepCredentials: false,
      deadline: Date.now() + 10_000,
      note: (n) => notes.push(n),
    });
    expect(revoked).toMatchObject({ token: "not-supported", unrevocable: true, leftAlive: [] });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: "credentials", leaseId: null, outcome: "not-revocable" });
    expect(notes[0]?.error).toMatch(/cannot revoke STS credentials/);
    const read = await session.read([spec("ssm/vaultgate/app/db_user", "value")], { concurrency: 1 });
    expect(read[0]?.ok).toBe(true);
    session.close();
  });

  it("a job without an ID token fails before STS is asked", async () => {
    const platform = recordingPlatform({ ...jobEnv(), ACTIONS_ID_TOKEN_REQUEST_TOKEN: "wrong" }, "github");
    await moto.startRecording();
    await expect(authenticateAws(source(), { platform, userAgent: "t" })).rejects.toMatchObject({ name: "IdentityError" });
    expect(await moto.recorded()).toEqual([]);
  });
});
