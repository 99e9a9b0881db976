/**
 * platform — what the engine needs from the CI system it runs on. The GitHub action,
 * the GitLab component, the Jenkins library and the CLI each pass one Platform in; the
 * engine never reads process.env, writes to the console or exits on its own.
 */

/** Logger receives the engine's diagnostics; none of them ever contains a secret value. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** warn reports something worth a look; `title` heads it where the platform shows titles (GitHub annotations). */
  warn(message: string, title?: string): void;
  error(message: string): void;
}

/** PlatformName names the CI systems vaultgate knows. */
export type PlatformName = "github" | "gitlab" | "jenkins" | "local";

/** MaskKind: a secret value (masked with its lines, JSON fields and encodings) or an opaque token. */
export type MaskKind = "secret" | "token";

/** MaskRequest says what is being masked: its kind, its name for warnings, the short-value rule's N. */
export interface MaskRequest {
  kind?: MaskKind | undefined;
  /** Names the secret in warnings, e.g. `DB_PASSWORD (secrets line 2)`; never a value. */
  name?: string | undefined;
  /** N of the short-value rule (min-mask-length); undefined: the default. */
  minLength?: number | undefined;
}

/** maskRequest normalizes the second argument of Platform.mask. */
export function maskRequest(request: MaskKind | MaskRequest | undefined): MaskRequest & { kind: MaskKind } {
  if (request === undefined) return { kind: "secret" };
  if (typeof request === "string") return { kind: request };
  return { ...request, kind: request.kind ?? "secret" };
}

/** Env is a read-only view of the environment variables the engine may consult. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Platform is the engine's only window on the world outside the vault. */
export interface Platform {
  readonly name: PlatformName;
  readonly env: Env;
  readonly log: Logger;
  /**
   * mask registers a secret value so that the platform hides it from every log. It is
   * called the moment a value is read, before it can be logged, thrown or exported.
   * Kind "token" marks an opaque credential (OIDC or vault token, secret_id): its own
   * value is enough to register, its encodings are not worth a mask each, and it is
   * registered whatever its length. A secret follows the short-value rule (mask/variants).
   */
  mask(value: string, request?: MaskKind | MaskRequest): void;
}

/** nullLogger discards everything; tests and quiet callers pass it. */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** detectPlatform tells which CI system the environment belongs to. */
export function detectPlatform(env: Env): PlatformName {
  if (env.GITHUB_ACTIONS === "true") return "github";
  if (env.GITLAB_CI === "true") return "gitlab";
  if (env.JENKINS_URL || env.JENKINS_HOME || env.BUILD_TAG?.startsWith("jenkins-")) return "jenkins";
  return "local";
}
