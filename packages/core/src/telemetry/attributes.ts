/**
 * telemetry/attributes — the one allow-list of attribute names vaultgate may export, and
 * the CI resource attributes (`cicd.*`, `vcs.*`) taken from each CI system's variables.
 * Every attribute vaultgate sets on a span, a span event, a metric point or the resource
 * passes `allowed()`: a name that is not listed is dropped, so nothing that is not
 * listed here — a value, a token, a JWT, a header — can be exported by mistake.
 * URL-valued attributes lose any userinfo, query and fragment. No OpenTelemetry code.
 */
import type { Env, PlatformName } from "../platform.js";

/** AttributeValue is what an exported attribute may hold. */
export type AttributeValue = string | number | boolean;

/** Attributes is a flat set of exported attributes. */
export type Attributes = Record<string, AttributeValue>;

/** ALLOWED_ATTRIBUTES lists every attribute name vaultgate exports (resource, spans, events, metrics). */
export const ALLOWED_ATTRIBUTES: ReadonlySet<string> = new Set([
  // resource
  "service.name",
  "service.version",
  "vaultgate.platform",
  "cicd.pipeline.name",
  "cicd.pipeline.run.id",
  "cicd.pipeline.run.url.full",
  "cicd.pipeline.task.name",
  "cicd.pipeline.task.run.id",
  "cicd.pipeline.task.run.url.full",
  "vcs.provider.name",
  "vcs.repository.url.full",
  "vcs.ref.head.name",
  "vcs.ref.head.revision",
  // the run (root span)
  "vaultgate.command",
  "vaultgate.run.id",
  "vaultgate.exit_code",
  "vaultgate.outcome",
  "vaultgate.auth.method",
  "vaultgate.auth.mount",
  "vaultgate.auth.role",
  "vaultgate.token.accessor",
  "vaultgate.failure",
  "server.address",
  "server.port",
  // vault requests
  "vaultgate.vault.operation",
  "http.request.method",
  "http.response.status_code",
  "url.path",
  "error.type",
  "vaultgate.request.attempts",
  "vaultgate.retry.attempt",
  "vaultgate.retry.delay_ms",
  // the ID token, reads, renewals, revocations, checks
  "vaultgate.id_token.source",
  "vaultgate.secret.path",
  "vaultgate.secret.kv_version",
  "vaultgate.secret.source",
  "vaultgate.secret.leased",
  "vaultgate.lease.kind",
  "vaultgate.renewal.capped",
  "vaultgate.renewal.ttl_seconds",
  "vaultgate.check.id",
  "vaultgate.check.kind",
  "vaultgate.check.status",
  "vaultgate.check.required",
]);

const MAX_STRING = 256;

/** allowed keeps the listed names with a defined value; strings are cut to 256 characters. */
export function allowed(attributes: Readonly<Record<string, AttributeValue | undefined>>): Attributes {
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || !ALLOWED_ATTRIBUTES.has(name)) continue;
    if (typeof value === "string") {
      if (value === "") continue;
      out[name] = value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
    } else if (typeof value === "number" ? Number.isFinite(value) : typeof value === "boolean") {
      out[name] = value;
    }
  }
  return out;
}

/** safeUrl drops userinfo, query and fragment; undefined when `text` is not an http(s) URL. */
export function safeUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return undefined;
  }
}

/** ciAttributes describes the pipeline, job and commit from the CI system's own variables. */
export function ciAttributes(platform: PlatformName, env: Env): Attributes {
  const e = (name: string) => env[name] || undefined;
  switch (platform) {
    case "github": {
      const server = e("GITHUB_SERVER_URL") ?? "https://github.com";
      const repo = e("GITHUB_REPOSITORY");
      const runId = e("GITHUB_RUN_ID");
      return allowed({
        "vaultgate.platform": "github",
        "cicd.pipeline.name": e("GITHUB_WORKFLOW"),
        "cicd.pipeline.run.id": runId,
        "cicd.pipeline.run.url.full": repo && runId ? safeUrl(`${server}/${repo}/actions/runs/${runId}`) : undefined,
        "cicd.pipeline.task.name": e("GITHUB_JOB"),
        "vcs.provider.name": "github",
        "vcs.repository.url.full": repo ? safeUrl(`${server}/${repo}`) : undefined,
        "vcs.ref.head.name": e("GITHUB_HEAD_REF") ?? e("GITHUB_REF_NAME"),
        "vcs.ref.head.revision": e("GITHUB_SHA"),
      });
    }
    case "gitlab":
      return allowed({
        "vaultgate.platform": "gitlab",
        "cicd.pipeline.name": e("CI_PIPELINE_NAME") ?? e("CI_PROJECT_PATH"),
        "cicd.pipeline.run.id": e("CI_PIPELINE_ID"),
        "cicd.pipeline.run.url.full": safeUrl(e("CI_PIPELINE_URL")),
        "cicd.pipeline.task.name": e("CI_JOB_NAME"),
        "cicd.pipeline.task.run.id": e("CI_JOB_ID"),
        "cicd.pipeline.task.run.url.full": safeUrl(e("CI_JOB_URL")),
        "vcs.provider.name": "gitlab",
        "vcs.repository.url.full": safeUrl(e("CI_PROJECT_URL")),
        "vcs.ref.head.name": e("CI_COMMIT_REF_NAME"),
        "vcs.ref.head.revision": e("CI_COMMIT_SHA"),
      });
    case "jenkins":
      return allowed({
        "vaultgate.platform": "jenkins",
        "cicd.pipeline.name": e("JOB_NAME"),
        "cicd.pipeline.run.id": e("BUILD_NUMBER") ?? e("BUILD_ID"),
        "cicd.pipeline.run.url.full": safeUrl(e("BUILD_URL")),
        "cicd.pipeline.task.name": e("STAGE_NAME"),
        "vcs.repository.url.full": safeUrl(e("GIT_URL")),
        "vcs.ref.head.name": e("BRANCH_NAME") ?? e("GIT_BRANCH"),
        "vcs.ref.head.revision": e("GIT_COMMIT"),
      });
    case "local":
      return { "vaultgate.platform": "local" };
  }
}
