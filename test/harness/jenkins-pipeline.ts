/**
 * jenkins-pipeline — runs the Jenkins shared library's pipeline tests
 * (actions/jenkins/test: Maven, JenkinsPipelineUnit, JUnit) against the suite's OpenBao and
 * reads back what they report: the Surefire results and the evidence each test writes
 * (console, recorded `sh` scripts, call arguments, sessions). Java or Maven missing, or a
 * dependency Maven cannot fetch, is an error — never a skip.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** JENKINS_TEST_DIR is the Maven project of the library's pipeline tests. */
export const JENKINS_TEST_DIR = join(ROOT, "actions", "jenkins", "test");

/** CliTarball is the packed `vaultgate` npm package and its SRI integrity. */
export interface CliTarball {
  path: string;
  integrity: string;
}

/** packCli builds the installable `vaultgate` package into `outDir` (scripts/pack-cli.mjs). */
export async function packCli(outDir: string): Promise<CliTarball> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, "scripts", "pack-cli.mjs"), "--out", outDir], {
    cwd: ROOT,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const path = stdout.trim().split("\n").pop() ?? "";
  if (!path.endsWith(".tgz") || !existsSync(path)) throw new Error(`pack-cli printed no tarball: ${stdout}`);
  return { path, integrity: `sha512-${createHash("sha512").update(readFileSync(path)).digest("base64")}` };
}

/** SurefireSuite is one test class's result. */
export interface SurefireSuite {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

/** PipelineSession is a withVaultgate run as the harness saw it while the body ran. */
export interface PipelineSession {
  runDir: string;
  envFile: string;
  envFileMode: string[] | null;
  accessor: string;
  leases: string[];
}

/** PipelineEvidence is what one pipeline test recorded (see PipelineHarness.groovy). */
export interface PipelineEvidence {
  test: string;
  result: string | null;
  failure: string | null;
  console: string;
  scripts: string[];
  shReturns: { script: string; stdout: string; code: number }[];
  readFiles: { file: string; length: number }[];
  sessions: PipelineSession[];
  archived: { artifacts: string; content: string }[];
  junit: { file: string; tests: number; failures: number; content: string }[];
  observed: Record<string, unknown>;
  workspaceTmp: string | null;
  calls: string[] | null;
}

/** PipelineRun is a finished `mvn test` of the library's tests. */
export interface PipelineRun {
  code: number | null;
  output: string;
  seconds: number;
  suites: SurefireSuite[];
  evidence: Map<string, PipelineEvidence>;
}

function readSuites(dir: string): SurefireSuite[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^TEST-.*\.xml$/.test(f))
    .map((f) => {
      const xml = readFileSync(join(dir, f), "utf8");
      const head = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? "";
      const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(head)?.[1];
      const num = (name: string) => Number(attr(name) ?? "NaN");
      return {
        name: attr("name") ?? f,
        tests: num("tests"),
        failures: num("failures"),
        errors: num("errors"),
        skipped: num("skipped"),
        time: num("time"),
      };
    });
}

/**
 * runPipelineTests runs `mvn test` in actions/jenkins/test with `env` (the VAULTGATE_TEST_*
 * inputs) and collects the results. Maven fetches its plugins and dependencies from Maven
 * Central on the first run and keeps them in ~/.m2.
 */
export async function runPipelineTests(env: Record<string, string>, timeoutMs = 900_000): Promise<PipelineRun> {
  const started = Date.now();
  const out = env.VAULTGATE_TEST_OUT;
  if (!out) throw new Error("runPipelineTests needs VAULTGATE_TEST_OUT (the evidence directory)");
  const reports = join(JENKINS_TEST_DIR, "target", "surefire-reports");
  rmSync(reports, { recursive: true, force: true });
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn("mvn", ["-B", "-ntp", "-Dstyle.color=never", "test"], { cwd: JENKINS_TEST_DIR, env, stdio: "pipe" });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.stderr.on("data", (c: Buffer) => (text += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) =>
      reject(new Error(`Maven could not be started (is it installed, with Java 17+?): ${error.message}`, { cause: error })),
    );
    child.on("close", (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, output: text });
    });
  });
  const evidence = new Map<string, PipelineEvidence>();
  if (existsSync(out)) {
    for (const f of readdirSync(out).filter((n) => n.endsWith(".json"))) {
      const e = JSON.parse(readFileSync(join(out, f), "utf8")) as PipelineEvidence;
      evidence.set(e.test, e);
    }
  }
  const suites = readSuites(reports);
  return { code, output, seconds: (Date.now() - started) / 1000, suites, evidence };
}
