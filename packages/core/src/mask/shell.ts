/**
 * mask/shell — how shells print a secret quoted: bash `set -x` and `${S@Q}` ('…'),
 * double quotes, `printf %q` backslash escaping, and the ANSI-C `$'…'` quoting that
 * `printf %q` and `${S@Q}` use for values with control characters.
 */

/**
 * shellForms returns how shells print `text` quoted:
 * - inside '…' with ' written as '\'' (bash `set -x`, `${var@Q}` without control characters);
 * - inside "…" with \ " $ ` escaped;
 * - backslash-escaped like bash `printf %q` (bash 5 also escapes `,`, older bash does not),
 *   for values without control characters;
 * - the inside of bash's `$'…'` (what `printf %q` and `${var@Q}` print for values with
 *   control characters), in a UTF-8 locale and in the C locale (see ansiCQuoted).
 */
export function shellForms(text: string): string[] {
  const forms = [text.replaceAll("'", `'\\''`), text.replace(/[\\"$`]/g, "\\$&")];
  if (!/\p{Cc}/u.test(text)) {
    const escaped = text.replace(/[ '"\\|&;()<>!{}*[\]?^$`]|^[~#]|(?<=[=:])~/g, "\\$&");
    forms.push(escaped.replaceAll(",", "\\,"), escaped);
  }
  forms.push(ansiCQuoted(text, true), ansiCQuoted(text, false));
  return forms;
}

/** ANSI_C_ESCAPES are the control characters bash's $'…' writes as a letter escape. */
const ANSI_C_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\E",
  "\\": "\\\\",
  "'": "\\'",
};

/** NOT_PRINTABLE matches what a UTF-8 locale does not print as it is: controls, format and separator characters, unassigned code points. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;

/**
 * ansiCQuoted returns the inside of bash's `$'…'` for `text`: the escapes above, every
 * other byte that is not printed as it is as a three-digit octal escape (`\001`, `\177`).
 * In a UTF-8 locale printable non-ASCII characters stay as they are; in the C locale
 * every non-ASCII byte is escaped.
 */
export function ansiCQuoted(text: string, utf8Locale: boolean): string {
  let out = "";
  for (const char of text) {
    const named = ANSI_C_ESCAPES[char];
    if (named !== undefined) out += named;
    else if (char < "\x80" ? char < " " || char === "\x7f" : !utf8Locale || NOT_PRINTABLE.test(char)) out += octalBytes(char);
    else out += char;
  }
  return out;
}

function octalBytes(char: string): string {
  let out = "";
  for (const byte of Buffer.from(char, "utf8")) out += `\\${byte.toString(8).padStart(3, "0")}`;
  return out;
}
