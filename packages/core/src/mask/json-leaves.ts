/**
 * mask/json-leaves — the fields of a secret whose value is JSON text. A command that
 * prints one field (`jq -r .db.password`) prints the field alone, so each leaf must be
 * registered on its own, not only the whole text.
 */

/** NUMBER_OR_STRING finds the JSON strings and number literals of a JSON text, in order. */
const NUMBER_OR_STRING = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * jsonLeaves returns the leaves of `text` when it is a JSON object or array (after
 * trimming), else undefined: every string, every boolean as `true`/`false`, and every
 * number both as written in the text (`1.50`, `12345678901234567890`) and as JavaScript
 * prints it (`1.5`, what jq and most programs re-serialise). `null` is not a value.
 * Strings that are themselves JSON text are returned as they are; the caller recurses.
 */
export function jsonLeaves(text: string): string[] | undefined {
  const t = text.trim();
  const container = (t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"));
  if (!container) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  const leaves: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === "string") leaves.push(node);
    else if (typeof node === "number" || typeof node === "boolean") leaves.push(String(node));
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") Object.values(node).forEach(walk);
  };
  walk(parsed);
  for (const match of t.matchAll(NUMBER_OR_STRING)) if (!match[0].startsWith('"')) leaves.push(match[0]);
  return leaves;
}
