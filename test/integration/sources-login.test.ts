// The login of each source of a Vault + AWS manifest, through the CLI against the real
// OpenBao and moto: `vaultgate exec` hands the command no source's ID token (the vault's
// nor the AWS source's, whatever variable sources.aws names); the AWS source takes
// $AWS_ID_TOKEN when it names none; a token issued for another audience (the vault's) is
// refused before anything is sent to STS, naming the variable, both audiences and the
// fix per platform; and the url flag and VAULTGATE_URL win over a manifest's sources.vault.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import {
  assumeRequests,
  baseEnv,
  gitlabIdToken,
  gitlabJobEnv,
  runCli,
  startAwsTestBed,
  type AwsTestBed,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let bed: AwsTestBed;

// The first run on a machine installs moto from PyPI into its cache: allow it the install's time.
beforeAll(async () => {
  bed = await startAwsTestBed();
  await bed.moto.startRecording();
}, 15 * 60_000);
afterAll(async () => {
  await bed?.stop();
});

/** manifest writes a Vault + AWS manifest (`aws` adds lines to sources.aws, `vault` is sources.vault) and returns its path. */
function manifest(opts: { aws?: string; vault?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-sources-login-"));
  const file = join(dir, "vaultgate.yml");
  const text = [
    "version: 1",
    "sources:",
    ...(opts.vault ? [`  vault: ${opts.vault}`] : []),
    "  aws:",
    `    role-arn: ${bed.aws.roleArn}`,
    `    region: ${bed.aws.region}`,
    `    endpoint: ${bed.aws.endpoint}`,
    ...(opts.aws ? [`    ${opts.aws}`] : []),
    "secrets:",
    "  - secret/app/db password | DB_PASSWORD",
    "  - aws://secretsmanager/vaultgate/app password | APP_PASSWORD",
    "",
  ].join("\n");
  writeFileSync(file, text);
  return file;
}

/** PROBE prints which login variables the command sees and the fingerprint of APP_PASSWORD. */
const PROBE = [
  "const names = ['VAULT_ID_TOKEN', 'AWS_ID_TOKEN', 'STS_WEB_TOKEN', 'VAULTGATE_ID_TOKEN'];",
  "const seen = names.filter((n) => process.env[n] !== undefined);",
  "const hash = require('crypto').createHash('sha256').update(process.env.APP_PASSWORD ?? '').digest('hex');",
  "process.stdout.write(JSON.stringify({ seen, db: process.env.DB_PASSWORD !== undefined, app: hash }) + '\\n');",
].join(" ");

interface Probe {
  seen: string[];
  db: boolean;
  app: string;
}

const probeOf = (stdout: string): Probe => JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Probe;

/** gitlabEnv is a GitLab job logging in to the test vault ($VAULT_ID_TOKEN, the vault's audience), plus `extra`. */
async function gitlabEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const { env } = await gitlabJobEnv(vault, {
    VAULTGATE_MOUNT: vault.mounts.gitlab,
    VAULTGATE_ROLE: "deploy",
    VAULTGATE_AUDIENCE: vault.audience,
    ...extra,
  });
  return env;
}

const stsToken = () => gitlabIdToken(vault, {}, "sts.amazonaws.com");

