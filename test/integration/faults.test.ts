// Retry policy against the real OpenBao behind a fault-injecting loopback proxy: 503,
// 429 with Retry-After, connection resets, stalls. Transient faults are survived;
// a 403 is never retried.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PermissionDeniedError, VaultUnavailableError, loadConfig, openSession, type Inputs } from "@vaultgate/core";
import { gitlabIdToken, recordingPlatform, startFaultProxy, type Fault, type FaultProxy } from "@vaultgate/test-harness";

const vault = inject("vault");
const bulk = Array.from({ length: vault.bulkCount }, (_, i) => String(i + 1).padStart(2, "0"));

let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy(vault.addr);
});
afterAll(() => proxy.close());

async function open(inputs: Inputs) {
  const env = {
    GITLAB_CI: "true",
    VAULT_ID_TOKEN: await gitlabIdToken(vault),
  };
  const platform = recordingPlatform(env, "gitlab");
  const config = loadConfig({ inputs: { url: proxy.url, path: "jwt-gitlab", role: "deploy", ...inputs }, env, cwd: "/" });
  return openSession({ config, platform });
}

describe("fault injection", () => {
  it("fetches 50 secrets through 503, 429 + Retry-After, resets, 502, 412 and a 2 s stall", async () => {
    const faultFor = (n: number): Fault | undefined => {
      if (n === 4) return { kind: "stall", ms: 2000 };
      switch (n % 10) {
        case 1:
          return { kind: "status", status: 503, body: JSON.stringify({ errors: ["Vault is sealed"] }) };
        case 2:
          return { kind: "status", status: 429, retryAfter: "1" };
        case 3:
          return { kind: "reset" };
        case 5:
          return { kind: "status", status: 502, body: "<html>bad gateway</html>" };
        case 6:
          return { kind: "status", status: 412 };
        default:
          return undefined;
      }
    };
    proxy.setScript(({ path, count }) => {
      const m = /\/v1\/secret\/data\/app\/bulk\/(\d+)$/.exec(path);
      return m && count === 0 ? faultFor(Number(m[1])) : undefined;
    });
    const session = await open({ secrets: bulk.map((n) => `secret/app/bulk/${n} value | BULK_${n}`).join("\n") });
    try {
      const result = await session.fetch();
      expect(result.secrets).toHaveLength(50);
      for (const n of bulk) {
        expect(result.secrets.find((s) => s.envName === `BULK_${n}`)?.value).toBe(vault.values[`bulk${n}`]);
      }
      const faulted = proxy.requests.filter((r) => r.fault !== undefined && r.fault !== "stall");
      expect(faulted.length).toBeGreaterThanOrEqual(25);
      // Each faulted path was read exactly twice: the fault, then the retry.
      const reads = proxy.requests.filter((r) => r.path.startsWith("/v1/secret/data/app/bulk/"));
      expect(reads).toHaveLength(50 + faulted.length);
    } finally {
      await session.revoke();
      session.close();
    }
  });

  it("retries a request that stalls past the request timeout", async () => {
    proxy.setScript(({ path, count }) =>
      path === "/v1/secret/data/app/db" && count === 0 ? { kind: "stall", ms: 3000 } : undefined,
    );
    const session = await open({ secrets: "secret/app/db password", "request-timeout": "1s" });
    try {
      const result = await session.fetch();
      expect(result.secrets[0]?.value).toBe(vault.values.dbPassword);
    } finally {
      await session.revoke();
      session.close();
    }
  });

  it("never retries a 403 and fails fast", async () => {
    proxy.setScript(() => undefined);
    const session = await open({
      secrets: `secret/restricted/root token ; ${bulk.map((n) => `secret/app/bulk/${n} value | B${n}`).join(";")}`,
    });
    try {
      const started = Date.now();
      const error = await session.fetch().catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(proxy.requests.filter((r) => r.path === "/v1/secret/data/restricted/root")).toHaveLength(1);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await session.revoke();
      session.close();
    }
  });

  it("gives up at the deadline with the attempt count and the vault's reason", async () => {
    proxy.setScript(({ path }) =>
      path === "/v1/secret/data/app/db"
        ? { kind: "status", status: 503, body: JSON.stringify({ errors: ["Vault is sealed"] }) }
        : undefined,
    );
    const session = await open({ secrets: "secret/app/db password", timeout: "2s" });
    try {
      const error = (await session.fetch().catch((e: unknown) => e)) as VaultUnavailableError;
      expect(error).toBeInstanceOf(VaultUnavailableError);
      expect(error.message).toMatch(
        /failed while reading secret\/app\/db .*failed after \d+ attempts: HTTP 503 .*Vault is sealed/,
      );
      expect(error.hint).toContain("sealed");
      expect(error.exitCode).toBe(5);
    } finally {
      proxy.setScript(() => undefined);
      await session.revoke();
      session.close();
    }
  });

  it("retries a login answered 500 by a node that has no leader: it was not processed", async () => {
    proxy.setScript(({ path, count }) =>
      path === "/v1/auth/jwt-gitlab/login" && count < 2
        ? {
            kind: "status",
            status: 500,
            body: JSON.stringify({ errors: ["local node not active but active cluster node not found"] }),
          }
        : undefined,
    );
    const session = await open({ secrets: "secret/app/db password" });
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/jwt-gitlab/login")).toHaveLength(3);
    await session.revoke();
    session.close();
  });

  it("names the rate-limit quota and its fixes when 429s last until the deadline", async () => {
    proxy.setScript(({ path }) =>
      path === "/v1/secret/data/app/db"
        ? {
            kind: "status",
            status: 429,
            retryAfter: "0",
            body: JSON.stringify({ errors: ['request path "secret/data/app/db": rate limit quota exceeded'] }),
          }
        : undefined,
    );
    const session = await open({ secrets: "secret/app/db password", timeout: "3s" });
    try {
      const error = (await session.fetch().catch((e: unknown) => e)) as VaultUnavailableError;
      expect(error).toBeInstanceOf(VaultUnavailableError);
      expect(error.exitCode).toBe(5);
      expect(error.message).toContain(proxy.url);
      expect(error.message).toMatch(/HTTP 429 .*rate limit quota exceeded/);
      expect(error.hint).toMatch(/rate-limit quota.*raise the quota.*--concurrency.*stagger/);
    } finally {
      proxy.setScript(() => undefined);
      await session.revoke();
      session.close();
    }
  });

  it("does not retry a login whose request may have been processed", async () => {
    proxy.setScript(({ path }) => (path === "/v1/auth/jwt-gitlab/login" ? { kind: "reset" } : undefined));
    const error = (await open({ secrets: "secret/app/db password" }).catch((e: unknown) => e)) as VaultUnavailableError;
    expect(error).toBeInstanceOf(VaultUnavailableError);
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/jwt-gitlab/login")).toHaveLength(1);
    proxy.setScript(({ path, count }) =>
      path === "/v1/auth/jwt-gitlab/login" && count === 0 ? { kind: "status", status: 503 } : undefined,
    );
    const session = await open({ secrets: "secret/app/db password" });
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/jwt-gitlab/login")).toHaveLength(2);
    await session.revoke();
    session.close();
  });

  /** heldBackToken reads the accessor of the login answer the proxy held back, and asks the vault (as root) whether it lives. */
  function heldBackToken(): { accessor: string; alive: () => Promise<boolean> } {
    const login = proxy.requests.find((r) => r.path === "/v1/auth/jwt-gitlab/login" && r.answer !== undefined);
    const accessor = (JSON.parse(login?.answer ?? "{}") as { auth?: { accessor?: string } }).auth?.accessor ?? "";
    expect(accessor).not.toBe("");
    const alive = async () => {
      const res = await fetch(`${vault.addr}/v1/auth/token/lookup-accessor`, {
        method: "POST",
        headers: { "x-vault-token": vault.rootToken, "content-type": "application/json" },
        body: JSON.stringify({ accessor }),
      });
      await res.arrayBuffer();
      return res.ok;
    };
    return { accessor, alive };
  }

  it("waits for a login answered after the per-request timeout: one login, and the job holds its token", async () => {
    // The vault processed the login at once but its answer takes 2.5 s, past --request-timeout 1s.
    proxy.setScript(({ path, count }) =>
      path === "/v1/auth/jwt-gitlab/login" && count === 0 ? { kind: "late", ms: 2500 } : undefined,
    );
    const session = await open({ secrets: "secret/app/db password", "request-timeout": "1s", timeout: "30s" });
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/jwt-gitlab/login")).toHaveLength(1);
    const token = heldBackToken();
    expect(session.identity.details.accessor).toBe(token.accessor);
    await session.revoke();
    session.close();
    expect(await token.alive()).toBe(false);
  });

  it("revokes at once the token of a login answered after the run's deadline, and fails naming it", async () => {
    proxy.setScript(({ path, count }) =>
      path === "/v1/auth/jwt-gitlab/login" && count === 0 ? { kind: "late", ms: 3500 } : undefined,
    );
    const error = (await open({ secrets: "secret/app/db password", "request-timeout": "1s", timeout: "2s" }).catch(
      (e: unknown) => e,
    )) as VaultUnavailableError;
    expect(error).toBeInstanceOf(VaultUnavailableError);
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain(proxy.url);
    expect(error.message).toMatch(/answered \d+ s after the run's deadline; the token it created was revoked/);
    expect(error.hint).toMatch(/--timeout/);
    expect(proxy.requests.filter((r) => r.path === "/v1/auth/jwt-gitlab/login")).toHaveLength(1);
    expect(proxy.requests.some((r) => r.path === "/v1/auth/token/revoke-self")).toBe(true);
    expect(await heldBackToken().alive()).toBe(false);
  });
});
