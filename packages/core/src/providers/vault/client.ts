/**
 * providers/vault/client — the Vault/OpenBao HTTP API as vaultgate uses it. One
 * instance per run: token, namespace, retry policy and connection pool in one place.
 * Every request waits for a slot of one AIMD limit (http/aimd), so sustained 429s slow
 * the whole run down; retries go on until the run's deadline, or a call's own budget.
 * Methods return parsed responses or throw VaultHttpError / RetriesExhaustedError /
 * NetworkError; callers add the context (which secret, which role) when mapping them.
 */
import type { FetchSettings, VaultConfig } from "../../config/schema.js";
import { VaultUnavailableError } from "../../errors.js";
import { HttpClient, NetworkError, type HttpMethod } from "../../http/client.js";
import { AdaptiveLimit, type Outcome } from "../../http/aimd.js";
import { isTransientStatus, serverWait, withRetry, type RetryDecision } from "../../http/retry.js";
import { withRunEvents } from "../../telemetry/events.js";

/** VaultHttpError is a non-2xx answer; `errors` are Vault's own messages. */
export class VaultHttpError extends Error {
  readonly status: number;
  readonly errors: readonly string[];
  readonly path: string;
  readonly retryAfterMs: number | undefined;
  /** For KV v2: the metadata Vault returns with a 404 of a deleted or destroyed version. */
  readonly body: unknown;
  /** The namespace the request was sent to (undefined: the root namespace). */
  readonly namespace: string | undefined;
  constructor(
    status: number,
    errors: readonly string[],
    path: string,
    retryAfterMs: number | undefined,
    body: unknown,
    namespace?: string,
  ) {
    super(`HTTP ${status} from ${path}${errors.length ? `: ${errors.join("; ")}` : ""}`);
    this.name = "VaultHttpError";
    this.status = status;
    this.errors = errors;
    this.path = path;
    this.retryAfterMs = retryAfterMs;
    this.body = body;
    this.namespace = namespace;
  }

  /** namespaceNotFound tells an answer about the namespace itself, not the path in it. */
  get namespaceNotFound(): boolean {
    return this.namespace !== undefined && this.status === 404 && this.errors.some((e) => /namespace not found/i.test(e));
  }
}

/** VaultResponse is Vault's standard response envelope. */
export interface VaultResponse {
  request_id?: string;
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  data?: Record<string, unknown> | null;
  warnings?: string[] | null;
  auth?: VaultAuth | null;
}

/** VaultAuth is the `auth` block of a login or token lookup. */
export interface VaultAuth {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies?: string[];
  lease_duration: number;
  renewable: boolean;
  metadata?: Record<string, string> | null;
}

/** RequestObserver sees every attempt's outcome, for the audit record and metrics. */
export type RequestObserver = (event: {
  method: HttpMethod;
  path: string;
  status: number | undefined;
  ms: number;
  attempt: number;
  error?: string;
}) => void;

