/**
 * lifecycle/watchdog — no step of a run outlives its deadline (`--timeout`, the input
 * `timeout`). Every request already stops at the deadline (providers/vault/client); the
 * watchdog bounds the steps around them too — the login, the reads, the renewals a run
 * waits for — so a run that holds a token can never wait forever: at the deadline (plus
 * a grace second, so a request's own timeout is reported first) the step is abandoned
 * with an error of the documented exit code, and the caller's cleanup revokes the token.
 *
 * Why a timer and not a worker thread: a timer cannot interrupt a synchronous system call,
 * so the writes after login never block instead (export/files `appendNoWait` opens with
 * O_NONBLOCK; output targets are checked before login; secret files are renamed into place,
 * never opened where they land).
 */
import { OutputError, VaultUnavailableError, type VaultgateError } from "../errors.js";
import { formatDuration } from "../util/duration.js";

/** WATCHDOG_GRACE_MS lets a request that times out at the deadline report its own, more precise, error. */
export const WATCHDOG_GRACE_MS = 1000;

/** WatchdogStep names what a run waits for, and so which error (and exit code) its overrun is. */
export interface WatchdogStep {
  /** e.g. "logging in to https://vault:8200", "reading the secrets". */
  doing: string;
  /** "vault" overruns are VaultUnavailableError (5); "output" overruns are OutputError (6). */
  kind: "vault" | "output";
  /** Seconds past the deadline the step may still take (default 1: WATCHDOG_GRACE_MS). */
  graceSeconds?: number | undefined;
}

/** Watchdog holds one run's deadline. */
export class Watchdog {
  /** deadline is the run's end (Date.now() scale): its start plus the timeout. */
  readonly deadline: number;
  readonly #timeoutSeconds: number;

  constructor(timeoutSeconds: number, started: number = Date.now()) {
    this.#timeoutSeconds = timeoutSeconds;
    this.deadline = started + timeoutSeconds * 1000;
  }

  /** expired tells whether the deadline (with its grace) has passed. */
  get expired(): boolean {
    return Date.now() >= this.deadline + WATCHDOG_GRACE_MS;
  }

  /**
   * within waits for `work` until the deadline; past it, the step is abandoned (`work` is
   * left to settle on its own) and the overrun error is thrown, so the caller's
   * `finally` ends the run.
   */
  async within<T>(step: WatchdogStep, work: Promise<T>): Promise<T> {
    const graceMs = step.graceSeconds === undefined ? WATCHDOG_GRACE_MS : step.graceSeconds * 1000;
    if (Date.now() >= this.deadline + graceMs) {
      work.catch(() => undefined);
      throw this.overrun(step);
    }
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.overrun(step)), this.deadline + graceMs - Date.now());
    });
    try {
      return await Promise.race([work, expiry]);
    } finally {
      clearTimeout(timer);
      // An abandoned step may still fail later; that failure has no one left to tell.
      work.catch(() => undefined);
    }
  }

  /** overrun is the error of a step still running at the deadline. */
  overrun(step: WatchdogStep): VaultgateError {
    const message = `The run did not finish within its timeout of ${formatDuration(this.#timeoutSeconds)}: it was still ${step.doing}; the step was abandoned and the run ended.`;
    return step.kind === "vault"
      ? new VaultUnavailableError(message, {
          hint: "The server named above (the vault or AWS) accepted the connection but stopped answering. Check its health and the network; raise --timeout (input timeout) only if it is merely slow.",
        })
      : new OutputError(message, {
          hint: "Something held the write (a named pipe nobody reads, a full pipe, a hung file system): write to a regular file in the job's temp directory.",
        });
  }
}
