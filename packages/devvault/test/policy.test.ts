// Policies: the HCL/JSON reader, and the ACL's choice among exact, glob and + rules.
// The expected capabilities were recorded from OpenBao 2.4 for the same policies.
import { describe, expect, it } from "vitest";
import { ConfigError } from "@vaultgate/core";
import { Acl, parsePolicy } from "@vaultgate/devvault";

const P1 = `
# comments of all three kinds
path "a/*" { capabilities = ["update","read","create","list","delete","sudo"] }
path "a/b/+/c" { capabilities = ["read"] } // trailing
path "a/b/x/c" { capabilities = ["list"] }
/* block
   comment */
path "a/b/*" { capabilities = ["create"] }
path "a/+/y" { capabilities = ["update"] }
path "d/den*" { capabilities = ["deny"] }
path "d/*" { capabilities = ["read"] }
path "e/f" { capabilities = ["read"] }
path "g/+" { capabilities = ["read"] }
path "h/+/*" { capabilities = ["read"] }
path "secret/metadata/app/" { capabilities = ["list"] }
`;
const P2 = `
path "a/*" { capabilities = ["deny"] }
path "e/f" { capabilities = ["update"] }
`;

const ONE: Record<string, string[]> = {
  "a/q": ["create", "delete", "list", "read", "sudo", "update"],
  "a/b/x/c": ["list"],
  "a/b/z/c": ["read"],
  "a/b/zz": ["create"],
  "a/b/x/c/d": ["create"],
  "a/m/y": ["update"],
  "a/b/y": ["create"],
  "d/dent": ["deny"],
  "d/x": ["read"],
  "d/den": ["deny"],
  "e/f": ["read"],
  "e/f/": ["read"],
  "e/fg": ["deny"],
  "g/x": ["read"],
  "g/x/y": ["deny"],
  "g/": ["read"],
  "h/x": ["deny"],
  "h/x/y": ["read"],
  "h/": ["deny"],
  zzz: ["deny"],
  a: ["deny"],
  "secret/metadata/app": ["deny"],
  "secret/metadata/app/": ["list"],
};
const BOTH: Record<string, string[]> = { ...ONE, "a/q": ["deny"], "e/f": ["read", "update"], "e/f/": ["read", "update"] };

describe("Acl.capabilities (as OpenBao answers sys/capabilities-self)", () => {
  const one = new Acl([parsePolicy("p1", P1)]);
  const both = new Acl([parsePolicy("p1", P1), parsePolicy("p2", P2)]);
  it.each(Object.entries(ONE))("one policy: %s → %j", (path, caps) => expect(one.capabilities(path)).toEqual(caps));
  it.each(Object.entries(BOTH))("merged with a deny: %s → %j", (path, caps) => expect(both.capabilities(path)).toEqual(caps));
  it("gives root everything", () => expect(new Acl([], true).capabilities("x/y")).toEqual(["root"]));
});

describe("Acl.allows", () => {
  const acl = new Acl([parsePolicy("p1", P1)]);
  it.each([
    ["a/q", "read", true],
    ["a/b/zz", "read", false],
    ["a/b/zz", "create", true],
    ["d/dent", "read", false],
    ["secret/metadata/app/", "list", true],
    ["secret/metadata/app/", "read", false],
    ["e/f", "list", false],
  ] as const)("%s %s → %s", (path, op, expected) => expect(acl.allows(path, op)).toBe(expected));

  it("tells mount access from rules below the mount", () => {
    expect(acl.hasMountAccess("a/")).toBe(true);
    expect(acl.hasMountAccess("h/")).toBe(true);
    expect(acl.hasMountAccess("secret/")).toBe(true);
    expect(acl.hasMountAccess("kv1/")).toBe(false);
  });
});

describe("parsePolicy", () => {
  it("reads JSON policies and the legacy policy shorthand", () => {
    expect(parsePolicy("j", JSON.stringify({ path: { "x/*": { capabilities: ["read"] } } }))).toEqual([
      { pattern: "x/*", capabilities: ["read"] },
    ]);
    expect(parsePolicy("l", 'path "y" { policy = "write" }')[0]?.capabilities).toEqual([
      "create",
      "read",
      "update",
      "delete",
      "list",
    ]);
  });

  it("accepts and ignores parameter constraints", () => {
    const text =
      'path "z" {\n capabilities = ["update"]\n allowed_parameters = { "ttl" = [] "*" = [] }\n min_wrapping_ttl = "1s"\n}';
    expect(parsePolicy("c", text)).toEqual([{ pattern: "z", capabilities: ["update"] }]);
  });

  it.each([
    ['path "x" { capabilities = ["reed"] }', /unknown capability "reed"/],
    ['path "x/*/y" { capabilities = ["read"] }', /a glob \* may only end a path/],
    ['path "x" { capabilities = ["read"]', /missing "}"/],
    ['path "x" { capabilities = ["read"] } %', /unexpected "%"/],
    ["{not json", /not valid JSON/],
  ])("rejects %s", (text, message) => {
    const error = (() => {
      try {
        parsePolicy("bad", text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
