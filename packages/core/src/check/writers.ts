/**
 * check/writers — the gate's report in four forms: JSON (the stable schema), Markdown
 * (GitHub job summary), JUnit XML (GitLab merge-request widget; one testcase per
 * check) and a short terminal table. None of them can hold a secret value: the report
 * model has none.
 */
import { formatDuration } from "../util/duration.js";
import type { CheckReport, CheckResult, CheckStatus } from "./model.js";

/** toJson renders the report as JSON (two-space indented, trailing newline). */
export function toJson(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const ICON: Readonly<Record<CheckStatus, string>> = { pass: "✅", warn: "⚠️", fail: "❌", skip: "⏭️" };

/** MarkdownOptions: the deployment environment the gate guards, named in the heading. */
export interface MarkdownOptions {
  environment?: string | undefined;
}

/** toMarkdown renders the report for a GitHub job summary, a check run or a review comment. */
export function toMarkdown(report: CheckReport, options: MarkdownOptions = {}): string {
  const where = options.environment ? ` for environment \`${options.environment.replaceAll("`", "")}\`` : "";
  const lines = [
    `### ${report.ok ? "✅ vaultgate check passed" : "❌ vaultgate check failed"}${where}`,
    "",
    `${counts(report)} · ${report.vault ? `vault \`${report.vault.address}\`` : "AWS"}` +
      `${report.vault?.namespace ? ` (namespace \`${report.vault.namespace}\`)` : ""}` +
      `${report.identity.role ? ` · role \`${report.identity.role}\`` : ""} · deploy window ${formatDuration(report.settings.minTtlSeconds)}`,
    "",
    "| | Check | Result |",
    "| --- | --- | --- |",
    ...report.checks.map(
      (c) => `| ${ICON[c.status]} | ${cell(c.title)}${c.required ? "" : " _(optional)_"} | ${cell(c.reason)} |`,
    ),
  ];
  const claims = Object.entries(report.identity.claims);
  if (claims.length > 0) {
    lines.push("", "<details><summary>Identity claims</summary>", "", "| Claim | Value |", "| --- | --- |");
    for (const [name, value] of claims)
      lines.push(`| \`${name}\` | ${cell(typeof value === "string" ? value : JSON.stringify(value))} |`);
    lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** toJUnit renders one testcase per check; fail → <failure>, skip → <skipped>, warn → <system-out>. */
export function toJUnit(report: CheckReport): string {
  const failures = report.checks.filter((c) => c.status === "fail").length;
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  const time = (ms: number) => (ms / 1000).toFixed(3);
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="vaultgate.${xml(c.kind)}" name="${xml(c.title)}" time="${time(c.durationMs)}">`;
    const body = caseBody(c);
    return body ? `${open}\n${body}\n    </testcase>` : `${open}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="vaultgate check" tests="${report.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(report.durationMs)}">`,
    `  <testsuite name="vaultgate check" tests="${report.checks.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(report.durationMs)}" timestamp="${xml(report.startedAt)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

function caseBody(c: CheckResult): string {
  const details = Object.entries(c.details)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
    .join("\n");
  switch (c.status) {
    case "fail":
      return `      <failure message="${xml(c.reason)}" type="${c.required ? "required" : "optional"}">${xml(details || c.reason)}</failure>`;
    case "skip":
      return `      <skipped message="${xml(c.reason)}"/>`;
    case "warn":
      return `      <system-out>${xml(`warning: ${c.reason}${details ? `\n${details}` : ""}`)}</system-out>`;
    case "pass":
      return "";
  }
}

/** xml escapes text for attributes and element content, dropping characters XML 1.0 forbids. */
export function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

const LABEL: Readonly<Record<CheckStatus, string>> = { pass: "PASS", warn: "WARN", fail: "FAIL", skip: "SKIP" };

/** toText renders a short terminal table: status, check, reason. */
export function toText(report: CheckReport): string {
  const width = Math.min(48, Math.max(...report.checks.map((c) => c.title.length)));
  const rows = report.checks.map((c) => `${LABEL[c.status]}  ${c.title.padEnd(width)}  ${c.reason}`);
  const verdict = report.ok ? "PASSED" : "FAILED";
  return `${rows.join("\n")}\n\nvaultgate check ${verdict}: ${counts(report)} in ${(report.durationMs / 1000).toFixed(1)} s\n`;
}

function counts(report: CheckReport): string {
  const s = report.summary;
  return `${s.pass} passed, ${s.warn} warning${s.warn === 1 ? "" : "s"}, ${s.fail} failed, ${s.skip} skipped`;
}
