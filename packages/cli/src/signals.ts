/**
 * signals — SIGINT, SIGTERM and SIGHUP are caught for the whole of a command that holds
 * vault credentials, so that the token is always revoked: before the child starts the
 * signal aborts the run; while it runs the signal is forwarded and vaultgate waits for
 * the child to exit; a second SIGINT or SIGTERM kills the child outright.
 */

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** SignalGuard records the first signal and forwards signals to a child while one runs. */
export interface SignalGuard {
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** forwardTo sends later signals to `kill`; returns a function that stops forwarding. */
  forwardTo(kill: (signal: NodeJS.Signals) => void): () => void;
  /** release removes the handlers. */
  release(): void;
}

/** guardSignals installs the handlers. */
export function guardSignals(onFirst?: (signal: NodeJS.Signals) => void): SignalGuard {
  let received: NodeJS.Signals | undefined;
  let count = 0;
  let forward: ((signal: NodeJS.Signals) => void) | undefined;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (!received) {
      received = signal;
      onFirst?.(signal);
    }
    if (forward) forward(count > 1 && signal !== "SIGHUP" ? "SIGKILL" : signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get received() {
      return received;
    },
    forwardTo(kill) {
      forward = kill;
      if (received) kill(received);
      return () => {
        forward = undefined;
      };
    },
    release() {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
