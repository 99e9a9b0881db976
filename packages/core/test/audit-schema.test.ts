// docs/schemas/audit-record.v1.json names every login method an audit record can carry:
// each method the configuration accepts (AUTH_METHODS), a custom `payload` login, and
// the AWS source's web identity.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AUTH_METHODS } from "../src/config/schema.js";

const schema = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../docs/schemas/audit-record.v1.json", import.meta.url)), "utf8"),
) as { properties: { identity: { oneOf: { properties?: { method?: { enum?: string[] } } }[] } } };

describe("the audit record's schema", () => {
  it("lists every login method a run can record", () => {
    const methods = schema.properties.identity.oneOf.find((s) => s.properties?.method)?.properties?.method?.enum;
    expect(methods?.slice().sort()).toEqual([...AUTH_METHODS, "payload", "aws-web-identity"].sort());
  });
});
