// The GitHub platform and the step boundary: masks registered once as maskVariants
// gives them, exports refused for unmasked values, any thrown value turned into the
// step's failure (message and hint, no stack), post steps only warning; inputs.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AuditRecorder,
  ConfigError,
  IdentityError,
  maskVariants,
  loadState,
  parseState,
  removeState,
  saveState,
  type FetchedSecret,
  type SessionState,
  type VaultConfig,
} from "@vaultgate/core";
import {
  CONNECTION_INPUTS,
  aliasedBoolean,
  exportSecrets,
  githubPlatform,
  loginMethod,
  readConnection,
  readSecretsInputs,
  runStep,
  type FetchedJob,
} from "@vaultgate/github-actions";
import { testRunner } from "./helpers.js";

const masks = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.startsWith("::add-mask::"))
    .map((l) => l.slice("::add-mask::".length).replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%"));

describe("githubPlatform", () => {
  it("registers exactly the maskVariants of each value, each string once", () => {
    const t = testRunner();
    const platform = githubPlatform(t.runner);
    const value = "first-line-secret\nsecond-line-secret";
    platform.mask(value);
    platform.mask(value);
    platform.mask("");
    expect(masks(t.out())).toEqual(maskVariants(value));
    expect(platform.isMasked(value)).toBe(true);
    expect(platform.isMasked("other")).toBe(false);
    expect(platform.name).toBe("github");
  });

  it("warns about short values by name, never printing them, and registers none shorter than min-mask-length", () => {
    const t = testRunner();
    const platform = githubPlatform(t.runner);
    platform.mask("abc12", { name: "PIN (secrets line 1)" });
    platform.mask("on", { name: "MODE (secrets line 2)" });
    platform.mask("xy", { name: "ALL (secrets line 3)", minLength: 0 });
    expect(t.out()).toMatch(/^::warning title=vaultgate::The secret PIN \(secrets line 1\) has fewer than 8 characters/m);
    expect(t.out()).toMatch(
      /^::warning title=vaultgate::The secret MODE \(secrets line 2\) has fewer than 4 characters, so it is NOT masked/m,
    );
    expect(masks(t.out())).toEqual(expect.arrayContaining(["abc12", "xy"]));
    expect(masks(t.out())).not.toContain("on");
    expect(platform.isMasked("on")).toBe(true); // decided: refused with a warning, so exporting it is not an internal error
    expect(t.out().replace(/^::add-mask::.*$/gm, "")).not.toMatch(/abc12|\bon\b|xy/);
  });

  it("registers every field of a JSON value and each line of a multi-line token", () => {
    const t = testRunner();
    const platform = githubPlatform(t.runner);
    platform.mask(JSON.stringify({ db: { password: "db-pass-1234" }, list: ["item-secret-1"] }));
    platform.mask("header.payload.sig\nsecond-line-of-token\n", "token");
    expect(masks(t.out())).toEqual(
      expect.arrayContaining(["db-pass-1234", "item-secret-1", "header.payload.sig", "second-line-of-token"]),
    );
  });
});

const VAULT: VaultConfig = { url: "http://127.0.0.1:1", namespace: undefined, tls: { caCert: undefined, clientCert: undefined, clientKey: undefined, skipVerify: false }, headers: {} }; // prettier-ignore
const state: SessionState = {
  version: 1,
  vault: VAULT,
  token: "s.token-value",
  accessor: undefined,
  ownsToken: true,
  leases: [],
  files: [],
  createdAt: "",
}; // prettier-ignore

function secret(envName: string, value: string): FetchedSecret {
  return { envName, outputName: envName.toLowerCase(), value, path: "secret/app", apiPath: "secret/data/app", origin: "test", leaseId: undefined };
} // prettier-ignore

describe("exportSecrets", () => {
  const inputs = (files: boolean) => ({
    config: { allowEnvNames: [] } as never,
    exportEnv: true,
    files,
    exportToken: false,
    outputToken: false,
    auditFile: undefined,
  });
  const kept: SessionState[] = [];
  const job = (secrets: FetchedSecret[]): FetchedJob => ({
    result: { secrets, leases: [], skipped: [], reads: [] },
    token: state.token,
    credentials: [],
    state: { ...state },
    keepState: (s) => void kept.push(structuredClone(s)),
    audit: new AuditRecorder({
      command: "github-secrets",
      platform: "github",
      env: {},
      address: VAULT.url,
      namespace: undefined,
    }),
  });

  it("refuses to export anything when one value was not masked", () => {
    const t = testRunner();
    const platform = githubPlatform(t.runner);
    platform.mask(state.token);
    platform.mask("masked-value-1");
    const j = job([secret("A", "masked-value-1"), secret("B", "never-masked-2")]);
    expect(() => exportSecrets(t.runner, platform, j, inputs(false))).toThrow(/before it was masked; nothing was exported/);
    expect(t.file("GITHUB_ENV") + t.file("GITHUB_OUTPUT")).toBe("");
  });

  it("exports outputs and env, and records planned files in the state before writing them", () => {
    const t = testRunner();
    const platform = githubPlatform(t.runner);
    for (const v of [state.token, "value-number-one"]) platform.mask(v);
    exportSecrets(t.runner, platform, job([secret("ONE", "value-number-one")]), inputs(true));
    expect(t.file("GITHUB_ENV")).toMatch(
      /^ONE<<([\w-]+)\nvalue-number-one\n\1\nONE_FILE<<([\w-]+)\n.*\/vaultgate-[0-9a-f]{12}\/ONE\n\2\n$/,
    );
    expect(kept.at(-1)?.files).toEqual([expect.stringMatching(/\/vaultgate-[0-9a-f]{12}\/ONE$/)]);
  });
});

describe("runStep", () => {
  it.each([
    [new IdentityError("No token.", { hint: "Add it." }), "::error title=vaultgate%3A identity::No token.%0AHint: Add it."],
    [new ConfigError("Bad input."), "::error title=vaultgate%3A configuration::Bad input."],
    [
      new TypeError("x is undefined"),
      "::error title=vaultgate%3A internal error::Unexpected error: x is undefined%0AHint: This is a bug",
    ],
    ["a thrown string", "::error title=vaultgate%3A internal error::Unexpected error: a thrown string%0AHint: "],
  ])("turns %s into the step's failure", async (thrown, line) => {
    const t = testRunner();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error rejection is the case under test
    const code = await runStep(() => Promise.reject(thrown));
    expect(code).toBe(1);
    expect(t.out().startsWith(line)).toBe(true);
    expect(t.out()).not.toMatch(/\n\s+at /);
  });

  it("only warns in a post step", async () => {
    const t = testRunner();
    const code = await runStep(() => Promise.reject(new IdentityError("gone", { hint: "Fetch it again." })), {
      onError: "warning",
    });
    expect(code).toBe(0);
    expect(t.out()).toBe("::warning title=vaultgate%3A identity::gone%0AHint: Fetch it again.\n");
  });
});

describe("inputs", () => {
  it.each([
    [{ method: "" }, ""],
    [{ method: "JWT" }, "jwt"],
    [{ method: "", token: "s.x" }, "token"],
    [{ method: "approle", token: "" }, "approle"],
  ])("login method of %j is %j", (inputs, method) => {
    expect(loginMethod(inputs)).toBe(method);
  });

  const url = "http://127.0.0.1:1";
  it.each([
    [
      { METHOD: "userpass", USERNAME: "ci", PASSWORD: "pw" },
      { method: "userpass", mount: "userpass", username: "ci", password: "pw" },
    ],
    [
      { METHOD: "ldap", PATH: "corp", USERNAME: "ci", PASSWORD: "pw" },
      { method: "ldap", mount: "corp", username: "ci" },
    ],
    [
      { METHOD: "github", GITHUBTOKEN: "ghp_x" },
      { method: "github", mount: "github", token: "ghp_x" },
    ],
    [
      { METHOD: "cert", AUTHPAYLOAD: '{"name":"ci"}' },
      { method: "payload", name: "cert", mount: "cert", payload: { name: "ci" } },
    ],
    [
      { METHOD: "jwt", JWTTTL: "60", JWTPRIVATEKEY: "KEY" },
      { method: "jwt", signed: { ttlSeconds: 60 } },
    ],
  ])("accepts vault-action's login inputs %j", (inputs, auth) => {
    // A key of this run's own, never one committed to the repository.
    const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const env = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [`INPUT_${k}`, v === "KEY" ? Buffer.from(pem).toString("base64") : v]),
    );
    const { config } = readConnection(testRunner({ INPUT_URL: url, ...env }).runner, "/");
    expect(config.auth).toMatchObject(auth);
  });

  it.each([
    [{ METHOD: "userpass", USERNAME: "ci" }, /userpass login needs a password/],
    [{ METHOD: "cert" }, /must be one of jwt, token/],
    [{ METHOD: "cert", AUTHPAYLOAD: "{nope" }, /payload is not valid JSON\.$/],
    [{ METHOD: "jwt", JWTKEYPASSWORD: "x" }, /jwt-key-password applies only with jwt-private-key/],
    [{ METHOD: "jwt", JWTPRIVATEKEY: "not a key" }, /^jwtPrivateKey is neither PEM text, base64 of PEM, nor an existing file\.$/],
  ])("refuses incomplete or malformed login inputs %j with the fix", (inputs, message) => {
    const env = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k}`, v]));
    expect(() => readConnection(testRunner({ INPUT_URL: url, ...env }).runner, "/")).toThrow(message);
  });

  it("reads pki and secretEncodingType into the secrets action's specs", () => {
    const t = testRunner({
      INPUT_URL: url,
      INPUT_TOKEN: "s.x",
      INPUT_PKI: 'pki/issue/Test {"common_name":"test","ttl":"1h"}',
      INPUT_SECRETENCODINGTYPE: "base64",
    });
    const { config } = readSecretsInputs(t.runner, "/");
    expect(config.secrets.map((s) => [s.envName, s.outputName, s.method, s.params, s.encoding])).toEqual(
      ["cert", "key", "ca", "ca_chain"].map((suffix) => [
        `TEST_${suffix.toUpperCase()}`,
        `Test_${suffix}`,
        "POST",
        { common_name: "test", ttl: "1h" },
        "base64",
      ]),
    );
    const bad = testRunner({ INPUT_URL: url, INPUT_TOKEN: "s.x", INPUT_SECRETS: "a/b c", INPUT_SECRETENCODINGTYPE: "rot13" });
    expect(() => readSecretsInputs(bad.runner, "/")).toThrow(/encoding must be one of base64, hex, utf8, got "rot13"/);
  });

  it("maps vault-action names onto the one schema, and refuses two names that disagree", () => {
    const t = testRunner({ INPUT_URL: "http://127.0.0.1:1", INPUT_JWTGITHUBAUDIENCE: "aud", INPUT_PATH: "gh", INPUT_ROLE: "r" });
    const { config } = readConnection(t.runner, "/");
    expect(config.auth).toMatchObject({ method: "jwt", mount: "gh", role: "r", audience: "aud" });
    const both = testRunner({ INPUT_URL: "http://127.0.0.1:1", INPUT_AUDIENCE: "a", INPUT_JWTGITHUBAUDIENCE: "b" });
    expect(() => readConnection(both.runner, "/")).toThrow(/twice with different values/);
    expect(CONNECTION_INPUTS).toContain("jwtGithubAudience");
  });

  it("reads export-env/exportEnv as one switch, defaulting to true", () => {
    const read = (env: Record<string, string>) => aliasedBoolean(testRunner(env).runner, ["export-env", "exportEnv"], true);
    expect(read({})).toBe(true);
    expect(read({ INPUT_EXPORTENV: "false" })).toBe(false);
    expect(read({ "INPUT_EXPORT-ENV": "false", INPUT_EXPORTENV: "false" })).toBe(false);
    expect(() => read({ "INPUT_EXPORT-ENV": "true", INPUT_EXPORTENV: "false" })).toThrow(/disagree/);
  });

  it("accepts vault-action's base64 PEM for caCertificate, and PEM text for ca-cert", () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${"QUJD".repeat(20)}\n-----END CERTIFICATE-----\n`;
    const base64 = Buffer.from(pem).toString("base64");
    for (const env of [{ INPUT_CACERTIFICATE: base64 }, { "INPUT_CA-CERT": pem }]) {
      const { config } = readConnection(testRunner({ INPUT_URL: "https://127.0.0.1:1", ...env }).runner, "/");
      expect(config.vault?.tls.caCert?.trim()).toBe(pem.trim());
    }
  });

  it("needs secrets, unless only the token is asked for", () => {
    const read = (env: Record<string, string>) =>
      readSecretsInputs(testRunner({ INPUT_URL: "http://127.0.0.1:1", ...env }).runner, "/");
    expect(() => read({})).toThrow(/^No secrets are requested/);
    expect(read({ INPUT_OUTPUTTOKEN: "true" }).outputToken).toBe(true);
  });

  it("makes every secret optional with ignoreNotFound", () => {
    const t = testRunner({
      INPUT_URL: "http://127.0.0.1:1",
      INPUT_SECRETS: "secret/a k | A\nsecret/b k | B",
      INPUT_IGNORENOTFOUND: "true",
    });
    expect(readSecretsInputs(t.runner, "/").config.secrets.map((s) => s.required)).toEqual([false, false]);
  });
});

