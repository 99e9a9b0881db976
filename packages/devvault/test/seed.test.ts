// Seeds: YAML parsing, !random values, validation messages that name the place at fault.
import { describe, expect, it } from "vitest";
import { ConfigError } from "@vaultgate/core";
import { DEFAULT_SEED, parseSeed, startDevVault } from "@vaultgate/devvault";

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("parseSeed", () => {
  it("reads the built-in demo seed and draws a fresh !random value for each secret", () => {
    const a = parseSeed(DEFAULT_SEED);
    const b = parseSeed(DEFAULT_SEED);
    const password = (seed: typeof a) => seed.secrets?.secret?.data?.["app/db"]?.password;
    expect(password(a)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(password(a)).not.toBe(password(b));
    expect(parseSeed("k: !random 4\n".replace("k", "root_token")).root_token).toMatch(/^[A-Za-z0-9_-]{6}$/);
  });

  it.each([
    ["polices: {}", /unknown key "polices"/],
    ["auth: { jwt: { type: oidc } }", /auth\.jwt\.type: devvault seeds support the "jwt" auth method/],
    ["auth: { jwt: { type: jwt, roles: { r: { user_claim: sub } } } }", /auth\.jwt\.roles\.r: set role_type \(jwt\)/],
    ["secrets: { s: { type: pki } }", /secrets\.s\.type: expected "kv", "database" or "rabbitmq"/],
    ["secrets: { s: { type: kv, version: 3 } }", /secrets\.s\.version: expected 1 or 2/],
    ["namespaces: { a: { root_token: x } }", /namespaces\.a\.: unknown key "root_token"/],
    ["policies: [", /Invalid devvault seed \(inline\)/],
  ])("rejects %s", (text, message) => {
    const error = errorOf(() => parseSeed(text));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });

  it("reports role and policy errors found when the seed is applied", async () => {
    const noBound = "auth: { jwt: { type: jwt, local_issuer: true, roles: { r: { role_type: jwt, user_claim: sub } } } }";
    await expect(startDevVault({ seed: noBound })).rejects.toThrow(
      /auth\.jwt: role r: must have at least one bound constraint when creating\/updating a role/,
    );
    await expect(startDevVault({ seed: 'policies: { p: "path \\"x\\" { capabilities = [\\"reed\\"] }" }' })).rejects.toThrow(
      /policies\.p: Policy "p" is invalid: unknown capability "reed"/,
    );
  });
});
