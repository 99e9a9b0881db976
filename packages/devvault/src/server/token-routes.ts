/**
 * server/token-routes — the token auth method: lookup-self, renew-self (increment,
 * capped by the max TTL, with Vault's warning), revoke-self (which revokes the
 * token's leases), and create/lookup/revoke of other tokens, by id or accessor, for admins.
 */
import { badRequest, multiError, noContent, ok, permissionDenied, type Reply } from "./reply.js";
import { stringField, type RequestContext, type Route } from "./context.js";
import { SYSTEM_MAX_TTL, type TokenEntry } from "../state/tokens.js";
import { durationField } from "../util/fields.js";

/** TOKEN_ROUTES are the auth/token/ paths devvault serves. */
export const TOKEN_ROUTES: readonly Route[] = [
  {
    pattern: /^auth\/token\/lookup-self$/,
    operations: ["read", "update"],
    handle: (ctx) => ok({ data: ctx.state.tokens.lookupData(self(ctx)) }),
  },
  {
    pattern: /^auth\/token\/renew-self$/,
    operations: ["update"],
    handle: (ctx) => renew(ctx, self(ctx)),
  },
  {
    pattern: /^auth\/token\/revoke-self$/,
    operations: ["update"],
    handle: (ctx) => {
      ctx.state.tokens.revoke(self(ctx).id);
      return noContent();
    },
  },
  { pattern: /^auth\/token\/create(?:-orphan)?$/, operations: ["update"], handle: create },
  {
    pattern: /^auth\/token\/lookup$/,
    operations: ["update"],
    handle: (ctx) => ok({ data: ctx.state.tokens.lookupData(other(ctx)) }),
  },
  {
    pattern: /^auth\/token\/renew$/,
    operations: ["update"],
    handle: (ctx) => renew(ctx, other(ctx)),
  },
  {
    pattern: /^auth\/token\/lookup-accessor$/,
    operations: ["update"],
    handle: (ctx) => {
      const data = ctx.state.tokens.lookupData(byAccessor(ctx));
      // Looking up by accessor never reveals the token itself.
      data.id = "";
      return ok({ data });
    },
  },
  {
    pattern: /^auth\/token\/revoke-accessor$/,
    operations: ["update"],
    handle: (ctx) => {
      ctx.state.tokens.revoke(byAccessor(ctx).id);
      return noContent();
    },
  },
  {
    pattern: /^auth\/token\/revoke$/,
    operations: ["update"],
    handle: (ctx) => {
      const id = stringField(ctx.body, "token");
      if (!id) throw badRequest("missing token");
      ctx.state.tokens.revoke(id);
      return noContent();
    },
  },
];

function self(ctx: RequestContext): TokenEntry {
  if (!ctx.token) throw permissionDenied();
  return ctx.token;
}

function other(ctx: RequestContext): TokenEntry {
  const id = stringField(ctx.body, "token");
  if (!id) throw badRequest("missing token");
  const entry = ctx.state.tokens.get(id);
  if (!entry) throw badRequest("bad token");
  return entry;
}

function byAccessor(ctx: RequestContext): TokenEntry {
  const accessor = stringField(ctx.body, "accessor");
  if (!accessor) throw badRequest(multiError("missing accessor"));
  const entry = ctx.state.tokens.byAccessor(accessor);
  if (!entry) throw badRequest(multiError("invalid accessor"));
  return entry;
}

function renew(ctx: RequestContext, entry: TokenEntry): Reply {
  const warnings = ctx.state.tokens.renew(entry, durationField(ctx.body.increment, "increment"));
  return ok({ auth: ctx.state.tokens.authBlock(entry), warnings });
}

function create(ctx: RequestContext): Reply {
  const parent = self(ctx);
  const { body } = ctx;
  const policies = Array.isArray(body.policies) ? body.policies.filter((p): p is string => typeof p === "string") : [];
  // A non-root token may only hand out policies it holds itself.
  if (!parent.policies.includes("root") && policies.some((p) => !parent.policies.includes(p))) {
    throw badRequest("child policies must be subset of parent");
  }
  const ttl = durationField(body.ttl, "ttl") ?? SYSTEM_MAX_TTL;
  const max = durationField(body.explicit_max_ttl, "explicit_max_ttl") ?? SYSTEM_MAX_TTL;
  const noDefault = body.no_default_policy === true;
  const effective = policies.length === 0 ? parent.policies : policies;
  const meta = typeof body.meta === "object" && body.meta !== null ? (body.meta as Record<string, string>) : null;
  const orphan = ctx.path.endsWith("-orphan") || body.no_parent === true;
  const entry = ctx.state.tokens.create({
    policies: noDefault || effective.includes("root") ? effective : [...effective, "default"],
    namespace: ctx.ns,
    path: "auth/token/create",
    displayName: `token${stringField(body, "display_name") ? `-${stringField(body, "display_name")}` : ""}`,
    meta,
    ttlSeconds: effective.includes("root") && body.ttl === undefined ? 0 : Math.min(ttl, max),
    maxTtlSeconds: max,
    renewable: body.renewable !== false,
    ...(orphan ? {} : { parent: parent.id }),
  });
  return ok({ auth: ctx.state.tokens.authBlock(entry) });
}
