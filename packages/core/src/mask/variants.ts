/**
 * mask/variants — which strings are registered for one secret value, and the
 * short-value rule that keeps masking from eating the log.
 *
 * The rule, one number N (`min-mask-length`, default 4, counted in Unicode code points
 * after trimming): a value, a line of a multi-line value and a field of a JSON value is
 * registered only when it has at least N characters; an encoded form of one of them
 * only when it has at least N and at least 4. A value shorter than N is not masked at
 * all, and a warning names the secret (never the value). N = 0 registers every
 * non-blank value, line and field, however short (the 4 for encoded forms stays, so a
 * 1-character value does not register 1-character fragments of its base64). Values
 * made only of whitespace are never registered: masking them would hide every space.
 *
 * Why 4: values and lines of 1–3 characters are structure or words (`{`, `],`, `e`,
 * `on`), and registering them turns `deploy: branch main` into `d***ploy`; a 3-character
 * fragment of a longer secret reveals at most ~24 bits, and the whole value is still
 * masked wherever it appears. From 4 characters on, a string is content, e.g. the last
 * line of a PEM body (`Zm9v`). Values below 8 characters are masked with a warning: they
 * are easy to guess and may hide unrelated text.
 */
import { ConfigError } from "../errors.js";
import { renderings } from "./encodings.js";
import { jsonLeaves } from "./json-leaves.js";

/** DEFAULT_MIN_MASK_LENGTH is the default N of the short-value rule. */
export const DEFAULT_MIN_MASK_LENGTH = 4;

/** SHORT_SECRET_LENGTH: values shorter than this (trimmed) are masked with a warning. */
export const SHORT_SECRET_LENGTH = 8;

/** MAX_JSON_DEPTH bounds how deep JSON text inside a JSON string field is unpacked. */
const MAX_JSON_DEPTH = 4;

