/**
 * identity/sources — obtains the CI job's OIDC ID token. GitHub: requested from
 * ACTIONS_ID_TOKEN_REQUEST_URL with the audience; GitLab: the variable named in the
 * job's `id_tokens`; Jenkins: the OIDC Provider credential bound as a variable or file;
 * or any variable or file. The token is masked the moment it is read.
 */
import { readFileSync } from "node:fs";
import { IdentityError } from "../errors.js";
import { RetriesExhaustedError, withRetry } from "../http/retry.js";
import { HttpClient } from "../http/client.js";
import type { IdTokenSource } from "../config/schema.js";
import type { Platform } from "../platform.js";
import { timedIdToken } from "../telemetry/events.js";
import { decodeClaims, type Claims } from "./claims.js";

/** IdToken is an obtained token and its decoded claims (for diagnostics). */
export interface IdToken {
  token: string;
  claims: Claims;
  /** Where the token came from, e.g. "GitHub OIDC (audience vault)" or "$VAULT_ID_TOKEN". */
  origin: string;
}

/** Default variable names looked up on each platform when none is configured. */
export const DEFAULT_ID_TOKEN_VARIABLES = {
  gitlab: ["VAULT_ID_TOKEN", "VAULTGATE_ID_TOKEN", "ID_TOKEN"],
  jenkins: ["VAULTGATE_ID_TOKEN", "ID_TOKEN", "OIDC_TOKEN"],
  local: ["VAULTGATE_ID_TOKEN"],
} as const;

/** AWS_ID_TOKEN_VARIABLE is the AWS source's ID token when sources.aws names none (GitLab id_tokens, Jenkins awsCredentialsId). */
export const AWS_ID_TOKEN_VARIABLE = "AWS_ID_TOKEN";

/** IdTokenRequest: the configured source and the audience to ask for (GitHub). */
export interface IdTokenRequest {
  source: IdTokenSource;
  audience: string | undefined;
  userAgent: string;
  /** The run's deadline and per-request timeout (the `timeout` and `request-timeout` settings). */
  limits?: { deadline: number; requestTimeoutMs: number } | undefined;
}

/** obtainIdToken resolves `auto`, obtains the token, masks it and decodes its claims. */
export async function obtainIdToken(request: IdTokenRequest, platform: Platform): Promise<IdToken> {
  const from = request.source.from === "auto" ? autoSource(platform) : request.source.from;
  return timedIdToken(from, () => obtain(request, from, platform));
}

async function obtain(
  request: IdTokenRequest,
  from: ReturnType<typeof autoSource> | Exclude<IdTokenSource["from"], "auto">,
  platform: Platform,
): Promise<IdToken> {
  let token: string;
  let origin: string;
  switch (from) {
    case "github":
      ({ token, origin } = await fromGitHub(request, platform));
      break;
    case "file":
      ({ token, origin } = fromFile(requireFile(request.source)));
      break;
    case "gitlab":
    case "jenkins":
    case "env":
    case "local":
      ({ token, origin } = fromVariableOrFile(request.source, from, platform));
      break;
  }
  platform.mask(token, "token");
  const claims = decodeClaims(token);
  if (!claims) {
    throw new IdentityError(`The ID token from ${origin} is not a JWT.`, {
      hint: "Point the token source at the OIDC ID token itself (three base64url parts separated by dots).",
    });
  }
  return { token, claims, origin };
}

/**
 * autoSource picks the token source of the platform; outside CI, GitHub's token request
 * variables alone select GitHub's source (a shell set up by `vaultgate dev --identity
 * github`, which does not pretend to be a runner).
 */
function autoSource(platform: Platform): "github" | "gitlab" | "jenkins" | "local" {
  const env = platform.env;
  if (platform.name === "local" && env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) return "github";
  return platform.name;
}

function requireFile(source: IdTokenSource): string {
  if (!source.file) throw new IdentityError("The id-token source `file` needs a file path.");
  return source.file;
}