/** VaultClientOptions: where, how, and how patiently. */
export interface VaultClientOptions {
  vault: VaultConfig;
  fetch: FetchSettings;
  userAgent: string;
  /** Absolute deadline for every request of this client (Date.now() scale). */
  deadline?: number;
  observe?: RequestObserver;
  onRetry?: (info: { path: string; attempt: number; delayMs: number; reason: string }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** CallOptions shape one call. `idempotent: false` retries only errors proving the request was not processed. */
export interface CallOptions {
  body?: unknown;
  idempotent?: boolean;
  /** Send without the client token (login, health). */
  anonymous?: boolean;
  /** Statuses that are answers, not errors (e.g. sys/health's 429/472/473/501/503). */
  accept?: readonly number[];
  /** Cap the attempts (health probes use 1); otherwise the deadline alone ends the retries. */
  maxAttempts?: number;
  /** Retry throttled (429) answers until this later time (revocations: see REVOKE_THROTTLED_SECONDS). */
  throttledDeadline?: number | undefined;
  /**
   * A deadline of its own for this call (Date.now() scale) instead of the client's:
   * renewals and revocations happen long after the reads' deadline has passed.
   */
  deadline?: number;
  /** Send to the root namespace whatever namespace is configured (sys/health is root-only). */
  rootNamespace?: boolean;
  /**
   * Once sent, wait for the answer until this time (Date.now() scale), past the per-request
   * timeout. A request that is not idempotent waits until its deadline by default: its
   * effect would be unknown if it were abandoned.
   */
  answerBy?: number;
}

/** RENEW_BUDGET_SECONDS bounds one renewal, retries included. */
const RENEW_BUDGET_SECONDS = 30;

/**
 * LOGIN_GRACE_SECONDS is how long past the run's deadline a sent login is still waited for,
 * and the budget of revoking the token of an answer that came after the deadline (the same
 * 10 s as a revocation's, lifecycle/revoke REVOKE_BUDGET_SECONDS).
 */
export const LOGIN_GRACE_SECONDS = 10;

/** VaultClient talks to one vault with one token. */
export class VaultClient {
  readonly #http: HttpClient;
  readonly #options: VaultClientOptions;
  #token: string | undefined;
  readonly #deadline: number;
  readonly #limit: AdaptiveLimit;

  constructor(options: VaultClientOptions) {
    this.#options = withRunEvents(options);
    this.#deadline = options.deadline ?? Date.now() + options.fetch.deadlineSeconds * 1000;
    const headers: Record<string, string> = { ...options.vault.headers };
    this.#http = new HttpClient({
      baseUrl: options.vault.url,
      tls: options.vault.tls,
      headers,
      userAgent: options.userAgent,
      maxSockets: options.fetch.concurrency,
    });
    this.#limit = new AdaptiveLimit(options.fetch.concurrency);
  }

  /** address is the vault URL as configured. */
  get address(): string {
    return this.#options.vault.url;
  }

