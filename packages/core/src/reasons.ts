/**
 * reasons — reasons as data. Every reason a check can give is one entry of a table
 * (check/reasons.ts for the gate's own findings, providers/vault/reasons.ts for what
 * the vault answered): a stable id, the check it appears on, its status, the words of
 * the finding and the fix it names. The gate renders its reasons from these entries and
 * records the id in the check's details; docs/check.md's table is generated from them.
 */

/** ReasonStatus is the status a reason gives its check ("fail" becomes "warn" on an optional secret). */
export type ReasonStatus = "pass" | "warn" | "fail" | "skip";

/** ReasonSpec is one reason: what was found and, unless the check passes, the fix. */
export interface ReasonSpec {
  /** Stable id, recorded as the check's `details.reason`. */
  readonly id: string;
  /** The check id (or id pattern, e.g. `secret.<NAME>`) that gives it. */
  readonly check: string;
  readonly status: ReasonStatus;
  /** The finding, with `{name}` placeholders. */
  readonly text: string;
  /** The fix it names, with `{name}` placeholders; absent when nothing needs fixing. */
  readonly fix?: string;
}

/** ReasonVars fill a reason's placeholders. */
export type ReasonVars = Readonly<Record<string, string | number>>;

/** fill replaces `{name}` placeholders; an unknown name is a bug and is left visible. */
export function fill(template: string, vars: ReasonVars = {}): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

/** sentence renders a reason as one sentence (or two): "finding: fix." */
export function sentence(spec: ReasonSpec, vars: ReasonVars = {}): string {
  const text = fill(spec.text, vars);
  if (!spec.fix) return /[.?!]$/.test(text) ? text : `${text}.`;
  const fix = fill(spec.fix, vars);
  return `${text}: ${fix}${/[.?!]$/.test(fix) ? "" : "."}`;
}

/** defineReasons checks a table's ids at load and returns it keyed by id. */
export function defineReasons<const T extends readonly ReasonSpec[]>(specs: T): { readonly [K in T[number]["id"]]: ReasonSpec } {
  const out: Record<string, ReasonSpec> = {};
  for (const spec of specs) {
    if (out[spec.id]) throw new Error(`reason ${spec.id} is defined twice`);
    out[spec.id] = spec;
  }
  return out as { readonly [K in T[number]["id"]]: ReasonSpec };
}

/** reasonRows renders reasons as the cells of docs/check.md's reason table (placeholders as ‹name›). */
export function reasonRows(specs: readonly ReasonSpec[]): string[][] {
  const shown = (s: string) => s.replace(/\{([A-Za-z]+)\}/g, "‹$1›").replaceAll("|", "\\|");
  return specs.map((spec) => [`\`${spec.id}\``, spec.check, spec.status, shown(spec.text), spec.fix ? shown(spec.fix) : "—"]);
}
