// config/sources: the manifest's sources, each secret's source (aws:// prefix, source:),
// the AWS source's keys and their checks, and the action inputs that set them.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, normalizeConfig, parseManifest, rawFromInputs, mergeRaw } from "@vaultgate/core";

const ctx = { env: {}, baseDir: "/tmp", source: "vaultgate.yml" };
const ARN = "arn:aws:iam::123456789012:role/deploy";
const manifest = (text: string) => normalizeConfig(parseManifest(text, "vaultgate.yml", {}), ctx);
const TWO = `
sources:
  vault: { url: "https://vault.example.com" }
  aws: { role-arn: "${ARN}", region: eu-west-1 }
secrets:
  - secret/data/app password | DB_PASSWORD
  - aws://secretsmanager/prod/app api_key | API_KEY
  - aws://ssm/app/prod/smtp value | SMTP
  - { source: aws, path: secretsmanager/prod/other, key: "*", prefix: OTHER_ }
`;

describe("sources in a manifest", () => {
  it("reads each secret from its source: vault-action lines from the vault, aws:// and source: aws from AWS", () => {
    const config = manifest(TWO);
    expect(config.vault?.url).toBe("https://vault.example.com");
    expect(config.aws).toMatchObject({ roleArn: ARN, region: "eu-west-1", audience: "sts.amazonaws.com" });
    expect(config.aws?.sessionDurationSeconds).toBe(900);
    expect(config.secrets.map((s) => [s.source ?? "vault", s.path])).toEqual([
      ["vault", "secret/data/app"],
      ["aws", "secretsmanager/prod/app"],
      ["aws", "ssm/app/prod/smtp"],
      ["aws", "secretsmanager/prod/other"],
    ]);
  });

  it.each([
    [
      "an AWS secret without sources.aws",
      `vault: { url: "https://v.example.com" }\nsecrets: [ "aws://ssm/app/x value | X" ]`,
      /names no AWS source/,
    ],
    [
      "the vault named twice",
      `vault: { url: "https://v.example.com" }\nsources: { vault: { url: "https://w.example.com" } }`,
      /names the vault twice/,
    ],
    ["an unknown source", `vault: { url: "https://v.example.com" }\nsources: { gcp: {} }`, /sources/],
    [
      "a role that is no ARN",
      `vault: { url: "https://v.example.com" }\nsources: { aws: { role-arn: deploy, region: eu-west-1 } }`,
      /not an IAM role ARN/,
    ],
    ["no region", `vault: { url: "https://v.example.com" }\nsources: { aws: { role-arn: "${ARN}" } }`, /needs a region/],
    [
      "a session under 15 minutes",
      `vault: { url: "https://v.example.com" }\nsources: { aws: { role-arn: "${ARN}", region: eu-west-1, session-duration: 5m } }`,
      /between 15m and 12h/,
    ],
    [
      "an unknown AWS service",
      `vault: { url: "https://v.example.com" }\nsources: { aws: { role-arn: "${ARN}", region: eu-west-1 } }\nsecrets: [ "aws://s3/bucket value | X" ]`,
      /not an AWS secret reference/,
    ],
    [
      "an aws:// path with source: vault",
      `vault: { url: "https://v.example.com" }\nsources: { aws: { role-arn: "${ARN}", region: eu-west-1 } }\nsecrets: [ { path: "aws://ssm/x", key: value, name: X, source: vault } ]`,
      /cannot have source: vault/,
    ],
    [
      "an unknown source: value",
      `vault: { url: "https://v.example.com" }\nsecrets: [ { path: a/b, key: c, source: gcp } ]`,
      /is not a source/,
    ],
  ])("refuses %s with a hint", (_, text, message) => {
    let error: unknown;
    try {
      manifest(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).hint).toBeTruthy();
  });

  it("takes the region from AWS_REGION and the keys from inputs laid over the manifest's", () => {
    const raw = parseManifest(
      `vault: { url: "https://v.example.com" }\nsources: { aws: { role-arn: "${ARN}", session-duration: 1h } }`,
      "m",
      {},
    );
    const inputs = rawFromInputs({ "aws-region": "us-east-2", "aws-audience": "my-aud", "aws-export-credentials": "true" });
    const config = normalizeConfig(mergeRaw(raw, inputs), { ...ctx, env: { AWS_REGION: "eu-central-1" } });
    expect(config.aws).toMatchObject({
      roleArn: ARN,
      region: "us-east-2",
      audience: "my-aud",
      sessionDurationSeconds: 3600,
      exportCredentials: true,
    });
    const fromEnv = loadConfig({
      inputs: { url: "https://v.example.com", "aws-role-arn": ARN },
      env: { AWS_REGION: "eu-central-1" },
      cwd: "/tmp",
    });
    expect(fromEnv.aws?.region).toBe("eu-central-1");
  });

  it("leaves a vault-only manifest as it was: no AWS source, every secret the vault's", () => {
    const config = manifest(`vault: { url: "https://v.example.com" }\nsecrets: [ "secret/data/app password | P" ]`);
    expect(config.aws).toBeUndefined();
    expect(config.secrets[0]?.source).toBeUndefined();
  });
});

describe("vault inputs over a manifest's sources.vault", () => {
  const SOURCES_VAULT = `
sources:
  vault: { url: "https://manifest.example.com", namespace: team }
  aws: { role-arn: "${ARN}", region: eu-west-1 }
secrets: [ "secret/data/app password | DB_PASSWORD" ]
`;
  const load = (inputs: Record<string, string>, env: Record<string, string> = {}, text = SOURCES_VAULT) =>
    normalizeConfig(mergeRaw(parseManifest(text, "vaultgate.yml", env), rawFromInputs(inputs)), { ...ctx, env });

  it.each([
    ["url", { url: "https://input.example.com" }, { url: "https://input.example.com", namespace: "team" }],
    ["namespace", { namespace: "other" }, { url: "https://manifest.example.com", namespace: "other" }],
    [
      "url and namespace",
      { url: "https://input.example.com", namespace: "other" },
      { url: "https://input.example.com", namespace: "other" },
    ],
    ["nothing", {}, { url: "https://manifest.example.com", namespace: "team" }],
  ])("an input %s wins over sources.vault, key by key", (_, inputs, vault) => {
    const config = load(inputs);
    expect(config).toMatchObject({ vault });
    expect(config.aws?.roleArn).toBe(ARN);
  });

  it("VAULT_ADDR fills in a sources.vault without url; a url input still wins over it", () => {
    const text = SOURCES_VAULT.replace('url: "https://manifest.example.com", ', "");
    expect(load({}, { VAULT_ADDR: "https://env.example.com" }, text)).toMatchObject({
      vault: { url: "https://env.example.com" },
    });
    expect(load({ url: "https://input.example.com" }, { VAULT_ADDR: "https://env.example.com" }, text)).toMatchObject({
      vault: { url: "https://input.example.com" },
    });
  });

  it("still refuses a manifest that names the vault in both vault: and sources.vault", () => {
    const text = `vault: { url: "https://v.example.com" }\n${SOURCES_VAULT}`;
    expect(() => load({ url: "https://input.example.com" }, {}, text)).toThrow(/names the vault twice/);
  });
});
