// hashicorp/vault-action's basic integration suite (integration.test.js, userpass, approle
// and jwt auth), ported: actions/secrets runs from its committed dist/ against the real
// OpenBao with the inputs each vault-action case gives, and the step must export the
// environment variables and outputs vault-action would, every value masked first.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { maskVariants } from "@vaultgate/core";
import {
  ACTIONS,
  LDAP_USERS_DN,
  VaultAdmin,
  randomSecret,
  runActionStep,
  setUpVaultAction,
  startFaultProxy,
  startGitHubOidc,
  startLdap,
  type FaultProxy,
  type GitHubOidcServer,
  type StepRun,
  type VaultActionFixture,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let fx: VaultActionFixture;
let v: Record<string, string>;
let oidc: GitHubOidcServer;

beforeAll(async () => {
  fx = await setUpVaultAction(new VaultAdmin(vault.addr, vault.rootToken), vault);
  v = fx.values;
  oidc = await startGitHubOidc(vault.issuers.github);
}, 60_000);
afterAll(() => oidc.close());

/** step runs actions/secrets' main and then its post step, as a job would. */
async function step(inputs: Record<string, string>, url = vault.addr): Promise<StepRun> {
  const run = await runActionStep("secrets", ACTIONS.secrets.main, {
    inputs: { url, namespace: fx.namespace, ...inputs },
    env: oidc.env,
  });
  await runActionStep("secrets", ACTIONS.secrets.post, { state: run.state });
  return run;
}

/** withToken is a vault-action step with `token:` (its default method). */
const withToken = (secrets: string, more: Record<string, string> = {}) => step({ token: fx.token, secrets, ...more });

/** expectExports checks the env and the outputs exactly, and that every value was masked before. */
function expectExports(run: StepRun, env: Record<string, string | undefined>, outputs: Record<string, string | undefined>) {
  expect(run.code, run.stdout).toBe(0);
  expect(run.env).toEqual(env);
  expect(run.outputs).toEqual(outputs);
  for (const value of Object.values(run.env)) for (const m of maskVariants(value)) expect(run.masks).toContain(m);
}

describe("vault-action basic: KV v2", () => {
  it("get simple secret, and re-map secret", async () => {
    expectExports(await withToken("secret/data/test secret"), { SECRET: v.secret }, { secret: v.secret });
    expectExports(await withToken("secret/data/test secret | TEST_KEY"), { TEST_KEY: v.secret }, { TEST_KEY: v.secret });
  });

  it("get nested secret", async () => {
    const run = await withToken(`secret/data/nested/test "other-Secret-dash"`);
    expectExports(run, { OTHERSECRETDASH: v.otherDash }, { otherSecretdash: v.otherDash });
  });

  it("get multiple secrets", async () => {
    const run = await withToken(`
        secret/data/test secret ;
        secret/data/test secret | NAMED_SECRET ;
        secret/data/nested/test "other-Secret-dash" ;`);
    expectExports(
      run,
      { SECRET: v.secret, NAMED_SECRET: v.secret, OTHERSECRETDASH: v.otherDash },
      { secret: v.secret, NAMED_SECRET: v.secret, otherSecretdash: v.otherDash },
    );
  });

  it("get wildcard secrets, with dot chars and with a name prefix", async () => {
    expectExports(await withToken("secret/data/test-with-dot-char * ;"), { SECRET__FOO: v.dotFoo }, { secret__foo: v.dotFoo });
    expectExports(
      await withToken("secret/data/test-with-multi-dot-chars * ;"),
      { SECRET__FOO__BAR: v.multiDot },
      { secret__foo__bar: v.multiDot },
    );
    expectExports(await withToken("secret/data/test * ;"), { SECRET: v.secret }, { secret: v.secret });
    expectExports(await withToken("secret/data/test * | GROUP_ ;"), { GROUP_SECRET: v.secret }, { GROUP_secret: v.secret });
  });

  it("leading slash kvv2", async () => {
    expectExports(await withToken("/secret/data/foobar fookv2"), { FOOKV2: v.fookv2 }, { fookv2: v.fookv2 });
  });
});

describe("vault-action basic: KV v1", () => {
  it("get secret, nested secret, wildcards and leading slash from K/V v1", async () => {
    expectExports(await withToken("secret-kv1/test secret"), { SECRET: v.custom }, { secret: v.custom });
    expectExports(
      await withToken('secret-kv1/nested/test "other-Secret-dash"'),
      { OTHERSECRETDASH: v.otherCustom },
      { otherSecretdash: v.otherCustom },
    );
    expectExports(await withToken("secret-kv1/test * ;"), { SECRET: v.custom }, { secret: v.custom });
    expectExports(await withToken("secret-kv1/test * | GROUP_ ;"), { GROUP_SECRET: v.custom }, { GROUP_secret: v.custom });
    expectExports(
      await withToken("secret-kv1/nested/test *"),
      { OTHERSECRETDASH: v.otherCustom },
      { otherSecretdash: v.otherCustom },
    );
    expectExports(await withToken("/secret-kv1/foobar fookv1"), { FOOKV1: v.fookv1 }, { fookv1: v.fookv1 });
  });
});

describe("vault-action basic: generic engines (cubbyhole)", () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(vault.addr);
  });
  afterAll(() => proxy.close());

  it("supports cubbyhole, with * upper-casing, ** keeping case, and both at once", async () => {
    expectExports(await withToken("/cubbyhole/test foo"), { FOO: v.foo }, { foo: v.foo });
    expectExports(await withToken("/cubbyhole/test *"), { FOO: v.foo, ZIP: v.zip }, { foo: v.foo, zip: v.zip });
    expectExports(await withToken("/cubbyhole/test **"), { foo: v.foo, zip: v.zip }, { foo: v.foo, zip: v.zip });
    const mixed = await withToken(`
            /cubbyhole/test * ;
            /cubbyhole/test **`);
    expectExports(mixed, { FOO: v.foo, ZIP: v.zip, foo: v.foo, zip: v.zip }, { foo: v.foo, zip: v.zip });
    expect(mixed.records.env.map(([name]) => name)).toEqual(["FOO", "ZIP", "foo", "zip"]);
  });

  it("caches responses: two keys of one path are one read", async () => {
    const run = await step({ token: fx.token, secrets: "/cubbyhole/test foo ;\n/cubbyhole/test zip" }, proxy.url);
    expectExports(run, { FOO: v.foo, ZIP: v.zip }, { foo: v.foo, zip: v.zip });
    expect(proxy.requests.filter((r) => r.path === "/v1/cubbyhole/test")).toHaveLength(1);
  });
});

