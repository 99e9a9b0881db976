/**
 * mask/encodings — the renderings of a secret that tools print instead of the value
 * itself: base64 and hex here, the escaping of JSON, URLs and shells in escapes.ts and
 * shell.ts. Each function returns every string whose occurrence reveals the value; the
 * caller (variants.ts) applies the minimum-length rule and removes duplicates.
 */
import { jsonForms, urlForms } from "./escapes.js";
import { shellForms } from "./shell.js";

/** BASE64_WRAP_WIDTHS are the line widths of wrapped base64: GNU `base64` (76), PEM and `openssl base64` (64). */
const BASE64_WRAP_WIDTHS = [76, 64] as const;

/**
 * base64Forms returns the base64 renderings of `text` and of `text` + "\n" (what
 * `echo "$S" | base64` encodes), in the standard and the URL-safe alphabet:
 * - standalone, with and without `=` padding, and wrapped like `base64` and PEM output;
 * - embedded at stream offsets 0, 1 and 2 inside a longer base64 stream: only the
 *   characters whose six bits all come from the value are stable, so the form is the
 *   inner run from character ceil(8k/6) up to floor(8(k+n)/6).
 */
export function base64Forms(text: string): string[] {
  const forms: string[] = [];
  // One buffer, [0, 0, value…, "\n"]: every input below is a view of it, nothing is copied.
  const length = Buffer.byteLength(text, "utf8");
  const all = Buffer.alloc(length + 3);
  all.write(text, 2, "utf8");
  all[length + 2] = 0x0a;
  for (const size of [length, length + 1]) {
    const bytes = all.subarray(2, 2 + size);
    const standard = bytes.toString("base64");
    const urlSafe = bytes.toString("base64url");
    forms.push(standard, standard.replace(/=+$/, ""), urlSafe, padBase64(urlSafe));
    for (const width of BASE64_WRAP_WIDTHS) {
      if (standard.length > width) forms.push(wrap(standard, width));
    }
    // Offset 0 is the standalone form without its padding; 1 and 2 follow zero bytes.
    for (let offset = 0; offset < 3; offset++) {
      const shifted = all.subarray(2 - offset, 2 + size);
      const start = Math.ceil((8 * offset) / 6);
      const end = Math.floor((8 * (offset + size)) / 6);
      forms.push(shifted.toString("base64").slice(start, end), shifted.toString("base64url").slice(start, end));
    }
  }
  return forms;
}

/** hexForms returns the UTF-8 bytes of `text` in lower- and upper-case hex. */
export function hexForms(text: string): string[] {
  const hex = Buffer.from(text, "utf8").toString("hex");
  return [hex, hex.toUpperCase()];
}

/**
 * renderings returns `text` itself followed by every encoded form of it. Most generated
 * secrets are made only of characters no escaping touches (letters, digits, `-._`; not
 * `~`, which form encoding turns into %7E): their JSON, URL and shell forms are the text
 * itself, so only hex and base64 are computed for them (the same set as allRenderings,
 * a property test says).
 */
export function renderings(text: string): string[] {
  if (UNESCAPED.test(text)) return [text, ...hexForms(text), ...base64Forms(text)];
  return allRenderings(text);
}

/** allRenderings computes every form, whatever the text holds. */
export function allRenderings(text: string): string[] {
  return [text, ...jsonForms(text), ...urlForms(text), ...shellForms(text), ...hexForms(text), ...base64Forms(text)];
}

/** UNESCAPED: text that JSON, URL (component and form) and shell escaping all leave as it is. */
const UNESCAPED = /^[A-Za-z0-9._-]+$/;

function padBase64(unpadded: string): string {
  return unpadded + "=".repeat((4 - (unpadded.length % 4)) % 4);
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines.join("\n");
}
