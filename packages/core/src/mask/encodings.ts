/**
 * mask/encodings — the renderings of a secret that tools print instead of the value
 * itself. Each function returns every string whose occurrence reveals the value; the
 * caller (variants.ts) applies the minimum-length rule and removes duplicates.
 */

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
  const value = Buffer.from(text, "utf8");
  for (const bytes of [value, Buffer.concat([value, NEWLINE])]) {
    const standard = bytes.toString("base64");
    const urlSafe = bytes.toString("base64url");
    forms.push(standard, standard.replace(/=+$/, ""), urlSafe, padBase64(urlSafe));
    for (const width of BASE64_WRAP_WIDTHS) {
      if (standard.length > width) forms.push(wrap(standard, width));
    }
    for (let offset = 0; offset < 3; offset++) {
      const shifted = Buffer.concat([Buffer.alloc(offset), bytes]);
      const start = Math.ceil((8 * offset) / 6);
      const end = Math.floor((8 * (offset + bytes.length)) / 6);
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
 * urlForms returns `text` percent-encoded as encodeURIComponent does, its form variant
 * (space as `+`), and the stricter application/x-www-form-urlencoded serialisation of
 * URLSearchParams (which also encodes `!'()~`). Lone surrogates are taken as U+FFFD, as
 * URLSearchParams and UTF-8 encoders do (encodeURIComponent would throw).
 */
export function urlForms(text: string): string[] {
  const component = encodeURIComponent(text.replace(LONE_SURROGATE, "\ufffd"));
  return [component, component.replaceAll("%20", "+"), new URLSearchParams([["", text]]).toString().slice(1)];
}

/**
 * jsonForms returns `text` escaped as inside a JSON string (JSON.stringify without the
 * quotes), and with every non-ASCII character as `\uXXXX` (Python's json.dumps, jq -a).
 */
export function jsonForms(text: string): string[] {
  const escaped = JSON.stringify(text).slice(1, -1);
  const ascii = escaped.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [escaped, ascii];
}

/**
 * shellForms returns how shells print `text` quoted: inside '…' with ' written as '\''
 * (bash `set -x`, ${var@Q}), inside "…" with \ " $ ` escaped, and backslash-escaped like
 * bash `printf %q` — bash 5 also escapes `,`, older bash does not — for values without
 * control characters (which %q prints as $'…', not covered).
 */
export function shellForms(text: string): string[] {
  const forms = [text.replaceAll("'", `'\\''`), text.replace(/[\\"$`]/g, "\\$&")];
  if (!/\p{Cc}/u.test(text)) {
    const escaped = text.replace(/[ '"\\|&;()<>!{}*[\]?^$`]|^[~#]|(?<=[=:])~/g, "\\$&");
    forms.push(escaped.replaceAll(",", "\\,"), escaped);
  }
  return forms;
}

/** renderings returns `text` itself followed by every encoded form of it. */
export function renderings(text: string): string[] {
  return [text, ...jsonForms(text), ...urlForms(text), ...shellForms(text), ...hexForms(text), ...base64Forms(text)];
}

const NEWLINE = Buffer.from("\n");
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function padBase64(unpadded: string): string {
  return unpadded + "=".repeat((4 - (unpadded.length % 4)) % 4);
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines.join("\n");
}
