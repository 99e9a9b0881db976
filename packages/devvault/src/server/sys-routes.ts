/**
 * server/sys-routes — sys/health and the seal, capabilities-self, the lease API and
 * sys/internal/ui/mounts, with Vault's answers (status codes, body shapes, texts).
 */
import { SERVER_VERSION } from "../version.js";
import { ApiError, badRequest, noContent, ok, permissionDenied, type Reply } from "./reply.js";
import { stringField, type RequestContext, type Route } from "./context.js";
import type { MountEntry } from "../state/namespace.js";
import { durationField } from "../util/fields.js";

/** SYS_ROUTES are the sys/ paths devvault serves. */
export const SYS_ROUTES: readonly Route[] = [
  { pattern: /^sys\/health$/, operations: ["read"], unauthenticated: true, rootNamespaceOnly: true, handle: health },
  { pattern: /^sys\/seal-status$/, operations: ["read"], unauthenticated: true, rootNamespaceOnly: true, handle: sealStatus },
  {
    pattern: /^sys\/seal$/,
    operations: ["update"],
    rootNamespaceOnly: true,
    handle: (ctx) => {
      if (!ctx.acl?.hasSudo("sys/seal")) throw permissionDenied();
      ctx.state.sealed = true;
      return noContent();
    },
  },
  {
    pattern: /^sys\/unseal$/,
    operations: ["update"],
    unauthenticated: true,
    rootNamespaceOnly: true,
    handle: (ctx) => {
      if (ctx.body.reset !== true && stringField(ctx.body, "key") !== ctx.state.unsealKey) {
        throw badRequest("'key' is not the unseal key of this devvault");
      }
      ctx.state.sealed = false;
      return sealStatus(ctx);
    },
  },
  { pattern: /^sys\/capabilities-self$/, operations: ["update"], handle: capabilitiesSelf },
  { pattern: /^sys\/(?:leases\/)?renew(?:\/(.+))?$/, operations: ["update"], handle: renewLease },
  {
    pattern: /^sys\/leases\/lookup$/,
    operations: ["update"],
    handle: (ctx) => ok({ data: ctx.state.leases.lookup(leaseId(ctx)) }),
  },
  {
    pattern: /^sys\/(?:leases\/)?revoke(?:\/(.+))?$/,
    operations: ["update"],
    handle: (ctx, m) => {
      ctx.state.leases.revoke(m[1] ?? leaseId(ctx));
      return noContent();
    },
  },
  {
    pattern: /^sys\/internal\/ui\/mounts(?:\/(.*))?$/,
    operations: ["read"],
    unauthenticated: true,
    ownAcl: true,
    handle: uiMounts,
  },
];

function health(ctx: RequestContext): Reply {
  const { state, query } = ctx;
  const code = (name: string, fallback: number) => {
    const raw = query.get(name);
    return raw && /^\d+$/.test(raw) ? Number(raw) : fallback;
  };
  const body: Record<string, unknown> = {
    initialized: true,
    sealed: state.sealed,
    standby: state.sealed || state.standby,
    performance_standby: !state.sealed && state.performanceStandby,
    replication_performance_mode: state.sealed ? "unknown" : "disabled",
    replication_dr_mode: state.sealed ? "unknown" : "disabled",
    server_time_utc: Math.floor(state.now() / 1000),
    version: SERVER_VERSION,
  };
  if (state.sealed) return { status: code("sealedcode", 503), body };
  body.cluster_name = state.clusterName;
  body.cluster_id = state.clusterId;
  if (state.performanceStandby) {
    return {
      status: query.get("perfstandbyok") === "true" ? code("activecode", 200) : code("performancestandbycode", 473),
      body,
    };
  }
  if (state.standby)
    return { status: query.get("standbyok") === "true" ? code("activecode", 200) : code("standbycode", 429), body };
  return { status: code("activecode", 200), body };
}

