// Table tests of the configuration schema: vault-action syntax, selectors, manifests,
// inputs and the combination rules.
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  loadConfig,
  normalizeConfig,
  parseManifest,
  parseSecretsSyntax,
  parseSelector,
  prepareSelectors,
  rawFromInputs,
} from "@vaultgate/core";

const ctx = { env: {}, baseDir: "/", source: "test" };

describe("vault-action secrets syntax", () => {
  it.each([
    ["secret/data/ci/aws accessKey | AWS_ACCESS_KEY_ID", "secret/data/ci/aws", "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"],
    ["secret/data/ci/npm token", "secret/data/ci/npm", "TOKEN", "token"],
    ["  /v1/secret/data/ci/npm   token  ", "secret/data/ci/npm", "TOKEN", "token"],
    ['secret/data/x "api-key"', "secret/data/x", "APIKEY", "apikey"],
    ["secret/data/x nested.key", "secret/data/x", "NESTED__KEY", "nested__key"],
    ["secret/data/x * | APP_", "secret/data/x", "APP_", "APP_"],
  ])("parses %j", (text, path, envName, outputName) => {
    const [entry] = parseSecretsSyntax(text);
    expect(entry).toMatchObject({ path, envName, outputName });
  });

  it("splits on ; and on line breaks, and skips comments", () => {
    const entries = parseSecretsSyntax("a/b k1 | ONE ;\n# a comment\nc/d k2 | TWO\ne/f k3 ; g/h k4");
    expect(entries.map((e) => e.envName)).toEqual(["ONE", "TWO", "K3", "K4"]);
    expect(entries[1]?.origin).toBe("secrets line 3");
    // Entries sharing a line are named by their place too.
    expect(entries.slice(2).map((e) => e.origin)).toEqual(["secrets entry 3, line 4", "secrets entry 4, line 4"]);
    expect(parseSecretsSyntax("a/b k1 ; c/d k2 ; e/f k3", "inputs secrets")[2]?.origin).toBe("inputs secrets entry 3, line 1");
  });

  it("joins an entry broken across lines", () => {
    const entries = parseSecretsSyntax("secret/data/x key\n  | NAME ;");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.envName).toBe("NAME");
  });

  it.each([
    ["secret/data/x", /Expected "path key"/],
    ["secret/data/x a b", /Expected "path key"/],
    ["secret/data/x key |", /Missing name after "\|"/],
    ["secret/data/x key | 1BAD", /Invalid name "1BAD"/],
    ["secret/../x key", /Invalid secret path/],
  ])("rejects %j", (text, message) => {
    expect(() => parseSecretsSyntax(text)).toThrow(message);
  });

  it.each([
    ["secret/data/x $uppercase(key", /Invalid selector "\$uppercase\(key" in secrets line 1: .*\(at character \d+\)/],
    ["secret/data/x list[0]", /needs a name/],
    ["secret/data/x $keys()", /needs a name/],
  ])("rejects %j once its expressions are prepared (before login)", async (text, message) => {
    await expect(prepareSelectors(parseSecretsSyntax(text))).rejects.toThrow(message);
  });
});

describe("selectors", () => {
  it.each([
    ["*", { kind: "all", uppercase: true }],
    ["**", { kind: "all", uppercase: false }],
    ["key", { kind: "key", key: "key" }],
    ['"api-key"', { kind: "key", key: "api-key" }],
    ["other-Secret-dash", { kind: "key", key: "other-Secret-dash" }],
    ['"dotted.key"', { kind: "expr", text: "dotted.key", origin: "t" }],
    ["a.b[2].c", { kind: "expr", text: "a.b[2].c", origin: "t" }],
    ["`x.y`.z", { kind: "expr", text: "`x.y`.z", origin: "t" }],
    ["jsonData.$keys()", { kind: "expr", text: "jsonData.$keys()", origin: "t" }],
  ])("parses %j", (text, expected) => {
    expect(parseSelector(text, "t")).toEqual(expected);
  });
  it.each(["a.", "`a", "a.(b", "a[x=]"])("rejects %j", async (text) => {
    await expect(prepareSelectors([{ path: "p", selector: parseSelector(text, "t") }])).rejects.toThrow(ConfigError);
  });
});

