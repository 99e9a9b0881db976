/**
 * Vault/OpenBao behind the provider interface, against the real OpenBao: the adapter
 * logs in with the job's OIDC token, reads each distinct path once, gives the gate's
 * verdicts, renews and revokes with the existing client, and says what it can do.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_FETCH, loadConfig, vaultProvider, type SecretSpec } from "@vaultgate/core";
import { recordingPlatform, startGitHubOidc, VaultAdmin, type GitHubOidcServer } from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
let oidc: GitHubOidcServer;
beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(() => oidc.close());

const configFor = (secrets: string) =>
  loadConfig({
    inputs: { url: vault.addr, role: "deploy", audience: vault.audience, secrets },
    env: { GITHUB_ACTIONS: "true", ...oidc.env },
    cwd: process.cwd(),
  });

describe("the vault provider", () => {
  it("authenticates, reads, validates, renews and revokes through the interface", async () => {
    const config = configFor(
      "secret/data/app/db password | DB_PASSWORD ;\nsecret/app/db * ;\nsecret/app/api nope | NOPE ;\nsecret/app/missing x | MISSING",
    );
    const platform = recordingPlatform({ GITHUB_ACTIONS: "true", ...oidc.env }, "github");
    if (!config.vault) throw new Error("the configuration names no vault");
    const session = await vaultProvider.authenticate(
      { vault: config.vault, auth: config.auth, fetch: DEFAULT_FETCH },
      { platform, userAgent: "vaultgate/test" },
    );
    try {
      expect(session.capabilities).toEqual({ renewable: true, revocable: true, dynamic: true });
      expect(session.identity).toMatchObject({
        source: "vault",
        method: "jwt",
        role: "deploy",
        claims: { repository: "acme/app" },
      });
      expect(platform.masked).toContain(session.login.token);
      const specs: readonly SecretSpec[] = config.secrets;
      const reads = await session.read(specs, { concurrency: 4 });
      expect(reads[0]).toMatchObject({
        ok: true,
        value: { apiPath: "secret/data/app/db", data: { password: vault.values.dbPassword } },
      });
      expect(reads[1]).toMatchObject({ ok: true, value: { data: { username: vault.values.dbUser } } });
      expect(reads[3]).toMatchObject({ ok: false, error: { name: "SecretNotFoundError" } });
      const verdicts = await session.validate(specs, { minTtlSeconds: 60, issueDynamic: false, concurrency: 4 });
      expect(verdicts.map((v) => v.status)).toEqual(["pass", "pass", "fail", "fail"]);
      expect(verdicts[2]?.reason).toMatch(/key "[^"]+" is missing from secret\/app\/api; it has: .*token/);
      expect((await session.validateSession({ minTtlSeconds: 60, issueDynamic: false, concurrency: 1 })).status).toBe("pass");
      expect(await session.renew()).toMatchObject({ ok: true });
      expect(await session.revoke({ leases: [], keepCredentials: false, deadline: Date.now() + 10_000 })).toMatchObject({
        token: "revoked",
      });
      expect(await admin.tokenWorks(session.login.token)).toBe(false);
    } finally {
      session.close();
    }
  });
});
