/**
 * Table tests: each encoding is built here independently of the masker — with Buffer,
 * JSON, URL APIs, and with the real tools (bash, base64, openssl, python3, perl, and a
 * Go program's json.Marshal) where they are installed — and the masked output must not
 * contain the part that derives from the secret. In CI (CI=true) Go, bash and python3
 * must be there: a missing one fails the test instead of skipping the form.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { SecretMasker } from "@vaultgate/core";

/** random returns a seeded generator of floats in [0, 1) (mulberry32): secrets differ per case, runs repeat. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(20261128);
const pick = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64 = `${ALNUM}+/`;

const SECRETS: Record<string, string> = {
  alphanumeric: pick(ALNUM, 32),
  "eight characters": pick(ALNUM, 8),
  "shell and regex characters": `it's-$HOME-"q"-\`x\`-a b|c&d;(e)<f>!{g}[h]?^~#%=+,.:/@_\\-${pick(ALNUM, 6)}`,
  unicode: `pässwörd-€-日本語-🔑-${pick(ALNUM, 6)}`,
  "multi-line (PEM)": `-----BEGIN KEY-----\n${pick(B64, 64)}\n${pick(B64, 64)}\n${pick(B64, 20)}==\n-----END KEY-----\n`,
  long: pick(`${ALNUM}-_.`, 120),
  "control characters": `tab\there\x01ctl\x1besc\x7fdel\\back-'q'-${pick(ALNUM, 6)}`,
  "HTML and slashes (Go's escaping)": `<a href="/x?y=1&z=2">${pick(ALNUM, 8)}</a>`,
  "line and paragraph separators": `ls\u2028ps\u2029-${pick(ALNUM, 8)}-/path`,
  "URL-unsafe characters": `p@ss/w:rd?#[]!$&'()*+,;= %~${pick(ALNUM, 6)}`,
};

/** REQUIRED_IN_CI are the tools whose forms must be checked in CI, not skipped. */
const REQUIRED_IN_CI = new Set(["go", "bash", "python3"]);

interface Case {
  /** The text a tool would print. */
  text: string;
  /** The parts of `text` that derive from the secret alone: each must become one "***", the rest stay. */
  gone: string[];
}

/** embedded base64-encodes secret at stream offset k; the stable core is characters ceil(8k/6) to floor(8(k+n)/6). */
function embedded(secret: string, k: number, alphabet: "base64" | "base64url"): Case {
  const prefix = "<>?".slice(0, k);
  const encoded = Buffer.from(`${prefix}${secret}~tail~`).toString(alphabet);
  const n = Buffer.byteLength(secret);
  const core = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + n)) / 6));
  return { text: `data: ${encoded}`, gone: [core] };
}

function tool(command: string, args: string[], input: string, env?: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, args, { input, encoding: "utf8", ...(env ? { env: { ...process.env, ...env } } : {}) });
  if (result.status === 0) return result.stdout + result.stderr;
  if (process.env.CI === "true" && REQUIRED_IN_CI.has(command))
    throw new Error(`${command} is required in CI: ${String(result.error ?? result.stderr)}`);
  return undefined;
}

/** goJson is the Go program printing json.Marshal and SetEscapeHTML(false) of its input, built once. */
let goJson: string | undefined;
beforeAll(() => {
  const source = fileURLToPath(new URL("../../../test/fixtures/go-json-marshal/main.go", import.meta.url));
  const binary = join(mkdtempSync(join(tmpdir(), "vaultgate-go-json-")), "go-json-marshal");
  goJson = tool("go", ["build", "-o", binary, source], "") === undefined ? undefined : binary;
}, 300_000);

/** goLines returns the Go program's two JSON strings for `s`, without their quotes. */
function goLines(s: string): [marshal: string, noHtml: string] | undefined {
  if (goJson === undefined) return undefined;
  const out = tool(goJson, [], s);
  if (out === undefined) return undefined;
  const [marshal = "", noHtml = ""] = out.split("\n");
  return [marshal.slice(1, -1), noHtml.slice(1, -1)];
}

/** lowerHex writes the %XX escapes of `text` in lower case. */
const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());

