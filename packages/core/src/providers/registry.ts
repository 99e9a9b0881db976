/**
 * providers/registry — which provider serves a source. The vault provider is part of
 * every build; the AWS provider is loaded through providers/load (a lazy import) only
 * when a run names an AWS source. The engine asks here and never names a backend.
 */
import { transportWarnings, type FetchSettings, type VaultConfig, type VaultgateConfig } from "../config/schema.js";
import { InternalError } from "../errors.js";
import { authenticateAws } from "./load.js";
import type { AuthenticateOptions, HandOver, ProviderSession, Verdict } from "./types.js";
import { vaultProvider } from "./vault/provider.js";

/** sourceWarnings are what the run's source configuration should be warned about (plain http, no TLS check). */
export function sourceWarnings(config: VaultgateConfig): string[] {
  return transportWarnings(config.vault);
}

/** authenticate logs in to the run's vault (the caller checks that the run has one). */
export function authenticate(config: VaultgateConfig, options: AuthenticateOptions): Promise<ProviderSession> {
  if (!config.vault) return Promise.reject(new InternalError("authenticate: this run names no vault"));
  return vaultProvider.authenticate({ ...config, vault: config.vault }, options);
}

/**
 * authenticateOthers logs in to the run's other sources, those it uses (a secret read
 * from it, or credentials to export); each is loaded only then.
 */
export async function authenticateOthers(config: VaultgateConfig, options: AuthenticateOptions): Promise<ProviderSession[]> {
  const aws = config.aws;
  // An AWS-only run always logs in to AWS: it is the run's one source.
  if (!aws || !(!config.vault || aws.exportCredentials || config.secrets.some((s) => s.source === "aws"))) return [];
  return [await authenticateAws(aws, { ...options, maxAttempts: options.maxAttempts ?? config.fetch.maxAttempts })];
}

/** probe is the question to ask the run's source before login (does it answer?); undefined when none. */
export function probe(config: VaultgateConfig, options: AuthenticateOptions): (() => Promise<Verdict>) | undefined {
  const vault = config.vault;
  return vault ? () => vaultProvider.probe({ ...config, vault }, options) : undefined;
}

/** resume holds a session another process logged in, from what its state handed over. */
export function resume(
  source: VaultConfig,
  handOver: HandOver,
  options: Omit<AuthenticateOptions, "idToken"> & { fetch: FetchSettings; lookup?: boolean },
): Promise<ProviderSession> {
  return vaultProvider.resume(source, handOver, options);
}
