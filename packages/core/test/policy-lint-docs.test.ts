// docs/lint.md is checked against the rule table (packages/core/src/policy/lint): every
// rule has its section with its title, severity, why, fix and reference, the summary
// table lists every rule, and no section describes a rule the table does not have.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LINT_RULES } from "../src/policy/index.js";

// The rule text is escaped for markdown (\\* for *, \\< for <): compare it as a reader sees it.
const doc = readFileSync(fileURLToPath(new URL("../../../docs/lint.md", import.meta.url)), "utf8").replace(/\\([*_<])/g, "$1");

describe("docs/lint.md and the rule table", () => {
  it("has at least twelve rule classes with unique ids and names", () => {
    expect(LINT_RULES.length).toBeGreaterThanOrEqual(12);
    expect(new Set(LINT_RULES.map((r) => r.id)).size).toBe(LINT_RULES.length);
    expect(new Set(LINT_RULES.map((r) => r.name)).size).toBe(LINT_RULES.length);
  });

  it.each(LINT_RULES.map((r) => [r.id, r] as const))("documents %s as the table says", (_id, rule) => {
    const start = doc.indexOf(`### ${rule.id} ${rule.name}\n`);
    expect(start, `section for ${rule.id}`).toBeGreaterThan(0);
    const section = doc.slice(start, doc.indexOf("\n### ", start + 1) === -1 ? undefined : doc.indexOf("\n### ", start + 1));
    expect(section).toContain(`**${rule.title}** (${rule.severity})`);
    expect(section).toContain(rule.why);
    expect(section).toContain(`Fix: ${rule.fix}`);
    expect(section).toContain(`Reference: [${rule.reference.title}](${rule.reference.url})`);
    expect(doc).toMatch(
      new RegExp(`\\| \\[${rule.id}\\]\\(#${rule.id.toLowerCase()}-${rule.name}\\)\\s+\\| ${rule.severity}\\s+\\|`),
    );
  });

  it("describes no rule the table lacks", () => {
    const documented = [...doc.matchAll(/^### ([A-Z]+\d+) /gm)].map((m) => m[1]);
    expect(documented).toEqual(LINT_RULES.map((r) => r.id));
  });
});
