// The runner protocol, table-driven: escaping, workflow commands, heredoc file
// commands and their refusals, inputs and booleans, failure.
import crypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { describe, expect, it } from "vitest";
import { ConfigError, OutputError } from "@vaultgate/core";
import {
  escapeData,
  escapeProperty,
  formatCommand,
  inertLines,
  inputVariable,
  looksLikeCommand,
} from "@vaultgate/github-actions";
import { testRunner } from "./helpers.js";

describe("escaping", () => {
  it.each([
    ["plain", "plain", "plain"],
    ["100%", "100%25", "100%25"],
    ["a\r\nb", "a%0D%0Ab", "a%0D%0Ab"],
    ["k: v, w", "k: v, w", "k%3A v%2C w"],
    ["%0A", "%250A", "%250A"],
  ])("%j → data %j, property %j", (text, data, property) => {
    expect(escapeData(text)).toBe(data);
    expect(escapeProperty(text)).toBe(property);
  });

  it("formats commands with properties, leaving out empty ones", () => {
    expect(formatCommand("error", "bad\nthing", { title: "vaultgate: login", file: undefined, line: 3 })).toBe(
      "::error title=vaultgate%3A login,line=3::bad%0Athing",
    );
    expect(formatCommand("debug", "x")).toBe("::debug::x");
  });
});

