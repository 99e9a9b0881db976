/** job-env — the ID token and environment of a GitLab job logging in to the test vault. */
import { baseEnv } from "./cli.js";
import { TestIssuer, gitlabClaims, type GitLabContext } from "./issuer.js";
import type { VaultFixture } from "./vault-setup.js";

/** gitlabIdToken signs a GitLab `id_tokens` token for `aud` (default: the fixture's audience). */
export function gitlabIdToken(vault: VaultFixture, ctx: GitLabContext = {}, aud = vault.audience): Promise<string> {
  return new TestIssuer(vault.issuers.gitlab).sign(gitlabClaims(aud, ctx));
}

/** gitlabJobEnv is a GitLab job's minimal environment with $VAULT_ID_TOKEN and $VAULT_ADDR, and the token. */
export async function gitlabJobEnv(
  vault: VaultFixture,
  extra: Record<string, string> = {},
  options: { ctx?: GitLabContext; aud?: string } = {},
): Promise<{ env: Record<string, string>; token: string }> {
  const token = await gitlabIdToken(vault, options.ctx, options.aud);
  return { env: baseEnv({ GITLAB_CI: "true", VAULT_ID_TOKEN: token, VAULT_ADDR: vault.addr, ...extra }), token };
}
