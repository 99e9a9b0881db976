// Transport trust, run after run: tls-skip-verify and allow-insecure-http are warned on
// every run (CLI and the secrets action's dist/), not once; and the action's `timeout`
// bounds the ID token request, so a token service that never answers cannot hold the job.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ACTIONS,
  createTestPki,
  gitlabJobEnv,
  runActionStep,
  runCli,
  startConnectProxy,
  startGitHubOidc,
  startTlsProxy,
  type GitHubOidcServer,
  type LoopbackServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let tls: LoopbackServer;
let oidc: GitHubOidcServer;
let silent: Server;
let silentUrl = "";
let forwarder: LoopbackServer;
/** VAULT_BY_NAME is a plain-http address on another host; the forwarder below is the only way there. */
const VAULT_BY_NAME = "http://vault.test:8200";

beforeAll(async () => {
  tls = await startTlsProxy(vault.addr, createTestPki(), { requireClientCert: false });
  oidc = await startGitHubOidc(vault.issuers.github);
  // A token service that accepts the connection and never answers.
  silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token?api-version=2.0`;
  // The only way to the vault's other host name: a forward proxy that maps it to the test vault.
  forwarder = await startConnectProxy({ hosts: { [new URL(VAULT_BY_NAME).host]: new URL(vault.addr).host } });
});
afterAll(async () => {
  await tls.close();
  await oidc.close();
  silent.closeAllConnections();
  silent.close();
  await forwarder.close();
});

/** viaName is the env that reaches the vault at VAULT_BY_NAME through the forwarder (loopback is direct). */
const viaName = () => ({ HTTP_PROXY: forwarder.url, NO_PROXY: "127.0.0.1,localhost" });

const SKIP = /tls-skip-verify is set: the certificate of https:\/\/127\.0\.0\.1:\d+ is not checked/;
const CLEAR = /allow-insecure-http is set: the tokens and secrets cross the network to http:\/\/vault\.test:8200 in clear/;

/** fetchOnce runs one CLI fetch of one secret through `url` with `flag`, revoking at once. */
async function fetchOnce(url: string, flag: string) {
  const out = join(mkdtempSync(join(tmpdir(), "vaultgate-transport-")), "s.env");
  const { env } = await gitlabJobEnv(vault, { VAULT_ADDR: url, ...viaName() });
  const args = ["fetch", "--mount", "jwt-gitlab", "--role", "deploy", "-s", "secret/app/db password | P"];
  return runCli([...args, "--out", out, "--revoke-now", "--timeout", "20s", flag], env, { timeoutMs: 60_000 });
}

describe("the CLI warns on every run", () => {
  it.each([
    ["--tls-skip-verify", () => tls.url, SKIP],
    ["--allow-insecure-http", () => VAULT_BY_NAME, CLEAR],
  ])("%s: one warning in each of two runs", async (flag, url, warning) => {
    for (let run = 0; run < 2; run++) {
      const result = await fetchOnce(url(), flag);
      expect(result.stderr).not.toMatch(/^Error:/m);
      expect(result.code).toBe(0);
      expect(result.stderr.match(new RegExp(warning.source, "g"))).toHaveLength(1);
    }
  });
});

describe("the secrets action warns on every run", () => {
  it.each([
    ["tlsSkipVerify", () => tls.url, SKIP],
    ["allow-insecure-http", () => VAULT_BY_NAME, CLEAR],
  ])("%s: a ::warning:: in each of two runs", async (input, url, warning) => {
    for (let run = 0; run < 2; run++) {
      const step = await runActionStep("secrets", ACTIONS.secrets.main, {
        inputs: {
          url: url(),
          role: "deploy",
          jwtGithubAudience: vault.audience,
          secrets: "secret/app/db password | DB_PASSWORD",
          [input]: "true",
        },
        env: { ...oidc.env, ...viaName() },
      });
      expect(step.commands.filter((c) => c.name === "error")).toEqual([]);
      expect(step.code).toBe(0);
      const warnings = step.commands.filter((c) => c.name === "warning" && warning.test(c.message));
      expect(warnings).toHaveLength(1);
      // The post step ends the run's token, as every run does.
      const post = await runActionStep("secrets", ACTIONS.secrets.post, { state: step.state, env: viaName() });
      expect(post.code).toBe(0);
    }
  });
});

describe("the secrets action's timeout bounds the ID token request", () => {
  it("a token service that never answers fails the step at its timeout, naming the service", async () => {
    const started = Date.now();
    const step = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: {
        url: vault.addr,
        role: "deploy",
        jwtGithubAudience: vault.audience,
        secrets: "secret/app/db password | DB_PASSWORD",
        timeout: "3s",
      },
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: silentUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN },
      timeoutMs: 60_000,
    });
    const elapsed = Date.now() - started;
    expect(step.code).not.toBe(0);
    const errors = step.commands.filter((c) => c.name === "error").map((c) => c.message);
    expect(errors.join("\n")).toMatch(/ID token/);
    expect(errors.join("\n")).toMatch(/127\.0\.0\.1/);
    // Bounded by the step's 3 s timeout (plus node's start), far from the 30 s three 10 s attempts took.
    expect(elapsed).toBeLessThan(20_000);
    expect(step.records.env).toEqual([]);
    expect(step.records.output.filter(([name]) => name !== "errorMessage")).toEqual([]);
  });
});
