/**
 * config/pem — reads PEM material (certificates, keys) given as PEM text, base64 of PEM
 * (vault-action's form), or a file path.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../errors.js";

/**
 * pem resolves a certificate or key given as PEM text, base64 of PEM, or a file path;
 * with `secret` a refusal never shows the text (it may be a key).
 */
export function pem(value: string | undefined, field: string, ctx: { baseDir: string }, secret = false): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.startsWith("-----BEGIN")) return text;
  if (/^[A-Za-z0-9+/=\s]+$/.test(text) && text.length > 64) {
    const decoded = Buffer.from(text, "base64").toString("utf8");
    if (decoded.trim().startsWith("-----BEGIN")) return decoded;
  }
  const file = isAbsolute(text) ? text : resolve(ctx.baseDir, text);
  if (existsSync(file)) {
    const content = readFileSync(file, "utf8");
    if (content.includes("-----BEGIN")) return content;
    throw new ConfigError(`${field}: ${file} does not hold PEM data.`);
  }
  const shown = secret ? "" : `: "${text.slice(0, 40)}"`;
  throw new ConfigError(`${field} is neither PEM text, base64 of PEM, nor an existing file${shown}.`, {
    hint: "Give the path of a PEM file, or the PEM itself.",
  });
}
