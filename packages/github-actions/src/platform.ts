/**
 * platform — the core's Platform on GitHub Actions. Every value the core reads is
 * registered with `::add-mask::` at once, as the exact strings maskVariants gives for it
 * (the value, each line of a multi-line value, their encodings — never a fragment
 * shorter than the minimum length), so the runner hides it in every later log line.
 * The platform remembers what it masked, and the exporters refuse any value it has
 * not masked: nothing can reach GITHUB_ENV, an output or a file unmasked.
 */
import { maskVariants, type Logger, type Platform } from "@vaultgate/core";
import type { Runner } from "./runner/runner.js";

/** GitHubPlatform is a Platform that can tell which values it has masked. */
export interface GitHubPlatform extends Platform {
  readonly name: "github";
  /** isMasked tells whether `value` was registered with the runner. */
  isMasked(value: string): boolean;
}

/** githubPlatform builds the Platform of one step on `runner`. */
export function githubPlatform(runner: Runner): GitHubPlatform {
  const values = new Set<string>();
  const registered = new Set<string>();
  const log: Logger = {
    debug: (m) => runner.debug(m),
    info: (m) => runner.info(m),
    // Every warning annotation gets a title: the one given, else the product's name.
    warn: (m, title) => runner.warning(m, { title: title ?? "vaultgate" }),
    error: (m) => runner.error(m),
  };
  return {
    name: "github",
    env: runner.env,
    log,
    mask(value, kind = "secret") {
      if (value === "" || values.has(value)) return;
      values.add(value);
      // An opaque token needs only its own value registered; a secret gets its lines and encodings.
      const variants =
        kind === "token" ? [value] : maskVariants(value, { onWarning: (m) => runner.warning(m, { title: "vaultgate" }) });
      for (const variant of variants) {
        if (registered.has(variant)) continue;
        registered.add(variant);
        runner.mask(variant);
      }
    },
    isMasked: (value) => values.has(value),
  };
}