/** bashQuoted runs `script` in bash with the secret in $S and the locale given; stdout without the final newline. */
function bashQuoted(script: string, s: string, locale: string): string | undefined {
  return tool("bash", ["-c", `S="$(cat; echo .)"; S="\${S%.}"; ${script}`], s, { LC_ALL: locale })?.replace(/\n$/, "");
}

/** ansiC returns the inside of a bash $'…' output, or the case for a plainly quoted one. */
function quotedCase(out: string | undefined, prefix: string): Case | undefined {
  if (out === undefined) return undefined;
  if (out.startsWith("$'") && out.endsWith("'")) return { text: `${prefix}${out}`, gone: [out.slice(2, -1)] };
  if (out.startsWith("'") && out.endsWith("'")) return { text: `${prefix}${out}`, gone: [out.slice(1, -1)] };
  return { text: `${prefix}${out}`, gone: [out] };
}

const ENCODINGS: Record<string, (secret: string) => Case | undefined> = {
  raw: (s) => ({ text: `token=${s};`, gone: [s] }),
  "base64, offset 0": (s) => embedded(s, 0, "base64"),
  "base64, offset 1": (s) => embedded(s, 1, "base64"),
  "base64, offset 2": (s) => embedded(s, 2, "base64"),
  "base64url, offset 0": (s) => embedded(s, 0, "base64url"),
  "base64url, offset 1": (s) => embedded(s, 1, "base64url"),
  "base64url, offset 2": (s) => embedded(s, 2, "base64url"),
  "base64, padded": (s) => ({ text: `"${Buffer.from(s).toString("base64")}"`, gone: [Buffer.from(s).toString("base64")] }),
  "base64, unpadded": (s) => {
    const unpadded = Buffer.from(s).toString("base64").replace(/=+$/, "");
    return { text: `"${unpadded}"`, gone: [unpadded] };
  },
  "base64url, padded": (s) => {
    const url = Buffer.from(s).toString("base64url");
    const padded = url + "=".repeat((4 - (url.length % 4)) % 4);
    return { text: `[${padded}]`, gone: [padded] };
  },
  'echo "$S" | base64': (s) => {
    const out =
      tool("bash", ["-c", 'echo "$(cat)" | base64'], s) ?? `${Buffer.from(`${s.replace(/\n+$/, "")}\n`).toString("base64")}\n`;
    return { text: `out: ${out}`, gone: [out.trimEnd()] };
  },
  "openssl base64 (64 columns)": (s) => {
    const out = tool("openssl", ["base64"], s);
    return out === undefined ? undefined : { text: out, gone: [out.trimEnd()] };
  },
  encodeURIComponent: (s) => ({ text: `?t=${encodeURIComponent(s)}&x`, gone: [encodeURIComponent(s)] }),
  "form encoding (+ for space)": (s) => {
    const form = encodeURIComponent(s).replaceAll("%20", "+");
    return { text: `t=${form}`, gone: [form] };
  },
  URLSearchParams: (s) => {
    const query = new URLSearchParams({ t: s }).toString();
    return { text: `GET /?${query}`, gone: [query.slice(2)] };
  },
  "JSON.stringify": (s) => ({ text: JSON.stringify({ t: s }), gone: [JSON.stringify(s).slice(1, -1)] }),
  "python3 json.dumps (ASCII escapes)": (s) => {
    const out = tool("python3", ["-c", "import json,sys; print(json.dumps({'t': sys.stdin.read()}))"], s);
    return out === undefined ? undefined : { text: out, gone: [out.trim().slice(7, -2)] };
  },
  "bash set -x": (s) => {
    const out = tool("bash", ["-xc", ': "$(cat)"'], s);
    if (out === undefined) return undefined;
    const traced = out.split("\n+ : ")[1] ?? out.slice(out.lastIndexOf("+ : ") + 4);
    return { text: out, gone: [traced.trimEnd().replace(/^\$?'|'$/g, "")] };
  },
  "bash printf %q": (s) => {
    if (/[^ -~]/.test(s)) return undefined; // printed as $'…': the cases below
    const out = tool("bash", ["-c", 'printf "%q" "$(cat)"'], s);
    return out === undefined ? undefined : { text: `x=${out}`, gone: [out] };
  },
  "bash printf %q, $'…' in a UTF-8 locale": (s) => quotedCase(bashQuoted('printf "%q\\n" "$S"', s, "C.UTF-8"), "x="),
  "bash printf %q, $'…' in the C locale": (s) => quotedCase(bashQuoted('printf "%q\\n" "$S"', s, "C"), "x="),
  "bash ${S@Q}": (s) => quotedCase(bashQuoted('echo "${S@Q}"', s, "C.UTF-8"), "declare -- S="),
  "Go json.Marshal": (s) => {
    const go = goLines(s);
    return go === undefined ? undefined : { text: `{"data":{"t":"${go[0]}"}}`, gone: [go[0]] };
  },
  "Go json.Encoder, SetEscapeHTML(false)": (s) => {
    const go = goLines(s);
    return go === undefined ? undefined : { text: `"t": "${go[1]}",`, gone: [go[1]] };
  },
  "JSON with \\/ (perl JSON::PP escape_slash)": (s) => {
    const out = tool("perl", ["-CS", "-MJSON::PP", "-e", "local $/; print JSON::PP->new->escape_slash->encode([<STDIN>])"], s);
    return out === undefined ? undefined : { text: `x${out}x`, gone: [out.slice(2, -2)] };
  },
  "JSON with \\/ and ASCII escapes (PHP's default)": (s) => {
    const out = tool(
      "perl",
      ["-CS", "-MJSON::PP", "-e", "local $/; print JSON::PP->new->ascii->escape_slash->encode([<STDIN>])"],
      s,
    );
    return out === undefined ? undefined : { text: `x${out}x`, gone: [out.slice(2, -2)] };
  },
  "Python urllib.parse.quote (keeps /)": (s) => {
    const out = tool("python3", ["-c", "import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read()), end='')"], s);
    return out === undefined ? undefined : { text: `GET /v1/${out} HTTP/1.1`, gone: [out] };
  },
  "Python urllib.parse.quote_plus": (s) => {
    const out = tool("python3", ["-c", "import sys,urllib.parse; print(urllib.parse.quote_plus(sys.stdin.read()), end='')"], s);
    return out === undefined ? undefined : { text: `q=${out}&`, gone: [out] };
  },
  "Python urllib.parse.quote(safe='')": (s) => {
    const out = tool(
      "python3",
      ["-c", "import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=''), end='')"],
      s,
    );
    return out === undefined ? undefined : { text: `q=${out}&`, gone: [out] };
  },
  "encodeURIComponent, lower-case %xx": (s) => ({
    text: `?t=${lowerHex(encodeURIComponent(s))}`,
    gone: [lowerHex(encodeURIComponent(s))],
  }),
  "Python quote, lower-case %xx": (s) => {
    const out = tool("python3", ["-c", "import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read()), end='')"], s);
    return out === undefined ? undefined : { text: `/${lowerHex(out)}/`, gone: [lowerHex(out)] };
  },
  "double-quoted": (s) => {
    const quoted = s.replace(/[\\"$`]/g, "\\$&");
    return { text: `echo "${quoted}"`, gone: [quoted] };
  },
  "hex, lower case": (s) => ({ text: `0x${Buffer.from(s).toString("hex")}`, gone: [Buffer.from(s).toString("hex")] }),
  "hex, upper case": (s) => {
    const hex = Buffer.from(s).toString("hex").toUpperCase();
    return { text: `hex:${hex}`, gone: [hex] };
  },
};

describe.each(Object.entries(SECRETS))("masking a %s secret", (_kind, secret) => {
  const m = new SecretMasker();
  m.add(secret);

  it.each(Object.keys(ENCODINGS))("in %s", (name) => {
    const encoded = ENCODINGS[name]!(secret);
    if (encoded === undefined) return; // the tool is not installed, or the form is out of scope
    const masked = m.maskString(encoded.text);
    for (const part of encoded.gone) expect(masked.includes(part), `${name}: the encoded secret survived`).toBe(false);
    expect(masked).toBe(encoded.gone.reduce((text, part) => text.replaceAll(part, "***"), encoded.text));
  });

  it("in every line of a multi-line value, printed on its own", () => {
    for (const line of secret.split("\n").filter((l) => l.trim().length >= 4)) {
      expect(m.maskString(`> ${line} <`)).toBe("> *** <");
      const { text, gone } = embedded(line, 1, "base64");
      expect(m.maskString(text).includes(gone[0]!), "the line's base64 survived").toBe(false);
    }
  });
});
