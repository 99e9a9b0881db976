// nearestAllowed: the readable paths nearest to a denied one, from the token's policy paths.
import { describe, expect, it } from "vitest";
import { nearestAllowed, type PolicyPath } from "../src/check/suggest.js";

const policy: PolicyPath[] = [
  { path: "secret/data/app/", glob: true, capabilities: ["read"] },
  { path: "secret/metadata/app/", glob: true, capabilities: ["read", "list"] },
  { path: "kvx/data/app", glob: false, capabilities: ["read"] },
  { path: "kv1/app/", glob: true, capabilities: ["read"] },
  { path: "pki/issue/app", glob: false, capabilities: ["update"] },
  { path: "secret/data/team/+/config", glob: false, capabilities: ["read"] },
  { path: "sys/capabilities-self", glob: false, capabilities: ["update"] },
  { path: "cubbyhole/", glob: true, capabilities: ["read"] },
  { path: "secret/data/closed/", glob: true, capabilities: ["deny"] },
];

describe("nearestAllowed", () => {
  it.each([
    ["kvx/data/dta/app", "kvx/dta/app", ["read"], ["kvx/data/app"]],
    ["secret/data/dta/app/db", "secret/dta/app/db", ["read"], ["secret/data/app/db"]],
    ["secret/data/ap/db", "secret/ap/db", ["read"], ["secret/data/app/db"]],
    ["kv1/ap/legacy", "kv1/ap/legacy", ["read"], ["kv1/app/legacy"]],
    ["pki/issue/ap", "pki/issue/ap", ["update", "create"], ["pki/issue/app"]],
    ["secret/data/team/x/confg", "secret/team/x/confg", ["read"], ["secret/data/team/x/config"]],
  ])("%s → %j", (apiPath, written, needed, expected) => {
    expect(nearestAllowed({ apiPath, written }, policy, needed)).toEqual(expected);
  });

  it("suggests nothing far away, nothing denied, no housekeeping or metadata path", () => {
    expect(nearestAllowed({ apiPath: "database/creds/other", written: "database/creds/other" }, policy, ["read"])).toEqual([]);
    expect(nearestAllowed({ apiPath: "secret/data/closd/x", written: "secret/closd/x" }, policy, ["read"])).toEqual([]);
    expect(nearestAllowed({ apiPath: "sys/capabilities-slf", written: "sys/capabilities-slf" }, policy, ["update"])).toEqual([]);
    expect(
      nearestAllowed({ apiPath: "secret/metadata/ap/db", written: "secret/metadata/ap/db" }, policy, ["read"]),
    ).not.toContain("secret/metadata/app/db");
  });

  it("needs the capability the request needs", () => {
    expect(nearestAllowed({ apiPath: "pki/issue/ap", written: "pki/issue/ap" }, policy, ["read"])).toEqual([]);
  });
});
