/**
 * admin — the vault client of the commands that act as an administrator (`policy
 * --apply`, `lint` of a live vault): the address, namespace and TLS of the usual flags
 * and manifest, and a token read from a variable (VAULT_TOKEN, BAO_TOKEN or
 * --token-variable), never from a flag value.
 */
import {
  ConfigError,
  PermissionDeniedError,
  USER_AGENT,
  VaultClient,
  VaultHttpError,
  VaultUnavailableError,
  VaultgateError,
  vaultOf,
  type Env,
  type VaultgateConfig,
} from "@vaultgate/core";

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
    vault: vaultOf(config, "This command"),
    fetch: { ...config.fetch, maxAttempts: Math.min(config.fetch.maxAttempts ?? 3, 3) },
    userAgent: USER_AGENT,
  });
  client.setToken(token);
  return client;
}

/** withAdmin runs `work` with an admin client and maps what the vault answers to vaultgate's errors. */
export async function withAdmin<T>(
  config: VaultgateConfig,
  token: string,
  doing: string,
  work: (client: VaultClient) => Promise<T>,
): Promise<T> {
  const client = adminClient(config, token);
  try {
    return await work(client);
  } catch (error) {
    if (error instanceof VaultgateError) throw error;
    const address = vaultOf(config, "This command").url;
    if (error instanceof VaultHttpError && (error.status === 401 || error.status === 403))
      throw new PermissionDeniedError(`The vault at ${address} refused the admin token while ${doing} (${error.path}).`, {
        hint: `Use a token whose policy allows this on ${error.path}; see docs/${doing.startsWith("lint") ? "lint" : "policy"}.md.`,
        cause: error,
      });
    if (error instanceof VaultHttpError && error.status < 500)
      throw new ConfigError(
        `The vault at ${address} refused ${error.path} while ${doing}: ${error.errors.join("; ") || `HTTP ${error.status}`}.`,
        {
          cause: error,
        },
      );
    throw new VaultUnavailableError(
      `The vault at ${address} failed while ${doing}: ${error instanceof Error ? error.message : String(error)}.`,
      {
        hint: "Check the vault address, network and proxy settings (HTTPS_PROXY/NO_PROXY) and the vault's health.",
        cause: error,
      },
    );
  } finally {
    client.close();
  }
}
