// config/sources, AWS-only: a configuration that names sources.aws and no vault reads
// every secret from AWS (aws:// optional), contacts no vault (one known only from
// VAULT_ADDR is used only when a secret reads from it), and
// lends the login's id-token source to AWS; a configuration naming neither source, a
// vault secret or a pki entry without a vault, and a vault path taken for an AWS one are
// refused with the fix named.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, normalizeConfig, parseManifest, vaultOf } from "@vaultgate/core";

const ARN = "arn:aws:iam::123456789012:role/deploy";
const ctx = { env: {}, baseDir: "/tmp", source: "vaultgate.yml" };
const VAULT_ADDR = { VAULT_ADDR: "http://vault.internal:8200" };
const manifest = (text: string, env: Record<string, string> = ctx.env) =>
  normalizeConfig(parseManifest(text, "vaultgate.yml", {}), { ...ctx, env });
const AWS = `sources: { aws: { role-arn: "${ARN}", region: eu-west-1 } }`;

function refusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).hint).toBeTruthy();
    return error as ConfigError;
  }
  throw new Error("not refused");
}

describe("an AWS-only configuration", () => {
  it("reads every secret from AWS, plain or aws://, and names no vault", () => {
    const config = manifest(`${AWS}
secrets:
  - secretsmanager/prod/app api_key | API_KEY
  - aws://ssm/app/prod/smtp value | SMTP
  - { path: ssm/app/prod, key: "*", prefix: APP_ }
  - { source: aws, path: secretsmanager/prod/other, key: user, name: USER }
`);
    expect(config.vault).toBeUndefined();
    expect(config.secrets.map((s) => [s.source, s.path])).toEqual([
      ["aws", "secretsmanager/prod/app"],
      ["aws", "ssm/app/prod/smtp"],
      ["aws", "ssm/app/prod"],
      ["aws", "secretsmanager/prod/other"],
    ]);
  });

  it("with VAULT_ADDR set: AWS-only when every secret is aws:// (the address not even checked), else the vault from it", () => {
    const only = manifest(
      `${AWS}\nsecrets: [ "aws://ssm/app/x value | X", { source: aws, path: ssm/y, key: value, name: Y } ]`,
      VAULT_ADDR,
    );
    expect(only.vault).toBeUndefined();
    const both = manifest(`${AWS}\nsecrets: [ "aws://ssm/app/x value | X", "secret/data/app password | P" ]`, {
      VAULT_ADDR: "https://vault.example.com",
    });
    expect(both.vault?.url).toBe("https://vault.example.com");
    expect(both.secrets.map((s) => s.source ?? "vault")).toEqual(["aws", "vault"]);
  });

  it("is what the action's inputs make of aws-role-arn and aws-region without url", () => {
    const config = loadConfig({
      inputs: { "aws-role-arn": ARN, "aws-region": "eu-west-1", method: "", secrets: "ssm/app/x value | X" },
      env: {},
      cwd: "/tmp",
    });
    expect(config.vault).toBeUndefined();
    expect(config.secrets[0]).toMatchObject({ source: "aws", path: "ssm/app/x" });
  });

  it("keeps the vault when one is named next to AWS (url input, vault:, sources.vault): secrets default to it", () => {
    for (const config of [
      loadConfig({ inputs: { url: "https://v.example.com", "aws-role-arn": ARN, "aws-region": "eu-west-1" }, env: {}, cwd: "/" }),
      manifest(`vault: { url: "https://v.example.com" }\n${AWS}\nsecrets: [ "secret/data/a k | K" ]`),
      manifest(`sources: { vault: {}, aws: { role-arn: "${ARN}", region: eu-west-1 } }\nsecrets: [ "secret/data/a k | K" ]`, {
        VAULT_ADDR: "https://v.example.com",
      }),
    ]) {
      expect(config.vault?.url).toMatch(/^https:\/\/v/);
      expect(config.secrets.every((s) => s.source === undefined)).toBe(true);
    }
  });

  it("lends the login's id-token source to AWS when sources.aws names none", () => {
    const lent = manifest(`${AWS}\nauth: { id-token: { from: env, variable: AWS_ID_TOKEN } }`);
    expect(lent.aws?.idToken).toEqual({ from: "env", variable: "AWS_ID_TOKEN", file: undefined });
    const own = manifest(
      `sources: { aws: { role-arn: "${ARN}", region: eu-west-1, id-token: gitlab } }\nauth: { id-token: { from: env, variable: X } }`,
    );
    expect(own.aws?.idToken).toEqual({ from: "gitlab" });
  });

  it.each([
    ["a vault secret (source: vault)", `${AWS}\nsecrets: [ { path: secret/data/a, key: k, source: vault } ]`, /names no vault/],
    ["a pki entry", `${AWS}\npki: 'pki/issue/web {"common_name":"a.example.com"}'`, /issues from a vault engine.*names no vault/],
    ["a vault path", `${AWS}\nsecrets: [ "secret/data/app password | P" ]`, /read from AWS, the only source.*not an AWS/],
    ["an unknown AWS service", `${AWS}\nsecrets: [ "s3/bucket value | X" ]`, /not an AWS secret reference/],
  ])("refuses %s, naming the fix", (_, text, message) => {
    const error = refusal(() => manifest(text));
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(2);
  });

  it("refuses a configuration naming neither source, naming both fixes", () => {
    const error = refusal(() => manifest(`secrets: [ "secret/data/a k | K" ]`, {}));
    expect(error.message).toMatch(/No source is configured.*no vault address and no AWS source/);
    expect(error.hint).toMatch(/vault\.url.*VAULT_ADDR.*sources\.aws.*aws-role-arn/);
    // A vault named without an address still says what is missing.
    expect(refusal(() => manifest(`vault: { namespace: team }`, {})).message).toMatch(/No vault address/);
  });

  it("is refused by the commands that only speak to a vault (policy, lint --live)", () => {
    const error = refusal(() => vaultOf(manifest(AWS), "vaultgate policy"));
    expect(error.message).toMatch(/vaultgate policy works on a vault.*only sources\.aws/);
  });
});
