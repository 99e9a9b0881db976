// docs/check.md documents every reason a check can give, with the fix each names: its
// reason table is the code's reason tables (GATE_REASONS), row for row.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GATE_REASONS } from "../src/check/reasons.js";
import { reasonRows } from "../src/reasons.js";

const page = readFileSync(fileURLToPath(new URL("../../../docs/check.md", import.meta.url)), "utf8");

/** tableRows reads the generated table's body rows back into cells. */
function tableRows(): string[][] {
  const start = page.indexOf("<!-- reasons:start");
  const end = page.indexOf("<!-- reasons:end -->");
  expect(start, "docs/check.md has the reasons:start marker").toBeGreaterThan(0);
  return page
    .slice(start, end)
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .slice(2)
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

describe("docs/check.md's reason table", () => {
  it("is the code's reason tables, row for row (pnpm run docs:check-reasons rewrites it)", () => {
    expect(tableRows()).toEqual(reasonRows(GATE_REASONS));
  });

  it("every reason that is not a pass names a fix", () => {
    for (const spec of GATE_REASONS) {
      if (spec.status === "fail" || spec.status === "warn") expect(spec.fix, spec.id).toBeTruthy();
    }
  });
});
