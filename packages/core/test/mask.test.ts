import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { ConfigError, SecretMasker, maskPatterns, maskVariants, type MaskerOptions } from "@vaultgate/core";

function masker(values: string[], options: MaskerOptions = {}): SecretMasker {
  const m = new SecretMasker(options);
  for (const value of values) m.add(value);
  return m;
}

/** chunked masks `parts` written one by one and returns the whole output. */
function chunked(m: SecretMasker, parts: (string | Buffer)[]): Buffer {
  const c = m.createChunkMasker();
  const out = parts.map((part) => c.write(typeof part === "string" ? Buffer.from(part) : part));
  return Buffer.concat([...out, c.end()]);
}

describe("SecretMasker: matching", () => {
  it("masks a value split across writes after a failed partial match (aa + ab)", () => {
    const m = masker(["aab"], { minLength: 0 });
    expect(chunked(m, ["aa", "ab"]).toString()).toBe("a***");
    expect(chunked(m, ["xa", "a", "a", "b", "y"]).toString()).toBe("xa***y");
  });

  it("masks a value at every split point of the text, including one-byte writes", () => {
    const secret = "s3cr3t-Value-42";
    const text = `before ${secret} after ${secret}${secret} end`;
    const m = masker([secret]);
    const expected = "before *** after *** end";
    expect(m.maskString(text)).toBe(expected);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(chunked(m, [text.slice(0, cut), text.slice(cut)]).toString()).toBe(expected);
    }
    expect(chunked(m, [...text]).toString()).toBe(expected);
  });

  it("masks the longest registered pattern at every split point", () => {
    const secret = "a-fairly-long-secret-value-of-40-chars!!";
    const longest = maskPatterns(secret).sort((a, b) => b.length - a.length)[0]!;
    const m = masker([secret]);
    const text = `x${longest}y`;
    const n = longest.length;
    for (let cut = 0; cut <= text.length; cut++) {
      // Second writes around n - 1 bytes: the size at which held bytes and a chunk stop being merged.
      for (const second of [cut, cut + 1, cut + n - 2, cut + n - 1, cut + n, text.length]) {
        const parts = [text.slice(0, cut), text.slice(cut, second), text.slice(second)];
        expect(chunked(m, parts).toString()).toBe("x***y");
      }
    }
  });

  it("lets the longest value win at a position", () => {
    const m = masker(["abc-short", "abc-short-and-long"]);
    expect(m.maskString("x abc-short-and-long y")).toBe("x *** y");
    expect(m.maskString("x abc-short-and-lo y")).toBe("x ***-and-lo y");
  });

  it("masks overlapping values together, leaving nothing of either", () => {
    const m = masker(["abcd", "cdef"]);
    expect(m.maskString("xxabcdefyy")).toBe("xx***yy");
    expect(m.maskString("cdefabcd")).toBe("***");
  });

  it("writes one replacement per run of masked bytes, whatever its length", () => {
    const m = masker(["password-one", "pw-2-xyzzy"]);
    expect(m.maskString("password-onepw-2-xyzzy password-one")).toBe("*** ***");
  });

  it("masks values of one to three characters wherever they appear with min-mask-length 0", () => {
    const all = { minLength: 0 };
    expect(masker(["q"], all).maskString("aqbqq")).toBe("a***b***");
    expect(masker(["ab"], all).maskString("xabyab")).toBe("x***y***");
    expect(masker(["a", "aab"], all).maskString("baab")).toBe("b***");
    const c = masker(["xyz"], all).createChunkMasker();
    expect(Buffer.concat([c.write(Buffer.from("axy")), c.write(Buffer.from("zb")), c.end()]).toString()).toBe("a***b");
  });

  it("masks values longer than the matcher's 255-byte window", () => {
    const long = "L".repeat(300) + "-tail-" + "M".repeat(300);
    const m = masker([long]);
    expect(m.maskString(`<${long}>`)).toBe("<***>");
    expect(m.maskString(`<${long.slice(0, -1)}>`)).toBe(`<${long.slice(0, -1)}>`);
  });

  it("masks a value containing the replacement's own characters with another replacement", () => {
    const m = masker(["a*b*c*d*e"], { replacement: "[masked]" });
    expect(m.maskString("x a*b*c*d*e y")).toBe("x [masked] y");
  });
});

