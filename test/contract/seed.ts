/**
 * seed — the devvault seed equivalent to test/harness/vault-setup.ts's configuration of
 * OpenBao: the same policies, jwt mounts trusting the same issuer keys, the same roles
 * and the same secret values (generated per run). OpenBao's PKI engine has no devvault
 * counterpart; its policy lines are kept and simply match nothing.
 */
import type { Seed } from "@vaultgate/devvault";
import { FIXTURE_POLICIES, FIXTURE_ROLES, fixtureSecrets, type VaultFixture } from "@vaultgate/test-harness";

/** fixtureSeed returns the seed that makes a devvault look like the configured OpenBao. */
export function fixtureSeed(fixture: VaultFixture): Seed {
  const jwtMount = (platform: keyof VaultFixture["issuers"]) => ({
    type: "jwt" as const,
    jwt_validation_pubkeys: [fixture.issuers[platform].publicPem],
    bound_issuer: fixture.issuers[platform].issuer,
    roles: FIXTURE_ROLES[platform],
  });
  const { kv2, kv1 } = fixtureSecrets(fixture.values, fixture.bulkCount);
  return {
    root_token: fixture.rootToken,
    policies: { ...FIXTURE_POLICIES },
    auth: {
      [fixture.mounts.github]: jwtMount("github"),
      [fixture.mounts.gitlab]: jwtMount("gitlab"),
      [fixture.mounts.jenkins]: jwtMount("jenkins"),
    },
    secrets: {
      secret: { type: "kv", version: 2, data: kv2 },
      kv1: { type: "kv", version: 1, data: kv1 },
    },
  };
}