describe("vault-action basic: not found, pki, encodings, JSONata", () => {
  const notFound = `secret/data/test secret ;
        secret/data/test secret | NAMED_SECRET ;
        secret/data/notFound kehe | NO_SIR ;`;

  it("prints a clear error message when a secret is not found, also as the errorMessage output", async () => {
    const run = await withToken(notFound);
    expect(run.code).toBe(1);
    expect(run.env).toEqual({});
    expect(Object.keys(run.outputs)).toEqual(["errorMessage"]);
    expect(run.outputs.errorMessage).toMatch(/^Secret not found: secret\/data\/notFound \(inputs secrets line 3\)\.\nHint: /);
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it("does not error when a secret is not found and ignoreNotFound is true", async () => {
    const run = await withToken(notFound, { ignoreNotFound: "true" });
    expectExports(run, { SECRET: v.secret, NAMED_SECRET: v.secret }, { secret: v.secret, NAMED_SECRET: v.secret });
  });

  it("gets a pki certificate: TEST_KEY, TEST_CERT, TEST_CA, TEST_CA_CHAIN", async () => {
    const run = await step({ token: fx.token, pki: 'pki/issue/Test {"common_name":"test","ttl":"1h"}' });
    expect(run.code, run.stdout).toBe(0);
    expect(Object.keys(run.env).sort()).toEqual(["TEST_CA", "TEST_CA_CHAIN", "TEST_CERT", "TEST_KEY"]);
    expect(Object.keys(run.outputs).sort()).toEqual(["Test_ca", "Test_ca_chain", "Test_cert", "Test_key"]);
    expect(run.env.TEST_CERT).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
    expect(run.env.TEST_KEY).toMatch(/^-----BEGIN (RSA |EC )?PRIVATE KEY-----/);
    expect(run.env.TEST_CA_CHAIN).toContain(run.env.TEST_CA);
    for (const [name, value] of Object.entries(run.env)) expect(run.outputs[`Test_${name.slice(5).toLowerCase()}`]).toBe(value);
    for (const value of Object.values(run.env)) for (const m of maskVariants(value)) expect(run.masks).toContain(m);
  });

  it("decodes with secretEncodingType base64 and hex, masking both forms", async () => {
    const b64 = await withToken("secret/data/encoded base64 | VALUE", { secretEncodingType: "base64" });
    expectExports(b64, { VALUE: v.encoded }, { VALUE: v.encoded });
    expect(b64.masks).toContain(Buffer.from(v.encoded!).toString("base64"));
    const hex = await withToken("secret/data/encoded hex | VALUE", { secretEncodingType: "hex" });
    expectExports(hex, { VALUE: v.encoded }, { VALUE: v.encoded });
  });

  it("evaluates JSONata selectors: functions and filters", async () => {
    const run = await withToken(`secret/data/test-json-data jsonData.$keys() | KEYS ;
      secret/data/test-json-data jsonData.y ;
      secret/data/test-json-data $string(jsonData.x) | X`);
    const y = (JSON.parse(v.jsonData!) as { y: string }).y;
    expectExports(run, { KEYS: '["x","y"]', JSONDATA__Y: y, X: "1" }, { KEYS: '["x","y"]', jsonData__y: y, X: "1" });
  });
});

describe("vault-action basic: auth methods", () => {
  it("authenticate with userpass", async () => {
    const { username, password } = fx.userpass;
    const run = await step({ method: "userpass", username, password, secrets: "secret/data/userpass-test secret" });
    expectExports(run, { SECRET: v.userpass }, { secret: v.userpass });
    expect(run.masks).toContain(password);
    const refused = await step({
      method: "userpass",
      username,
      password: "not-the-password",
      secrets: "secret/data/userpass-test secret",
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("Hint: The username or password is not accepted on auth/userpass: check both");
  });

  it(
    "authenticate with ldap, against a real LDAP server (ldaptor)",
    async () => {
      const username = "ldap-user";
      const password = randomSecret();
      const secret = randomSecret();
      const ldap = await startLdap({ [username]: password });
      try {
        await fx.admin.call("POST", "sys/auth/ldap", { type: "ldap" });
        await fx.admin.call("POST", "auth/ldap/config", { url: ldap.url, userdn: LDAP_USERS_DN, userattr: "uid" });
        await fx.admin.call("POST", `auth/ldap/users/${username}`, { policies: "reader" });
        await fx.admin.call("POST", "secret/data/ldap-test", { data: { secret } });
        const run = await step({ method: "ldap", username, password, secrets: "secret/data/ldap-test secret" });
        expectExports(run, { SECRET: secret }, { secret });
        expect(run.masks).toContain(password);
        // A wrong password is the LDAP server's refusal, reported as a failed login with the errorMessage output.
        const refused = await step({
          method: "ldap",
          username,
          password: `${password}x`,
          secrets: "secret/data/ldap-test secret",
        });
        expect(refused.code).toBe(1);
        expect(refused.stdout).toContain(
          "::error title=vaultgate%3A login rejected::The vault rejected the ldap login on auth/ldap",
        );
        expect(refused.stdout).toContain("Hint: The username or password is not accepted on auth/ldap");
        expect(Object.keys(refused.outputs)).toEqual(["errorMessage"]);
        // The password appears only where it is registered as a mask.
        const logged = refused.stdout.split("\n").filter((line) => !line.startsWith("::add-mask::"));
        expect(logged.join("\n")).not.toContain(password);
      } finally {
        await ldap.stop();
      }
    },
    15 * 60_000,
  );

  it("authenticate with approle", async () => {
    const { roleId, secretId } = fx.approle;
    const run = await step({ method: "approle", roleId, secretId, secrets: "secret/data/approle-test secret" });
    expectExports(run, { SECRET: v.approle }, { secret: v.approle });
  });

  it("jwt: authenticate with a private key (base64 of PEM), signed here", async () => {
    const run = await step({
      method: "jwt",
      role: "default",
      jwtPrivateKey: Buffer.from(fx.jwtKey.privatePem).toString("base64"),
      secrets: "secret/data/test secret",
    });
    expectExports(run, { SECRET: v.secret }, { secret: v.secret });
    expect(run.masks.some((m) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(m))).toBe(true);
  });

  it("jwt: authenticate with GitHub OIDC, and with jwtGithubAudience set to sigstore", async () => {
    const plain = await step({ method: "jwt", role: "default-oidc", secrets: "secret/data/test secret" });
    expectExports(plain, { SECRET: v.secret }, { secret: v.secret });
    expect(oidc.audiences.at(-1)).toBeNull();
    const sigstore = await step({
      method: "jwt",
      role: "default-sigstore",
      jwtGithubAudience: "sigstore",
      secrets: "secret/data/test secret",
    });
    expectExports(sigstore, { SECRET: v.secret }, { secret: v.secret });
    expect(oidc.audiences.at(-1)).toBe("sigstore");
  });
});
