/**
 * mask/escapes — how JSON encoders and URL encoders write a secret: the forms of JSON
 * string escaping (JavaScript, Go's encoding/json, Python's json.dumps, jq -a, PHP) and
 * of percent-encoding (JavaScript, URLSearchParams, Python's quote/quote_plus, Go,
 * curl), each also with lower-case `%xx`. Every function returns each form once per
 * call; duplicates between forms are removed by the caller.
 */

/**
 * jsonForms returns `text` as it appears inside a JSON string:
 * - JSON.stringify without the quotes (also Python json.dumps(ensure_ascii=False));
 * - Go's json.Marshal: `<` `>` `&` as \u003c \u003e \u0026 and U+2028/U+2029 escaped
 *   (Encoder.SetEscapeHTML(false) keeps `<>&`; Go before 1.22 writes \b and \f as
 *   \u0008 and \u000c). `vault -format=json`, terraform, helm and kubectl print these;
 * - every non-ASCII character as \uXXXX (Python json.dumps, jq -a; Python also escapes DEL);
 * - `/` as `\/` (PHP json_encode, which also escapes non-ASCII by default);
 * - the \uXXXX forms with upper-case hex digits (.NET's System.Text.Json).
 */
export function jsonForms(text: string): string[] {
  const plain = JSON.stringify(text).slice(1, -1);
  const lineSeparators = plain.replace(/[\u2028\u2029]/g, unicodeEscape);
  const goHtml = plain.replace(/[<>&\u2028\u2029]/g, unicodeEscape);
  const ascii = plain.replace(/[\u0080-\uffff]/g, unicodeEscape);
  const asciiDel = plain.replace(/[\u007f-\uffff]/g, unicodeEscape);
  const forms = [plain, lineSeparators, goHtml, ascii, asciiDel, plain.replaceAll("/", "\\/"), ascii.replaceAll("/", "\\/")];
  if (/[\b\f]/.test(text)) forms.push(goHtml.replaceAll("\\b", "\\u0008").replaceAll("\\f", "\\u000c"));
  for (const form of [goHtml, ascii]) forms.push(form.replace(/\\u[0-9a-f]{4}/g, (e) => `\\u${e.slice(2).toUpperCase()}`));
  return forms;
}

/**
 * urlForms returns `text` percent-encoded the common ways:
 * - encodeURIComponent, and the same with `+` for space;
 * - URLSearchParams (application/x-www-form-urlencoded: also `!'()~`, space as `+`);
 * - RFC 3986 strict (only `A-Z a-z 0-9 - . _ ~` kept: Python quote(safe=""), curl
 *   --data-urlencode, Go url.PathEscape of a segment), with `/` kept (Python's quote
 *   default), and with space as `+` (Python quote_plus, Go url.QueryEscape);
 * - each of these with lower-case hex digits (`%2f`), as some encoders write them.
 * Lone surrogates are taken as U+FFFD, as UTF-8 encoders do (encodeURIComponent would throw).
 */
export function urlForms(text: string): string[] {
  const wellFormed = text.replace(LONE_SURROGATE, "\ufffd");
  const component = encodeURIComponent(wellFormed);
  const strict = percentEncode(wellFormed, UNRESERVED);
  const forms = [
    component,
    component.replaceAll("%20", "+"),
    new URLSearchParams([["", text]]).toString().slice(1),
    strict,
    percentEncode(wellFormed, UNRESERVED_AND_SLASH),
    strict.replaceAll("%20", "+"),
  ];
  return [...forms, ...forms.map((form) => form.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()))];
}

/** UNRESERVED are RFC 3986's unreserved characters, which no encoder escapes. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const UNRESERVED_AND_SLASH = /[A-Za-z0-9\-._~/]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** percentEncode writes every UTF-8 byte of `text` as %XX except the ASCII characters `keep` matches. */
function percentEncode(text: string, keep: RegExp): string {
  let out = "";
  for (const char of text) {
    if (char.length === 1 && char.charCodeAt(0) < 0x80 && keep.test(char)) out += char;
    else for (const byte of Buffer.from(char, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
