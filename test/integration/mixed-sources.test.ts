// One manifest, two backends: Vault secrets from the real OpenBao and AWS secrets from a
// real moto server, under `vaultgate exec` (every value present and masked in every
// encoding, one audit record naming both sources, AWS "not revocable"), under `vaultgate
// check` (healthy passes; a missing secret, a missing key, a denied parameter and a
// secret scheduled for deletion each fail with their reason), and in the secrets action
// from its real dist/ (outputs, env, masks, the exported AWS credentials).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  AuditRecorder,
  DEFAULT_AWS_AUDIENCE,
  MIN_AWS_SESSION_SECONDS,
  Renewer,
  authenticateAws,
  type AuditRecord,
  type AwsSourceConfig,
} from "@vaultgate/core";
import {
  ACTIONS,
  checkCli,
  gitlabIdToken,
  gitlabJobEnv,
  recordingPlatform,
  runActionStep,
  runCli,
  schemaValidator,
  startAwsTestBed,
  type AwsFixture,
  type AwsTestBed,
  type GitHubOidcServer,
  type MotoServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const PRINT = fileURLToPath(new URL("../fixtures/print-secrets.mjs", import.meta.url));
const validateAudit = schemaValidator("audit-record.v1.json");
const RECORDER = fileURLToPath(new URL("../fixtures/record-imports.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../../actions/secrets/dist/", import.meta.url));
/** chunksHolding names the secrets action's dist files whose code contains `marker`. */
const chunksHolding = (marker: string) =>
  readdirSync(DIST).filter((f) => f.endsWith(".js") && readFileSync(join(DIST, f), "utf8").includes(marker));
/** AWS_CHUNKS are the secrets action's chunks that hold AWS code. */
const AWS_CHUNKS = chunksHolding("AssumeRoleWithWebIdentity");
/** YAML_CHUNKS are the secrets action's chunks that hold the YAML parser (a manifest's, loaded only for one). */
const YAML_CHUNKS = chunksHolding("YAMLParseError");

/** recording returns the env that makes node record every module it loads, and readers of the chunks loaded. */
function recording(): { env: Record<string, string>; awsChunks: () => string[]; yamlChunks: () => string[] } {
  const log = join(mkdtempSync(join(tmpdir(), "vaultgate-mixed-imports-")), "imports.txt");
  writeFileSync(log, "");
  const loaded = (chunks: string[]) => chunks.filter((c) => readFileSync(log, "utf8").includes(`/actions/secrets/dist/${c}`));
  return {
    env: { NODE_OPTIONS: `--import ${RECORDER}`, VAULTGATE_RECORD_IMPORTS: log },
    awsChunks: () => loaded(AWS_CHUNKS),
    yamlChunks: () => loaded(YAML_CHUNKS),
  };
}
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

/** awsIdToken is the GitLab job's second ID token, for AWS ($AWS_ID_TOKEN, audience sts.amazonaws.com). */
const awsIdToken = () => gitlabIdToken(vault, {}, DEFAULT_AWS_AUDIENCE);

/** manifest writes a two-source manifest with `secrets` (YAML list items) and returns its path. */
function manifest(secrets: string[], aws_: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-mixed-"));
  const awsKeys = { "role-arn": aws.roleArn, region: aws.region, endpoint: aws.endpoint, ...aws_ };
  const text = [
    "version: 1",
    "sources:",
    `  vault: { url: "${vault.addr}" }`,
    "  aws:",
    ...Object.entries(awsKeys).map(([k, v]) => `    ${k}: "${v}"`),
    "secrets:",
    ...secrets.map((s) => `  - ${s}`),
  ].join("\n");
  const file = join(dir, "vaultgate.yml");
  writeFileSync(file, `${text}\n`);
  return file;
}

function encodings(value: string): string[] {
  const b = Buffer.from(value);
  return [value, b.toString("base64"), b.toString("base64url"), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
}

const MIXED = [
  "{ path: secret/app/db, key: password, name: DB_PASSWORD }",
  "{ path: aws://secretsmanager/vaultgate/app, key: password, name: APP_PASSWORD }",
  "{ source: aws, path: ssm/vaultgate/app/db_password, key: value, name: SSM_DB_PASSWORD }",
];

describe("one manifest, Vault and AWS", () => {
  it("exec: every value present and masked in every encoding; one audit record with both sources, AWS not revocable", async () => {
    const file = manifest(MIXED, { "export-credentials": "true" });
    const audit = join(mkdtempSync(join(tmpdir(), "vaultgate-mixed-audit-")), "audit.jsonl");
    const names = "DB_PASSWORD,APP_PASSWORD,SSM_DB_PASSWORD,AWS_SECRET_ACCESS_KEY,AWS_SESSION_TOKEN";
    const { env } = await gitlabJobEnv(vault, {
      PRINT_SECRETS: names,
      EXIT_CODE: "0",
      BYTE_DELAY_MS: "0",
      AWS_ID_TOKEN: await awsIdToken(),
    });
    const args = ["exec", "-f", file, "--mount", "jwt-gitlab", "--role", "deploy", "--audit", audit, "--", process.execPath];
    const result = await runCli([...args, PRINT], env, { timeoutMs: 90_000 });
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.code).toBe(0);
    const out = result.stdout + result.stderr;
    for (const value of [vault.values.dbPassword!, aws.values.appPassword, aws.values.dbPassword]) {
      for (const encoded of encodings(value)) expect(out.includes(encoded), "a secret encoding leaked").toBe(false);
    }
    // Each value reached the command: its marker line carries the mask where the value was.
    for (const name of names.split(",")) expect(result.stdout).toMatch(new RegExp(`marker ${name} 0: \\*\\*\\* end`));

    const record = JSON.parse(readFileSync(audit, "utf8").trim().split("\n").at(-1) ?? "{}") as AuditRecord;
    expect(validateAudit(record)).toEqual([]);
    expect(record.sources?.map((s) => [s.source, s.revocable])).toEqual([
      ["vault", true],
      ["aws", false],
    ]);
    expect(record.sources?.[1]).toMatchObject({ role: aws.roleArn, method: "aws-web-identity" });
    expect(record.reads.map((r) => r.source ?? "vault").sort()).toEqual(["aws", "aws", "vault"]);
    expect(record.revocations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "token", outcome: "revoked" }),
        expect.objectContaining({ kind: "credentials", outcome: "not-revocable" }),
      ]),
    );
    expect(JSON.stringify(record).includes(aws.values.appPassword)).toBe(false);
  });

  it("check: a healthy two-source setup passes, each secret checked at its source", async () => {
    const file = manifest(MIXED);
    const run = await checkCli(vault, ["-f", file, "--min-ttl", "5m"], {
      secrets: Object.values(aws.values).map(String),
      env: { AWS_ID_TOKEN: await awsIdToken() },
    });
    expect(run.problems).toEqual([]);
    expect(run.report.ok).toBe(true);
    const status = Object.fromEntries(run.report.checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({
      login: "pass",
      "aws.login": "pass",
      "aws.session.ttl": "pass",
      "secret.DB_PASSWORD": "pass",
      "secret.APP_PASSWORD": "pass",
      "secret.SSM_DB_PASSWORD": "pass",
    });
  });

  it("check: a missing AWS secret, a missing key and a secret scheduled for deletion each fail with their reason", async () => {
    const file = manifest([
      "{ path: secret/app/db, key: password, name: DB_PASSWORD }",
      "{ path: aws://secretsmanager/vaultgate/absent, key: password, name: ABSENT }",
      "{ path: aws://secretsmanager/vaultgate/app, key: nokey, name: NO_KEY }",
      "{ path: aws://secretsmanager/vaultgate/doomed, key: value, name: DOOMED }",
    ]);
    const run = await checkCli(vault, ["-f", file], {
      secrets: Object.values(aws.values).map(String),
      env: { AWS_ID_TOKEN: await awsIdToken() },
    });
    expect(run.problems).toEqual([]);
    expect(run.report.ok).toBe(false);
    const by = (id: string) => run.report.checks.find((c) => c.id === id);
    expect(by("secret.DB_PASSWORD")?.status).toBe("pass");
    const failed = (id: string, reasonId: string, reason: RegExp) => {
      expect(by(id)?.status, id).toBe("fail");
      expect(by(id)?.details.reason, id).toBe(reasonId);
      expect(by(id)?.reason, id).toMatch(reason);
    };
    failed("secret.ABSENT", "aws.read.not-found", /vaultgate\/absent/);
    failed("secret.NO_KEY", "aws.secret.key-missing", /key "nokey" is missing.*it has: .*password/);
    failed("secret.DOOMED", "aws.read.scheduled-for-deletion", /scheduled for deletion.*restore-secret/);
    expect(by("aws.login")?.details.reason).toBe("aws.login.ok");
  });

  it("check: a parameter the role may not read fails naming the IAM action (moto enforcing IAM)", async () => {
    const file = manifest(["{ path: aws://ssm/vaultgate/app/db_password, key: value, name: DENIED }"], {
      "role-arn": aws.limitedRoleArn,
    });
    // The first request to moto (the unsigned AssumeRoleWithWebIdentity) passes; every later one is checked.
    await moto.enforceAuthAfter(1);
    try {
      const run = await checkCli(vault, ["-f", file], {
        secrets: Object.values(aws.values).map(String),
        env: { AWS_ID_TOKEN: await awsIdToken() },
      });
      expect(run.problems).toEqual([]);
      const denied = run.report.checks.find((c) => c.id === "secret.DENIED");
      expect(denied?.status).toBe("fail");
      expect(denied?.details.reason).toBe("aws.read.denied");
      expect(denied?.reason).toMatch(/Permission denied reading SSM parameter \/vaultgate\/app\/db_password.*ssm:GetParameters/);
    } finally {
      await moto.enforceAuthAfter("never");
    }
  });

  it("the secrets action from its dist/: outputs, env and masks for both sources, the AWS credentials exported", async () => {
    const file = manifest([]);
    const imports = recording();
    const run = await runActionStep("secrets", ACTIONS.secrets.main, {
      env: { ...oidc.env, ...imports.env },
      inputs: {
        manifest: file,
        role: "deploy",
        audience: vault.audience,
        "aws-role-arn": aws.roleArn,
        "aws-region": aws.region,
        "aws-export-credentials": "true",
        secrets:
          "secret/data/app/db password | DB_PASSWORD ;\naws://secretsmanager/vaultgate/app api-key | API_KEY ;\naws://ssm/vaultgate/app/db_user value | DB_USER",
      },
    });
    // Node 20 here: the SDK's own notice that its 2027 releases need Node 22 (the runner runs node24).
    expect(run.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*created\)\n?/, "")).toBe("");
    expect(run.code).toBe(0);
    const outputs = Object.fromEntries(run.records.output);
    const env = Object.fromEntries(run.records.env);
    expect(outputs).toMatchObject({
      DB_PASSWORD: vault.values.dbPassword,
      API_KEY: aws.values.appApiKey,
      DB_USER: aws.values.dbUser,
    });
    expect(env).toMatchObject({ DB_PASSWORD: vault.values.dbPassword, API_KEY: aws.values.appApiKey, AWS_REGION: aws.region });
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
      expect(env[name], name).toBeTruthy();
      expect(run.masks).toContain(env[name]);
    }
    for (const value of [vault.values.dbPassword!, aws.values.appApiKey, aws.values.dbUser]) expect(run.masks).toContain(value);
    const log = run.stdout
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    for (const value of [aws.values.appApiKey, aws.values.dbUser, env.AWS_SECRET_ACCESS_KEY ?? ""])
      expect(log.includes(value)).toBe(false);
    // The module recorder sees the AWS chunks this run loaded, and the manifest's YAML parser (the controls of the next test).
    expect(imports.awsChunks().length).toBeGreaterThan(0);
    expect(imports.yamlChunks().length).toBeGreaterThan(0);
  });

  it("a Vault-only run of the secrets action from its dist/ with inline inputs loads none of the AWS chunks, nor the YAML parser", async () => {
    const imports = recording();
    const run = await runActionStep("secrets", ACTIONS.secrets.main, {
      env: { ...oidc.env, ...imports.env },
      inputs: { url: vault.addr, role: "deploy", audience: vault.audience, secrets: "secret/data/app/db password | DB_PASSWORD" },
    });
    expect(run.code).toBe(0);
    expect(Object.fromEntries(run.records.output).DB_PASSWORD).toBe(vault.values.dbPassword);
    expect(AWS_CHUNKS.length).toBeGreaterThan(0);
    expect(imports.awsChunks()).toEqual([]);
    expect(YAML_CHUNKS.length).toBeGreaterThan(0);
    expect(imports.yamlChunks()).toEqual([]);
  });
});

