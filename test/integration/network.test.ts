// Network settings against the real OpenBao: a private CA, mutual TLS, and
// HTTPS_PROXY/NO_PROXY, through loopback TLS and forward proxies.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createTestPki,
  gitlabJobEnv,
  runCli,
  startConnectProxy,
  startTlsProxy,
  type LoopbackServer,
  type TestPki,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let pki: TestPki;
let mtls: LoopbackServer & { clients: string[] };
let proxy: LoopbackServer & { seen: string[] };

beforeAll(async () => {
  pki = createTestPki();
  mtls = await startTlsProxy(vault.addr, pki, { requireClientCert: true });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await mtls.close();
  await proxy.close();
});

async function fetchVia(url: string, extraArgs: string[], extraEnv: Record<string, string> = {}) {
  const out = join(mkdtempSync(join(tmpdir(), "vaultgate-net-")), "s.env");
  const { env } = await gitlabJobEnv(vault, { VAULT_ADDR: url, ...extraEnv });
  const result = await runCli(
    [
      "fetch",
      "--mount",
      "jwt-gitlab",
      "--role",
      "deploy",
      "-s",
      "secret/app/db password | P",
      "--out",
      out,
      "--revoke-now",
      "--timeout",
      "5s",
      ...extraArgs,
    ],
    env,
  );
  return { result, out };
}

describe("TLS", () => {
  it("trusts a private CA and presents a client certificate (mutual TLS)", async () => {
    const { result, out } = await fetchVia(mtls.url, [
      "--ca-cert",
      pki.caCert,
      "--client-cert",
      pki.clientCert,
      "--client-key",
      pki.clientKey,
    ]);
    expect(result.stderr).toContain("fetched 1 secret");
    expect(result.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(`P="${vault.values.dbPassword}"\n`);
    expect(mtls.clients).toContain("vaultgate-ci");
  });

  it("accepts the CA as base64 of PEM, as vault-action's caCertificate input does", async () => {
    const b64 = Buffer.from(readFileSync(pki.caCert)).toString("base64");
    const { result } = await fetchVia(mtls.url, ["--client-cert", pki.clientCert, "--client-key", pki.clientKey], {
      VAULTGATE_CA_CERT: b64,
    });
    expect(result.code).toBe(0);
  });

  it("names ca-cert when the server's certificate is not trusted", async () => {
    const { result } = await fetchVia(mtls.url, []);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(
      /The TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(\w+\)\.\nHint: Set ca-cert/,
    );
  });

  it("fails clearly without the client certificate the server requires", async () => {
    const { result } = await fetchVia(mtls.url, ["--ca-cert", pki.caCert]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("The vault at https://127.0.0.1:");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("proxies", () => {
  // Through a tunnel the certificate is still checked against the vault's name or IP.
  it.each(["127.0.0.1", "localhost"])("tunnels HTTPS through HTTPS_PROXY to %s", async (host) => {
    proxy.seen.length = 0;
    const { result } = await fetchVia(
      mtls.url.replace("127.0.0.1", host),
      ["--ca-cert", pki.caCert, "--client-cert", pki.clientCert, "--client-key", pki.clientKey],
      { HTTPS_PROXY: proxy.url },
    );
    expect(result.code).toBe(0);
    expect(proxy.seen, JSON.stringify(proxy.seen)).toContainEqual(
      expect.stringMatching(/^CONNECT (localhost|127\.0\.0\.1):\d+$/),
    );
  });

  it("sends plain HTTP through HTTP_PROXY", async () => {
    proxy.seen.length = 0;
    const { result } = await fetchVia(vault.addr, [], { http_proxy: proxy.url });
    expect(result.code).toBe(0);
    expect(proxy.seen.some((s) => s.startsWith(`GET ${vault.addr}/v1/secret/data/app/db`))).toBe(true);
  });

  it("bypasses the proxy for hosts in NO_PROXY", async () => {
    proxy.seen.length = 0;
    const { result } = await fetchVia(vault.addr, [], { HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" });
    expect(result.code).toBe(0);
    expect(proxy.seen).toEqual([]);
  });
});
