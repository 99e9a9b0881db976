/**
 * server/admin-routes — the configuration API a root token uses: namespaces, ACL
 * policies, secrets engine mounts and auth mounts (jwt). Seeds configure the same
 * state directly; these routes let tests and tools do it over HTTP as with Vault.
 */
import { ApiError, badRequest, noContent, notFound, ok } from "./reply.js";
import type { Route, RequestContext } from "./context.js";
import { mountInfo } from "./sys-routes.js";
import { createSecretEngine } from "../engines/factory.js";
import { JwtAuth } from "../auth/jwt.js";

/** ADMIN_ROUTES are the configuration paths devvault serves. */
export const ADMIN_ROUTES: readonly Route[] = [
  { pattern: /^sys\/namespaces\/?$/, operations: ["list"], handle: listNamespaces },
  { pattern: /^sys\/namespaces\/(.+?)\/?$/, operations: ["read", "create", "update", "delete"], handle: namespaceApi },
  {
    pattern: /^sys\/policies\/acl\/?$/,
    operations: ["list"],
    handle: (ctx) => ok({ data: { keys: [...ctx.ns.policies.keys(), "root"].sort() } }),
  },
  {
    pattern: /^sys\/policies\/acl\/([^/]+)$/,
    operations: ["read", "create", "update", "delete"],
    exists: (ctx, m) => ctx.ns.policies.has(m[1] ?? ""),
    handle: policyApi,
  },
  { pattern: /^sys\/mounts\/?$/, operations: ["read"], handle: (ctx) => ok({ data: listMounts(ctx, false) }) },
  { pattern: /^sys\/mounts\/(.+?)\/?$/, operations: ["create", "update", "delete"], handle: secretMountApi },
  { pattern: /^sys\/auth\/?$/, operations: ["read"], handle: (ctx) => ok({ data: listMounts(ctx, true) }) },
  { pattern: /^sys\/auth\/(.+?)\/?$/, operations: ["create", "update", "delete"], handle: authMountApi },
];

function listNamespaces(ctx: RequestContext) {
  const keys = [...ctx.ns.children.keys()].sort().map((k) => `${k}/`);
  if (keys.length === 0) throw notFound();
  const keyInfo = Object.fromEntries(keys.map((k) => [k, namespaceData(ctx, k.slice(0, -1))]));
  return ok({ data: { key_info: keyInfo, keys } });
}

function namespaceData(ctx: RequestContext, name: string): Record<string, unknown> {
  const child = ctx.ns.child(name);
  if (!child) throw notFound();
  return { custom_metadata: {}, id: child.id, locked: false, path: child.path, tainted: false, uuid: child.uuid };
}

function namespaceApi(ctx: RequestContext, m: RegExpExecArray) {
  const name = m[1] ?? "";
  if (name.includes("/"))
    throw badRequest("namespace names may not contain '/' here; create nested namespaces from their parent");
  switch (ctx.operation) {
    case "read":
      return ok({ data: namespaceData(ctx, name) });
    case "delete":
      ctx.ns.children.delete(name);
      return noContent();
    default:
      ctx.ns.child(name, true);
      return ok({ data: namespaceData(ctx, name) });
  }
}

function policyApi(ctx: RequestContext, m: RegExpExecArray) {
  const name = (m[1] ?? "").toLowerCase();
  switch (ctx.operation) {
    case "read": {
      const policy = ctx.ns.policies.get(name);
      if (!policy) throw notFound();
      return ok({ data: { name, policy: policy.text } });
    }
    case "delete":
      if (name === "default") throw badRequest(`cannot delete "default" policy`);
      ctx.ns.policies.delete(name);
      return noContent();
    default: {
      if (name === "root") throw badRequest(`cannot update "root" policy`);
      const text = typeof ctx.body.policy === "string" ? ctx.body.policy : "";
      if (!text) throw badRequest("'policy' parameter not supplied or empty");
      try {
        ctx.ns.setPolicy(name, text);
      } catch (error) {
        throw badRequest(`failed to parse policy: ${error instanceof Error ? error.message : String(error)}`);
      }
      return noContent();
    }
  }
}

function listMounts(ctx: RequestContext, auth: boolean): Record<string, unknown> {
  const mounts = auth ? ctx.ns.authMounts : ctx.ns.secretMounts;
  return Object.fromEntries([...mounts.values()].map((m) => [m.path, mountInfo(m, false)]));
}

function secretMountApi(ctx: RequestContext, m: RegExpExecArray) {
  const path = `${m[1] ?? ""}/`;
  if (ctx.operation === "delete") {
    ctx.ns.secretMounts.delete(path);
    return noContent();
  }
  if (ctx.ns.secretMounts.has(path)) throw badRequest(`path is already in use at ${path}`);
  const type = typeof ctx.body.type === "string" ? ctx.body.type : "";
  if (!type) throw badRequest("missing type");
  const options = typeof ctx.body.options === "object" && ctx.body.options ? (ctx.body.options as Record<string, unknown>) : {};
  const description = typeof ctx.body.description === "string" ? ctx.body.description : "";
  ctx.ns.mountSecrets(path, createSecretEngine(type, options, ctx.state.now), description);
  return noContent();
}

function authMountApi(ctx: RequestContext, m: RegExpExecArray) {
  const path = `${m[1] ?? ""}/`;
  if (ctx.operation === "delete") {
    ctx.ns.authMounts.delete(path);
    return noContent();
  }
  if (ctx.ns.authMounts.has(path)) throw badRequest(`path is already in use at auth/${path}`);
  const type = typeof ctx.body.type === "string" ? ctx.body.type : "";
  if (type !== "jwt" && type !== "oidc") {
    throw new ApiError(400, [`plugin not found in the catalog: ${type || "(none)"} (devvault has the jwt auth method)`]);
  }
  ctx.ns.mountAuth(path, type, new JwtAuth(ctx.state.now));
  return noContent();
}