describe("the AWS session under exec's renewer", () => {
  const config = (): AwsSourceConfig => ({
    roleArn: aws.roleArn,
    region: aws.region,
    audience: DEFAULT_AWS_AUDIENCE,
    idToken: { from: "auto" },
    sessionDurationSeconds: MIN_AWS_SESSION_SECONDS,
    sessionName: undefined,
    exportCredentials: true,
    endpoint: aws.endpoint,
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
  };

  it("re-assumes the role before the session ends, and the new credentials are masked", async () => {
    const platform = recordingPlatform({ ...oidc.env, GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "7" }, "github");
    const session = await authenticateAws(config(), { platform, userAgent: "vaultgate/test" });
    const audit = new AuditRecorder({ command: "exec", platform: "github", env: {}, address: vault.addr, namespace: undefined });
    const before = session.exports().find((e) => e.name === "AWS_ACCESS_KEY_ID")?.value;
    // The fraction only shortens the wait: the renewer would act at two thirds of the 900 s.
    const renewer = new Renewer({
      session,
      platform,
      token: { ttlSeconds: 900, renewable: true },
      leases: [],
      audit,
      fraction: 0.0003,
    });
    renewer.start();
    await until(() => audit.finish(0).renewals.length > 0);
    await renewer.stop();
    const after = session.exports().find((e) => e.name === "AWS_ACCESS_KEY_ID")?.value;
    expect(audit.finish(0).renewals[0]).toMatchObject({ kind: "token", ok: true });
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect(platform.masked).toContain(after);
    session.close();
  });

  it("warns when the ID token no longer allows it, naming when access ends", async () => {
    const { env, token } = await gitlabJobEnv(vault);
    const platform = recordingPlatform(env, "gitlab");
    const expired = {
      token,
      claims: { sub: "project_path:acme/app", aud: DEFAULT_AWS_AUDIENCE, exp: Math.floor(Date.now() / 1000) - 60 },
      origin: "$VAULT_ID_TOKEN",
    };
    const session = await authenticateAws(config(), { platform, userAgent: "vaultgate/test", idToken: expired });
    const renewer = new Renewer({ session, platform, token: { ttlSeconds: 900, renewable: true }, leases: [], fraction: 0.0003 });
    renewer.start();
    await until(() => platform.logs.some((l) => l.level === "warn"));
    await renewer.stop();
    const warning = platform.logs.find((l) => l.level === "warn")?.message ?? "";
    expect(warning).toMatch(/could not renew the AWS session: cannot re-assume .*ID token expired.*credentials expire at/);
    session.close();
  });
});
