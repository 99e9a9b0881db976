/**
 * seed/default — the seed `vaultgate dev` uses without --seed: a demo app's policy, jwt
 * roles (one per CI platform's token shape) trusting devvault's own issuer, KV v2 and v1
 * secrets generated at each start, and a database role that issues leased credentials.
 */

/** DEV_AUDIENCE is the audience the demo role is bound to. */
export const DEV_AUDIENCE = "https://vault.devvault.local";

/** DEV_ROLE is the demo role's name (GitHub-shaped tokens, as the local identity mints). */
export const DEV_ROLE = "deploy";

/** DEV_ROLES names the demo role for each platform's token shape. */
export const DEV_ROLES = { github: DEV_ROLE, gitlab: "deploy-gitlab", jenkins: "deploy-jenkins" } as const;

/** DEFAULT_SEED is the demo seed, as YAML (see docs/devvault.md). */
export const DEFAULT_SEED = `# devvault demo seed: one app, one CI identity, secrets generated at each start.
policies:
  app-read: |
    path "secret/data/app/*" { capabilities = ["read"] }
    path "secret/metadata/app/*" { capabilities = ["read", "list"] }
    path "kv/app/*" { capabilities = ["read"] }
    path "database/creds/app" { capabilities = ["read"] }
    path "sys/leases/revoke" { capabilities = ["update"] }

auth:
  jwt:
    type: jwt
    local_issuer: true
    roles:
      ${DEV_ROLE}:
        role_type: jwt
        bound_audiences: ["${DEV_AUDIENCE}"]
        bound_claims_type: glob
        bound_claims:
          sub: "repo:acme/app:*"
        user_claim: sub
        token_policies: [app-read]
        token_ttl: 15m
        token_max_ttl: 1h
      ${DEV_ROLES.gitlab}:
        role_type: jwt
        bound_audiences: ["${DEV_AUDIENCE}"]
        bound_claims: { project_path: acme/app, ref_type: branch }
        user_claim: user_login
        token_policies: [app-read]
        token_ttl: 15m
        token_max_ttl: 1h
      ${DEV_ROLES.jenkins}:
        role_type: jwt
        bound_audiences: ["${DEV_AUDIENCE}"]
        bound_claims_type: glob
        bound_claims:
          sub: "https://jenkins.example.com/job/app/*"
        user_claim: sub
        token_policies: [app-read]
        token_ttl: 15m
        token_max_ttl: 1h

secrets:
  secret:
    type: kv
    version: 2
    data:
      app/db:
        username: app
        password: !random
      app/api:
        token: !random
  kv:
    type: kv
    version: 1
    data:
      app/legacy:
        password: !random
  database:
    type: database
    roles:
      app:
        default_ttl: 1h
        max_ttl: 24h
`;
