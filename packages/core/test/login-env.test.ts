// identity/login-env: the variables `vaultgate exec` keeps from the command, for every
// source of the configuration (the vault's login and the AWS source's ID token).
import { describe, expect, it } from "vitest";
import { loginVariables, type AuthConfig } from "@vaultgate/core";

const JWT: AuthConfig = { method: "jwt", mount: "jwt", role: "deploy", audience: undefined, idToken: { from: "auto" } };

describe("loginVariables", () => {
  it.each([
    ["the vault's defaults", undefined, { VAULT_ID_TOKEN: "t", OTHER: "x" }, ["VAULT_ID_TOKEN"]],
    ["AWS_ID_TOKEN, the AWS source's default, without a configuration", undefined, { AWS_ID_TOKEN: "t" }, ["AWS_ID_TOKEN"]],
    [
      "the variable sources.aws id-token names",
      { idToken: { from: "env" as const, variable: "STS_WEB_TOKEN" } },
      { STS_WEB_TOKEN: "t", VAULT_ID_TOKEN: "v", AWS_ID_TOKEN: "a" },
      ["VAULT_ID_TOKEN", "AWS_ID_TOKEN", "STS_WEB_TOKEN"],
    ],
    ["names that are not set", { idToken: { from: "env" as const, variable: "STS_WEB_TOKEN" } }, { OTHER: "x" }, []],
  ])("names %s", (_, aws, env, names) => {
    expect(loginVariables(JWT, env, aws).sort()).toEqual([...names].sort());
  });
});