describe("SecretMasker: streaming", () => {
  it("holds back only a possible start of a value and flushes it on end", () => {
    const c = masker(["secret-value"]).createChunkMasker();
    expect(c.write(Buffer.from("hello world\n")).toString()).toBe("hello world\n");
    expect(c.write(Buffer.from("key: secr")).toString()).toBe("key: ");
    expect(c.write(Buffer.from("et")).toString()).toBe("");
    expect(c.end().toString()).toBe("secret");
  });

  it("passes binary and invalid UTF-8 through byte for byte", () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
    const invalid = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98]);
    const input = Buffer.concat([bytes, invalid, bytes]);
    const m = masker(["not-in-there", "åäö-ünïcode"]);
    expect(m.maskBuffer(input).equals(input)).toBe(true);
    const parts = [];
    for (let i = 0; i < input.length; i += 333) parts.push(input.subarray(i, i + 333));
    expect(chunked(m, parts).equals(input)).toBe(true);
    expect(new SecretMasker().maskBuffer(input).equals(input)).toBe(true);
  });

  it("masks through a Node stream, with strings and buffers written", async () => {
    const m = masker(["stream-secret-1"]);
    const stream = m.createStream();
    const sink = new PassThrough();
    const out: Buffer[] = [];
    sink.on("data", (b: Buffer) => out.push(b));
    const done = pipeline(stream, sink);
    stream.write("a stream-");
    stream.write(Buffer.from("secret"));
    stream.write("-1 b stream-secret");
    stream.end();
    await done;
    expect(Buffer.concat(out).toString()).toBe("a *** b stream-secret");
  });

  it("applies a value added later to later writes of an existing stream", () => {
    const m = masker(["first-secret"]);
    const c = m.createChunkMasker();
    const before = c.write(Buffer.from("first-secret second-secret "));
    m.add("second-secret");
    const after = Buffer.concat([c.write(Buffer.from("second-secret first-secret")), c.end()]);
    expect(before.toString()).toBe("*** second-secret ");
    expect(after.toString()).toBe("*** ***");
  });
});

