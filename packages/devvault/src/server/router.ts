/**
 * server/router — one request through devvault, in Vault's order: seal check,
 * namespace (X-Vault-Namespace header, then leading path segments naming child
 * namespaces), token, route, ACL, handler; then a dynamic secret's lease is recorded.
 */
import type { Operation } from "../policy/acl.js";
import type { JwtAuth } from "../auth/jwt.js";
import type { Namespace } from "../state/namespace.js";
import type { VaultState } from "../state/vault-state.js";
import { ADMIN_ROUTES } from "./admin-routes.js";
import type { RequestContext, Route } from "./context.js";
import { randomBase62 } from "./ids.js";
import { aclDenied, ApiError, badRequest, envelope, permissionDenied, unsupported, type Reply } from "./reply.js";
import { SYS_ROUTES } from "./sys-routes.js";
import { TOKEN_ROUTES } from "./token-routes.js";

/** IncomingApiRequest is the raw request the HTTP layer hands over. */
export interface IncomingApiRequest {
  method: string;
  /** Path and query after /v1/. */
  path: string;
  query: URLSearchParams;
  namespace: string | undefined;
  token: string | undefined;
  body: Buffer;
}

const FIXED_ROUTES: readonly Route[] = [...SYS_ROUTES, ...TOKEN_ROUTES, ...ADMIN_ROUTES];
const ALWAYS_OPEN = /^sys\/(health|seal-status|unseal)$/;

/** handleApiRequest answers one /v1/ request. */
export async function handleApiRequest(state: VaultState, raw: IncomingApiRequest): Promise<Reply> {
  let path = raw.path.replace(/^\/+/, "");
  if (state.sealed && !ALWAYS_OPEN.test(path)) throw new ApiError(503, ["Vault is sealed"]);
  state.sweep();
  let ns = state.root;
  if (raw.namespace) {
    const found = state.namespace(raw.namespace);
    if (!found) throw new ApiError(404, ["namespace not found"]);
    ns = found;
  }
  for (let child = firstChild(ns, path); child; child = firstChild(ns, path)) {
    path = path.slice(path.indexOf("/") + 1);
    ns = child;
  }
  const operation = operationOf(raw.method, raw.query);
  if (operation === undefined) throw unsupported();
  const listPath = operation === "list" ? path.replace(/\/+$/, "") : path;
  const token = raw.token ? state.tokens.get(raw.token) : undefined;
  const ctx: RequestContext = {
    state,
    ns,
    path: listPath,
    method: raw.method,
    operation,
    query: raw.query,
    body: parseBody(raw.body),
    token,
    acl: undefined,
  };
  // Token store paths act in the token's own namespace even without the header.
  if (token && path.startsWith("auth/token/") && token.namespace.isWithin(ns)) ctx.ns = token.namespace;

  const fixed = findFixed(ctx);
  if (fixed) return dispatch(ctx, fixed.route, fixed.match);
  const login = /^auth\/(.+)\/login$/.exec(path);
  const authMount = path.startsWith("auth/") ? ns.authMountOf(path.slice(5)) : undefined;
  if (authMount && login && authMount.path === `${login[1] ?? ""}/`) {
    if (operation !== "create" && operation !== "update") throw unsupported();
    const grant = await (authMount.engine as JwtAuth).login(ctx.body, authMount.path);
    const entry = state.tokens.create({
      ...grant,
      namespace: ns,
      path: `auth/${authMount.path}login`,
      renewable: true,
    });
    return { status: 200, body: envelope({ auth: state.tokens.authBlock(entry) }) };
  }
  if (authMount) {
    const rel = path.slice(5 + authMount.path.length).replace(/\/+$/, "");
    authorize(ctx, operation);
    return (authMount.engine as JwtAuth).handle({ ...engineRequest(ctx), path: rel });
  }
  const mount = ns.secretMountOf(path);
  if (!mount) {
    authorize(ctx, operation);
    throw new ApiError(404, [`no handler for route "${path}". route entry not found.`]);
  }
  const rel = listPath.slice(mount.path.length).replace(/^\/+/, "");
  const effective = operation === "update" && !mount.engine.exists(rel) ? "create" : operation;
  authorize(ctx, effective);
  const reply = mount.engine.handle({ ...engineRequest(ctx), operation: effective, path: rel });
  return recordLease(ctx, reply);
}

function firstChild(ns: Namespace, path: string): Namespace | undefined {
  const slash = path.indexOf("/");
  if (slash <= 0) return undefined;
  const head = path.slice(0, slash);
  if (["sys", "auth", "identity", "cubbyhole"].includes(head) && ns.isRoot) return undefined;
  return ns.children.get(head);
}

function operationOf(method: string, query: URLSearchParams): Operation | undefined {
  switch (method) {
    case "GET":
    case "HEAD":
      return query.get("list") === "true" ? "list" : "read";
    case "LIST":
      return "list";
    case "POST":
    case "PUT":
      return "update";
    case "DELETE":
      return "delete";
    default:
      return undefined;
  }
}

function parseBody(body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`failed to parse JSON input: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("failed to parse JSON input: the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

function findFixed(ctx: RequestContext): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of FIXED_ROUTES) {
    const match = route.pattern.exec(ctx.path);
    if (match) return { route, match };
  }
  return undefined;
}

async function dispatch(ctx: RequestContext, route: Route, match: RegExpExecArray): Promise<Reply> {
  if (route.rootNamespaceOnly && !ctx.ns.isRoot) throw badRequest("operation unavailable in namespaces");
  let operation = ctx.operation;
  if (operation === "update" && route.exists && !route.exists(ctx, match)) operation = "create";
  const allowed = route.operations.includes(operation) || (operation === "create" && route.operations.includes("update"));
  if (!route.unauthenticated) authorize(ctx, operation);
  if (!allowed) {
    if (route.pattern.source === "^sys\\/health$") throw new ApiError(405, []);
    throw unsupported();
  }
  return route.handle({ ...ctx, operation }, match);
}

/** authorize checks the token and its ACL for `operation` on the request path. */
function authorize(ctx: RequestContext, operation: Operation): void {
  const { token } = ctx;
  if (!token) throw permissionDenied();
  const acl = ctx.state.aclOf(token);
  ctx.acl = acl;
  if (!ctx.ns.isWithin(token.namespace)) throw permissionDenied();
  // A token's policies address paths from its own namespace.
  const prefix = ctx.ns.path.slice(token.namespace.path.length);
  const aclPath = `${prefix}${ctx.path}${operation === "list" ? "/" : ""}`;
  if (!acl.allows(aclPath, operation)) throw aclDenied();
}

function engineRequest(ctx: RequestContext) {
  return {
    operation: ctx.operation,
    path: ctx.path,
    query: ctx.query,
    body: ctx.body,
    displayName: ctx.token?.displayName ?? "",
  };
}

function recordLease(ctx: RequestContext, reply: Reply): Reply {
  if (!reply.secret || !ctx.token) return reply;
  const suffix = ctx.ns.isRoot ? "" : `.${ctx.ns.id}`;
  const lease = ctx.state.leases.add(`${ctx.path}/${randomBase62(24)}${suffix}`, ctx.token.id, reply.secret);
  const body = { ...(reply.body as Record<string, unknown>) };
  body.lease_id = lease.id;
  body.lease_duration = lease.grantedTtl;
  body.renewable = lease.renewable;
  return { status: reply.status, body };
}