describe("file commands", () => {
  it("refuses a value that contains the file command's delimiter, without echoing the value", () => {
    const t = testRunner();
    // The toolkit draws a fresh `ghadelimiter_<uuid>` per record, which no value can guess: make it guessable.
    const uuid = "12345678-1234-4234-8234-123456789abc";
    const randomUUID = crypto.randomUUID;
    const error = (() => {
      try {
        crypto.randomUUID = () => uuid;
        syncBuiltinESMExports();
        t.runner.exportVariable("NAME", `secret-value\nghadelimiter_${uuid}\nEVIL=1`);
      } catch (e) {
        return e;
      } finally {
        crypto.randomUUID = randomUUID;
        syncBuiltinESMExports();
      }
    })();
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toBe("The value of NAME contains the file command's random delimiter; it was not written.");
    expect(t.file("GITHUB_ENV")).toBe("");
  });

  it.each(["", "A=B", "A<<B", "A\nB"])("refuses the name %j", (name) => {
    const t = testRunner();
    expect(() => t.runner.setOutput(name, "v")).toThrow(ConfigError);
    expect(t.file("GITHUB_OUTPUT")).toBe("");
  });

  it("appends outputs, env, state and summary to their files", async () => {
    const t = testRunner();
    t.runner.setOutput("out", "1");
    t.runner.exportVariable("VAR", "two\nlines");
    t.runner.saveState("vaultgate", "{}");
    await t.runner.appendSummary("### title");
    expect(t.file("GITHUB_OUTPUT")).toMatch(/^out<<(ghadelimiter_[\w-]+)\n1\n\1\n$/);
    expect(t.file("GITHUB_ENV")).toMatch(/^VAR<<(ghadelimiter_[\w-]+)\ntwo\nlines\n\1\n$/);
    expect(t.file("GITHUB_STATE")).toMatch(/^vaultgate<<(ghadelimiter_[\w-]+)\n\{\}\n\1\n$/);
    expect(t.file("GITHUB_STEP_SUMMARY")).toBe("### title\n");
    expect(t.out()).toBe("");
  });

  it("exportAll appends every record of a file in one write, each with its own delimiter, or none at all", () => {
    const t = testRunner();
    t.runner.exportAll(
      [
        ["a", "1"],
        ["b", "x\ny"],
      ],
      [["A", "1"]],
    );
    const records = [...t.file("GITHUB_OUTPUT").matchAll(/^(\w+)<<(ghadelimiter_[\w-]+)\n([^]*?)\n\2\n/gm)];
    expect(records.map((r) => [r[1], r[3]])).toEqual([
      ["a", "1"],
      ["b", "x\ny"],
    ]);
    expect(new Set(records.map((r) => r[2])).size).toBe(2);
    expect(t.file("GITHUB_ENV")).toMatch(/^A<<(ghadelimiter_[\w-]+)\n1\n\1\n$/);
    expect(process.env.A).toBe("1");
    // A bad name anywhere in the batch: nothing is written to either file.
    const before = [t.file("GITHUB_OUTPUT"), t.file("GITHUB_ENV")];
    expect(() => t.runner.exportAll([["c", "3"]], [["B=", "4"]])).toThrow(ConfigError);
    expect([t.file("GITHUB_OUTPUT"), t.file("GITHUB_ENV")]).toEqual(before);
  });

  it("writes queued masks before the next log line or record, and by the end of the event-loop turn", async () => {
    const t = testRunner();
    let written = "";
    process.stdout.write = (chunk: string | Uint8Array) => ((written += String(chunk)), true);
    t.runner.maskAll(["first-secret"]);
    t.runner.maskAll(["second-secret"]);
    expect(written).toBe(""); // queued: one write for both
    t.runner.info("a log line");
    expect(written).toBe("::add-mask::first-secret\n::add-mask::second-secret\na log line\n");
    t.runner.maskAll(["third-secret"]);
    t.runner.setOutput("x", "1");
    expect(written.endsWith("::add-mask::third-secret\n")).toBe(true);
    t.runner.maskAll(["fourth-secret"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written.endsWith("::add-mask::fourth-secret\n")).toBe(true);
  });

  it("says so when the runner gave no file command file, and never falls back to printing the value", () => {
    const t = testRunner({ GITHUB_ENV: undefined, GITHUB_OUTPUT: undefined });
    expect(() => t.runner.exportVariable("A", "secret-b")).toThrow(/GITHUB_ENV is not set/);
    expect(() => t.runner.setOutput("A", "secret-b")).toThrow(/GITHUB_OUTPUT is not set/);
    expect(t.out()).not.toContain("secret-b");
  });
});

describe("Runner", () => {
  it.each([
    ["url", "INPUT_URL"],
    ["export-env", "INPUT_EXPORT-ENV"],
    ["jwtGithubAudience", "INPUT_JWTGITHUBAUDIENCE"],
    ["my input", "INPUT_MY_INPUT"],
  ])("reads input %j from %s", (name, variable) => {
    expect(inputVariable(name)).toBe(variable);
    expect(testRunner({ [variable]: "  value \n" }).runner.input(name)).toBe("value");
  });

  it.each([
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["false", false],
    ["False", false],
    ["", undefined],
  ])("reads boolean %j as %s", (text, value) => {
    expect(testRunner({ INPUT_FLAG: text }).runner.booleanInput("flag")).toBe(value);
  });

  it.each(["yes", "1", "tru", "on"])("refuses the boolean %j", (text) => {
    expect(() => testRunner({ INPUT_FLAG: text }).runner.booleanInput("flag")).toThrow(/Input flag must be true or false/);
  });

  it.each([
    ["  ::add-mask::x", true],
    ["\t::error::spoofed", true],
    ["text ##[set-output name=a]b", true],
    ["line one\n   ::warning::x", true],
    ["vaultgate: read 3 values from https://vault:8200", false],
    ["a::b", false],
  ])("tells whether the runner could read a command in %j (%s)", (text, command) => {
    expect(looksLikeCommand(text)).toBe(command);
    const lines = inertLines(text);
    if (!command) expect(lines).toEqual(text.split("\n"));
    else {
      const token = /^::stop-commands::(vaultgate-[0-9a-f]{32})$/.exec(lines[0] ?? "")?.[1];
      expect(token).toBeDefined();
      expect(lines.at(-1)).toBe(`::${token}::`);
      expect(inertLines(text)[0]).not.toBe(lines[0]); // a fresh token each time
    }
  });

  it("writes workflow commands, wraps log text that would read as one in stop-commands, and fails with exit code 1", () => {
    const t = testRunner({ STATE_vaultgate: "{}" });
    t.runner.mask("a%b\nc");
    t.runner.maskAll(["x\ry", "", "p%q"]);
    t.runner.debug("d");
    t.runner.info("hello\n::set-env name=X::y");
    t.runner.warning("w", { title: "t" });
    expect(t.runner.state("vaultgate")).toBe("{}");
    expect(t.runner.exitCode).toBe(0);
    t.runner.setFailed("broken", { title: "vaultgate: x" });
    t.runner.setFailed("plain", { annotation: false });
    expect(t.runner.exitCode).toBe(1);
    const token = /::stop-commands::(vaultgate-[0-9a-f]{32})/.exec(t.out())?.[1] ?? "missing";
    expect(t.out().replaceAll(token, "TOKEN")).toBe(
      [
        "::add-mask::a%25b%0Ac",
        "::add-mask::x%0Dy",
        "::add-mask::p%25q",
        "::debug::d",
        "::stop-commands::TOKEN",
        "hello",
        "::set-env name=X::y",
        "::TOKEN::",
        "::warning title=t::w",
        "::error title=vaultgate%3A x::broken",
        "plain",
        "",
      ].join("\n"),
    );
  });
});
