// The core engine against a real OpenBao: login with GitHub-, GitLab- and Jenkins-shaped
// OIDC tokens, KV v1/v2 reads, selectors, errors with their context, revocation.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  type Session,
  type VaultSession,
  AuthError,
  PermissionDeniedError,
  SecretNotFoundError,
  loadConfig,
  openSession,
  type Env,
  type Inputs,
  type PlatformName,
} from "@vaultgate/core";
import type { gitlabClaims } from "@vaultgate/test-harness";
import {
  gitlabIdToken,
  jenkinsClaims,
  recordingPlatform,
  startGitHubOidc,
  TestIssuer,
  VaultAdmin,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";

/** vaultOf is the vault session behind a run (its login, for assertions). */
const vaultOf = (session: Session) => session.provider as VaultSession;

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const v = vault.values;

async function session(inputs: Inputs, env: Env, name: PlatformName = "local") {
  const platform = recordingPlatform(env, name);
  const config = loadConfig({ inputs: { url: vault.addr, ...inputs }, env, cwd: process.cwd() });
  return { platform, session: await openSession({ config, platform }) };
}

async function gitlabToken(ctx: Parameters<typeof gitlabClaims>[1] = {}, aud = vault.audience) {
  return gitlabIdToken(vault, ctx, aud);
}

describe("GitHub Actions identity", () => {
  let oidc: GitHubOidcServer;
  beforeAll(async () => {
    oidc = await startGitHubOidc(vault.issuers.github);
  });
  afterAll(() => oidc.close());

  it("requests the audience, logs in, reads KV v2 with and without /data/, masks token and values", async () => {
    const env = { GITHUB_ACTIONS: "true", ...oidc.env };
    const { platform, session: s } = await session(
      {
        role: "deploy",
        audience: vault.audience,
        secrets: "secret/data/app/db password | DB_PASSWORD ;\nsecret/app/api token",
      },
      env,
      "github",
    );
    try {
      const result = await s.fetch();
      expect(result.secrets.map((x) => [x.envName, x.value])).toEqual([
        ["DB_PASSWORD", v.dbPassword],
        ["TOKEN", v.apiToken],
      ]);
      expect(oidc.audiences.at(-1)).toBe(vault.audience);
      expect(platform.masked).toContain(vaultOf(s).login.token);
      expect(platform.masked).toContain(v.dbPassword);
      expect(platform.masked).toContain(v.apiToken);
      expect(platform.masked).toContain(oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
      expect(vaultOf(s).login.claims?.repository).toBe("acme/app");
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("explains a missing id-token permission", async () => {
    const platform = recordingPlatform({ GITHUB_ACTIONS: "true" }, "github");
    const config = loadConfig({
      inputs: { url: vault.addr, role: "deploy", secrets: "secret/app/db password" },
      env: {},
      cwd: "/",
    });
    const error = await openSession({ config, platform }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { hint: string }).hint).toContain("permissions: id-token: write");
  });

  it("names the audience on a mismatch and shows the token's claims", async () => {
    const env = { GITHUB_ACTIONS: "true", ...oidc.env };
    const error = await session(
      { role: "deploy", audience: "https://github.com/acme", secrets: "secret/app/db password" },
      env,
      "github",
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    const auth = error as AuthError;
    expect(auth.message).toContain('role "deploy"');
    expect(auth.message).toContain("aud: https://github.com/acme");
    expect(auth.message).toContain("sub: repo:acme/app:ref:refs/heads/main");
    expect(auth.hint).toMatch(/Audience mismatch: the token's aud is "https:\/\/github.com\/acme"/);
    expect(auth.exitCode).toBe(3);
  });
});

describe("GitLab CI identity", () => {
  it("logs in with the id_tokens variable and reads KV v1, multi-line, JSON and nested values", async () => {
    const env = { GITLAB_CI: "true", VAULT_ID_TOKEN: await gitlabToken() };
    const { platform, session: s } = await session(
      {
        path: "jwt-gitlab",
        role: "deploy",
        secrets: [
          "kv1/app/legacy password | LEGACY",
          "secret/app/cert pem | PEM",
          "secret/app/config settings.db.password | NESTED",
          "secret/app/config settings | SETTINGS",
          "secret/app/config hosts[1] | SECOND_HOST",
          "secret/app/config port",
          "secret/app/api tls.crt | DOTTED",
          'secret/app/api "api-key"',
        ].join("\n"),
      },
      env,
      "gitlab",
    );
    try {
      const got = Object.fromEntries((await s.fetch()).secrets.map((x) => [x.envName, x.value]));
      expect(got).toEqual({
        LEGACY: v.legacyPassword,
        PEM: v.multiline,
        NESTED: v.jsonPassword,
        SETTINGS: JSON.stringify({ db: { password: v.jsonPassword } }),
        SECOND_HOST: "b",
        PORT: "5432",
        DOTTED: v.dotted,
        APIKEY: v.apiKey,
      });
      expect(platform.masked).toContain(env.VAULT_ID_TOKEN);
      expect(platform.masked).toContain(v.multiline);
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("names the bound claim that did not match and the token's value for it", async () => {
    const env = { GITLAB_CI: "true", VAULT_ID_TOKEN: await gitlabToken({ ref: "feature-x" }) };
    const error = await session({ path: "jwt-gitlab", role: "deploy", secrets: "secret/app/db password" }, env, "gitlab").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    const auth = error as AuthError;
    expect(auth.message).toContain("ref: feature-x");
    expect(auth.hint).toContain('Bound-claim mismatch on "ref"');
    expect(auth.hint).toContain('ref="feature-x"');
  });
});

describe("Jenkins identity", () => {
  it("reads the OIDC Provider credential bound as a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-jenkins-"));
    const file = join(dir, "id-token");
    writeFileSync(file, await new TestIssuer(vault.issuers.jenkins).sign(jenkinsClaims(vault.audience)), { mode: 0o600 });
    const env = { JENKINS_URL: "https://jenkins.example.com/", ID_TOKEN: file };
    const { session: s } = await session(
      { path: "jwt-jenkins", role: "deploy", secrets: "secret/app/db * | DB_" },
      env,
      "jenkins",
    );
    try {
      const got = Object.fromEntries((await s.fetch()).secrets.map((x) => [x.envName, x.value]));
      expect(got).toEqual({ DB_USERNAME: v.dbUser, DB_PASSWORD: v.dbPassword });
      expect(vaultOf(s).login.claims?.build_number).toBe(17);
    } finally {
      await s.revoke();
      s.close();
    }
  });
});

describe("reads and errors", () => {
  const login = async (secrets: string) => {
    const env = { GITLAB_CI: "true", VAULT_ID_TOKEN: await gitlabToken() };
    return session({ path: "jwt-gitlab", role: "deploy", secrets }, env, "gitlab");
  };

  it("exports every key with * (upper-cased) and ** (as written)", async () => {
    const { session: s } = await login("secret/app/db * ; secret/app/api ** | api_");
    try {
      const names = (await s.fetch()).secrets.map((x) => x.envName);
      // Vault returns keys in sorted order.
      expect(names).toEqual(["PASSWORD", "USERNAME", "api_apikey", "api_tls__crt", "api_token"]);
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("reads each distinct path once", async () => {
    const { session: s } = await login(
      "secret/app/db username | U ; secret/app/db password | P ; secret/data/app/db password | P2",
    );
    try {
      const result = await s.fetch();
      expect(result.secrets).toHaveLength(3);
      expect(result.reads.map((r) => r.apiPath).sort()).toEqual(["secret/data/app/db", "secret/data/app/db"]);
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("names the missing path", async () => {
    const { session: s } = await login("secret/app/nope password");
    try {
      const error = await s.fetch().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretNotFoundError);
      expect((error as Error).message).toContain("secret/app/nope");
      expect((error as SecretNotFoundError).exitCode).toBe(4);
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("names a missing key and lists the keys that exist", async () => {
    const { session: s } = await login("secret/app/db passwrd");
    try {
      const error = (await s.fetch().catch((e: unknown) => e)) as SecretNotFoundError;
      expect(error.message).toContain('Key "passwrd" not found in secret secret/app/db');
      expect(error.hint).toContain("password, username");
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("reports a denied path with the role and the policy fix", async () => {
    const { session: s } = await login("secret/restricted/root token");
    try {
      const error = (await s.fetch().catch((e: unknown) => e)) as PermissionDeniedError;
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(error.message).toBe(
        'Permission denied, or no such path: read of secret/restricted/root (inputs secrets line 1) with role "deploy".',
      );
      expect(error.hint).toContain("secret/data/restricted/root");
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("skips optional secrets that are missing", async () => {
    const env = { GITLAB_CI: "true", VAULT_ID_TOKEN: await gitlabToken() };
    const platform = recordingPlatform(env, "gitlab");
    const config = loadConfig({
      inputs: { url: vault.addr, path: "jwt-gitlab", role: "deploy" },
      env,
      cwd: "/",
    });
    const s = await openSession({
      config: {
        ...config,
        secrets: [
          {
            ...loadConfig({ inputs: { url: vault.addr, secrets: "secret/app/gone x" }, env, cwd: "/" }).secrets[0]!,
            required: false,
          },
        ],
      },
      platform,
    });
    try {
      const result = await s.fetch();
      expect(result.secrets).toEqual([]);
      expect(result.skipped[0]?.path).toBe("secret/app/gone");
      expect(platform.logs.some((l) => l.level === "warn" && l.message.includes("secret/app/gone"))).toBe(true);
    } finally {
      await s.revoke();
      s.close();
    }
  });

  it("records a dynamic engine's lease and revokes it with the token", async () => {
    const env = { GITHUB_ACTIONS: "true" };
    const oidc = await startGitHubOidc(vault.issuers.github);
    try {
      const platform = recordingPlatform({ ...env, ...oidc.env }, "github");
      const base = loadConfig({ inputs: { url: vault.addr, role: "deploy-plain", audience: vault.audience }, env: {}, cwd: "/" });
      const config = {
        ...base,
        secrets: [
          {
            path: "pki/issue/app",
            selector: { kind: "key" as const, key: "private_key" },
            envName: "TLS_KEY",
            outputName: "TLS_KEY",
            required: true,
            method: "POST" as const,
            params: { common_name: "deploy.example.com", ttl: "30m" },
            origin: "test",
          },
        ],
      };
      const s = await openSession({ config, platform });
      const result = await s.fetch();
      expect(result.leases).toHaveLength(1);
      const lease = result.leases[0]!;
      expect(lease.leaseId).toMatch(/^pki\/issue\/app\//);
      expect(result.secrets[0]?.value).toContain("PRIVATE KEY");
      expect(await admin.leaseExists(lease.leaseId)).toBe(true);
      const report = await s.revoke();
      s.close();
      expect(report.token).toBe("revoked");
      expect(report.leasesWithToken).toBe(1);
      expect(await admin.tokenWorks(vaultOf(s).login.token)).toBe(false);
      // The vault revokes a revoked token's leases in the background: allow it a few seconds.
      let alive = true;
      for (let i = 0; i < 50 && alive; i++) {
        alive = await admin.leaseExists(lease.leaseId);
        if (alive) await new Promise((r) => setTimeout(r, 100));
      }
      expect(alive).toBe(false);
    } finally {
      await oidc.close();
    }
  });

  it("revoke makes the token unusable", async () => {
    const { session: s } = await login("secret/app/db password");
    await s.fetch();
    expect(await admin.tokenWorks(vaultOf(s).login.token)).toBe(true);
    const report = await s.revoke();
    s.close();
    expect(report.token).toBe("revoked");
    expect(await admin.tokenWorks(vaultOf(s).login.token)).toBe(false);
  });
});
