/**
 * policy/acl — decides what a token may do on a path, the way Vault's ACL does: rules
 * of all the token's policies are merged per pattern (deny wins); an exact pattern
 * beats everything; otherwise the highest-priority glob (`*`, at the end) or segment
 * wildcard (`+`) pattern that matches decides, in Vault's documented order:
 * later first wildcard, then no trailing glob, then fewer `+`, then longer, then
 * lexically greater.
 */
import type { Capability, PolicyRule } from "./parse.js";

/** Operation is what a request does, for the ACL check. */
export type Operation = "read" | "list" | "create" | "update" | "delete";

interface Candidate {
  /** Pattern without its trailing `*`. */
  body: string;
  isPrefix: boolean;
  firstWildcard: number;
  plusCount: number;
  caps: Set<Capability>;
}

interface WildcardRule extends Candidate {
  segments: string[];
}

/** Acl is the merged rules of one token's policies (or root, which may do anything). */
export class Acl {
  readonly isRoot: boolean;
  readonly #exact = new Map<string, Set<Capability>>();
  readonly #prefix = new Map<string, Set<Capability>>();
  readonly #wildcard: WildcardRule[] = [];

  constructor(policies: readonly (readonly PolicyRule[])[], isRoot = false) {
    this.isRoot = isRoot;
    const merged = new Map<string, Set<Capability>>();
    for (const rules of policies) {
      for (const rule of rules) {
        const caps = merged.get(rule.pattern) ?? new Set<Capability>();
        for (const c of rule.capabilities) caps.add(c);
        merged.set(rule.pattern, caps);
      }
    }
    for (const [pattern, raw] of merged) {
      const caps = raw.has("deny") ? new Set<Capability>(["deny"]) : raw;
      const isPrefix = pattern.endsWith("*");
      const body = isPrefix ? pattern.slice(0, -1) : pattern;
      if (pattern.split("/").includes("+")) {
        const plus = pattern.indexOf("+");
        const firstWildcard = isPrefix ? Math.min(plus, body.length) : plus;
        const plusCount = pattern.split("/").filter((s) => s === "+").length;
        this.#wildcard.push({ body, isPrefix, firstWildcard, plusCount, caps, segments: body.split("/") });
      } else if (isPrefix) {
        this.#prefix.set(body, caps);
      } else {
        this.#exact.set(pattern, caps);
      }
    }
  }

  /** allows tells whether `operation` on `path` is permitted (LIST paths end with "/"). */
  allows(path: string, operation: Operation): boolean {
    if (this.isRoot) return true;
    const caps = this.#permissions(path, operation === "list");
    return caps !== undefined && !caps.has("deny") && caps.has(operation);
  }

  /** hasSudo tells whether the token holds sudo on `path`. */
  hasSudo(path: string): boolean {
    if (this.isRoot) return true;
    const caps = this.#permissions(path, false);
    return caps !== undefined && !caps.has("deny") && caps.has("sudo");
  }

  /** capabilities answers sys/capabilities-self for one path: sorted, "deny" or "root". */
  capabilities(path: string): string[] {
    if (this.isRoot) return ["root"];
    // Vault models this as a list operation, so "x/" also matches an exact rule on "x".
    const caps = this.#permissions(path, true);
    if (!caps || caps.size === 0 || caps.has("deny")) return ["deny"];
    return [...caps].sort();
  }

  /** hasMountAccess tells whether any rule grants something under `mountPath` (ends with "/"). */
  hasMountAccess(mountPath: string): boolean {
    if (this.isRoot) return true;
    if (!this.capabilities(mountPath).includes("deny")) return true;
    const grants = (caps: Set<Capability>) => caps.size > 0 && !caps.has("deny");
    for (const [pattern, caps] of [...this.#exact, ...this.#prefix]) {
      if (pattern.startsWith(mountPath) && grants(caps)) return true;
    }
    const mountSegments = mountPath.replace(/\/$/, "").split("/");
    return this.#wildcard.some(
      (rule) =>
        grants(rule.caps) &&
        mountSegments.every((segment, i) => {
          const part = rule.segments[i];
          if (part === undefined) return rule.isPrefix;
          if (part === "+" || part === segment) return true;
          return rule.isPrefix && i === rule.segments.length - 1 && segment.startsWith(part);
        }),
    );
  }

  #permissions(path: string, list: boolean): Set<Capability> | undefined {
    const exact = this.#exact.get(path) ?? (list && path.endsWith("/") ? this.#exact.get(path.slice(0, -1)) : undefined);
    if (exact) return exact;
    const candidates: Candidate[] = [];
    let longest: string | undefined;
    for (const prefix of this.#prefix.keys()) {
      if (path.startsWith(prefix) && (longest === undefined || prefix.length > longest.length)) longest = prefix;
    }
    if (longest !== undefined) {
      const caps = this.#prefix.get(longest) ?? new Set<Capability>();
      candidates.push({ body: longest, isPrefix: true, firstWildcard: longest.length, plusCount: 0, caps });
    }
    const parts = path.split("/");
    for (const rule of this.#wildcard) if (matchesSegments(rule, parts)) candidates.push(rule);
    let best: Candidate | undefined;
    for (const c of candidates) if (!best || higher(c, best)) best = c;
    return best?.caps;
  }
}

function matchesSegments(rule: WildcardRule, parts: readonly string[]): boolean {
  const segs = rule.segments;
  if (parts.length < segs.length) return false;
  if (!rule.isPrefix && parts.length !== segs.length) return false;
  return segs.every((part, i) => {
    const actual = parts[i] ?? "";
    if (part === "+" || part === actual) return true;
    return rule.isPrefix && i === segs.length - 1 && actual.startsWith(part);
  });
}

/** higher tells whether candidate `a` takes priority over `b`. */
function higher(a: Candidate, b: Candidate): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return !a.isPrefix;
  if (a.plusCount !== b.plusCount) return a.plusCount < b.plusCount;
  if (a.body.length !== b.body.length) return a.body.length > b.body.length;
  return a.body > b.body;
}
