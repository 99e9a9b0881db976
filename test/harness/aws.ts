/**
 * aws — the one set-up of the suites that read from AWS: a moto server seeded with this
 * run's roles, secrets and parameters (aws-setup.ts), optionally a GitHub ID token
 * endpoint for the job's identity, and what moto was sent to assume a role. moto
 * verifies neither the web identity token nor the trust policy, so the suites check the
 * AssumeRoleWithWebIdentity requests themselves: role, session name, the token and its
 * claims (audience, subject), and that the request was unsigned.
 */
import { seedAws, type AwsFixture } from "./aws-setup.js";
import { startGitHubOidc, type GitHubOidcServer } from "./github-oidc.js";
import type { GitHubContext, IssuerKey } from "./issuer.js";
import { startMoto, type MotoServer } from "./moto.js";

/** AwsTestBed is a seeded moto (and the GitHub token endpoint when asked for). */
export interface AwsTestBed {
  moto: MotoServer;
  /** The seeded roles, secrets and parameters, with this run's values. */
  aws: AwsFixture;
  /** The GitHub ID token endpoint, when `github` was given. */
  oidc: GitHubOidcServer | undefined;
  /** stop ends the token endpoint and moto. */
  stop(): Promise<void>;
}

/** AwsTestBedOptions: `github` starts a GitHub ID token endpoint signing with `issuer` for the job `ctx`. */
export interface AwsTestBedOptions {
  github?: { issuer: IssuerKey; ctx?: GitHubContext };
}

/**
 * startAwsTestBed starts moto on a free loopback port and seeds it. The first call on a
 * machine installs moto into its cache (minutes): give the calling hook that time.
 */
export async function startAwsTestBed(options: AwsTestBedOptions = {}): Promise<AwsTestBed> {
  const moto = await startMoto();
  let oidc: GitHubOidcServer | undefined;
  try {
    const aws = await seedAws(moto.endpoint);
    if (options.github) oidc = await startGitHubOidc(options.github.issuer, options.github.ctx);
    return {
      moto,
      aws,
      oidc,
      stop: async () => {
        await oidc?.close();
        await moto.stop();
      },
    };
  } catch (error) {
    await oidc?.close();
    await moto.stop();
    throw error;
  }
}

/** AssumeRequest is one AssumeRoleWithWebIdentity moto received. */
export interface AssumeRequest {
  roleArn: string | null;
  sessionName: string | null;
  durationSeconds: string | null;
  /** The web identity token as sent (a secret: compare it, never print it). */
  token: string;
  /** The token's payload, decoded. */
  claims: Record<string, unknown>;
  /** Whether the request carried an Authorization header (it must not: the call is unsigned). */
  signed: boolean;
}

/** assumeRequests returns the AssumeRoleWithWebIdentity requests moto recorded since startRecording. */
export async function assumeRequests(moto: MotoServer): Promise<AssumeRequest[]> {
  return (await moto.recorded())
    .map((r) => ({ r, form: new URLSearchParams(r.body) }))
    .filter(({ form }) => form.get("Action") === "AssumeRoleWithWebIdentity")
    .map(({ r, form }) => {
      const token = form.get("WebIdentityToken") ?? "";
      return {
        roleArn: form.get("RoleArn"),
        sessionName: form.get("RoleSessionName"),
        durationSeconds: form.get("DurationSeconds"),
        token,
        claims: decodePayload(token),
        signed: Object.keys(r.headers).some((h) => h.toLowerCase() === "authorization"),
      };
    });
}

/** decodePayload returns a JWT's payload, or {} when it is not one. */
function decodePayload(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}
