/**
 * config/selector — the selectors of hashicorp/vault-action's secrets syntax: JSONata
 * expressions (https://docs.jsonata.org), evaluated with the `jsonata` package against a
 * secret's data. A plain name (`password`, `"api-key"`, `other-Secret-dash`) is that key,
 * as in vault-action; a name with dots that exists as a literal key (`tls.crt`) is that
 * key, so users need not backtick it; anything else (`a.b`, `` `dotted.key`.sub ``,
 * `list[0]`, `jsonData.$keys()`, `users[role="admin"].name`) is JSONata. `*` and `**`
 * take every key (names upper-cased, or as they are).
 *
 * jsonata is imported only when a run has an expression (a chunk of its own in the
 * actions' bundle): parsing sorts selectors into keys and expressions, and
 * prepareSelectors — which the engine awaits before login — compiles the expressions,
 * so a syntax error or a missing `| NAME` still stops the run before anything is sent.
 */
import type JsonataModule from "jsonata";
import { ConfigError } from "../errors.js";
import type { SecretSpec, Selector } from "./schema.js";

type Expression = ReturnType<typeof JsonataModule>;

/** COMPILED caches each expression's compiled form: parsing once validates it, selecting reuses it. */
const COMPILED = new Map<string, Expression>();

let engine: Promise<typeof JsonataModule> | undefined;

/** loadJsonata imports the JSONata engine once. */
function loadJsonata(): Promise<typeof JsonataModule> {
  engine ??= import("jsonata").then((m) => m.default);
  return engine;
}

/**
 * parseSelector sorts one selector as written after the path into a key, every key, or a
 * JSONata expression; `unnamed` records that the line gave no `| NAME`, which
 * prepareSelectors checks against vault-action's rule once the expression is parsed.
 */
export function parseSelector(text: string, origin: string, unnamed = false): Selector {
  if (text === "*") return { kind: "all", uppercase: true };
  if (text === "**") return { kind: "all", uppercase: false };
  // A quoted selector is its text unquoted, as vault-action reads it.
  const bare = /^"[^"]+"$/.test(text) ? text.slice(1, -1) : text;
  // vault-action reads a selector without a dot as a key name; filters and functions are JSONata.
  if (!bare.includes(".") && (bare !== text || !/[[($`"]/.test(bare))) return { kind: "key", key: bare };
  return { kind: "expr", text: bare, origin, ...(unnamed ? { unnamed } : {}) };
}

/**
 * prepareSelectors compiles every expression of `specs` (a JSONata syntax error is a
 * ConfigError naming its line) and refuses one without a name where vault-action needs
 * one. Runs without expressions never load jsonata.
 */
export async function prepareSelectors(specs: readonly Pick<SecretSpec, "path" | "selector">[]): Promise<void> {
  const expressions = specs.filter((s) => s.selector.kind === "expr");
  if (expressions.length === 0) return;
  const jsonata = await loadJsonata();
  for (const spec of expressions) {
    const selector = spec.selector as Extract<Selector, { kind: "expr" }>;
    const expression = compile(jsonata, selector.text, selector.origin ?? "a selector");
    if (selector.unnamed && needsName(expression)) {
      throw new ConfigError(`The selector "${selector.text}" in ${selector.origin ?? "the secrets"} needs a name.`, {
        hint: `Add one: \`${spec.path} ${selector.text} | NAME\`.`,
      });
    }
  }
}

/**
 * needsName tells whether an expression gives no usable default name, the rule vault-action
 * applies: anything but a path whose first step has no filter (or a plain string) needs `| NAME`.
 */
function needsName(expression: Expression): boolean {
  const ast = expression.ast() as { type: string; steps?: { stages?: unknown }[] };
  if (ast.type === "string") return false;
  return ast.type !== "path" || ast.steps?.[0]?.stages !== undefined;
}

function compile(jsonata: typeof JsonataModule, text: string, origin: string): Expression {
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
    const expression = compile(await loadJsonata(), selector.text, selector.origin ?? "a selector");
    found = await expression.evaluate(data);
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