describe("normalize", () => {
  const base = { vault: { url: "https://vault.example.com/" }, secrets: ["secret/data/a k"] };

  it("fills defaults", () => {
    const config = normalizeConfig(base, ctx);
    expect(config.vault?.url).toBe("https://vault.example.com");
    expect(config.auth).toEqual({ method: "jwt", mount: "jwt", role: undefined, audience: undefined, idToken: { from: "auto" } });
    expect(config.fetch).toEqual({ concurrency: 32, requestTimeoutSeconds: 10, deadlineSeconds: 60, maxAttempts: undefined });
  });

  it("takes the address from VAULT_ADDR", () => {
    const config = normalizeConfig({ secrets: [] }, { ...ctx, env: { VAULT_ADDR: "http://127.0.0.1:8200" } });
    expect(config.vault?.url).toBe("http://127.0.0.1:8200");
  });

  it.each([
    [{ secrets: [] }, /No source is configured.*no vault address/],
    [{ vault: { url: "vault.example.com" } }, /is not a URL/],
    [{ vault: { url: "ftp://x" } }, /must start with https/],
    [{ ...base, vualt: {} }, /Unknown key "vualt"[\s\S]*/],
    [{ ...base, auth: { method: "jwtt" } }, /must be one of/],
    [{ ...base, auth: { method: "jwt", "role-id": "x" } }, /does not apply to the jwt method/],
    [{ ...base, auth: { method: "token", token: "hvs.x" } }, /must never be written/],
    [{ ...base, auth: { method: "approle" } }, /needs role-id/],
    [{ ...base, vault: { url: "https://v", "tls-skip-verify": "yes" } }, /must be true or false/],
    [{ ...base, vault: { url: "https://v", "client-cert": "-----BEGIN CERTIFICATE-----" } }, /needs both/],
    [{ ...base, fetch: { concurrency: 0 } }, /from 1 to 256/],
    [{ ...base, fetch: { timeout: "soon" } }, /must be a duration/],
    [{ ...base, secrets: ["a/b k | X", "c/d k | X"] }, /Two secrets would both be exported as X/],
    [{ ...base, secrets: [{ path: "a/b", key: "x.y" }] }, /is a path; give it a name/],
    [{ ...base, secrets: [{ path: "a/b", params: { a: 1 } }] }, /only with method: POST/],
    [{ ...base, version: 2 }, /unsupported version 2/],
  ])("rejects %j", (raw, message) => {
    expect(() => normalizeConfig(raw, ctx)).toThrow(message);
  });

  it("suggests the closest key", () => {
    try {
      normalizeConfig({ ...base, auth: { rolle: "x" } }, ctx);
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).hint).toContain('Did you mean "role"?');
    }
  });

  it("accepts manifest secret objects", () => {
    const config = normalizeConfig(
      { ...base, secrets: [{ path: "database/creds/app", key: "password", name: "DB_PASS", required: "false" }] },
      ctx,
    );
    expect(config.secrets[0]).toMatchObject({ path: "database/creds/app", envName: "DB_PASS", required: false, method: "GET" });
  });
});

describe("manifest", () => {
  it("expands ${VAR} and ${VAR:-default}, keeps $${", () => {
    const raw = parseManifest("vault:\n  url: ${ADDR}\n  namespace: ${NS:-team}\nsecrets:\n  - a/$${x} k\n", "m.yml", {
      ADDR: "https://v",
    });
    expect(raw).toEqual({ vault: { url: "https://v", namespace: "team" }, secrets: ["a/${x} k"] });
  });
  it("names an unset variable", () => {
    expect(() => parseManifest("vault:\n  url: ${NOPE}\n", "m.yml", {})).toThrow(/uses \$\{NOPE\}, but NOPE is not set/);
  });
  it("reports YAML errors with a line", () => {
    expect(() => parseManifest("vault:\n  url: [\n", "m.yml", {})).toThrow(/m\.yml line \d/);
  });
  it("rejects duplicate keys", () => {
    expect(() => parseManifest("a: 1\na: 2\n", "m.yml", {})).toThrow(ConfigError);
  });
});

describe("inputs", () => {
  it("maps vault-action input names", () => {
    const raw = rawFromInputs({
      url: "https://v",
      method: "jwt",
      path: "jwt-gh",
      role: "r",
      jwtGithubAudience: "aud",
      caCertificate: "",
      secrets: "a/b k",
      extraHeaders: "X-A: 1\nX-A: 2",
    });
    expect(raw).toEqual({
      vault: { url: "https://v", headers: { "x-a": "1, 2" } },
      auth: { method: "jwt", mount: "jwt-gh", role: "r", audience: "aud" },
      secrets: "a/b k",
    });
  });
  it("refuses one setting given twice differently", () => {
    expect(() => rawFromInputs({ audience: "a", jwtGithubAudience: "b" })).toThrow(/twice/);
  });
  it("lets a wrapper pass a token input, but never a manifest", () => {
    const config = loadConfig({
      inputs: { url: "https://v", method: "token", token: "t" },
      env: {},
      cwd: "/",
      allowTokenValue: true,
    });
    expect(config.auth).toMatchObject({ method: "token", value: "t" });
  });
});

describe("masking settings and URL credentials", () => {
  const vault = { url: "https://vault.example.com" };

  it("reads min-mask-length from inputs and mask.min-length from a manifest (default 4, 0 allowed)", () => {
    expect(normalizeConfig({ vault }, ctx).mask?.minLength).toBe(4);
    expect(normalizeConfig(rawFromInputs({ url: vault.url, "min-mask-length": "0" }), ctx).mask?.minLength).toBe(0);
    expect(normalizeConfig({ vault, mask: { "min-length": 6 } }, ctx).mask?.minLength).toBe(6);
    expect(() => normalizeConfig(rawFromInputs({ url: vault.url, "min-mask-length": "-1" }), ctx)).toThrow(ConfigError);
    expect(() => normalizeConfig({ vault, mask: { "min-lenght": 2 } }, ctx)).toThrow(/Unknown key "min-lenght" in test mask/);
  });

  it.each(["https://user:pa55word@vault.example.com", "http://token@127.0.0.1:8200/", "https://:pw@host"])(
    "refuses %s without repeating it",
    (url) => {
      let message = "";
      try {
        normalizeConfig({ vault: { url } }, ctx);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = `${(error as ConfigError).message} ${(error as ConfigError).hint ?? ""}`;
      }
      expect(message).toMatch(/contains credentials/);
      expect(message).not.toMatch(/pa55word|token@|:pw/);
    },
  );

  it("accepts an @ in the path", () => {
    expect(normalizeConfig({ vault: { url: "https://vault.example.com/v1/@x" } }, ctx).vault?.url).toBe(
      "https://vault.example.com/v1/@x",
    );
  });
});
