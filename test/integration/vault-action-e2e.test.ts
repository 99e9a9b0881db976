// hashicorp/vault-action's e2e and e2e-tls workflows, ported: the same steps (token login,
// KV v2, KV v1, cubbyhole, a later step overwriting a variable, JSON values; then KV v2,
// tlsSkipVerify, KV v1 and cubbyhole through TLS that requires a client certificate), run
// from actions/secrets' dist/ against the real OpenBao; the job's environment must hold
// what vault-action's verify step expects.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ACTIONS,
  VaultAdmin,
  createTestPki,
  runActionStep,
  setUpVaultAction,
  startTlsProxy,
  type StepRun,
  type VaultActionFixture,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let fx: VaultActionFixture;

beforeAll(async () => {
  fx = await setUpVaultAction(new VaultAdmin(vault.addr, vault.rootToken), vault);
}, 60_000);

/** job runs the steps in order; later GITHUB_ENV records win, as on the runner. */
async function job(url: string, steps: Record<string, string>[]): Promise<{ env: Record<string, string>; runs: StepRun[] }> {
  const env: Record<string, string> = {};
  const runs: StepRun[] = [];
  for (const inputs of steps) {
    const run = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: { url, namespace: fx.namespace, token: fx.token, ...inputs },
    });
    expect(run.code, run.stdout).toBe(0);
    Object.assign(env, run.env);
    runs.push(run);
  }
  return { env, runs };
}

const kv2 = "secret/data/test secret ;\nsecret/data/test secret | NAMED_SECRET ;\nsecret/data/nested/test otherSecret ;";
const kv1 = "my-secret/test altSecret ;\nmy-secret/test altSecret | NAMED_ALTSECRET ;\nmy-secret/nested/test otherAltSecret ;";
const cubby = "/cubbyhole/test foo ;\n/cubbyhole/test zip | NAMED_CUBBYSECRET ;";

describe("vault-action e2e", () => {
  it("verify: the job's environment after its steps", async () => {
    const v = fx.values;
    const { env, runs } = await job(vault.addr, [
      { secrets: kv2 },
      { secrets: kv1 },
      { secrets: cubby },
      { secrets: "secret/data/test secret | SUBSEQUENT_TEST_SECRET;" },
      { secrets: "secret/data/subsequent-test secret | SUBSEQUENT_TEST_SECRET;" },
      {
        secrets:
          "secret/data/test-json-data jsonData;\nsecret/data/test-json-string jsonString;\nsecret/data/test-json-string-multiline jsonStringMultiline;",
      },
    ]);
    expect(env).toEqual({
      SECRET: v.secret,
      NAMED_SECRET: v.secret,
      OTHERSECRET: v.otherSecret,
      ALTSECRET: v.alt,
      NAMED_ALTSECRET: v.alt,
      OTHERALTSECRET: v.otherAlt,
      FOO: v.foo,
      NAMED_CUBBYSECRET: v.zip,
      SUBSEQUENT_TEST_SECRET: v.subsequent,
      JSONSTRING: v.jsonString,
      JSONSTRINGMULTILINE: v.jsonStringMultiline,
      JSONDATA: v.jsonData,
    });
    // OTHER_SECRET_OUTPUT: ${{ steps.kv-secrets.outputs.otherSecret }}
    expect(runs[0]?.outputs.otherSecret).toBe(v.otherSecret);
  });
});

describe("vault-action e2e-tls", () => {
  const pki = createTestPki();
  const b64 = (file: string) => readFileSync(file).toString("base64");
  let tls: Awaited<ReturnType<typeof startTlsProxy>>;
  beforeAll(async () => {
    tls = await startTlsProxy(vault.addr, pki, { requireClientCert: true });
  });
  afterAll(() => tls.close());

  it("verify: CA and client certificate as base64 inputs, and tlsSkipVerify", async () => {
    const v = fx.values;
    const certs = { caCertificate: b64(pki.caCert), clientCertificate: b64(pki.clientCert), clientKey: b64(pki.clientKey) };
    const { env, runs } = await job(tls.url, [
      { ...certs, secrets: kv2 },
      {
        tlsSkipVerify: "true",
        clientCertificate: certs.clientCertificate,
        clientKey: certs.clientKey,
        secrets: "secret/data/tlsSkipVerify skip ;",
      },
      { ...certs, secrets: kv1 },
      { ...certs, secrets: cubby },
    ]);
    expect(env).toEqual({
      SECRET: v.secret,
      NAMED_SECRET: v.secret,
      OTHERSECRET: v.otherSecret,
      ALTSECRET: v.alt,
      NAMED_ALTSECRET: v.alt,
      OTHERALTSECRET: v.otherAlt,
      FOO: v.foo,
      NAMED_CUBBYSECRET: v.zip,
      SKIP: "true",
    });
    expect(runs[0]?.outputs.otherSecret).toBe(v.otherSecret);
    expect(tls.clients.length).toBeGreaterThan(0);
    expect(new Set(tls.clients)).toEqual(new Set(["vaultgate-ci"]));
  });
});
