/**
 * policy/lint/writers — a lint report as terminal text, JSON, and SARIF 2.1.0 (for
 * code scanning: github/codeql-action/upload-sarif), and the rule table as the Markdown
 * that docs/lint.md holds.
 */
import { VERSION } from "../../version.js";
import type { Finding, Location, Severity } from "./model.js";
import { LINT_RULES, type LintReport } from "./run.js";

function where(l: Location): string {
  return l.vault ? `${l.uri}` : `${l.uri}${l.line ? `:${l.line}` : ""}`;
}

/** toLintText renders findings one per line, then a count. */
export function toLintText(report: LintReport): string {
  const lines = report.findings.map((f) => `${where(f.location)}: ${f.severity} ${f.ruleId} ${f.message}`);
  const { error, warning, note } = report.counts;
  lines.push(
    report.findings.length === 0
      ? `No findings in ${report.source} (${LINT_RULES.length} rules).`
      : `${error} error(s), ${warning} warning(s), ${note} note(s) in ${report.source}. Run \`vaultgate lint --rules\` for each rule's fix.`,
  );
  return `${lines.join("\n")}\n`;
}

/** toLintJson renders the report as JSON with each finding's rule data. */
export function toLintJson(report: LintReport): string {
  const findings = report.findings.map((f) => {
    const rule = LINT_RULES.find((r) => r.id === f.ruleId);
    return {
      ...f,
      rule: rule ? { name: rule.name, title: rule.title, fix: rule.fix, reference: rule.reference.url } : undefined,
    };
  });
  return `${JSON.stringify({ tool: "vaultgate lint", version: VERSION, source: report.source, counts: report.counts, findings }, null, 2)}\n`;
}

const SARIF_LEVEL: Readonly<Record<Severity, string>> = { error: "error", warning: "warning", note: "note" };
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { error: "8.0", warning: "5.0", note: "2.0" };

function sarifLocation(f: Finding) {
  const l = f.location;
  return {
    physicalLocation: {
      artifactLocation: l.vault ? { uri: l.uri, uriBaseId: "VAULT" } : { uri: l.uri.split("\\").join("/") },
      ...(l.line ? { region: { startLine: l.line } } : {}),
    },
    logicalLocations: [{ fullyQualifiedName: l.logical }],
  };
}

/** toSarif renders the report as a SARIF 2.1.0 log with the whole rule table as the driver's rules. */
export function toSarif(report: LintReport): string {
  const rules = LINT_RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.title },
    fullDescription: { text: r.why },
    help: {
      text: `${r.fix} See ${r.reference.url}`,
      markdown: `${r.fix}\n\nReference: [${r.reference.title}](${r.reference.url})`,
    },
    helpUri: r.reference.url,
    defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
    properties: { "security-severity": SECURITY_SEVERITY[r.severity], tags: ["security", "ci-trust"] },
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "vaultgate lint",
            version: VERSION,
            informationUri: "https://github.com/vaultgate/vaultgate/blob/main/docs/lint.md",
            rules,
          },
        },
        results: report.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: LINT_RULES.findIndex((r) => r.id === f.ruleId),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [sarifLocation(f)],
        })),
        ...(report.findings.some((f) => f.location.vault)
          ? { originalUriBaseIds: { VAULT: { description: { text: `API paths of the vault at ${report.source}` } } } }
          : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** md escapes `*` and `<` outside code spans, so patterns such as repo:org/* and <owner> read as written. */
function md(text: string): string {
  return text
    .split("`")
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([*<])/g, "\\$1")))
    .join("`");
}

/** rulesMarkdown renders the rule table for docs/lint.md. */
export function rulesMarkdown(): string {
  const out = ["| Id | Severity | Rule |", "| --- | --- | --- |"];
  for (const r of LINT_RULES)
    out.push(`| [${r.id}](#${r.id.toLowerCase()}-${r.name}) | ${r.severity} | ${md(r.title).replace(/\|/g, "\\|")} |`);
  for (const r of LINT_RULES) {
    out.push(
      "",
      `### ${r.id} ${r.name}`,
      "",
      `**${md(r.title)}** (${r.severity})`,
      "",
      md(r.why),
      "",
      `Fix: ${md(r.fix)}`,
      "",
      `Reference: [${r.reference.title}](${r.reference.url})`,
    );
  }
  return `${out.join("\n")}\n`;
}
