// Property test of "no value escapes" for JSON secrets, end to end against the real
// OpenBao: random nested JSON values (objects, arrays, unicode, numbers, booleans, long
// strings) stored as secrets, read by `vaultgate exec` (as JSON text, and as a nested
// secret's `*` export), whose child prints every leaf alone, whole and in every form of
// test/fixtures/leaf-forms.mjs, in small writes cut at random places. Nothing of at
// least 4 characters may survive. The same output, masked the way the GitHub runner
// masks a log with the secrets action's `::add-mask::` values, must not show one either.
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ACTIONS,
  VaultAdmin,
  baseEnv,
  randomSecret,
  runActionStep,
  runCli,
  runnerMasked,
  startGitHubOidc,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";
// @ts-expect-error -- a plain ES module fixture, shared with the child command
import { codePoints, forms, leaves } from "../fixtures/leaf-forms.mjs";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const printer = fileURLToPath(new URL("../fixtures/print-leaves.mjs", import.meta.url));
let oidc: GitHubOidcServer;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const leavesOf = leaves as (value: Json) => string[];
const formsOf = forms as (leaf: string) => string[];
const length = codePoints as (text: string) => number;

const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ minLength: 4, maxLength: 40 }),
  fc.string({ unit: "grapheme-ascii", minLength: 60, maxLength: 200 }),
  fc.constantFrom("<a href='/x?y=1&z=2'>", "line one\nline two\r\nthree", "tab\there", "ls\u2028ps\u2029", "🔑 pässwörd"),
);
const leaf: fc.Arbitrary<Json> = fc.oneof(
  text.map((t) => t.replaceAll("*", "-")), // the replacement is ***: a value made of stars would be "found" in it
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const { node } = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("node"), { maxKeys: 4 }),
  ),
}));
const topLevel = fc.oneof(
  fc.array(node, { minLength: 1, maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), node, { minKeys: 1, maxKeys: 4 }),
);

const values: Json[] = fc.sample(topLevel, { seed: 0x1eaf12, numRuns: 10 });
const nested = fc.sample(fc.dictionary(fc.string({ maxLength: 6 }), node, { minKeys: 1, maxKeys: 3 }), {
  seed: 0x2e57,
  numRuns: 1,
})[0]!;
const names = values.map((_, i) => `J${i}`);
const path = `app/i12prop-${randomSecret(4)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, "x")}`;
const nestedPath = `${path}-nested`;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
  await admin.putKv2("secret", path, Object.fromEntries(values.map((v, i) => [names[i]!, JSON.stringify(v)])));
  await admin.putKv2("secret", nestedPath, { NESTED: nested });
});
afterAll(() => oidc.close());

/** survivors lists the leaves' forms of at least 4 characters that `output` still shows. */
function survivors(output: string, json: readonly Json[], lineWise: boolean): string[] {
  const found: string[] = [];
  for (const value of json) {
    for (const l of leavesOf(value)) {
      if (length(l.trim()) < 4) continue; // the short-value rule: not masked, by design
      for (const form of formsOf(l)) {
        // Line-wise (the runner) a multi-line form is checked line by line: it cannot match as a whole.
        const parts = lineWise ? form.split(/\r?\n|\r/).map((p) => p.trim()) : [form];
        for (const part of parts) if (length(part) >= 4 && output.includes(part)) found.push(part);
      }
    }
  }
  return found;
}

const secretArgs = [...names.flatMap((n) => ["-s", `secret/${path} ${n} | ${n}`]), "-s", `secret/${nestedPath} *`];

describe("random nested JSON secrets × every encoding × random chunk splits", () => {
  it.each([7, 1234567])(
    "through `vaultgate exec`: no leaf, in any form, survives (write seed %i)",
    async (seed) => {
      const env = baseEnv({
        ...oidc.env,
        VAULT_ADDR: vault.addr,
        VAULTGATE_ROLE: "deploy-plain",
        VAULTGATE_AUDIENCE: vault.audience,
      });
      const run = await runCli(["exec", ...secretArgs, "--", process.execPath, printer, String(seed), ...names, "NESTED"], env, {
        timeoutMs: 60_000,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("J0 leaf: ");
      expect(survivors(run.stdout + run.stderr, [...values, nested], false)).toEqual([]);
    },
    90_000,
  );

  it("through the secrets action's ::add-mask:: values, applied as the runner applies them", async () => {
    const run = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: {
        url: vault.addr,
        role: "deploy-plain",
        audience: vault.audience,
        secrets: [...names.map((n) => `secret/data/${path} ${n} | ${n}`), `secret/data/${nestedPath} NESTED | NESTED`].join("\n"),
      },
      env: oidc.env,
    });
    expect(run.code, run.stdout).toBe(0);
    // What a later step would print: every leaf, whole and encoded (the same lines print-leaves.mjs writes).
    let log = "";
    for (const [i, value] of [...values, nested].entries()) {
      for (const l of leavesOf(value)) for (const form of formsOf(l)) log += `J${i} leaf: ${form}\n`;
    }
    expect(survivors(runnerMasked(log, run.masks), [...values, nested], true)).toEqual([]);
    await runActionStep("secrets", ACTIONS.secrets.post, { state: run.state });
  }, 90_000);
});
