/**
 * providers/load — the one place that loads a provider's code. The AWS provider (and
 * with it the AWS SDK) is behind a lazy import(): a run that names no AWS source never
 * loads it, and bundlers put it in a chunk of its own.
 */
import type { AwsSourceConfig } from "../config/schema.js";
import type * as AwsProviderModule from "./aws/index.js";
import type { AuthenticateOptions } from "./types.js";

/** AwsModule is the lazily loaded AWS provider module. */
export type AwsModule = typeof AwsProviderModule;

/** loadAws imports the AWS provider. */
export function loadAws(): Promise<AwsModule> {
  return import("./aws/index.js");
}

/** authenticateAws loads the AWS provider and assumes the configured role. */
export async function authenticateAws(
  config: AwsSourceConfig,
  options: AuthenticateOptions,
): Promise<InstanceType<AwsModule["AwsSession"]>> {
  const aws = await loadAws();
  return aws.awsProvider.authenticate(config, options);
}
