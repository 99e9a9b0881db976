/** server/context — what a route handler receives, and how routes are declared. */
import type { Acl, Operation } from "../policy/acl.js";
import type { Namespace } from "../state/namespace.js";
import type { TokenEntry } from "../state/tokens.js";
import type { VaultState } from "../state/vault-state.js";
import type { Reply } from "./reply.js";

/** RequestContext is one parsed request after namespace and token resolution. */
export interface RequestContext {
  state: VaultState;
  /** The namespace the request addresses. */
  ns: Namespace;
  /** Path relative to `ns`, without leading "/" (LIST paths without trailing "/"). */
  path: string;
  method: string;
  operation: Operation;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The calling token, when one was sent and is live. */
  token: TokenEntry | undefined;
  /** The token's ACL (set for authenticated routes). */
  acl: Acl | undefined;
}

/** Route declares one API path family. */
export interface Route {
  /** Matched against the namespace-relative path. */
  pattern: RegExp;
  /** Operations the path serves; others answer 405. */
  operations: readonly Operation[];
  /** Served without a token and without an ACL check (sys/health, login...). */
  unauthenticated?: boolean;
  /** Only in the root namespace (sys/health, sys/seal...). */
  rootNamespaceOnly?: boolean;
  /** The route checks permissions itself (sys/internal/ui/mounts). */
  ownAcl?: boolean;
  /** Whether a write creates (false) or updates (true) the target, for the ACL. */
  exists?: (ctx: RequestContext, match: RegExpExecArray) => boolean;
  handle(ctx: RequestContext, match: RegExpExecArray): Reply | Promise<Reply>;
}

/** stringField reads a string body field (or ""). */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}
