/** schema — validates documents against the JSON Schemas published in docs/schemas. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** schemaValidator compiles docs/schemas/<name> and returns a function listing a document's errors. */
export function schemaValidator(name: string): (document: unknown) => string[] {
  const schema = JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../docs/schemas/${name}`, import.meta.url)), "utf8"),
  ) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (document) =>
    validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "invalid"}`);
}
