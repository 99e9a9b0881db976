// The env-name safety rule, table-driven: each protected name class, wildcard keys that
// hit it, explicit names and their opt-in, duplicates, and the config keys that feed it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  PROTECTED_ENV_NAMES,
  checkExportNames,
  checkSecretNames,
  normalizeConfig,
  parseAllowEnvNames,
  protectedEntry,
} from "@vaultgate/core";

/** One representative of each class the rule must cover. */
const HIJACK_NAMES = [
  "PATH",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "DYLD_INSERT_LIBRARIES",
  "BASH_ENV",
  "ENV",
  "SHELLOPTS",
  "PS4",
  "IFS",
  "HOME",
  "TMPDIR",
  "GIT_SSH_COMMAND",
  "GIT_CONFIG_GLOBAL",
  "HTTPS_PROXY",
  "https_proxy",
  "ALL_PROXY",
  "NO_PROXY",
  "NODE_OPTIONS",
  "NODE_EXTRA_CA_CERTS",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PERL5OPT",
  "RUBYOPT",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GITHUB_ENV",
  "GITHUB_TOKEN",
  "RUNNER_TEMP",
  "ACTIONS_ID_TOKEN_REQUEST_URL",
  "CI_JOB_TOKEN",
  "VAULT_ADDR",
  "VAULT_TOKEN",
  "BAO_ADDR",
  "VAULTGATE_URL",
  "path",
];

const ctx = { env: {}, baseDir: "/", source: "test" };
const config = (secrets: unknown, extra: Record<string, unknown> = {}) =>
  normalizeConfig({ vault: { url: "https://vault.example.com" }, secrets, ...extra }, ctx);

describe("protected environment names", () => {
  it.each(HIJACK_NAMES)("%s is on the list", (name) => {
    expect(protectedEntry(name)).toBeDefined();
  });

  it.each(["DB_PASSWORD", "API_KEY", "SSH_PRIVATE_KEY", "NPM_TOKEN", "AWS_SECRET_ACCESS_KEY", "PATHNAME_X", "MY_PATH"])(
    "%s is not on the list",
    (name) => {
      expect(protectedEntry(name)).toBeUndefined();
    },
  );

  it("every entry says why, and docs/configuration.md shows each one", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/configuration.md", import.meta.url)), "utf8");
    for (const entry of PROTECTED_ENV_NAMES) {
      expect(entry.why.length).toBeGreaterThan(5);
      const cell = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      expect(doc).toMatch(new RegExp(`^\\| \`${cell(entry.pattern)}\` +\\| ${cell(entry.why)} +\\|$`, "m"));
    }
  });

  it.each(HIJACK_NAMES)("a vault key that makes %s fails, naming path and key, offering a prefix", (name) => {
    const check = () =>
      checkSecretNames(
        [{ envName: name, origin: "secrets line 1", path: "secret/data/app", vaultKey: name.toLowerCase() }],
        [name],
      );
    expect(check).toThrow(ConfigError);
    try {
      check();
    } catch (error) {
      const e = error as ConfigError;
      expect(e.message).toContain("secret/data/app");
      expect(e.message).toContain(`"${name.toLowerCase()}"`);
      expect(e.hint).toContain("prefix");
    }
  });

  it.each(HIJACK_NAMES.filter((n) => n === n.toUpperCase()))("an explicit | %s is refused unless opted in", (name) => {
    const entry = [{ name, origin: "secrets line 1", path: "secret/data/app" }];
    expect(() => checkExportNames(entry)).toThrow(/protected environment name/);
    expect(() => checkExportNames(entry)).toThrow(ConfigError);
    expect(() => checkExportNames(entry, [name])).not.toThrow();
  });

  it("a file export checks NAME_FILE too", () => {
    const secret = { envName: "SSL_CERT", origin: "o", path: "p" };
    expect(() => checkSecretNames([secret], [], { suffixes: ["_FILE"] })).toThrow(ConfigError);
  });

  it("two secrets with one name are a configuration error, whatever the case", () => {
    expect(() =>
      checkExportNames([
        { name: "DB", origin: "line 1", path: "a" },
        { name: "db", origin: "line 2", path: "b", vaultKey: "db" },
      ]),
    ).toThrow(/Two secrets would both be exported as db: line 1 and key "db" of b/);
  });

  it("refuses names no shell can carry", () => {
    expect(() => checkExportNames([{ name: "A-B", origin: "o", path: "p" }])).toThrow(/not a valid environment variable name/);
    expect(() => checkExportNames([{ name: "A-B", origin: "o", path: "p" }], [], { syntax: false })).not.toThrow();
  });
});

describe("configuration of the rule", () => {
  it("refuses an explicit protected name before login", () => {
    expect(() => config("secret/data/app bin | PATH")).toThrow(/PATH \(test secrets line 1\) is a protected/);
    expect(() => config("secret/data/app path")).toThrow(/PATH/);
    expect(() => config([{ path: "secret/app", key: "cmd", name: "GIT_SSH_COMMAND" }])).toThrow(ConfigError);
  });

  it("allow-env-names opts in by name, as a list or text", () => {
    expect(config("secret/data/app cmd | GIT_SSH_COMMAND", { "allow-env-names": ["GIT_SSH_COMMAND"] }).allowEnvNames).toEqual([
      "GIT_SSH_COMMAND",
    ]);
    expect(config("secret/data/app cmd | GIT_SSH_COMMAND", { "allow-env-names": "GIT_SSH_COMMAND, PATH" }).allowEnvNames).toEqual(
      ["GIT_SSH_COMMAND", "PATH"],
    );
    expect(() => config("secret/data/app cmd | GIT_SSH_COMMAND", { "allow-env-names": ["PATH"] })).toThrow(ConfigError);
  });

  it("allow-env-names refuses names that are not protected, and non-names", () => {
    expect(() => parseAllowEnvNames(["DB_PASSWORD"], "x")).toThrow(/not a protected name/);
    expect(() => parseAllowEnvNames(["A B"], "x")).toThrow(ConfigError);
    expect(() => parseAllowEnvNames({ a: 1 }, "x")).toThrow(ConfigError);
  });

  it("two explicit specs with one name are a configuration error", () => {
    expect(() => config("secret/data/a x | DB ; secret/data/b y | DB")).toThrow(/Two secrets would both be exported as DB/);
  });

  it("prefix gives a wildcard export a prefix, and only a wildcard", () => {
    const [spec] = config([{ path: "secret/app", key: "*", prefix: "APP_" }]).secrets;
    expect(spec?.envName).toBe("APP_");
    expect(() => config([{ path: "secret/app", key: "password", prefix: "APP_" }])).toThrow(/prefix applies to the wildcard/);
  });
});
