/**
 * providers/aws/credentials — the AWS login: STS AssumeRoleWithWebIdentity with the
 * job's OIDC token, a RoleSessionName derived from the CI run (so CloudTrail ties each
 * call to a job), and re-assumption while the ID token allows it. The credentials are
 * masked the moment STS returns them.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsSourceConfig, IdTokenSource } from "../../config/schema.js";
import { AuthError } from "../../errors.js";
import { audiences, type Claims } from "../../identity/claims.js";
import { AWS_ID_TOKEN_VARIABLE, obtainIdToken, type IdToken } from "../../identity/sources.js";
import type { Env, Platform } from "../../platform.js";
import { mapAssumeError } from "./errors.js";

/** AwsCredentials are temporary STS credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Assumed is one successful AssumeRoleWithWebIdentity. */
export interface Assumed {
  credentials: AwsCredentials;
  assumedRoleArn: string | undefined;
  sessionName: string;
  idToken: IdToken;
}

/** sessionNameFor derives a RoleSessionName (2–64 of [\w+=,.@-]) from the CI run, then the token's claims. */
export function sessionNameFor(env: Env, claims: Claims): string {
  const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
  const pairs: [string | undefined, string | undefined][] = [
    [env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID && `${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? "1"}`],
    [env.CI_PROJECT_PATH, env.CI_JOB_ID],
    [env.JOB_NAME, env.BUILD_NUMBER],
    [text(claims.repository), text(claims.run_id)],
    [text(claims.project_path), text(claims.job_id)],
  ];
  const found = pairs.find(([who, run]) => who && run);
  const [who, run] = found ?? ["local", String(Math.floor(Date.now() / 1000))];
  const clean = (s: string) => s.replace(/[^\w+=,.@-]+/g, ".");
  const tail = `-${clean(run ?? "")}`;
  const head = `vaultgate-${clean(who ?? "")}`.slice(0, 64 - tail.length);
  return `${head}${tail}`;
}

/** StsOptions: where STS is and how the client identifies itself. */
export interface StsOptions {
  config: AwsSourceConfig;
  platform: Platform;
  userAgent: string;
  maxAttempts: number;
}

/**
 * awsTokenSource is where the AWS source's ID token comes from: the configured source, or,
 * when sources.aws names none and $AWS_ID_TOKEN is set outside GitHub (a GitLab
 * `id_tokens` entry, Jenkins' awsCredentialsId), that variable rather than the vault's.
 */
export function awsTokenSource(source: IdTokenSource, platform: Platform): IdTokenSource {
  const named = source.from !== "auto" || source.variable !== undefined || source.file !== undefined;
  if (named || platform.name === "github" || !platform.env[AWS_ID_TOKEN_VARIABLE]?.trim()) return source;
  return { from: "env", variable: AWS_ID_TOKEN_VARIABLE };
}

/**
 * assertAudience refuses, before anything is sent to STS, a token whose `aud` is not the
 * AWS source's audience: STS would refuse it too, with a reason that does not say which
 * token was sent (typically the vault's, on GitLab or Jenkins).
 */
export function assertAudience(idToken: IdToken, config: AwsSourceConfig, platform: Platform): void {
  const got = audiences(idToken.claims);
  if (got.includes(config.audience)) return;
  const shown = got.length === 0 ? "no audience" : `audience ${got.map((a) => `"${a}"`).join(", ")}`;
  throw new AuthError(
    `The ID token for AWS (${idToken.origin}) has ${shown}, but sources.aws expects "${config.audience}": STS would refuse it, so no AWS request was sent (role ${config.roleArn}).`,
    { hint: audienceHint(config.audience, platform) },
  );
}

function audienceHint(audience: string, platform: Platform): string {
  const name = AWS_ID_TOKEN_VARIABLE;
  switch (platform.name) {
    case "gitlab":
      return `Give AWS an ID token of its own: add \`${name}: { aud: ${audience} }\` to the job's id_tokens, and \`id-token: { variable: ${name} }\` to sources.aws (${name} is used by default).`;
    case "jenkins":
      return `Bind an OIDC credential with audience ${audience} for AWS: pass awsCredentialsId to withVaultgate / vaultgateCheck (it sets $${name}), or name the variable in sources.aws id-token.`;
    default:
      return `Point sources.aws id-token at a token issued for ${audience} (default: $${name}), or set sources.aws.audience to the audience the role's trust policy expects.`;
  }
}

/** assume obtains the ID token (unless given), checks its audience and exchanges it for credentials. */
export async function assume(options: StsOptions, given?: IdToken): Promise<Assumed> {
  const { config, platform } = options;
  const source = awsTokenSource(config.idToken, platform);
  const idToken = given ?? (await obtainIdToken({ source, audience: config.audience, userAgent: options.userAgent }, platform));
  assertAudience(idToken, config, platform);
  const sessionName = config.sessionName ?? sessionNameFor(platform.env, idToken.claims);
  // AssumeRoleWithWebIdentity is not signed: the client needs no credentials of its own.
  const sts = new STSClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    maxAttempts: options.maxAttempts,
    customUserAgent: options.userAgent,
    credentials: { accessKeyId: "", secretAccessKey: "" },
  });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: config.roleArn,
        RoleSessionName: sessionName,
        WebIdentityToken: idToken.token,
        DurationSeconds: config.sessionDurationSeconds,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw Object.assign(new Error("STS answered without credentials"), { name: "InvalidResponse" });
    }
    const kind = config.exportCredentials ? "secret" : "token";
    platform.mask(c.AccessKeyId, "token");
    platform.mask(c.SecretAccessKey, kind);
    platform.mask(c.SessionToken, kind);
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: new Date(c.Expiration),
      },
      assumedRoleArn: out.AssumedRoleUser?.Arn,
      sessionName,
      idToken,
    };
  } catch (error) {
    throw mapAssumeError(error, {
      roleArn: config.roleArn,
      region: config.region,
      claims: idToken.claims,
      tokenOrigin: idToken.origin,
      audience: config.audience,
    });
  } finally {
    sts.destroy();
  }
}

/** credentialExports are the variables aws-actions/configure-aws-credentials sets, for the job. */
export function credentialExports(credentials: AwsCredentials, region: string): { name: string; value: string }[] {
  return [
    { name: "AWS_ACCESS_KEY_ID", value: credentials.accessKeyId },
    { name: "AWS_SECRET_ACCESS_KEY", value: credentials.secretAccessKey },
    { name: "AWS_SESSION_TOKEN", value: credentials.sessionToken },
    { name: "AWS_REGION", value: region },
    { name: "AWS_DEFAULT_REGION", value: region },
  ];
}
