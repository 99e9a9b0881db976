/**
 * platform — the core's Platform on GitHub Actions. Every value the core reads is
 * registered with `::add-mask::` at once, as the exact strings maskVariants gives for it
 * (the value, each line of a multi-line value, each JSON field, their encodings — never
 * a string shorter than min-mask-length), so the runner hides it in every later log
 * line. The platform remembers what went through mask, and the exporters refuse any
 * value that did not: nothing can reach GITHUB_ENV, an output or a file unmasked. (A
 * value shorter than min-mask-length went through it and was deliberately not
 * registered; the warning names it.)
 */
import { maskRequest, maskVariants, tokenVariants, type Logger, type Platform } from "@vaultgate/core";
import type { Runner } from "./runner/runner.js";

/** GitHubPlatform is a Platform that can tell which values it has masked. */
export interface GitHubPlatform extends Platform {
  readonly name: "github";
  /** isMasked tells whether `value` went through mask (registered, or refused by the short-value rule with a warning). */
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
    mask(value, request) {
      const { kind, name, minLength } = maskRequest(request);
      if (value === "" || values.has(value)) return;
      values.add(value);
      // An opaque token needs only itself (and its lines) registered; a secret gets its lines, fields and encodings.
      const variants =
        kind === "token"
          ? tokenVariants(value)
          : maskVariants(value, { name, minLength, onWarning: (m) => runner.warning(m, { title: "vaultgate" }) });
      const fresh = variants.filter((variant) => !registered.has(variant));
      for (const variant of fresh) registered.add(variant);
      runner.maskAll(fresh);
    },
    isMasked: (value) => values.has(value),
  };
}