function sealStatus(ctx: RequestContext): Reply {
  const { state } = ctx;
  const body: Record<string, unknown> = {
    type: "shamir",
    initialized: true,
    sealed: state.sealed,
    t: 1,
    n: 1,
    progress: 0,
    nonce: "",
    version: SERVER_VERSION,
    build_date: "",
    migration: false,
    recovery_seal: false,
    storage_type: "inmem",
  };
  if (!state.sealed) Object.assign(body, { cluster_name: state.clusterName, cluster_id: state.clusterId });
  return { status: 200, body };
}

function capabilitiesSelf(ctx: RequestContext): Reply {
  const raw = ctx.body.paths ?? ctx.body.path;
  const paths = (Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [])
    .filter((p): p is string => typeof p === "string")
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length === 0) throw badRequest("paths must be supplied");
  const data: Record<string, string[]> = {};
  for (const path of paths) data[path] = ctx.acl?.capabilities(path.replace(/^\/+/, "")) ?? ["deny"];
  // Vault keeps the one-path answer's old `capabilities` key, at the top level and under data.
  const first = paths[0];
  if (paths.length === 1 && first !== undefined) data.capabilities = data[first] ?? ["deny"];
  const reply = ok({ data });
  return { status: 200, body: { ...data, ...(reply.body as Record<string, unknown>) } };
}

function leaseId(ctx: RequestContext): string {
  const id = stringField(ctx.body, "lease_id") || stringField(ctx.body, "url_lease_id");
  if (!id) throw badRequest("lease_id must be specified");
  return id;
}

function renewLease(ctx: RequestContext, match: RegExpExecArray): Reply {
  const id = match[1] ?? leaseId(ctx);
  const { lease, warnings } = ctx.state.leases.renew(id, durationField(ctx.body.increment, "increment"));
  return ok({
    leaseId: lease.id,
    renewable: lease.renewable,
    leaseDuration: lease.grantedTtl,
    warnings,
  });
}

function uiMounts(ctx: RequestContext, match: RegExpExecArray): Reply {
  const { token, ns } = ctx;
  if (!token) throw permissionDenied();
  const acl = ctx.state.aclOf(token);
  const target = match[1];
  if (target === undefined || target === "") {
    const secret: Record<string, unknown> = {};
    const auth: Record<string, unknown> = {};
    for (const m of ns.secretMounts.values()) if (acl.hasMountAccess(m.path)) secret[m.path] = mountInfo(m, false);
    for (const m of ns.authMounts.values()) if (acl.hasMountAccess(`auth/${m.path}`)) auth[m.path] = mountInfo(m, false);
    return ok({ data: { auth, secret } });
  }
  const path = target.endsWith("/") ? target : `${target}/`;
  const denied = new ApiError(403, [
    `preflight capability check returned 403, please ensure client's policies grant access to path "${path}"`,
  ]);
  const auth = path.startsWith("auth/") ? ns.authMountOf(path.slice(5)) : undefined;
  const mount = auth ?? ns.secretMountOf(path);
  if (!mount) throw denied;
  const fullPath = auth ? `auth/${mount.path}` : mount.path;
  if (!acl.hasMountAccess(fullPath)) throw denied;
  return ok({ data: { ...mountInfo(mount, true), path: fullPath } });
}

/** mountInfo describes a mount as sys/internal/ui/mounts and sys/mounts do. */
export function mountInfo(mount: MountEntry<unknown>, withDeprecation: boolean): Record<string, unknown> {
  const engine = mount.engine as { options?: Record<string, string> } | undefined;
  return {
    accessor: mount.accessor,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    ...(withDeprecation ? { deprecation_status: "supported" } : {}),
    description: mount.description,
    external_entropy_access: false,
    local: false,
    options: engine?.options ?? null,
    plugin_version: "",
    running_plugin_version: `v${SERVER_VERSION}`,
    running_sha256: "",
    seal_wrap: false,
    type: mount.type,
    uuid: mount.uuid,
  };
}
