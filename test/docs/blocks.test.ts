// The doc-test markings (docs/contributing.md) as blocks.ts reads them: what counts as
// marked, what is refused, and that an unmarked block is reported.
import { describe, expect, it } from "vitest";
import { needsMarking, parseBlocks, parseMarking } from "./blocks.js";

const fence = "```";

describe("doc-test markings", () => {
  it("reads run and illustrative markings, with blank lines and other comments in between", () => {
    const doc = [
      '<!-- doc-test: run shell target=openbao replace="a b=>$VAULT_ADDR" background -->',
      "",
      "<!-- prettier-ignore -->",
      `${fence}sh`,
      "echo hi",
      fence,
      "<!-- doc-test: illustrative — sample output -->",
      `${fence}yaml`,
      "a: 1",
      fence,
    ].join("\n");
    const [run, illustrative] = parseBlocks("x.md", doc);
    expect(run?.marking).toMatchObject({ kind: "run", runner: "shell" });
    if (run?.marking.kind !== "run") throw new Error("not a run marking");
    expect(run.marking.options.get("target")).toEqual(["openbao"]);
    expect(run.marking.options.get("replace")).toEqual(["a b=>$VAULT_ADDR"]);
    expect(run.marking.flags.has("background")).toBe(true);
    expect(run.text).toBe("echo hi\n");
    expect(illustrative?.marking).toEqual({ kind: "illustrative", reason: "sample output" });
  });

  it("reports a shell, YAML, Groovy or untagged block with no marking, and leaves json alone", () => {
    const doc = [
      "Some text.",
      "",
      `${fence}groovy`,
      "node {}",
      fence,
      `${fence}`,
      "tree",
      fence,
      `${fence}json`,
      "{}",
      fence,
    ].join("\n");
    const blocks = parseBlocks("x.md", doc);
    expect(blocks.map((b) => [b.lang, needsMarking(b), b.marking.kind])).toEqual([
      ["groovy", true, "none"],
      ["", true, "none"],
      ["json", false, "none"],
    ]);
  });

  it("refuses an unknown runner and an illustrative marking without a reason", () => {
    expect(parseMarking("run bash")).toMatchObject({ kind: "invalid" });
    expect(parseMarking("illustrative")).toMatchObject({ kind: "invalid" });
    expect(parseMarking("skip")).toMatchObject({ kind: "invalid" });
    expect(parseMarking("run covered-by=test/x.test.ts")).toMatchObject({ kind: "run", runner: "covered-by" });
  });
});
