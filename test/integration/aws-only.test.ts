// An AWS-only run: a manifest (or action inputs) naming sources.aws and no vault, against
// a real moto; plain `secretsmanager/…`/`ssm/…` paths are AWS's, the only source. `fetch` writes the values and a state without a vault or a token, `revoke`
// removes the files and says STS credentials cannot be revoked; `exec` masks every value;
// `check` checks the token, the AWS login, the session and each secret (reason ids); the
// secrets action from its dist/ reads with aws-role-arn/aws-region and no url, and its post
// step ends the run. Where VAULT_ADDR is set (every secret written aws://) it points at a
// listener that records requests: it gets none.
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@vaultgate/core";
import {
  ACTIONS,
  checkCli,
  gitlabJobEnv,
  runActionStep,
  runCli,
  schemaValidator,
  startAwsTestBed,
  type AwsTestBed,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const PRINT = fileURLToPath(new URL("../fixtures/print-secrets.mjs", import.meta.url));
const validateAudit = schemaValidator("audit-record.v1.json");
const STS_AUDIENCE = "sts.amazonaws.com";
let bed: AwsTestBed;
let decoy: Server;
let decoyAddr: string;
const decoyRequests: string[] = [];

// The first run on a machine installs moto from PyPI into its cache: allow it the install's time.
beforeAll(async () => {
  bed = await startAwsTestBed({ github: { issuer: vault.issuers.github, ctx: { repository: "acme/app" } } });
  decoy = createServer((req, res) => {
    decoyRequests.push(`${req.method ?? ""} ${req.url ?? ""}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => decoy.listen(0, "127.0.0.1", resolve));
  decoyAddr = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}`;
}, 15 * 60_000);
afterAll(async () => {
  await bed?.stop();
  await new Promise((resolve) => decoy?.close(resolve));
  // Not one request reached the address in VAULT_ADDR, in any test of this file.
  expect(decoyRequests).toEqual([]);
});

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `vaultgate-aws-only-${label}-`));
const values = () => Object.values(bed.aws.values).map(String);

/** manifest writes an AWS-only manifest: sources.aws and `secrets` (YAML list items), no vault. */
function manifest(secrets: string[], extra: Record<string, string> = {}): string {
  const { aws } = bed;
  const keys = { "role-arn": aws.roleArn, region: aws.region, endpoint: aws.endpoint, ...extra };
  const text = [
    "version: 1",
    "sources:",
    "  aws:",
    ...Object.entries(keys).map(([k, v]) => `    ${k}: "${v}"`),
    "secrets:",
    ...secrets.map((s) => `  - ${s}`),
  ];
  const file = join(tmp("manifest"), "vaultgate.yml");
  writeFileSync(file, `${text.join("\n")}\n`);
  return file;
}

/** jobEnv is a GitLab job with an ID token for STS (VAULT_ADDR at the recording decoy when `decoy`). */
async function jobEnv(extra: Record<string, string> = {}, decoy = false): Promise<Record<string, string>> {
  const { env } = await gitlabJobEnv(vault, extra, { aud: STS_AUDIENCE });
  if (decoy) env.VAULT_ADDR = decoyAddr;
  else delete env.VAULT_ADDR;
  return env;
}

const lastRecord = (file: string) => JSON.parse(readFileSync(file, "utf8").trim().split("\n").at(-1) ?? "{}") as AuditRecord;

const SECRETS = [
  "secretsmanager/vaultgate/app password | APP_PASSWORD",
  "ssm/vaultgate/app/db_password value | DB_PASSWORD",
  "aws://ssm/vaultgate/app/db_user value | DB_USER",
];
/** PREFIXED are SECRETS written aws://, as a runner with VAULT_ADDR set needs them. */
const PREFIXED = SECRETS.map((s) => (s.startsWith("aws://") ? s : `aws://${s}`));
/** noVault is checkCli's option for a job without VAULT_ADDR. */
const noVault = { env: { VAULT_ADDR: "" } };

describe("an AWS-only manifest through the CLI", () => {
  it("fetch: the values from AWS, a state without vault or token; revoke removes the file and says STS cannot be revoked", async () => {
    const file = manifest(PREFIXED);
    const dir = tmp("fetch");
    const [out, state, audit] = ["secrets.env", "state.json", "audit.jsonl"].map((f) => join(dir, f)) as [string, string, string];
    const env = await jobEnv({}, true);
    const fetched = await runCli(["fetch", "-f", file, "--out", out, "--state", state, "--audit", audit], env);
    expect(fetched.stderr).not.toMatch(/Error:/);
    expect(fetched.code).toBe(0);
    const written = readFileSync(out, "utf8");
    const { appPassword, dbPassword, dbUser } = bed.aws.values;
    for (const [name, value] of [
      ["APP_PASSWORD", appPassword],
      ["DB_PASSWORD", dbPassword],
      ["DB_USER", dbUser],
    ])
      expect(written).toContain(`${name}="${value}"`);
    const saved = JSON.parse(readFileSync(state, "utf8")) as Record<string, unknown>;
    expect(Object.keys(saved)).not.toEqual(expect.arrayContaining(["token"]));
    expect(saved).not.toHaveProperty("token");
    expect(saved).not.toHaveProperty("vault");
    expect(saved.unrevocable).toEqual([expect.objectContaining({ source: "aws", role: bed.aws.roleArn })]);

    const record = lastRecord(audit);
    expect(validateAudit(record)).toEqual([]);
    expect(record.vault).toBeNull();
    expect(record.sources?.map((s) => [s.source, s.revocable])).toEqual([["aws", false]]);
    expect(record.identity).toMatchObject({ method: "aws-web-identity", role: bed.aws.roleArn });
    expect(record.reads.map((r) => r.source)).toEqual(["aws", "aws", "aws"]);
    expect(record.revocations).toEqual([expect.objectContaining({ kind: "credentials", outcome: "not-revocable" })]);
    for (const value of values()) expect(JSON.stringify(record).includes(value)).toBe(false);

    const revoked = await runCli(["revoke", "--state", state, "--audit", audit], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toMatch(/AWS cannot revoke STS credentials; they expire at the end of the session \(arn:aws:iam::/);
    expect(revoked.stderr).toMatch(/ended: no vault token or lease to revoke, removed 1 file\(s\)/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(state)).toBe(false);
    const end = lastRecord(audit);
    expect(validateAudit(end)).toEqual([]);
    expect(end).toMatchObject({ command: "revoke", vault: null, outcome: "success" });
  });

  it("exec: every value reaches the command, masked; one audit record with the AWS source alone", async () => {
    const file = manifest(SECRETS);
    const audit = join(tmp("exec"), "audit.jsonl");
    const env = await jobEnv({ PRINT_SECRETS: "APP_PASSWORD,DB_PASSWORD,DB_USER", EXIT_CODE: "0", BYTE_DELAY_MS: "0" });
    const result = await runCli(["exec", "-f", file, "--audit", audit, "--", process.execPath, PRINT], env, {
      timeoutMs: 90_000,
    });
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.code).toBe(0);
    for (const value of values()) expect((result.stdout + result.stderr).includes(value), "a value leaked").toBe(false);
    for (const name of ["APP_PASSWORD", "DB_PASSWORD", "DB_USER"])
      expect(result.stdout).toMatch(new RegExp(`marker ${name} 0: \\*\\*\\* end`));
    const record = lastRecord(audit);
    expect(validateAudit(record)).toEqual([]);
    expect(record.sources?.map((s) => s.source)).toEqual(["aws"]);
    expect(record.revocations.map((r) => [r.kind, r.outcome])).toEqual([["credentials", "not-revocable"]]);
  });

  it("check: a healthy setup passes with no vault check; the token, the login, the session and each secret", async () => {
    const file = manifest(SECRETS);
    const run = await checkCli(vault, ["-f", file, "--min-ttl", "5m"], { ...noVault, aud: STS_AUDIENCE, secrets: values() });
    expect(run.problems).toEqual([]);
    expect(run.report.ok).toBe(true);
    expect(run.report.vault).toBeNull();
    expect(run.report.identity).toMatchObject({ method: "aws-web-identity", role: bed.aws.roleArn });
    expect(run.report.checks.map((c) => [c.id, c.status, c.details.reason])).toEqual([
      ["identity.token", "pass", "identity.ok"],
      ["aws.login", "pass", "aws.login.ok"],
      ["aws.session.ttl", "pass", "aws.session.ok"],
      ["secret.APP_PASSWORD", "pass", "aws.secret.readable"],
      ["secret.DB_PASSWORD", "pass", "aws.secret.readable"],
      ["secret.DB_USER", "pass", "aws.secret.readable"],
      ["budget", "pass", "budget.ok"],
    ]);
    expect(readFileSync(run.files.markdown, "utf8")).toContain("· AWS · role `arn:aws:iam::");
  });

  it("check: each AWS verdict fails with its reason id and its fix", async () => {
    const file = manifest([
      "secretsmanager/vaultgate/absent password | ABSENT",
      "secretsmanager/vaultgate/app nokey | NO_KEY",
      "secretsmanager/vaultgate/doomed value | DOOMED",
      "secretsmanager/vaultgate/rotated?version-stage=NOSUCH value | NO_STAGE",
    ]);
    const run = await checkCli(vault, ["-f", file, "--min-ttl", "1h"], { ...noVault, aud: STS_AUDIENCE, secrets: values() });
    expect(run.problems).toEqual([]);
    expect(run.result.code).toBe(1);
    const by = (id: string) => run.report.checks.find((c) => c.id === id);
    for (const [id, reason, words] of [
      [
        "aws.session.ttl",
        "aws.session.too-short",
        /lasts 1[45]m.*shorter than the deploy \(1h\): raise sources\.aws\.session-duration/,
      ],
      ["secret.ABSENT", "aws.read.not-found", /Not found in eu-west-1: Secrets Manager secret vaultgate\/absent.*Check the name/],
      ["secret.NO_KEY", "aws.secret.key-missing", /key "nokey" is missing.*it has: .*password.*fix the key's name/],
      [
        "secret.DOOMED",
        "aws.read.scheduled-for-deletion",
        /scheduled for deletion on .*restore-secret --secret-id vaultgate\/doomed/,
      ],
      ["secret.NO_STAGE", "aws.secret.no-stage", /carries the stage NOSUCH.*drop \?version-stage/],
    ] as const) {
      expect(by(id)?.status, id).toBe("fail");
      expect(by(id)?.details.reason, id).toBe(reason);
      expect(by(id)?.reason, id).toMatch(words);
    }
  });

  it("check: a parameter the role may not read fails with aws.read.denied, naming the IAM action", async () => {
    const file = manifest(["aws://ssm/vaultgate/app/db_password value | DENIED"], { "role-arn": bed.aws.limitedRoleArn });
    // The first request to moto (the unsigned AssumeRoleWithWebIdentity) passes; every later one is checked.
    await bed.moto.enforceAuthAfter(1);
    try {
      const run = await checkCli(vault, ["-f", file], { url: decoyAddr, aud: STS_AUDIENCE, secrets: values() });
      expect(run.problems).toEqual([]);
      const denied = run.report.checks.find((c) => c.id === "secret.DENIED");
      expect(denied?.details.reason).toBe("aws.read.denied");
      expect(denied?.reason).toMatch(/Permission denied reading SSM parameter .*Allow ssm:GetParameters on arn:aws:ssm:/);
    } finally {
      await bed.moto.enforceAuthAfter("never");
    }
  });

  it("check: a token for another audience is never sent to STS; the login is skipped", async () => {
    const file = manifest(PREFIXED.slice(0, 1));
    const run = await checkCli(vault, ["-f", file], { url: decoyAddr, aud: "https://vault.example.com", secrets: values() });
    expect(run.problems).toEqual([]);
    const status = Object.fromEntries(run.report.checks.map((c) => [c.id, [c.status, c.details.reason]]));
    expect(status["identity.token"]?.[0]).toBe("fail");
    expect(status["aws.login"]).toEqual(["skip", "login.not-attempted"]);
    expect(status["secret.APP_PASSWORD"]).toEqual(["skip", "secret.not-checked"]);
  });

  it("refuses a configuration naming no source, and a vault path in an AWS-only manifest, with Error: and Hint: (exit 2)", async () => {
    const env = await jobEnv();
    const none = await runCli(["fetch", "--out", join(tmp("none"), "s.env"), "-s", "secret/data/app k | K"], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Error: No source is configured in inputs: no vault address and no AWS source\./);
    expect(none.stderr).toMatch(/Hint: Name the vault .*VAULT_ADDR.*or AWS \(manifest `sources\.aws`/);
    const report = join(tmp("report"), "report.json");
    const vaultPath = await runCli(["check", "-f", manifest(["secret/data/app password | P"]), "--report", report], env);
    expect(vaultPath.code).toBe(2);
    expect(vaultPath.stderr).toMatch(/read from AWS, the only source .* names, but it is not an AWS secret reference/);
    expect(vaultPath.stderr).toMatch(/Hint: .*name the vault too/);
  });
});

describe("the secrets action from its dist/, AWS only (aws-role-arn, aws-region, no url)", () => {
  it("outputs, env and masks from AWS; the state names no token; post removes it and says STS cannot be revoked", async () => {
    const oidc = bed.oidc;
    if (!oidc) throw new Error("the test bed has no GitHub token endpoint");
    const audit = join(tmp("action"), "audit.jsonl");
    const before = oidc.audiences.length;
    const run = await runActionStep("secrets", ACTIONS.secrets.main, {
      env: { ...oidc.env, AWS_ENDPOINT_URL: bed.aws.endpoint },
      inputs: {
        "aws-role-arn": bed.aws.roleArn,
        "aws-region": bed.aws.region,
        audit,
        secrets: "secretsmanager/vaultgate/app api-key | API_KEY\nssm/vaultgate/app/db_user value | DB_USER",
      },
    });
    expect(run.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*created\)\n?/, "")).toBe("");
    expect(run.code).toBe(0);
    expect(oidc.audiences.slice(before)).toEqual([STS_AUDIENCE]);
    const { appApiKey, dbUser } = bed.aws.values;
    expect(Object.fromEntries(run.records.output)).toMatchObject({ API_KEY: appApiKey, DB_USER: dbUser });
    expect(Object.fromEntries(run.records.env)).toMatchObject({ API_KEY: appApiKey, DB_USER: dbUser });
    for (const value of [appApiKey, dbUser]) expect(run.masks).toContain(value);
    expect(run.stdout).toMatch(/vaultgate: read 2 values from AWS \(arn:aws:iam::\d+:role\/vaultgate-deploy\) as role/);
    const statePath = run.records.state.find(([, v]) => v !== "")?.[1] ?? "";
    const saved = JSON.parse(readFileSync(statePath, "utf8")) as Record<string, unknown>;
    expect(saved).not.toHaveProperty("token");
    expect(saved).not.toHaveProperty("vault");

    const post = await runActionStep("secrets", ACTIONS.secrets.post, { state: run.state, inputs: { audit } });
    expect(post.code).toBe(0);
    expect(post.stdout).toMatch(/AWS cannot revoke STS credentials; they expire at the end of the session/);
    expect(post.stdout).not.toMatch(/token|::warning::|::error::/i);
    expect(existsSync(statePath)).toBe(false);
    const record = lastRecord(audit);
    expect(validateAudit(record)).toEqual([]);
    expect(record).toMatchObject({ command: "github-secrets", vault: null, outcome: "success" });
    expect(record.sources?.map((s) => s.source)).toEqual(["aws"]);
  });

  it("exportToken without a vault is a configuration error naming the fix", async () => {
    const run = await runActionStep("secrets", ACTIONS.secrets.main, {
      env: { ...bed.oidc?.env, AWS_ENDPOINT_URL: bed.aws.endpoint },
      inputs: { "aws-role-arn": bed.aws.roleArn, "aws-region": bed.aws.region, exportToken: "true", secrets: "ssm/x value | X" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/exportToken hands on the vault token, and these inputs name no vault/);
  });
});