  /** limits are the run's deadline and per-request timeout, for requests made beside this client (the ID token). */
  get limits(): { deadline: number; requestTimeoutMs: number } {
    return { deadline: this.#deadline, requestTimeoutMs: this.#options.fetch.requestTimeoutSeconds * 1000 };
  }

  /** inFlightLimit is how many requests the AIMD limit currently allows at once. */
  get inFlightLimit(): number {
    return this.#limit.limit;
  }

  /** namespace is the configured namespace; undefined means the root namespace. */
  get namespace(): string | undefined {
    return this.#options.vault.namespace || undefined;
  }

  /** token is the client token in use, if logged in. */
  get token(): string | undefined {
    return this.#token;
  }

  /** setToken makes later calls use `token`. */
  setToken(token: string | undefined): void {
    this.#token = token;
  }

  /** call sends one API request with the retry policy and returns the parsed body. */
  async call<T = VaultResponse>(
    method: HttpMethod,
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: T }> {
    const idempotent = options.idempotent ?? (method === "GET" || method === "LIST");
    const headers: Record<string, string> = {};
    if (!options.anonymous && this.#token) headers["x-vault-token"] = this.#token;
    // Every request goes to the configured namespace, except the root-only endpoints.
    const namespace = options.rootNamespace ? undefined : this.namespace;
    if (namespace) headers["x-vault-namespace"] = namespace;
    const apiPath = `v1/${path.replace(/^\/+/, "")}`;
    const deadline = options.deadline ?? this.#deadline;
    return withRetry(
      // After a 429, the attempt runs under the throttled deadline (withRetry gives it).
      async (attempt, attemptDeadline) => {
        const release = await this.#limit.acquire();
        let outcome: Outcome = "neutral";
        const started = Date.now();
        const remaining = attemptDeadline - started;
        const timeoutMs = Math.max(1, Math.min(this.#options.fetch.requestTimeoutSeconds * 1000, remaining));
        try {
          // A sent request that is not idempotent is waited for until the deadline: abandoned, its effect would be unknown.
          const answerBy = options.answerBy ?? (idempotent ? undefined : deadline);
          const sentTimeoutMs = answerBy === undefined ? undefined : answerBy - started;
          const res = await this.#http.request({ method, path: apiPath, headers, body: options.body, timeoutMs, sentTimeoutMs });
          this.#options.observe?.({ method, path, status: res.status, ms: Date.now() - started, attempt });
          outcome = res.status === 429 ? "throttled" : res.status < 500 ? "ok" : "neutral";
          if ((res.status >= 200 && res.status < 300) || options.accept?.includes(res.status)) {
            if (res.json === undefined && res.text.trim() !== "")
              throw notAVault(this.address, apiPath, res.status, res.headers["content-type"]);
            return { status: res.status, body: (res.json ?? {}) as T };
          }
          throw new VaultHttpError(res.status, errorsOf(res.json, res.text), path, serverWait(res.headers), res.json, namespace);
        } catch (error) {
          if (error instanceof NetworkError) {
            this.#options.observe?.({ method, path, status: undefined, ms: Date.now() - started, attempt, error: error.code });
          }
          throw error;
        } finally {
          release(outcome);
        }
      },
      {
        maxAttempts: options.maxAttempts ?? this.#options.fetch.maxAttempts,
        deadline,
        throttledDeadline: options.throttledDeadline,
        classify: (error) => classify(error, idempotent),
        onRetry: ({ attempt, delayMs, error }) =>
          this.#options.onRetry?.({ path, attempt, delayMs, reason: error instanceof Error ? error.message : String(error) }),
        ...(this.#options.sleep ? { sleep: this.#options.sleep } : {}),
        ...(this.#options.random ? { random: this.#options.random } : {}),
      },
    );
  }

  /** read GETs a path (KV data, dynamic credentials, anything readable). */
  async read(path: string): Promise<VaultResponse> {
    return (await this.call<VaultResponse>("GET", path)).body;
  }

  /** write sends a POST with a body (dynamic engines that issue on write). */
  async write(path: string, body: unknown, idempotent = false): Promise<VaultResponse> {
    return (await this.call<VaultResponse>("POST", path, { body, idempotent })).body;
  }

  /**
   * login POSTs to auth/<mount>/login and adopts the returned token. A login is not
   * idempotent: it is retried only when refused unprocessed, and once sent it is never
   * abandoned at the per-request timeout (the vault would create a token no one holds),
   * but waited for until the deadline plus LOGIN_GRACE_SECONDS. A token answered after
   * the deadline is revoked at once and the login fails.
   */
  async login(mount: string, body: Record<string, unknown>, extraPath = ""): Promise<VaultAuth> {
    const res = await this.call<VaultResponse>("POST", `auth/${mount}/login${extraPath}`, {
      body,
      anonymous: true,
      idempotent: false,
      answerBy: this.#deadline + LOGIN_GRACE_SECONDS * 1000,
    }).catch((error: unknown) => {
      if (error instanceof NetworkError && error.code === "ETIMEDOUT" && error.sent)
        throw new NetworkError(
          `no answer to the login by the run's deadline and ${LOGIN_GRACE_SECONDS} s more`,
          "ELATE",
          true,
          error,
        );
      throw error;
    });
    const auth = res.body.auth;
    if (!auth?.client_token)
      throw notAVault(this.address, `v1/auth/${mount}/login`, res.status, "a login answer without auth.client_token");
    this.#token = auth.client_token;
    if (Date.now() > this.#deadline) await this.#revokeLate(auth);
    return auth;
  }

  /** #revokeLate ends the token of a login answered after the run's deadline, then fails the login. */
  async #revokeLate(auth: VaultAuth): Promise<never> {
    const late = Math.ceil((Date.now() - this.#deadline) / 1000);
    let outcome = "the token it created was revoked";
    try {
      await this.revokeSelf(Date.now() + LOGIN_GRACE_SECONDS * 1000);
    } catch (error) {
      const status = error instanceof VaultHttpError ? error.status : undefined;
      if (status !== 401 && status !== 403)
        outcome = `the token it created (accessor ${auth.accessor}) could not be revoked and expires in ${auth.lease_duration} s`;
    } finally {
      this.#token = undefined;
    }
    throw new NetworkError(`the login was answered ${late} s after the run's deadline; ${outcome}`, "ELATE", true);
  }

  /** lookupSelf returns the current token's data (ttl, policies, accessor...). */
  async lookupSelf(): Promise<Record<string, unknown>> {
    return (await this.read("auth/token/lookup-self")).data ?? {};
  }

  /** renewSelf renews the current token by `incrementSeconds` (or its period/TTL). */
  async renewSelf(incrementSeconds?: number): Promise<VaultAuth | undefined> {
    const body = incrementSeconds ? { increment: `${incrementSeconds}s` } : {};
    return (
      (
        await this.call<VaultResponse>("POST", "auth/token/renew-self", {
          body,
          idempotent: true,
          deadline: Date.now() + RENEW_BUDGET_SECONDS * 1000,
        })
      ).body.auth ?? undefined
    );
  }

  /**
   * revokeSelf revokes the current token and, with it, every lease it created; retried until
   * `deadline` (throttled answers until `throttledDeadline`). A sent revocation is waited for
   * (see #revocationAnswerBy) rather than sent again at the per-request timeout: a vault under
   * load answers slowly, and a second one costs a quota's share and is refused once the first
   * went through.
   */
  async revokeSelf(deadline: number, throttledDeadline?: number): Promise<void> {
    await this.call("POST", "auth/token/revoke-self", {
      idempotent: true,
      deadline,
      throttledDeadline,
      answerBy: this.#revocationAnswerBy(deadline),
    });
  }

  /**
   * #revocationAnswerBy is how long a sent revocation is waited for: until its deadline less
   * one request timeout, which is left for a retry on another connection (a node that died
   * with the request, a balancer that moved on).
   */
  #revocationAnswerBy(deadline: number): number {
    return Math.max(Date.now(), deadline - this.#options.fetch.requestTimeoutSeconds * 1000);
  }

  /** renewLease renews one lease. */
  async renewLease(leaseId: string, incrementSeconds?: number): Promise<VaultResponse> {
    const body = { lease_id: leaseId, ...(incrementSeconds ? { increment: incrementSeconds } : {}) };
    const deadline = Date.now() + RENEW_BUDGET_SECONDS * 1000;
    return (await this.call<VaultResponse>("PUT", "sys/leases/renew", { body, idempotent: true, deadline })).body;
  }

  /** revokeLease revokes one lease (needs sys/leases/revoke, which the default policy lacks); retried until `deadline`. */
  async revokeLease(leaseId: string, deadline: number, throttledDeadline?: number): Promise<void> {
    await this.call("PUT", "sys/leases/revoke", {
      body: { lease_id: leaseId },
      idempotent: true,
      deadline,
      throttledDeadline,
      answerBy: this.#revocationAnswerBy(deadline),
    });
  }

  /** capabilities returns the current token's capabilities on each path (one request). */
  async capabilities(paths: readonly string[]): Promise<Record<string, string[]>> {
    const res = await this.call<VaultResponse & Record<string, unknown>>("POST", "sys/capabilities-self", {
      body: { paths },
      idempotent: true,
    });
    const out: Record<string, string[]> = {};
    const source: Record<string, unknown> = res.body.data ?? res.body;
    for (const path of paths) {
      const caps = source[path];
      out[path] = Array.isArray(caps) ? caps.filter((c): c is string => typeof c === "string") : [];
    }
    return out;
  }

  /**
   * resultantAcl returns the paths the token's policies name, with their capabilities
   * (sys/internal/ui/resultant-acl, which the default policy allows), or undefined when
   * the vault does not say. Glob paths are given without their trailing `*`.
   */
  async resultantAcl(): Promise<AclPath[] | undefined> {
    let data: Record<string, unknown> | null | undefined;
    try {
      data = (await this.call<VaultResponse>("GET", "sys/internal/ui/resultant-acl", { maxAttempts: 1 })).body.data;
    } catch (error) {
      if (error instanceof VaultHttpError) return undefined;
      throw error;
    }
    if (!data) return undefined;
    const out: AclPath[] = [];
    for (const [field, glob] of [
      ["exact_paths", false],
      ["glob_paths", true],
    ] as const) {
      const paths = data[field];
      if (!paths || typeof paths !== "object") continue;
      for (const [path, rule] of Object.entries(paths as Record<string, unknown>)) {
        const caps = (rule as { capabilities?: unknown } | null)?.capabilities;
        out.push({ path, glob, capabilities: Array.isArray(caps) ? caps.filter((c): c is string => typeof c === "string") : [] });
      }
    }
    return out;
  }

  /** mountOf returns the secrets engine mount holding `path`, or undefined if not visible. */
  async mountOf(path: string): Promise<MountInfo | undefined> {
    try {
      const res = await this.read(`sys/internal/ui/mounts/${path}`);
      const data = res.data;
      if (!data || typeof data.path !== "string") return undefined;
      const options = (data.options ?? {}) as Record<string, unknown>;
      return {
        path: data.path.replace(/\/+$/, ""),
        type: typeof data.type === "string" ? data.type : "unknown",
        version: typeof options.version === "string" ? options.version : undefined,
      };
    } catch (error) {
      if (error instanceof VaultHttpError && (error.status === 403 || error.status === 404 || error.status === 400))
        return undefined;
      throw error;
    }
  }

  /**
   * health returns sys/health's status and body without retrying or failing on 429/47x/5xx.
   * It is asked in the root namespace: OpenBao answers 400 to sys/health in a namespace.
   */
  async health(): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.call<Record<string, unknown>>("GET", "sys/health", {
      anonymous: true,
      rootNamespace: true,
      accept: [429, 472, 473, 501, 503],
      maxAttempts: 1,
    });
  }

  /** close releases the connection pool. */
  close(): void {
    this.#http.close();
  }
}

/** AclPath is one path of a token's resultant ACL; a glob path is a prefix. */
export interface AclPath {
  path: string;
  glob: boolean;
  capabilities: string[];
}

/** MountInfo describes a secrets engine mount. */
export interface MountInfo {
  path: string;
  type: string;
  version: string | undefined;
}

function errorsOf(json: unknown, text: string): string[] {
  const errors = (json as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors)) return errors.filter((e): e is string => typeof e === "string");
  const trimmed = text.trim();
  return trimmed ? [trimmed.slice(0, 300)] : [];
}

/**
 * NOT_PROCESSED matches what an HA node answers (as a 500) when it is not, or no longer,
 * the leader, or finds none to forward to: the request was refused before anything was
 * stored, as in a leader election.
 */
export const NOT_PROCESSED = /node is not the leader|local node not active|active cluster node not found|no active node/i;

/** isElectionError tells a 5xx that proves the request was not processed because the cluster had no leader. */
export function isElectionError(error: VaultHttpError): boolean {
  return error.status >= 500 && error.errors.some((e) => NOT_PROCESSED.test(e));
}

/** classify decides retries: transient statuses and network errors; a non-idempotent call only when it provably was not processed. */
/** notAVault says that an answer cannot have come from a vault (HTML, not JSON, a login without a token). */
function notAVault(address: string, apiPath: string, status: number, what: string | string[] | undefined): VaultUnavailableError {
  return new VaultUnavailableError(
    `The answer from ${address}/${apiPath} did not come from a vault (HTTP ${status}, ${String(what ?? "no content type")}, not the vault API's JSON).`,
    {
      hint: "Check the vault address: it must be the vault's API (https://vault.example.com:8200), not a web page, a proxy's login page or another service.",
    },
  );
}

function classify(error: unknown, idempotent: boolean): RetryDecision {
  if (error instanceof VaultHttpError) {
    if (!isTransientStatus(error.status)) return { retry: false };
    // 429 and 503 are answered before the request is processed, and so is a leader election's 500; other 5xx may not be.
    const notProcessed = error.status === 429 || error.status === 503 || error.status === 412 || isElectionError(error);
    if (!idempotent && !notProcessed) return { retry: false };
    return { retry: true, afterMs: error.retryAfterMs, throttled: error.status === 429 };
  }
  if (error instanceof NetworkError) {
    if (error.code === "ABORTED" || error.code === "ETOOBIG") return { retry: false };
    if (error.code.startsWith("ERR_TLS") || /CERT|SELF_SIGNED/.test(error.code)) return { retry: false };
    if (!idempotent && error.sent) return { retry: false };
    return { retry: true };
  }
  return { retry: false };
}
