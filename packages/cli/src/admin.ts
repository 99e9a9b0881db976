/**
 * admin — the vault client of the commands that act as an administrator (`policy
 * --apply`, `lint` of a live vault): the address, namespace and TLS of the usual flags
 * and manifest, and a token read from a variable (VAULT_TOKEN, BAO_TOKEN or
 * --token-variable), never from a flag value.
 */
import { ConfigError, USER_AGENT, VaultClient, type Env, type VaultgateConfig } from "@vaultgate/core";

/** adminToken reads the admin token from `variable`, else VAULT_TOKEN, else BAO_TOKEN. */
export function adminToken(env: Env, variable: string | undefined, purpose: string): string {
  const names = variable ? [variable] : ["VAULT_TOKEN", "BAO_TOKEN"];
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  throw new ConfigError(
    `${purpose} needs an admin token, and ${names.join(" and ")} ${names.length > 1 ? "are" : "is"} not set.`,
    {
      hint: `Export ${names[0]} with a token allowed to ${purpose === "lint" ? "read sys/auth, the jwt roles and sys/policies/acl" : "write auth/ and sys/policies/acl"}.`,
    },
  );
}

/** adminClient builds a VaultClient for the configured vault, holding `token`. */
export function adminClient(config: VaultgateConfig, token: string): VaultClient {
  const client = new VaultClient({
    vault: config.vault,
    fetch: { ...config.fetch, maxAttempts: Math.min(config.fetch.maxAttempts, 3) },
    userAgent: USER_AGENT,
  });
  client.setToken(token);
  return client;
}
