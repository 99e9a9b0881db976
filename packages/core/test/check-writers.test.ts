// The gate's report writers: escaping, statuses, and the JUnit shape GitLab reads.
import { describe, expect, it } from "vitest";
import {
  CHECK_REPORT_SCHEMA,
  gatePasses,
  summarize,
  toJUnit,
  toMarkdown,
  toText,
  xml,
  type CheckReport,
  type CheckResult,
} from "@vaultgate/core";

const check = (over: Partial<CheckResult>): CheckResult => ({
  id: "x",
  kind: "secret",
  title: "Secret X",
  status: "pass",
  required: true,
  reason: "ok",
  details: {},
  durationMs: 12,
  ...over,
});

function report(checks: CheckResult[]): CheckReport {
  return {
    $schema: CHECK_REPORT_SCHEMA,
    version: 1,
    tool: { name: "vaultgate", version: "0.0.0" },
    ok: gatePasses(checks),
    startedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 1500,
    vault: { address: "https://vault.example.com", namespace: null },
    identity: { method: "jwt", mount: "jwt", role: "deploy", claims: { sub: "repo:a/b|c" } },
    settings: { minTtlSeconds: 600, issueDynamic: false, budgetSeconds: 60 },
    summary: summarize(checks),
    checks,
  };
}

describe("check writers", () => {
  const checks = [
    check({
      id: "a",
      title: 'Secret "A" <b>',
      status: "fail",
      reason: "Not found: a & b",
      details: { path: "s/a", caps: ["deny"] },
    }),
    check({ id: "b", status: "warn", reason: "renewable" }),
    check({ id: "c", status: "skip", reason: "login failed" }),
    check({ id: "d", status: "fail", required: false, reason: "optional" }),
    check({ id: "e" }),
  ];

  it("fails the gate only on required failures and skips", () => {
    expect(gatePasses([check({ status: "warn" }), check({ status: "fail", required: false })])).toBe(true);
    expect(gatePasses([check({ status: "skip" })])).toBe(false);
  });

  it("writes one JUnit testcase per check with escaped text", () => {
    const junit = toJUnit(report(checks));
    expect(junit).toContain('<testsuites name="vaultgate check" tests="5" failures="2" errors="0" skipped="1" time="1.500">');
    expect(junit.match(/<testcase /g)).toHaveLength(5);
    expect(junit).toContain('name="Secret &quot;A&quot; &lt;b&gt;"');
    expect(junit).toContain('<failure message="Not found: a &amp; b" type="required">path: s/a\ncaps: deny</failure>');
    expect(junit).toContain('<failure message="optional" type="optional">');
    expect(junit).toContain('<skipped message="login failed"/>');
    expect(junit).toContain("<system-out>warning: renewable</system-out>");
  });

  it("escapes table cells in Markdown", () => {
    const md = toMarkdown(report(checks));
    expect(md).toContain("### ❌ vaultgate check failed");
    expect(md).toContain("| `sub` | repo:a/b\\|c |");
    expect(md).toContain("| ⏭️ | Secret X | login failed |");
  });

  it("prints a short table", () => {
    expect(toText(report([check({})]))).toMatch(/^PASS {2}Secret X {2}ok\n\nvaultgate check PASSED: 1 passed/);
  });

  it("drops characters XML cannot carry", () => {
    expect(xml("a\u0000b\u001bc<")).toBe("abc&lt;");
  });
});