function fromFile(file: string): { token: string; origin: string } {
  let token: string;
  try {
    token = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new IdentityError(`Cannot read the ID token file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      hint: "Check that the credential is bound as a file and the path is right.",
      cause: error,
    });
  }
  if (token === "") throw new IdentityError(`The ID token file ${file} is empty.`);
  return { token, origin: file };
}

function fromVariableOrFile(
  source: IdTokenSource,
  from: "gitlab" | "jenkins" | "env" | "local",
  platform: Platform,
): { token: string; origin: string } {
  if (source.file) return fromFile(source.file);
  const candidates = source.variable ? [source.variable] : from === "env" ? [] : DEFAULT_ID_TOKEN_VARIABLES[from];
  for (const name of candidates) {
    const value = platform.env[name]?.trim();
    if (!value) continue;
    // Jenkins "OIDC id token as file" credentials bind the variable to a file path; a JWT
    // never starts with "/".
    if (value.startsWith("/")) return fromFile(value);
    return { token: value, origin: `$${name}` };
  }
  throw new IdentityError(`No OIDC ID token found in ${candidates.map((c) => `$${c}`).join(", ") || "the environment"}.`, {
    hint: missingTokenHint(from, candidates[0]),
  });
}

function missingTokenHint(from: string, variable: string | undefined): string {
  const name = variable ?? "VAULT_ID_TOKEN";
  switch (from) {
    case "gitlab":
      return `Declare it in the job: \`id_tokens: { ${name}: { aud: <your vault audience> } }\`, or name your variable with id-token-variable.`;
    case "jenkins":
      return `Bind the OIDC Provider credential: withCredentials([string(credentialsId: '<id>', variable: '${name}')]) { ... }, or name your variable with id-token-variable.`;
    default:
      return `Set ${name} to the OIDC ID token, or configure id-token (from: file/env).`;
  }
}

async function fromGitHub(request: IdTokenRequest, platform: Platform): Promise<{ token: string; origin: string }> {
  const url = platform.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = platform.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) {
    throw new IdentityError("GitHub did not give this job an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN are not set.", {
      hint:
        "Add `permissions: id-token: write` to the job (or workflow), next to `contents: read`. " +
        "Pull requests from forks never receive an ID token.",
    });
  }
  platform.mask(bearer, "token");
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== "https:" && target.protocol !== "http:") throw new TypeError(target.protocol);
  } catch {
    throw new IdentityError(`ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL: "${url.slice(0, 80)}".`, {
      hint: "The runner sets it for jobs with `permissions: id-token: write`; do not set it yourself.",
    });
  }
  if (request.audience) target.searchParams.set("audience", request.audience);
  const client = new HttpClient({ baseUrl: target.origin, userAgent: request.userAgent, maxSockets: 1 });
  // The configured `timeout` bounds the ID token request too (30 s when nothing says otherwise).
  const limits = request.limits ?? { deadline: Date.now() + 30_000, requestTimeoutMs: 10_000 };
  const origin = `GitHub OIDC${request.audience ? ` (audience ${request.audience})` : ""}`;
  try {
    // The project's one retry policy: 4xx is final, anything else is retried.
    return await withRetry(
      async () => {
        const res = await client.request({
          method: "GET",
          path: target.href,
          headers: { authorization: `Bearer ${bearer}` },
          timeoutMs: Math.max(1, Math.min(limits.requestTimeoutMs, limits.deadline - Date.now())),
        });
        const value = (res.json as { value?: unknown } | undefined)?.value;
        if (res.status === 200 && typeof value === "string" && value !== "") return { token: value, origin };
        if (res.status === 200) {
          throw new IdentityError(`The ID token service at ${target.origin} answered without a token (not its JSON answer).`, {
            hint: "ACTIONS_ID_TOKEN_REQUEST_URL must be the runner's own token service; a proxy or captive portal may be in the way.",
          });
        }
        if (res.status >= 400 && res.status < 500) {
          throw new IdentityError(`GitHub refused the ID token request (HTTP ${res.status}).`, {
            hint: "Check that the job has `permissions: id-token: write`.",
          });
        }
        throw new Error(`HTTP ${res.status}`);
      },
      {
        maxAttempts: 3,
        deadline: limits.deadline,
        baseDelayMs: 250,
        classify: (error) => ({ retry: !(error instanceof IdentityError) }),
      },
    );
  } catch (error) {
    if (!(error instanceof RetriesExhaustedError)) throw error;
    throw new IdentityError(`Could not obtain the GitHub ID token from ${target.origin}: ${error.message}.`, {
      hint: "The runner's token service may be unavailable; re-run the job.",
      cause: error.cause,
    });
  } finally {
    client.close();
  }
}
