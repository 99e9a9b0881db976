/**
 * telemetry/events — the seam between the engine and its telemetry: the engine publishes
 * what a run does (vault requests and retries, the ID-token request, login, reads,
 * renewals, revocations, gate checks) as plain events, and whoever listens turns them
 * into spans and metrics. With no listener (telemetry off) publishing costs a set
 * lookup. No OpenTelemetry code here: this file is loaded by every run.
 *
 * Events carry facts vaultgate already records in its audit record (names, paths,
 * statuses, durations), never a value, a token or a JWT.
 */

/** RequestFacts is one HTTP attempt to the vault, as the client's observer sees it. */
export interface RequestFacts {
  method: string;
  /** The API path without `v1/` (e.g. `secret/data/app`, `auth/jwt/login`). */
  path: string;
  status: number | undefined;
  ms: number;
  attempt: number;
  /** A network error code (ECONNREFUSED, TIMEOUT...), when there was no answer. */
  error?: string | undefined;
}

/** RetryFacts is a retry the client is about to make. */
export interface RetryFacts {
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

/** RunEvent is one thing a run did; `at` is when it was published (Date.now()). */
export type RunEvent =
  | { type: "run"; at: number; runId: string; command: string; address: string }
  | { type: "request"; at: number; request: RequestFacts }
  | { type: "retry"; at: number; retry: RetryFacts }
  | { type: "id-token"; at: number; ms: number; source: string; ok: boolean }
  | {
      type: "login";
      at: number;
      method: string;
      mount: string | undefined;
      role: string | undefined;
      accessor: string | undefined;
    }
  | {
      type: "read";
      at: number;
      path: string;
      apiPath: string;
      kv: number | undefined;
      leased: boolean;
      ms: number;
      outcome: string;
    }
  | { type: "renewal"; at: number; kind: "token" | "lease"; ok: boolean; capped: boolean; ttlSeconds: number | undefined }
  | { type: "revocation"; at: number; kind: "token" | "lease" | "credentials"; outcome: string }
  | { type: "check"; at: number; id: string; kind: string; status: string; required: boolean; ms: number }
  | { type: "failure"; at: number; code: number; error: string };

/** RunEventInput is an event without its time stamp, which publishRunEvent adds. */
export type RunEventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, "at"> : never) : never;

type Listener = (event: RunEvent) => void;
const listeners = new Set<Listener>();

/** publishRunEvent hands `event` to every listener; a listener's failure never reaches the engine. */
export function publishRunEvent(event: RunEventInput): void {
  if (listeners.size === 0) return;
  const stamped = { ...event, at: Date.now() };
  for (const listener of listeners) {
    try {
      listener(stamped);
    } catch {
      // Telemetry must never change what a run does.
    }
  }
}

/** subscribeRunEvents adds a listener and returns the function that removes it. */
export function subscribeRunEvents(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** ClientObservers are the two callbacks a vault client offers its owner. */
export interface ClientObservers {
  observe?(event: RequestFacts): void;
  onRetry?(info: RetryFacts): void;
}

/** withRunEvents returns client options whose observers also publish run events. */
export function withRunEvents<T extends ClientObservers>(options: T): T {
  return {
    ...options,
    observe: (event: RequestFacts) => {
      options.observe?.(event);
      publishRunEvent({ type: "request", request: event });
    },
    onRetry: (info: RetryFacts) => {
      options.onRetry?.(info);
      publishRunEvent({ type: "retry", retry: info });
    },
  };
}

/** timedIdToken obtains the ID token with `operation` and publishes how long it took and whether it worked. */
export async function timedIdToken<T>(source: string, operation: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let ok = false;
  try {
    const result = await operation();
    ok = true;
    return result;
  } finally {
    publishRunEvent({ type: "id-token", source, ms: Date.now() - started, ok });
  }
}
