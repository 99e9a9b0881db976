/**
 * providers/aws — the AWS provider: Secrets Manager and SSM Parameter Store with
 * temporary credentials from AssumeRoleWithWebIdentity. This module and everything it
 * imports (the AWS SDK) is loaded only by a run that uses the AWS source, through the
 * lazy import in providers/load.ts. STS credentials cannot be revoked: they expire.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { AwsSourceConfig, SecretSpec } from "../../config/schema.js";
import { formatDuration } from "../../util/duration.js";
import type {
  AuthenticateOptions,
  Capabilities,
  Provider,
  ProviderSession,
  ReadOptions,
  ReadOutcome,
  RenewOutcome,
  RevokeReport,
  RevokeRequest,
  SessionIdentity,
  ValidateOptions,
  Verdict,
} from "../types.js";
import { assume, credentialExports, type Assumed, type StsOptions } from "./credentials.js";
import { readAws, type AwsClients } from "./read.js";
import { NOT_REVOCABLE, awsVerdict } from "./reasons.js";
import { validateAws } from "./validate.js";

export { sessionNameFor, type AwsCredentials } from "./credentials.js";

/** AWS_CAPABILITIES: STS sessions are re-assumed (not renewed), never revoked, and reads return stored values. */
export const AWS_CAPABILITIES: Capabilities = { renewable: true, revocable: false, dynamic: false };

export { NOT_REVOCABLE } from "./reasons.js";

/** AwsSession is one assumed role with its Secrets Manager and SSM clients. */
export class AwsSession implements ProviderSession {
  readonly kind = "aws" as const;
  readonly capabilities = AWS_CAPABILITIES;
  readonly label = "the AWS session";
  readonly #sts: StsOptions;
  #assumed: Assumed;
  readonly #clients: AwsClients;

