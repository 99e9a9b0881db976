/**
 * Table tests: each encoding is built here independently of the masker — with Buffer,
 * JSON, URL APIs, and with the real tools (bash, base64, openssl, python3) where they are
 * installed — and the masked output must not contain the part that derives from the secret.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
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
};

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

function tool(command: string, args: string[], input: string): string | undefined {
  const result = spawnSync(command, args, { input, encoding: "utf8" });
  return result.status === 0 ? result.stdout + result.stderr : undefined;
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
    return { text: out, gone: [traced.trimEnd().replace(/^'|'$/g, "")] };
  },
  "bash printf %q": (s) => {
    if (/[^ -~]/.test(s)) return undefined; // printed as $'…': not covered
    const out = tool("bash", ["-c", 'printf "%q" "$(cat)"'], s);
    return out === undefined ? undefined : { text: `x=${out}`, gone: [out] };
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
