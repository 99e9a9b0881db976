/**
 * config/selector — the selectors of hashicorp/vault-action's secrets syntax: JSONata
 * expressions (https://docs.jsonata.org), evaluated with the `jsonata` package against a
 * secret's data. A plain name (`password`, `"api-key"`, `other-Secret-dash`) is that key,
 * as in vault-action; a name with dots that exists as a literal key (`tls.crt`) is that
 * key, so users need not backtick it; anything else (`a.b`, `` `dotted.key`.sub ``,
 * `list[0]`, `jsonData.$keys()`, `users[role="admin"].name`) is JSONata. `*` and `**`
 * take every key (names upper-cased, or as they are).
 */
import jsonata from "jsonata";
import { ConfigError } from "../errors.js";
import type { Selector } from "./schema.js";

type Expression = ReturnType<typeof jsonata>;

/** COMPILED caches each expression's compiled form: parsing once validates it, selecting reuses it. */
const COMPILED = new Map<string, Expression>();

/** parseSelector parses one selector as written after the path; a JSONata syntax error is a ConfigError. */
export function parseSelector(text: string, origin: string): Selector {
  if (text === "*") return { kind: "all", uppercase: true };
  if (text === "**") return { kind: "all", uppercase: false };
  // A quoted selector is its text unquoted, as vault-action reads it.
  const bare = /^"[^"]+"$/.test(text) ? text.slice(1, -1) : text;
  // vault-action reads a selector without a dot as a key name; filters and functions are JSONata.
  if (!bare.includes(".") && (bare !== text || !/[[($`"]/.test(bare))) return { kind: "key", key: bare };
  compile(bare, origin);
  return { kind: "expr", text: bare };
}

/**
 * needsName tells whether a selector gives no usable default name, the rule vault-action
 * applies: anything but a path whose first step has no filter (or a plain string) needs `| NAME`.
 */
export function needsName(selector: Selector): boolean {
  if (selector.kind !== "expr") return false;
  const ast = compiled(selector.text).ast() as { type: string; steps?: { stages?: unknown }[] };
  if (ast.type === "string") return false;
  return ast.type !== "path" || ast.steps?.[0]?.stages !== undefined;
}

function compile(text: string, origin: string): Expression {
  let expression = COMPILED.get(text);
  if (expression) return expression;
  try {
    expression = jsonata(text);
  } catch (error) {
    const e = error as { message?: string; position?: number };
    throw new ConfigError(
      `Invalid selector "${text}" in ${origin}: ${e.message ?? String(error)}${e.position === undefined ? "" : ` (at character ${e.position})`}.`,
      {
        hint: 'A selector is a key name, "quoted key", or a JSONata expression (docs.jsonata.org): nested.key, `dotted.key`, list[0], $keys().',
      },
    );
  }
  COMPILED.set(text, expression);
  return expression;
}

function compiled(text: string): Expression {
  return compile(text, "a selector");
}

/**
 * selectValue applies a selector to a secret's data. Returns undefined when nothing is
 * found; strings are returned as they are, other JSON values as JSON text (as vault-action
 * does). A JSONata error while evaluating (e.g. arithmetic on a string) is a ConfigError.
 */
export async function selectValue(data: Readonly<Record<string, unknown>>, selector: Selector): Promise<string | undefined> {
  if (selector.kind === "all") return undefined;
  if (selector.kind === "key") return own(data, selector.key);
  const literal = own(data, selector.text);
  if (literal !== undefined) return literal;
  let found: unknown;
  try {
    found = await compiled(selector.text).evaluate(data);
  } catch (error) {
    throw new ConfigError(
      `The selector "${selector.text}" failed: ${(error as { message?: string }).message ?? String(error)}.`,
      {
        hint: "Check the expression against the secret's shape (docs.jsonata.org), or select a key by its name.",
      },
    );
  }
  return found === undefined || typeof found === "function" ? undefined : stringifyValue(found);
}

function own(data: Readonly<Record<string, unknown>>, key: string): string | undefined {
  return Object.hasOwn(data, key) && data[key] !== undefined ? stringifyValue(data[key]) : undefined;
}

/** stringifyValue renders a selected value: strings unchanged, everything else as JSON. */
export function stringifyValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** selectorText is the selector as the user wrote it, for messages. */
export function selectorText(selector: Selector): string {
  return selector.kind === "all" ? (selector.uppercase ? "*" : "**") : selector.kind === "key" ? selector.key : selector.text;
}