  constructor(sts: StsOptions, assumed: Assumed) {
    this.#sts = sts;
    this.#assumed = assumed;
    const { config } = sts;
    // The clients ask for the credentials on each request, so a re-assumption takes effect at once.
    const credentials = () => Promise.resolve({ ...this.#assumed.credentials });
    const common = {
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      maxAttempts: sts.maxAttempts,
      customUserAgent: sts.userAgent,
      credentials,
    };
    this.#clients = {
      sm: new SecretsManagerClient(common),
      ssm: new SSMClient(common),
      roleArn: config.roleArn,
      region: config.region,
    };
  }

  get identity(): SessionIdentity {
    const a = this.#assumed;
    return {
      source: "aws",
      method: "aws-web-identity",
      role: this.#sts.config.roleArn,
      origin: a.idToken.origin,
      claims: a.idToken.claims,
      ttlSeconds: this.ttlSeconds,
      renewable: true,
      details: {
        region: this.#sts.config.region,
        sessionName: a.sessionName,
        ...(a.assumedRoleArn ? { assumedRoleArn: a.assumedRoleArn } : {}),
        accessKeyId: a.credentials.accessKeyId,
        expiresAt: a.credentials.expiration.toISOString(),
      },
    };
  }

  /** ttlSeconds is how long the current credentials still live. */
  get ttlSeconds(): number {
    return Math.max(0, Math.floor((this.#assumed.credentials.expiration.getTime() - Date.now()) / 1000));
  }

  /** expiresAt is when the current credentials expire. */
  get expiresAt(): Date {
    return this.#assumed.credentials.expiration;
  }

  /** credentialExports are the temporary credentials as environment variables (already masked). */
  credentialExports(): { name: string; value: string }[] {
    return credentialExports(this.#assumed.credentials, this.#sts.config.region);
  }

  /** exports are the credentials as AWS_* variables when the source asks to export them. */
  exports(): { name: string; value: string }[] {
    return this.#sts.config.exportCredentials ? this.credentialExports() : [];
  }

  /** read reads in batches; each outcome is handed to `settled` once its batch has answered. */
  async read(specs: readonly SecretSpec[], options: ReadOptions): Promise<ReadOutcome[]> {
    const outcomes = await readAws(this.#clients, specs, options.concurrency);
    for (const [index, outcome] of outcomes.entries()) await options.settled?.(index, outcome);
    return outcomes;
  }

  validate(specs: readonly SecretSpec[], options: ValidateOptions): Promise<Verdict[]> {
    return validateAws(this.#clients, specs, options.concurrency);
  }

  validateSession(options: ValidateOptions): Promise<Verdict> {
    const ttl = this.ttlSeconds;
    const min = options.minTtlSeconds;
    const details = { ttlSeconds: ttl, minTtlSeconds: min, sessionDurationSeconds: this.#sts.config.sessionDurationSeconds };
    const vars = { ttl: formatDuration(ttl), min: formatDuration(min) };
    return Promise.resolve(awsVerdict(ttl >= min ? "aws.session.ok" : "aws.session.too-short", vars, details));
  }

  /** renew re-assumes the role with a fresh ID token (GitHub) or the same one while it is valid. */
  async renew(): Promise<RenewOutcome> {
    const before = this.ttlSeconds;
    const token = this.#assumed.idToken;
    const exp = typeof token.claims.exp === "number" ? token.claims.exp * 1000 : undefined;
    // GitHub hands out a fresh token on request; other platforms' tokens are fixed for the job.
    const reuse = this.#sts.platform.name !== "github" && this.#sts.config.idToken.from !== "github";
    if (reuse && exp !== undefined && exp <= Date.now() + 5000) {
      return {
        ok: false,
        ttlSeconds: before,
        capped: true,
        message: `cannot re-assume ${this.#sts.config.roleArn}: the ID token expired at ${new Date(exp).toISOString()}; the AWS credentials expire at ${this.expiresAt.toISOString()}`,
      };
    }
    try {
      this.#assumed = await assume(this.#sts, reuse ? token : undefined);
      return { ok: true, ttlSeconds: this.ttlSeconds, capped: false, message: `re-assumed ${this.#sts.config.roleArn}` };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        ttlSeconds: before,
        capped: false,
        message: `cannot re-assume ${this.#sts.config.roleArn}: ${message}`,
      };
    }
  }

  /** renewLease: AWS reads obtain no leases. */
  renewLease(leaseId: string): Promise<number> {
    return Promise.reject(new Error(`AWS reads have no leases (asked to renew ${leaseId})`));
  }

  /** lookupLease: AWS reads obtain no leases. */
  lookupLease(leaseId: string): Promise<{ ttlSeconds: number; renewable: boolean }> {
    return Promise.reject(new Error(`AWS reads have no leases (asked to look up ${leaseId})`));
  }

  /** revoke cannot end STS credentials; it says so (and records it), and they expire on their own. */
  revoke(request: RevokeRequest): Promise<RevokeReport> {
    const message = `${NOT_REVOCABLE} (${this.expiresAt.toISOString()})`;
    request.note?.({ kind: "credentials", leaseId: null, outcome: "not-revocable", error: message });
    return Promise.resolve({
      token: "not-supported",
      leasesRevoked: 0,
      leasesWithToken: 0,
      errors: [],
      leftAlive: [],
      unrevocable: true,
    });
  }

  /** handOver: nothing for a later process to revoke. */
  handOver(): undefined {
    return undefined;
  }

  close(): void {
    this.#clients.sm.destroy();
    this.#clients.ssm.destroy();
  }
}

/** awsProvider authenticates with AssumeRoleWithWebIdentity. */
export const awsProvider = {
  kind: "aws",
  async authenticate(config: AwsSourceConfig, options: AuthenticateOptions): Promise<AwsSession> {
    const sts: StsOptions = {
      config,
      platform: options.platform,
      userAgent: options.userAgent,
      maxAttempts: options.maxAttempts ?? 3,
    };
    return new AwsSession(sts, await assume(sts, options.idToken));
  },
} satisfies Provider<AwsSourceConfig>;