describe("exec hands the command the secrets, not any source's identity", () => {
  it("removes the variable sources.aws id-token names, and every default ID token variable", async ({ expect }) => {
    const token = await stsToken();
    const env = await gitlabEnv({ STS_WEB_TOKEN: token, AWS_ID_TOKEN: token });
    const file = manifest({ aws: "id-token: { variable: STS_WEB_TOKEN }" });
    const before = (await assumeRequests(bed.moto)).length;
    const result = await runCli(["exec", "-f", file, "--", process.execPath, "-e", PROBE], env, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const probe = probeOf(result.stdout);
    expect(probe.seen).toEqual([]);
    expect(probe.db).toBe(true);
    expect(probe.app).toBe(sha256(bed.aws.values.appPassword));
    const sent = (await assumeRequests(bed.moto)).slice(before);
    expect(sent.map((r) => r.claims.aud)).toEqual(["sts.amazonaws.com"]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
  });

  it("--keep-env still hands over a variable asked for by name", async ({ expect }) => {
    const env = await gitlabEnv({ STS_WEB_TOKEN: await stsToken() });
    const file = manifest({ aws: "id-token: { variable: STS_WEB_TOKEN }" });
    const args = ["exec", "-f", file, "--keep-env", "STS_WEB_TOKEN", "--", process.execPath, "-e", PROBE];
    const result = await runCli(args, env, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(probeOf(result.stdout).seen).toEqual(["STS_WEB_TOKEN"]);
  });
});

describe("the AWS source's ID token and its audience", () => {
  it("takes $AWS_ID_TOKEN when sources.aws names no id-token", async ({ expect }) => {
    const token = await stsToken();
    const env = await gitlabEnv({ AWS_ID_TOKEN: token });
    const before = (await assumeRequests(bed.moto)).length;
    const result = await runCli(["exec", "-f", manifest(), "--", process.execPath, "-e", PROBE], env, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(probeOf(result.stdout)).toEqual({ seen: [], db: true, app: sha256(bed.aws.values.appPassword) });
    const sent = (await assumeRequests(bed.moto)).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.token).toBe(token);
    expect(sent[0]?.claims.aud).toBe("sts.amazonaws.com");
  });

  it.for([
    {
      platform: "GitLab",
      extra: {},
      variable: "$VAULT_ID_TOKEN",
      hint: /Hint: .*`AWS_ID_TOKEN: \{ aud: sts\.amazonaws\.com \}` to the job's id_tokens.*`id-token: \{ variable: AWS_ID_TOKEN \}`/,
    },
    {
      platform: "Jenkins",
      extra: { JENKINS_URL: "https://jenkins.example.com/" },
      variable: "$VAULTGATE_ID_TOKEN",
      hint: /Hint: .*awsCredentialsId/,
    },
  ])(
    "$platform: refuses the vault's token (another audience) before any AWS request, naming the variable, both audiences and the fix",
    async ({ platform, extra, variable, hint }, { expect }) => {
      const env = await gitlabEnv(extra);
      if (platform === "Jenkins") {
        // A Jenkins job with only the vault's credential bound (no awsCredentialsId).
        env.VAULTGATE_ID_TOKEN = env.VAULT_ID_TOKEN ?? "";
        delete env.VAULT_ID_TOKEN;
        delete env.GITLAB_CI;
      }
      const token = env.VAULT_ID_TOKEN ?? env.VAULTGATE_ID_TOKEN ?? "";
      const before = (await assumeRequests(bed.moto)).length;
      const out = join(mkdtempSync(join(tmpdir(), "vaultgate-sources-login-out-")), "secrets.env");
      for (const command of [
        ["fetch", "-f", manifest(), "--out", out],
        ["exec", "-f", manifest(), "--", process.execPath, "-e", PROBE],
      ]) {
        const result = await runCli(command, env, { timeoutMs: 60_000 });
        const output = `${result.stdout}${result.stderr}`;
        expect(result.code, output).toBe(3);
        expect(result.stderr).toContain(
          `Error: The ID token for AWS (${variable}) has audience "${vault.audience}", but sources.aws expects "sts.amazonaws.com"`,
        );
        expect(result.stderr).toMatch(hint);
        expect(output).not.toMatch(/\n\s+at /); // no stack trace
        expect(output).not.toContain(token);
        expect(result.stdout).not.toContain("seen");
      }
      expect(existsSync(out)).toBe(false);
      expect((await assumeRequests(bed.moto)).slice(before)).toEqual([]);
    },
  );

  it("refuses a token for another audience than a configured sources.aws audience, before any AWS request", async ({
    expect,
  }) => {
    const env = await gitlabEnv({ AWS_ID_TOKEN: await stsToken() });
    const file = manifest({ aws: "audience: https://aws.example.com/acme" });
    const before = (await assumeRequests(bed.moto)).length;
    const out = join(mkdtempSync(join(tmpdir(), "vaultgate-sources-login-out-")), "secrets.env");
    const result = await runCli(["fetch", "-f", file, "--out", out], env, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      'Error: The ID token for AWS ($AWS_ID_TOKEN) has audience "sts.amazonaws.com", but sources.aws expects "https://aws.example.com/acme"',
    );
    expect((await assumeRequests(bed.moto)).slice(before)).toEqual([]);
  });
});

describe("the url flag and VAULTGATE_URL over a manifest's sources.vault", () => {
  // The manifest's vault is unreachable (port 9 on loopback): only the flag's or variable's address works.
  const UNREACHABLE = '{ url: "http://127.0.0.1:9" }';

  it.for([
    ["--url", (env: Record<string, string>) => ({ args: ["--url", vault.addr], env })],
    ["VAULTGATE_URL", (env: Record<string, string>) => ({ args: [], env: { ...env, VAULTGATE_URL: vault.addr } })],
  ] as const)("%s wins over sources.vault.url", async ([, given], { expect }) => {
    const base = await gitlabEnv({ AWS_ID_TOKEN: await stsToken() });
    delete base.VAULT_ADDR;
    const { args, env } = given(base);
    const file = manifest({ vault: UNREACHABLE });
    const result = await runCli(["exec", "-f", file, ...args, "--", process.execPath, "-e", PROBE], env, {
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/names the vault twice/);
    expect(probeOf(result.stdout)).toMatchObject({ db: true, app: sha256(bed.aws.values.appPassword) });
  });

  it("VAULT_ADDR fills in a sources.vault that names no url", async ({ expect }) => {
    const env = await gitlabEnv({ AWS_ID_TOKEN: await stsToken() });
    const file = manifest({ vault: "{ tls-skip-verify: false }" });
    const result = await runCli(["exec", "-f", file, "--", process.execPath, "-e", PROBE], env, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(probeOf(result.stdout).db).toBe(true);
  });

  it("a bad --url over sources.vault is still refused with Error: and Hint:", async ({ expect }) => {
    const env = baseEnv({ GITLAB_CI: "true" });
    const out = join(mkdtempSync(join(tmpdir(), "vaultgate-sources-login-out-")), "secrets.env");
    const result = await runCli(["fetch", "-f", manifest({ vault: UNREACHABLE }), "--url", "not a url", "--out", out], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error: .*\nHint: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
