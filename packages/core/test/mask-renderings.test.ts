/**
 * renderings' short cut for text no escaping touches (letters, digits, `-._`) must give
 * exactly the set of forms the full computation gives; property-tested over that alphabet,
 * over its edges (a leading `~`, `/`, `%`, spaces, quotes) and over any text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRenderings, renderings } from "@vaultgate/core";

const same = (text: string): void => {
  expect(new Set(renderings(text))).toEqual(new Set(allRenderings(text)));
};
const UNRESERVED = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"];
const EDGES = [...UNRESERVED, "~", "/", "%", " ", "'", '"', "\\", "$", "=", ":", "+", "#", "é", "\n"];

describe("renderings", () => {
  it("gives the full set of forms for text of unreserved characters", () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...UNRESERVED), minLength: 1, maxLength: 64 }), same), {
      seed: 0x5eed,
      numRuns: 3000,
    });
  });

  it("gives the full set of forms next to the edges of the short cut, and for any text", () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...EDGES), minLength: 1, maxLength: 24 }), same), {
      seed: 0xed9e,
      numRuns: 3000,
    });
    fc.assert(fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 }), same), { seed: 0xa11, numRuns: 1000 });
  });

  it("takes the short cut only where the forms are the text itself", () => {
    for (const text of ["~home", "a~b", "a/b", "a b", "a%20b", "a=~b"]) same(text);
    expect(renderings("abc-DEF_1.2-3")).toEqual(["abc-DEF_1.2-3", ...allRenderings("abc-DEF_1.2-3").slice(-22)]);
  });
});
