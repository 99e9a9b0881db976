/**
 * seed — the devvault seed equivalent to test/harness/vault-setup.ts's configuration of
 * OpenBao: the same policies, jwt mounts trusting the same issuer keys, the same roles
 * and the same secret values (generated per run). OpenBao's PKI engine has no devvault
 * counterpart; its policy lines are kept and simply match nothing.
 */
import type { Seed } from "@vaultgate/devvault";
import { AUDIENCE, type VaultFixture } from "@vaultgate/test-harness";

const APP_POLICY = `
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read", "list"] }
path "kv1/app/*" { capabilities = ["read"] }
path "pki/issue/app" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`;

const APP_PLAIN_POLICY = `
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read", "list"] }
path "pki/issue/app" { capabilities = ["update"] }
`;

/** fixtureSeed returns the seed that makes a devvault look like the configured OpenBao. */
export function fixtureSeed(fixture: VaultFixture): Seed {
  const v = fixture.values;
  const role = (body: Record<string, unknown>) => ({
    role_type: "jwt",
    bound_audiences: [AUDIENCE],
    user_claim: "sub",
    token_policies: ["app-read"],
    token_ttl: 300,
    token_max_ttl: 900,
    ...body,
  });
  const jwtMount = (platform: keyof VaultFixture["issuers"], roles: Record<string, Record<string, unknown>>) => ({
    type: "jwt" as const,
    jwt_validation_pubkeys: [fixture.issuers[platform].publicPem],
    bound_issuer: fixture.issuers[platform].issuer,
    roles,
  });
  const bulk: Record<string, Record<string, unknown>> = {};
  for (let i = 1; i <= fixture.bulkCount; i++) {
    const n = String(i).padStart(2, "0");
    bulk[`app/bulk/${n}`] = { value: v[`bulk${n}`] };
  }
  return {
    root_token: fixture.rootToken,
    policies: { "app-read": APP_POLICY, "app-plain": APP_PLAIN_POLICY },
    auth: {
      [fixture.mounts.github]: jwtMount("github", {
        deploy: role({
          bound_claims_type: "glob",
          bound_claims: { sub: "repo:acme/app:ref:refs/heads/main", repository: "acme/app" },
        }),
        "deploy-plain": role({ bound_claims: { repository: "acme/app" }, token_policies: ["app-plain"] }),
        "short-ttl": role({ bound_claims: { repository: "acme/app" }, token_ttl: 5, token_max_ttl: 120 }),
        production: role({ bound_claims: { environment: "production" } }),
      }),
      [fixture.mounts.gitlab]: jwtMount("gitlab", {
        deploy: role({ user_claim: "user_login", bound_claims: { project_path: "acme/app", ref_type: "branch", ref: "main" } }),
      }),
      [fixture.mounts.jenkins]: jwtMount("jenkins", {
        deploy: role({ bound_claims: { sub: "https://jenkins.example.com/job/app/job/deploy/" } }),
      }),
    },
    secrets: {
      secret: {
        type: "kv",
        version: 2,
        data: {
          "app/db": { username: v.dbUser, password: v.dbPassword },
          "app/api": { token: v.apiToken, "api-key": v.apiKey, "tls.crt": v.dotted },
          "app/cert": { pem: v.multiline },
          "app/config": { settings: { db: { password: v.jsonPassword } }, hosts: ["a", "b"], port: 5432 },
          "restricted/root": { token: v.restricted },
          ...bulk,
        },
      },
      kv1: { type: "kv", version: 1, data: { "app/legacy": { password: v.legacyPassword } } },
    },
  };
}
