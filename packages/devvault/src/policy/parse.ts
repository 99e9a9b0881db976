/**
 * policy/parse — reads ACL policies written as Vault does: HCL `path "x" { capabilities
 * = [...] }` blocks (with #, // and /* *\/ comments, and the legacy `policy = "read"`
 * shorthand) or the equivalent JSON. Parameter constraints (allowed_parameters and the
 * like) are parsed and ignored: devvault does not enforce them.
 */
import { ConfigError } from "@vaultgate/core";

/** CAPABILITIES are the capabilities devvault knows, in Vault's spelling. */
export const CAPABILITIES = ["create", "read", "update", "patch", "delete", "list", "sudo", "deny"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** PolicyRule grants `capabilities` on the paths matching `pattern`. */
export interface PolicyRule {
  pattern: string;
  capabilities: Capability[];
}

const LEGACY: Readonly<Record<string, Capability[]>> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

/** parsePolicy parses the text of one policy; `name` is used in error messages. */
export function parsePolicy(name: string, text: string): PolicyRule[] {
  const trimmed = text.trim();
  const tree = trimmed.startsWith("{") ? parseJson(name, trimmed) : new HclParser(name, trimmed).document();
  const paths = tree.path;
  if (paths === undefined) return [];
  if (!isObject(paths)) throw invalid(name, "`path` must hold path blocks");
  return Object.entries(paths).map(([pattern, body]) => rule(name, pattern, body));
}

/** rulesFromMap builds rules from a seed's `{pattern: [capabilities]}` form. */
export function rulesFromMap(name: string, map: Record<string, unknown>): PolicyRule[] {
  return Object.entries(map).map(([pattern, caps]) => rule(name, pattern, { capabilities: caps }));
}

function rule(name: string, pattern: string, body: unknown): PolicyRule {
  if (!isObject(body)) throw invalid(name, `path "${pattern}" must be a block`);
  const capabilities: Capability[] = [];
  const listed = body.capabilities;
  if (listed !== undefined) {
    if (!Array.isArray(listed)) throw invalid(name, `capabilities of "${pattern}" must be a list`);
    for (const c of listed) {
      if (typeof c !== "string" || !(CAPABILITIES as readonly string[]).includes(c.toLowerCase())) {
        throw invalid(name, `unknown capability ${JSON.stringify(c)} on "${pattern}" (known: ${CAPABILITIES.join(", ")})`);
      }
      capabilities.push(c.toLowerCase() as Capability);
    }
  }
  if (typeof body.policy === "string") {
    const legacy = LEGACY[body.policy];
    if (!legacy) throw invalid(name, `unknown policy "${body.policy}" on "${pattern}"`);
    capabilities.push(...legacy);
  }
  if (pattern.includes("*") && pattern.indexOf("*") !== pattern.length - 1) {
    throw invalid(name, `"${pattern}": a glob * may only end a path (use + for one segment)`);
  }
  return { pattern: pattern.replace(/^\/+/, ""), capabilities: [...new Set(capabilities)] };
}

function invalid(name: string, detail: string): ConfigError {
  return new ConfigError(`Policy "${name}" is invalid: ${detail}.`, {
    hint: 'Write rules as: path "secret/data/app/*" { capabilities = ["read"] }',
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseJson(name: string, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // reported below
  }
  throw invalid(name, "not valid JSON");
}

type Token = { kind: "string" | "ident" | "number" | "punct"; text: string; at: number };

/** HclParser reads the small part of HCL that policies use: blocks, assignments, lists, strings. */
class HclParser {
  readonly #name: string;
  readonly #tokens: Token[];
  #pos = 0;

  constructor(name: string, text: string) {
    this.#name = name;
    this.#tokens = tokenize(name, text);
  }

  document(): Record<string, unknown> {
    return this.#body(undefined);
  }

  #body(close: string | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const token = this.#tokens[this.#pos];
      if (!token) {
        if (close) throw invalid(this.#name, `missing "${close}"`);
        return out;
      }
      if (close && token.kind === "punct" && token.text === close) {
        this.#pos++;
        return out;
      }
      if (token.kind === "punct" && token.text === ",") {
        this.#pos++;
        continue;
      }
      if (token.kind !== "ident" && token.kind !== "string") throw this.#unexpected(token);
      this.#pos++;
      const labels: string[] = [];
      while (this.#peek()?.kind === "string") labels.push(this.#next().text);
      const next = this.#next();
      if (next.kind === "punct" && next.text === "=") {
        out[token.text] = this.#value();
      } else if (next.kind === "punct" && next.text === "{") {
        const block = this.#body("}");
        const keys = [token.text, ...labels];
        let target = out;
        for (const key of keys.slice(0, -1)) {
          if (!isObject(target[key])) target[key] = {};
          target = target[key] as Record<string, unknown>;
        }
        const last = keys[keys.length - 1] ?? token.text;
        const existing = target[last];
        target[last] = { ...(isObject(existing) ? existing : {}), ...block };
      } else {
        throw this.#unexpected(next);
      }
    }
  }

  #value(): unknown {
    const token = this.#next();
    if (token.kind === "string") return token.text;
    if (token.kind === "number") return Number(token.text);
    if (token.kind === "ident") return token.text === "true" ? true : token.text === "false" ? false : token.text;
    if (token.text === "[") {
      const items: unknown[] = [];
      while (!(this.#peek()?.kind === "punct" && this.#peek()?.text === "]")) {
        items.push(this.#value());
        if (this.#peek()?.text === ",") this.#pos++;
      }
      this.#pos++;
      return items;
    }
    if (token.text === "{") return this.#body("}");
    throw this.#unexpected(token);
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }

  #next(): Token {
    const token = this.#tokens[this.#pos++];
    if (!token) throw invalid(this.#name, "unexpected end of policy");
    return token;
  }

  #unexpected(token: Token): ConfigError {
    return invalid(this.#name, `unexpected ${JSON.stringify(token.text)} at offset ${token.at}`);
  }
}

function tokenize(name: string, text: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.-]*)|(-?\d+(?:\.\d+)?)|([{}[\]=,])|(.)/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    const [, str, ident, num, punct, other] = match;
    if (other !== undefined) throw invalid(name, `unexpected ${JSON.stringify(other)} at offset ${match.index}`);
    if (str !== undefined) tokens.push({ kind: "string", text: JSON.parse(`"${str}"`) as string, at: match.index });
    else if (ident !== undefined) tokens.push({ kind: "ident", text: ident, at: match.index });
    else if (num !== undefined) tokens.push({ kind: "number", text: num, at: match.index });
    else if (punct !== undefined) tokens.push({ kind: "punct", text: punct, at: match.index });
  }
  return tokens;
}
