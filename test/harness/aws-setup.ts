/**
 * aws-setup — seeds a moto server the way a platform engineer sets up AWS for
 * vaultgate: two roles trusted for the CI issuer (one may read everything, one may not
 * read single parameters), Secrets Manager secrets (JSON, text, binary, two versions,
 * one scheduled for deletion) and SSM parameters (String, SecureString, a hierarchy).
 * Every value is generated per run. Seeding uses moto's dummy static credentials; the
 * code under test gets its own from AssumeRoleWithWebIdentity.
 */
import { randomBytes } from "node:crypto";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/** AwsFixture is what a seeded moto holds; values are this run's. */
export interface AwsFixture {
  endpoint: string;
  region: string;
  /** May read every secret and parameter. */
  roleArn: string;
  /** May read secrets and parameter hierarchies, but not single parameters (ssm:GetParameters). */
  limitedRoleArn: string;
  values: {
    appUsername: string;
    appPassword: string;
    appApiKey: string;
    plain: string;
    binary: Buffer;
    current: string;
    previous: string;
    dbPassword: string;
    dbUser: string;
    nestedToken: string;
    jsonParamKey: string;
  };
}

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";

/** trustPolicy is a GitHub-style web identity trust policy (moto stores it but does not evaluate it). */
export function trustPolicy(issuerHost: string, sub: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHost}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { [`${issuerHost}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${issuerHost}:sub`]: sub },
        },
      },
    ],
  });
}

const value = (label: string) => `${label}-${randomBytes(12).toString("base64url")}`;

/** seedAws creates the roles, secrets and parameters. */
export async function seedAws(endpoint: string): Promise<AwsFixture> {
  const common = { region: REGION, endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
  const iam = new IAMClient(common);
  const sm = new SecretsManagerClient(common);
  const ssm = new SSMClient(common);
  const v: AwsFixture["values"] = {
    appUsername: value("user"),
    appPassword: value("pw"),
    appApiKey: value("key"),
    plain: value("plain"),
    binary: randomBytes(24),
    current: value("current"),
    previous: value("previous"),
    dbPassword: value("dbpw"),
    dbUser: value("dbuser"),
    nestedToken: value("nested"),
    jsonParamKey: value("jsonkey"),
  };
  const roles: string[] = [];
  for (const [name, actions] of [
    [
      "vaultgate-deploy",
      [
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "secretsmanager:DescribeSecret",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
      ],
    ],
    [
      "vaultgate-limited",
      [
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "secretsmanager:DescribeSecret",
        "ssm:GetParametersByPath",
      ],
    ],
  ] as const) {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: trustPolicy("token.actions.githubusercontent.com", "repo:acme/*"),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: "read",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: [...actions], Resource: "*" }],
        }),
      }),
    );
    roles.push(role.Role?.Arn ?? `arn:aws:iam::${ACCOUNT}:role/${name}`);
  }
  await sm.send(
    new CreateSecretCommand({
      Name: "vaultgate/app",
      SecretString: JSON.stringify({ username: v.appUsername, password: v.appPassword, "api-key": v.appApiKey }),
    }),
  );
  await sm.send(new CreateSecretCommand({ Name: "vaultgate/plain", SecretString: v.plain }));
  await sm.send(new CreateSecretCommand({ Name: "vaultgate/binary", SecretBinary: v.binary }));
  await sm.send(new CreateSecretCommand({ Name: "vaultgate/rotated", SecretString: v.previous }));
  await sm.send(new PutSecretValueCommand({ SecretId: "vaultgate/rotated", SecretString: v.current }));
  await sm.send(new CreateSecretCommand({ Name: "vaultgate/doomed", SecretString: value("doomed") }));
  await sm.send(new DeleteSecretCommand({ SecretId: "vaultgate/doomed", RecoveryWindowInDays: 7 }));
  const put = (Name: string, Value: string, Type: "String" | "SecureString") =>
    ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
  await put("/vaultgate/app/db_password", v.dbPassword, "SecureString");
  await put("/vaultgate/app/db_user", v.dbUser, "String");
  await put("/vaultgate/app/nested/token", v.nestedToken, "SecureString");
  await put("/vaultgate/json", JSON.stringify({ key: v.jsonParamKey }), "SecureString");
  for (const c of [iam, sm, ssm]) c.destroy();
  return { endpoint, region: REGION, roleArn: roles[0] ?? "", limitedRoleArn: roles[1] ?? "", values: v };
}