describe("SecretMasker: registration rules", () => {
  it("masks each line of a multi-line value, but no line shorter than the minimum", () => {
    const value = '{\n  "key": "line-one-xyz",\n  "n": 1\n}';
    const m = masker([value]);
    expect(m.maskString(`${value}|"key": "line-one-xyz",|"n": 1|{}`)).toBe("***|***|***|{}");
    expect(m.maskString("a\r\n  }\n")).toBe("a\r\n  }\n");
  });

  it("warns about short, whitespace-only and short-line values without printing them", () => {
    const warnings: string[] = [];
    const m = masker(["pw7x!", "   ", "", "long-enough-value\nab\nxy"], { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(3);
    for (const w of warnings) expect(w).not.toMatch(/pw7x|long-enough/);
    expect(warnings.join("\n")).toMatch(/fewer than 8 characters[\s\S]*only whitespace[\s\S]*2 line\(s\) shorter than 4/);
    expect(m.maskString("pw7x!   long-enough-value")).toBe("***   ***");
  });

  it("counts distinct patterns and ignores a value added twice", () => {
    const m = masker(["same-value-123"]);
    const count = m.patternCount;
    m.add("same-value-123");
    expect(count).toBeGreaterThan(10);
    expect(m.patternCount).toBe(count);
  });

  it("honours a custom min-mask-length and rejects a bad one", () => {
    const m = masker(["header\nabcdef\nxyz"], { minLength: 6 });
    expect(m.maskString("abcdef xyz header")).toBe("*** xyz ***");
    expect(() => new SecretMasker({ minLength: -1 })).toThrow(ConfigError);
    expect(() => maskPatterns("x", { minLength: 2.5 })).toThrow(ConfigError);
  });
});

describe("maskVariants", () => {
  it("lists line-safe, unique variants with the minimum-length rule", () => {
    const value = "-----BEGIN KEY-----\nTWFueSBoYW5kcyBtYWtl\nZg==\nab\n-----END KEY-----\n";
    const variants = maskVariants(value);
    expect(new Set(variants).size).toBe(variants.length);
    for (const v of variants) {
      expect(v).not.toMatch(/[\r\n]/);
      expect([...v].length).toBeGreaterThanOrEqual(4);
    }
    expect(variants).toEqual(expect.arrayContaining(["-----BEGIN KEY-----", "TWFueSBoYW5kcyBtYWtl", "Zg=="]));
    expect(variants).not.toContain("ab");
  });

  it("keeps a short whole value only with min-mask-length 0, also when it ends with a newline", () => {
    expect(maskVariants("abc")).toEqual([]);
    expect(maskVariants("abc", { minLength: 0 })).toContain("abc");
    expect(maskVariants("abc\n", { minLength: 0 })).toContain("abc");
    expect(maskVariants("  ", { minLength: 0 })).toEqual([]);
  });

  it("includes the wrapped lines of long base64 output", () => {
    const value = "k".repeat(100);
    const wrapped = Buffer.from(`${value}\n`).toString("base64");
    const variants = maskVariants(value);
    expect(variants).toContain(wrapped.slice(0, 76));
    expect(variants).toContain(wrapped.slice(76));
  });
});

describe("JSON values: every field is masked on its own", () => {
  const value = JSON.stringify({
    db: { password: "pa55-w0rd-db", port: 5432, tls: true },
    tokens: ["tok-one-aaaa", "tok-two-bbbb"],
    note: "x",
    empty: null,
    nested: JSON.stringify({ inner: "inner-secret-1" }),
    big: 1,
  }).replace('"big":1', '"big":12345678901234567890'); // a number JavaScript cannot hold exactly

  it("masks each string leaf, each long enough number or boolean, and JSON text inside a field", () => {
    const m = masker([value]);
    for (const leaf of ["pa55-w0rd-db", "tok-one-aaaa", "tok-two-bbbb", "inner-secret-1", "5432", "true"]) {
      expect(m.maskString(`jq: ${leaf}\n`), leaf).toBe("jq: ***\n");
    }
    // The number as written, not only as JavaScript reads it.
    expect(m.maskString("id=12345678901234567890")).toBe("id=***");
    // Fields shorter than the minimum and null stay: masking them would hide every "x" and "null".
    expect(m.maskString("x null")).toBe("x null");
  });

  it("masks the encodings of each leaf, and registers them for the runner one line each", () => {
    const m = masker([value]);
    expect(m.maskString(Buffer.from("pa55-w0rd-db").toString("base64"))).toBe("***");
    expect(m.maskString(encodeURIComponent("inner-secret-1"))).toBe("***");
    const variants = maskVariants(value);
    expect(variants).toEqual(expect.arrayContaining(["pa55-w0rd-db", "tok-one-aaaa", "inner-secret-1", "5432"]));
    expect(variants).not.toContain("x");
  });

  it("masks the fields of a pretty-printed, multi-line JSON value", () => {
    const pretty = JSON.stringify({ user: "admin-user", password: "hunter2-hunter2" }, null, 2);
    expect(masker([pretty]).maskString('"password": "hunter2-hunter2" → hunter2-hunter2')).toBe("*** → ***");
  });

  it("warns once, naming the secret, about fields too short to mask alone", () => {
    const warnings: string[] = [];
    const m = new SecretMasker({ onWarning: (w) => warnings.push(w) });
    m.add(value, { name: "APP_CONFIG (secrets line 1)" });
    expect(warnings).toEqual([
      expect.stringMatching(/^The secret APP_CONFIG \(secrets line 1\) is JSON with 1 field\(s\) shorter than 4/),
    ]);
  });

  it("leaves text that only looks like JSON alone", () => {
    expect(maskPatterns("{not json: really}")).toContain("{not json: really}");
    expect(maskPatterns('"quoted string"')).toContain('"quoted string"');
  });
});

describe("the short-value rule", () => {
  it("does not register values shorter than 4 characters, and names the secret in the warning, never the value", () => {
    const warnings: string[] = [];
    const m = new SecretMasker({ onWarning: (w) => warnings.push(w) });
    m.add("e", { name: "FLAG (secrets line 3)" });
    m.add("on ", { name: "MODE" });
    expect(m.patternCount).toBe(0);
    expect(m.maskString("deploy: branch main, dry-run=true, mode on")).toBe("deploy: branch main, dry-run=true, mode on");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^The secret FLAG \(secrets line 3\) has fewer than 4 characters, so it is NOT masked/);
    expect(warnings[1]).toMatch(/^The secret MODE has fewer than 4/);
    for (const w of warnings) expect(w).toMatch(/min-mask-length/);
  });

  it("registers 4-character values, with a warning that they are short", () => {
    const warnings: string[] = [];
    const m = new SecretMasker({ onWarning: (w) => warnings.push(w) });
    m.add("main", { name: "BRANCH" });
    expect(m.maskString("branch main")).toBe("branch ***");
    expect(warnings).toEqual([expect.stringMatching(/^The secret BRANCH has fewer than 8 characters: it is masked/)]);
  });

  it("follows min-mask-length: 0 masks every value, a larger N spares longer ones", () => {
    expect(masker(["e"], { minLength: 0 }).maskString("deploy all")).toBe("d***ploy all");
    const m = new SecretMasker();
    m.add("abcdef", { minLength: 8 });
    m.add("q", { minLength: 0 });
    expect(m.maskString("abcdef q")).toBe("abcdef ***");
    expect(maskVariants("abcdef", { minLength: 7 })).toEqual([]);
    expect(maskVariants("   ", { minLength: 0 })).toEqual([]);
  });
});
