// The GitLab components' templates as GitLab reads them: typed, described inputs whose
// defaults pass their own regex (and the regexes stay within RE2, which GitLab uses);
// every input used and every use declared; inputs reach shell text only when boolean;
// one install block in both; the CLI version pinned is the one this repository builds;
// the README's inputs tables match the spec; the project's own pipeline includes the
// components at $CI_COMMIT_SHA and releases with the `release:` keyword.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMPONENT_SOURCE } from "../harness/gitlab-ci-local.js";
import { COMPONENT_NAMES, inputsTable, normalizeTable, readComponent, readmeSection } from "../harness/gitlab-spec.js";

const components = COMPONENT_NAMES.map(readComponent);
const SCRIPT_KEYS = ["before_script", "script", "after_script"] as const;

/** scriptsOf returns a job's script lines. */
function scriptsOf(job: Record<string, unknown>): string[] {
  return SCRIPT_KEYS.flatMap((key) => (job[key] as string[] | undefined) ?? []);
}

describe.each(components)("templates/$name.yml", (component) => {
  it("declares typed inputs, each described, with defaults that pass their own regex and RE2-safe patterns", () => {
    expect(Object.keys(component.inputs).length).toBeGreaterThan(5);
    for (const [name, input] of Object.entries(component.inputs)) {
      expect(input.description, name).toMatch(/\S{3}/);
      expect(["string", "number", "boolean", "array", undefined], name).toContain(input.type);
      if (input.type === "boolean") expect(typeof input.default, name).toBe("boolean");
      if (input.regex) {
        expect(input.regex, `${name}: anchored`).toMatch(/^\^.*\$$/);
        expect(input.regex, `${name}: RE2 has no lookaround or backreferences`).not.toMatch(/\(\?[=!<]|\\[1-9]/);
        if (input.default !== undefined) expect(String(input.default), name).toMatch(new RegExp(input.regex));
      }
      if (input.options && input.default !== undefined) expect(input.options, name).toContain(input.default);
    }
  });

  it("uses every input it declares and declares every input it uses", () => {
    const used = new Set([...component.text.matchAll(/\$\[\[\s*inputs\.([\w-]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(component.inputs).sort());
  });

  it("passes string inputs to the shell only as variables, never as script text", () => {
    for (const job of Object.values(component.jobs)) {
      for (const line of scriptsOf(job)) {
        for (const [, name] of line.matchAll(/\$\[\[\s*inputs\.([\w-]+)/g)) {
          expect(component.inputs[name!]?.type, `${name} is pasted into a script`).toBe("boolean");
        }
      }
    }
  });

  it("declares the ID token with the configured audience and installs the pinned CLI with npm", () => {
    const [job] = Object.values(component.jobs);
    expect(job?.id_tokens).toEqual({ "$[[ inputs.id-token-variable ]]": { aud: "$[[ inputs.audience ]]" } });
    const install = (job?.before_script as string[])[0]!;
    expect(install).toContain('npm install --global --prefix "$VAULTGATE_CLI_DIR"');
    expect(install).toContain('"${VAULTGATE_CLI_PACKAGE:-vaultgate@$VAULTGATE_CLI_VERSION}"');
    expect(install).not.toMatch(/curl|wget|\| *(ba)?sh/);
  });

  it("fetches the CLI's tarball with scripts off and compares it with cli-integrity before installing that very file", () => {
    const [job] = Object.values(component.jobs);
    const install = (job?.before_script as string[])[0]!;
    expect(job?.variables).toMatchObject({ VAULTGATE_CLI_INTEGRITY: "$[[ inputs.cli-integrity ]]" });
    const pack = install.indexOf("npm pack --ignore-scripts");
    const compare = install.indexOf('if [ "$vaultgate_got" != "$VAULTGATE_CLI_INTEGRITY" ]');
    const installs = install.indexOf("npm install --global");
    expect(pack).toBeGreaterThan(0);
    expect(compare).toBeGreaterThan(pack);
    expect(installs).toBeGreaterThan(compare);
    expect(install.slice(installs)).toMatch(/^npm install [^\n]*--ignore-scripts [^\n]*"\$vaultgate_tarball"\n/);
    expect(install.match(/npm (install|pack) /g)).toHaveLength(2);
  });

  it("cli-integrity accepts an npm sha512 integrity string, a variable, or nothing", () => {
    const regex = new RegExp(component.inputs["cli-integrity"]!.regex!);
    for (const ok of ["", `sha512-${"A".repeat(86)}==`, "$CLI_INTEGRITY", "${CLI_INTEGRITY}"]) expect(ok).toMatch(regex);
    for (const bad of [`sha256-${"A".repeat(43)}=`, `sha512-${"A".repeat(85)}==`, "sha512-abc", " sha512-x", "c70c34a6"]) {
      expect(bad).not.toMatch(regex);
    }
  });
});

describe("the component project", () => {
  it("has one install block, shared by both templates", () => {
    const blocks = components.map((c) => (Object.values(c.jobs)[0]?.before_script as string[])[0]);
    expect(blocks[0]).toBeTruthy();
    expect(blocks[1]).toBe(blocks[0]);
  });

  it("pins the CLI version this repository builds", () => {
    const cli = JSON.parse(readFileSync(join(COMPONENT_SOURCE, "../../packages/cli/package.json"), "utf8")) as {
      version: string;
    };
    for (const c of components) expect(c.inputs["cli-version"]?.default, c.name).toBe(cli.version);
  });

  it("gives both templates the same vault inputs, so one YAML anchor can feed both", () => {
    const [secrets, check] = components;
    for (const [name, input] of Object.entries(secrets!.inputs)) {
      // min-mask-length only concerns what `vaultgate exec` prints; the check prints no value.
      if (name === "job-name" || name === "min-mask-length") continue;
      expect(check!.inputs[name], name).toEqual(input);
    }
  });

  it("documents every input in README.md, as the spec says (VAULTGATE_UPDATE_GITLAB_README=1 rewrites the tables)", () => {
    const file = join(COMPONENT_SOURCE, "README.md");
    let readme = readFileSync(file, "utf8");
    for (const c of components) {
      const expected = inputsTable(c);
      const section = readmeSection(readme, c.name);
      if (process.env.VAULTGATE_UPDATE_GITLAB_README === "1") {
        readme = `${readme.slice(0, section.start)}\n${expected.join("\n")}\n\n${readme.slice(section.end)}`;
        continue;
      }
      expect(normalizeTable(section.lines), `README.md inputs of ${c.name}`).toEqual(normalizeTable(expected));
    }
    if (process.env.VAULTGATE_UPDATE_GITLAB_README === "1") writeFileSync(file, readme);
  });

  it("its own pipeline includes each component at $CI_COMMIT_SHA and releases version tags with the release keyword", () => {
    const pipeline = parse(readFileSync(join(COMPONENT_SOURCE, ".gitlab-ci.yml"), "utf8")) as Record<string, unknown>;
    const includes = (pipeline.include as { component: string }[]).map((i) => i.component).sort();
    expect(includes).toEqual(COMPONENT_NAMES.map((n) => `$CI_SERVER_FQDN/$CI_PROJECT_PATH/${n}@$CI_COMMIT_SHA`).sort());
    const release = Object.values(pipeline).find((job) => typeof job === "object" && job !== null && "release" in job) as
      { release: { tag_name: string }; rules: { if: string }[] } | undefined;
    expect(release?.release.tag_name).toBe("$CI_COMMIT_TAG");
    expect(release?.rules[0]?.if).toContain("$CI_COMMIT_TAG");
  });
});