/** VariantOptions tune the short-value rule and receive warnings (never values). */
export interface VariantOptions {
  /** N of the short-value rule; default DEFAULT_MIN_MASK_LENGTH; 0 registers everything. */
  minLength?: number | undefined;
  /** Names the secret in warnings (e.g. `DB_PASSWORD (secrets line 2)`); never a value. */
  name?: string | undefined;
  /** Receives warnings about short or skipped values; the messages never contain a value. */
  onWarning?: ((message: string) => void) | undefined;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * maskPatterns returns every string the streaming masker registers for `value`: the
 * value, its trimmed form, each line and each JSON field of at least N characters, and
 * every encoded form of these (see encodings.ts) of at least max(N, 4) characters. Entries may
 * contain line breaks (the masker matches bytes, not lines). A value shorter than N,
 * empty or blank yields nothing.
 */
export function maskPatterns(value: string, options: VariantOptions = {}): string[] {
  const formMin = Math.max(minMaskLength(options), DEFAULT_MIN_MASK_LENGTH);
  const patterns = new Set<string>();
  for (const source of maskSources(value, options)) {
    patterns.add(source);
    for (const form of renderings(source)) if (codePoints(form) >= formMin) patterns.add(form);
  }
  return [...patterns];
}

/**
 * maskVariants returns the exact set of strings a line-based platform mask (GitHub's
 * `::add-mask::`) should register for `value`, with the same rule: maskPatterns with
 * every multi-line entry replaced by its trimmed lines of at least max(N, 4) characters
 * (the value's own lines are entries already). No entry contains a line break; entries
 * are unique.
 */
export function maskVariants(value: string, options: VariantOptions = {}): string[] {
  const min = Math.max(minMaskLength(options), DEFAULT_MIN_MASK_LENGTH);
  const variants = new Set<string>();
  for (const pattern of maskPatterns(value, options)) {
    if (!LINE_BREAK.test(pattern)) {
      variants.add(pattern);
      continue;
    }
    for (const line of pattern.split(LINE_BREAK)) {
      const content = line.trim();
      if (codePoints(content) >= min) variants.add(content);
    }
  }
  return [...variants];
}

/**
 * tokenVariants returns what a line-based platform mask registers for an opaque token
 * (an ID token, a vault token, a secret_id): the token whatever its length, and each
 * trimmed line of at least DEFAULT_MIN_MASK_LENGTH characters of a multi-line one (an
 * ID-token file with several lines). Its encodings are not worth a mask each.
 */
export function tokenVariants(value: string): string[] {
  const variants = new Set(value === "" ? [] : [value]);
  for (const line of value.split(LINE_BREAK)) {
    const content = line.trim();
    if (codePoints(content) >= DEFAULT_MIN_MASK_LENGTH) variants.add(content);
  }
  return [...variants];
}

/**
 * maskSources applies the short-value rule to `value` and returns the strings whose
 * renderings are registered: the value, trimmed, its lines and its JSON fields (and
 * theirs, for JSON text inside a field), each of at least N characters.
 */
function maskSources(value: string, options: VariantOptions): Set<string> {
  const n = minMaskLength(options);
  const min = Math.max(n, 1);
  const label = options.name ? `The secret ${options.name}` : "A secret value";
  const warn = (message: string) => options.onWarning?.(message);
  const trimmed = value.trim();
  const sources = new Set<string>();
  if (trimmed === "") {
    if (value !== "") warn(`${label} is only whitespace; it was not registered for masking.`);
    return sources;
  }
  const length = codePoints(trimmed);
  if (length < min) {
    warn(
      `${label} has fewer than ${n} characters, so it is NOT masked: masking it would also hide every ` +
        `occurrence of that text in the log. Use a longer secret, or set min-mask-length to 0 to mask it anyway.`,
    );
    return sources;
  }
  if (length < SHORT_SECRET_LENGTH) {
    warn(
      `${label} has fewer than ${SHORT_SECRET_LENGTH} characters: it is masked, but it is easy to guess and ` +
        "masking it may also hide unrelated log text. Use a longer secret if you can.",
    );
  }
  sources.add(value);
  const skipped = { lines: 0, fields: 0 };
  const add = (text: string, depth: number) => {
    const content = text.trim();
    sources.add(text);
    sources.add(content);
    if (LINE_BREAK.test(content)) {
      for (const line of content.split(LINE_BREAK)) {
        const piece = line.trim();
        if (codePoints(piece) >= min) sources.add(piece);
        else if (piece !== "") skipped.lines++;
      }
    }
    if (depth >= MAX_JSON_DEPTH) return;
    for (const leaf of jsonLeaves(content) ?? []) {
      if (codePoints(leaf.trim()) >= min) add(leaf, depth + 1);
      else if (leaf.trim() !== "") skipped.fields++;
    }
  };
  add(value, 0);
  if (skipped.lines > 0) {
    warn(
      `${label} has ${skipped.lines} line(s) shorter than ${min} characters; ` +
        "they are masked as part of the whole value, not on their own.",
    );
  }
  if (skipped.fields > 0) {
    warn(
      `${label} is JSON with ${skipped.fields} field(s) shorter than ${min} characters; ` +
        "they are masked as part of the whole value, not on their own.",
    );
  }
  return sources;
}

/** minMaskLength validates and returns N of the short-value rule, or the default. */
export function minMaskLength(options: Pick<VariantOptions, "minLength">): number {
  const min = options.minLength ?? DEFAULT_MIN_MASK_LENGTH;
  if (!Number.isInteger(min) || min < 0) {
    throw new ConfigError(`min-mask-length must be a whole number of 0 or more, not ${min}.`, {
      hint: `Leave it unset for the default of ${DEFAULT_MIN_MASK_LENGTH} characters; 0 masks every value, however short.`,
    });
  }
  return min;
}

/** codePoints counts the Unicode code points of `text` (a surrogate pair is one). */
export function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
