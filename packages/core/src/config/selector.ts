/**
 * config/selector — the JSON selectors of hashicorp/vault-action's secrets syntax, the
 * subset that names fields: `key`, `"quoted key"`, `a.b.c`, `` `dotted.key`.sub ``,
 * `list[0]`, and the wildcards `*` (upper-cased names) and `**` (names as they are).
 * Other JSONata (functions, filters, operators) is refused with a message.
 */
import { ConfigError } from "../errors.js";
import type { Selector } from "./schema.js";

/** parseSelector parses one selector as written after the path. */
export function parseSelector(text: string, origin: string): Selector {
  if (text === "*") return { kind: "all", uppercase: true };
  if (text === "**") return { kind: "all", uppercase: false };
  if (/^"[^"]+"$/.test(text)) return { kind: "key", key: text.slice(1, -1) };
  if (!/[.`[\]]/.test(text)) {
    if (/["$&(){}*]/.test(text)) throw unsupported(text, origin);
    return { kind: "key", key: text };
  }
  return { kind: "path", steps: parseSteps(text, origin), text };
}

function parseSteps(text: string, origin: string): (string | number)[] {
  const steps: (string | number)[] = [];
  let i = 0;
  let expectName = true;
  while (i < text.length) {
    const ch = text[i];
    if (expectName) {
      if (ch === "`") {
        const end = text.indexOf("`", i + 1);
        if (end < 0) throw unsupported(text, origin, "a backtick is not closed");
        steps.push(text.slice(i + 1, end));
        i = end + 1;
      } else {
        const m = /^[^.[\]`"$&(){}*]+/.exec(text.slice(i));
        if (!m) throw unsupported(text, origin);
        steps.push(m[0]);
        i += m[0].length;
      }
      expectName = false;
    } else if (ch === ".") {
      expectName = true;
      i += 1;
    } else if (ch === "[") {
      const m = /^\[(\d+)\]/.exec(text.slice(i));
      if (!m?.[1]) throw unsupported(text, origin, "only non-negative list indexes like [0] are supported");
      steps.push(Number(m[1]));
      i += m[0].length;
    } else {
      throw unsupported(text, origin);
    }
  }
  if (expectName) throw unsupported(text, origin, "the selector ends with a dot");
  return steps;
}

function unsupported(text: string, origin: string, detail?: string): ConfigError {
  return new ConfigError(`Unsupported selector "${text}" in ${origin}${detail ? `: ${detail}` : ""}.`, {
    hint: 'Select a field by its name or path: key, "key", nested.key, `dotted.key`, list[0], or * for every key.',
  });
}

/**
 * selectValue applies a selector to a secret's data. A dotted key that exists as a
 * literal key (`tls.crt`) is taken as that key, so users need not quote it.
 * Returns undefined when nothing is found; strings are returned as they are, other
 * JSON values as JSON text.
 */
export function selectValue(data: Readonly<Record<string, unknown>>, selector: Selector): string | undefined {
  let found: unknown;
  if (selector.kind === "key") {
    found = Object.hasOwn(data, selector.key) ? data[selector.key] : undefined;
  } else if (selector.kind === "path") {
    found = Object.hasOwn(data, selector.text) ? data[selector.text] : walk(data, selector.steps);
  } else {
    return undefined;
  }
  return found === undefined ? undefined : stringifyValue(found);
}

function walk(data: unknown, steps: readonly (string | number)[]): unknown {
  let current: unknown = data;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(current) || step >= current.length) return undefined;
      current = current[step];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
      const record = current as Record<string, unknown>;
      if (!Object.hasOwn(record, step)) return undefined;
      current = record[step];
    }
  }
  return current;
}

/** stringifyValue renders a selected value: strings unchanged, everything else as JSON. */
export function stringifyValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
