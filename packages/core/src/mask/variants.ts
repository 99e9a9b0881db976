/**
 * mask/variants — which strings are registered for one secret value, and the
 * minimum-length rule that keeps masking from eating the log.
 *
 * The rule: the value itself (and the value with surrounding whitespace trimmed) is
 * always registered, whatever its length. Every other string — a line of a multi-line
 * value, or an encoded form of the value or of a line — is registered only when it has
 * at least `minLineLength` characters (default 4, counted in Unicode code points; lines
 * are trimmed first). Why 4: lines of 1–3 characters in real secrets are structure (`{`,
 * `}`, `],`, `--`), and registering them masks every brace in the log; a 3-character
 * fragment of a longer secret reveals at most ~24 bits of it, and still never appears
 * on its own because the whole value is masked wherever it appears. From 4 characters on,
 * a line is content, e.g. the last line of a PEM body (`Zm9v`).
 */
import { ConfigError } from "../errors.js";
import { renderings } from "./encodings.js";

/** DEFAULT_MIN_LINE_LENGTH is the shortest line or encoded form registered on its own. */
export const DEFAULT_MIN_LINE_LENGTH = 4;

/** SHORT_SECRET_LENGTH: values shorter than this (trimmed) produce a warning. */
export const SHORT_SECRET_LENGTH = 8;

/** VariantOptions tune the minimum-length rule and receive warnings (never values). */
export interface VariantOptions {
  /** Shortest line or encoded form registered on its own; default DEFAULT_MIN_LINE_LENGTH. */
  minLineLength?: number | undefined;
  /** Receives warnings about short or skipped values; the messages never contain a value. */
  onWarning?: ((message: string) => void) | undefined;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * maskPatterns returns every string the streaming masker registers for `value`:
 * the value, its trimmed form, each line of at least the minimum length, and every
 * encoded form of these (see encodings.ts) of at least the minimum length. Entries may
 * contain line breaks (the masker matches bytes, not lines). Empty and whitespace-only
 * values yield nothing.
 */
export function maskPatterns(value: string, options: VariantOptions = {}): string[] {
  const min = minLineLength(options);
  const trimmed = value.trim();
  if (trimmed === "") {
    if (value !== "") options.onWarning?.("A secret value made only of whitespace was not registered for masking.");
    return [];
  }
  if (codePoints(trimmed) < SHORT_SECRET_LENGTH) {
    options.onWarning?.(
      `A secret value shorter than ${SHORT_SECRET_LENGTH} characters was registered for masking: it is easy to guess, ` +
        "and masking it also hides unrelated log text that happens to contain it. Use a longer secret if you can.",
    );
  }
  const exempt = new Set([value, trimmed]);
  const sources = new Set(exempt);
  let shortLines = 0;
  if (LINE_BREAK.test(trimmed)) {
    for (const line of trimmed.split(LINE_BREAK)) {
      const content = line.trim();
      if (codePoints(content) >= min) sources.add(content);
      else if (content !== "") shortLines++;
    }
  }
  if (shortLines > 0) {
    options.onWarning?.(
      `A multi-line secret value has ${shortLines} line(s) shorter than ${min} characters; ` +
        "they are masked as part of the whole value, not on their own.",
    );
  }
  const patterns = new Set<string>();
  for (const source of sources) {
    for (const form of renderings(source)) {
      if (exempt.has(form) || codePoints(form) >= min) patterns.add(form);
    }
  }
  return [...patterns];
}

/**
 * maskVariants returns the exact set of strings a line-based platform mask (GitHub's
 * `::add-mask::`) should register for `value`, with the same minimum-length rule:
 * maskPatterns with every multi-line entry replaced by its trimmed lines of at least the
 * minimum length. No entry contains a line break; entries are unique.
 */
export function maskVariants(value: string, options: VariantOptions = {}): string[] {
  const min = minLineLength(options);
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

/** minLineLength validates and returns the option, or the default. */
export function minLineLength(options: VariantOptions): number {
  const min = options.minLineLength ?? DEFAULT_MIN_LINE_LENGTH;
  if (!Number.isInteger(min) || min < 1) {
    throw new ConfigError(`The minimum masked line length must be a whole number of at least 1, not ${min}.`, {
      hint: `Leave it unset to use the default of ${DEFAULT_MIN_LINE_LENGTH} characters.`,
    });
  }
  return min;
}

function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
