// Output formats: values survive a round trip through a shell and a dotenv reader.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dotenvQuote, parseSecretsFile, render, shellQuote } from "@vaultgate/core";

const tricky = ["plain", "it's", 'say "hi"', "$HOME `id` $(id)", "line1\nline2\n", "back\\slash", "tab\there", "ünïcödé ☃"];

describe("formats", () => {
  it.each(tricky)("shell-quotes %j so that sh reads it back unchanged", (value) => {
    const out = execFileSync("sh", ["-c", `printf %s ${shellQuote(value)}`], { encoding: "utf8" });
    expect(out).toBe(value);
  });

  it("renders a sourceable shell file", () => {
    const text = render(
      tricky.map((value, i) => ({ name: `V${i}`, value })),
      "shell",
    );
    const out = execFileSync("sh", ["-c", `${text}\nprintf '%s\\0' "$V0" "$V1" "$V2" "$V3" "$V4" "$V5" "$V6" "$V7"`], {
      encoding: "utf8",
    });
    expect(out.split("\0").slice(0, -1)).toEqual(tricky);
  });

  it("escapes dotenv values onto one line", () => {
    expect(dotenvQuote('a"b\nc$d\\')).toBe('"a\\"b\\nc\\$d\\\\"');
    expect(render([{ name: "A", value: "x\ny" }], "dotenv")).toBe('A="x\\ny"\n');
  });

  it("renders JSON", () => {
    expect(JSON.parse(render([{ name: "A", value: "x\ny" }], "json"))).toEqual({ A: "x\ny" });
  });
});

describe("parseSecretsFile", () => {
  const values = tricky.map((value, i) => ({ name: `V${i}`, value }));
  it.each(["dotenv", "json", "shell"] as const)("reads back what %s rendering wrote", (format) => {
    expect(parseSecretsFile(render(values, format), "f")).toEqual(values);
  });
  it("refuses lines that are not NAME=value", () => {
    expect(() => parseSecretsFile("A=1\nnot a line\n", "f")).toThrow(/f line 2: not NAME="value"/);
    expect(() => parseSecretsFile("A='open\n", "f")).toThrow(/unterminated single quote/);
  });
});
