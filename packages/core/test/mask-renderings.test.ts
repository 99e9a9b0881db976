/**
 * renderings' short cut for text no escaping touches (letters, digits, `-._`) must give
 * exactly the set of forms the full computation gives; property-tested over that alphabet,
 * over its edges (a leading `~`, `/`, `%`, spaces, quotes) and over any text. base64Forms,
 * which encodes views of one buffer, gives what encoding copies of the bytes gives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allRenderings, base64Forms, renderings } from "@vaultgate/core";

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

/** copiedBase64 is base64Forms computed the plain way: each shifted input a fresh copy. */
function copiedBase64(text: string): Set<string> {
  const forms = new Set<string>();
  const value = Buffer.from(text, "utf8");
  for (const bytes of [value, Buffer.concat([value, Buffer.from("\n")])]) {
    const standard = bytes.toString("base64");
    const urlSafe = bytes.toString("base64url");
    forms.add(standard).add(standard.replace(/=+$/, "")).add(urlSafe);
    forms.add(urlSafe + "=".repeat((4 - (urlSafe.length % 4)) % 4));
    for (const width of [76, 64])
      if (standard.length > width) forms.add(standard.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n"));
    for (let offset = 0; offset < 3; offset++) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]);
      const start = Math.ceil((8 * offset) / 6);
      const end = Math.floor((8 * (offset + bytes.length)) / 6);
      forms.add(shifted.toString("base64").slice(start, end)).add(shifted.toString("base64url").slice(start, end));
    }
  }
  return forms;
}

describe("base64Forms", () => {
  it("gives the forms of copied buffers, for any text and lengths across the wrap widths", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), (text) => {
        expect(new Set(base64Forms(text))).toEqual(copiedBase64(text));
      }),
      { seed: 0xb64, numRuns: 2000 },
    );
  });
});
