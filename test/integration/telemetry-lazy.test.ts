// Telemetry off costs nothing: a run without OTEL_* variables loads no OpenTelemetry
// module. Proven on the module graph of real processes — the CLI doing a real exec
// against OpenBao, and each action's bundled dist/ — by a loader hook that records
// every module Node loads; with an endpoint set, the same runs do load the SDK (the
// action's from a separate chunk of its dist/, which its main file does not contain).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { CLI_PATH, freePort, gitlabJobEnv, REPO_ROOT } from "@vaultgate/test-harness";

const vault = inject("vault");
const hooks = mkdtempSync(join(tmpdir(), "vaultgate-modules-"));
writeFileSync(
  join(hooks, "hooks.mjs"),
  `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.MODULES_LOADED, url + "\\n");
  return next(url, context);
}
`,
);
writeFileSync(
  join(hooks, "register.mjs"),
  `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`,
);

/** loadedModules runs `node script args` with `env` and returns the exit code and every module URL it loaded. */
function loadedModules(script: string, args: string[], env: Record<string, string>): { code: number | null; modules: string[] } {
  const file = join(hooks, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, "");
  const run = spawnSync(process.execPath, ["--import", join(hooks, "register.mjs"), script, ...args], {
    env: { ...env, MODULES_LOADED: file },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: run.status, modules: readFileSync(file, "utf8").split("\n").filter(Boolean) };
}

const otelModule = (url: string) => url.includes("@opentelemetry") || url.includes("/telemetry/otel.js");

describe("telemetry off loads no OpenTelemetry code", () => {
  it("the CLI: a real exec loads none; with an endpoint set it loads the SDK", async () => {
    const { env } = await gitlabJobEnv(vault, { VAULTGATE_MOUNT: "jwt-gitlab", VAULTGATE_ROLE: "deploy" });
    const args = ["exec", "-s", "secret/app/db password | DB_PASSWORD", "--", process.execPath, "-e", "0"];
    const off = loadedModules(CLI_PATH, args, env);
    expect(off.code).toBe(0);
    expect(off.modules.some((u) => u.includes("/core/dist/index.js"))).toBe(true);
    expect(off.modules.filter(otelModule)).toEqual([]);
    const on = loadedModules(CLI_PATH, args, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    expect(on.code).toBe(0);
    expect(on.modules.some((u) => u.includes("/telemetry/otel.js"))).toBe(true);
    expect(on.modules.some((u) => u.includes("@opentelemetry/sdk-trace-base"))).toBe(true);
  });

  for (const [action, entry] of [
    ["secrets", "dist/index.js"],
    ["secrets", "dist/post/index.js"],
    ["check", "dist/index.js"],
  ] as const) {
    it(`actions/${action}/${entry}: the SDK is in a separate chunk, loaded only with an endpoint set`, async () => {
      const script = join(REPO_ROOT, "actions", action, entry);
      const dir = join(script, "..");
      const otelChunks = readdirSync(dir)
        .filter((f) => f.endsWith(".js") && f !== "index.js")
        .filter((f) => readFileSync(join(dir, f), "utf8").includes("OpenTelemetry"));
      expect(otelChunks.length).toBeGreaterThan(0);
      expect(readFileSync(script, "utf8")).not.toMatch(/OpenTelemetry|OTLPTraceExporter|BatchSpanProcessor/);
      const runnerEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: hooks, GITHUB_ACTIONS: "true", RUNNER_TEMP: hooks };
      const chunksIn = (modules: string[]) => otelChunks.filter((c) => modules.some((u) => u.endsWith(`/${c}`)));
      const off = loadedModules(script, [], runnerEnv);
      expect(off.modules.some((u) => u.endsWith(entry))).toBe(true);
      expect(chunksIn(off.modules)).toEqual([]);
      const on = loadedModules(script, [], { ...runnerEnv, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
      expect(chunksIn(on.modules).length).toBeGreaterThan(0);
      expect(on.code).toBe(off.code);
    });
  }
});