describe("the state file", () => {
  it("reads a state and refuses what is not one", () => {
    expect(parseState(JSON.stringify(state)).token).toBe(state.token);
    expect(() => parseState("not json")).toThrow(ConfigError);
    expect(() => parseState('{"version":2}')).toThrow(/not vaultgate state/);
  });

  it("keeps only what revocation needs: PEM material and the audit record beside it, 0600, no headers", () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-state-"));
    const path = join(dir, "state.json");
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".repeat(3000);
    const full: SessionState = {
      ...state,
      vault: {
        ...VAULT,
        tls: {
          caCert: ca,
          clientCert: "-----BEGIN CERTIFICATE-----\nC\n",
          clientKey: "-----BEGIN PRIVATE KEY-----\nK\n",
          skipVerify: false,
        },
        headers: { "x-secret-header": "header-value" },
      },
      leases: [{ leaseId: "pki/issue/app/abc", path: "pki/issue/app" }],
    };
    saveState(path, full);
    const text = readFileSync(path, "utf8");
    expect(text.length).toBeLessThan(1000);
    expect(text).not.toMatch(/BEGIN|header-value/);
    for (const suffix of ["", ".ca.pem", ".client.pem", ".client-key.pem"])
      expect(statSync(`${path}${suffix}`).mode & 0o777).toBe(0o600);
    const loaded = loadState(path);
    expect(loaded.vault?.tls).toEqual(full.vault?.tls);
    expect(loaded.vault?.headers).toEqual({});
    expect(loaded.leases).toEqual(full.leases);
    expect(loaded.token).toBe(state.token);
    removeState(path);
    expect(readdirSync(dir)).toEqual([]);
  });
});
