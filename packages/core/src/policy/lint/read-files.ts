/**
 * policy/lint/read-files — reads trust from files: Terraform (vault_jwt_auth_backend,
 * vault_jwt_auth_backend_role, vault_policy), ACL policy HCL, the API-request JSON that
 * `vaultgate policy --format json` writes, and IAM role trust policies (JSON with a
 * Statement). A directory means the files directly in it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { ConfigError } from "../../errors.js";
import { parseHcl, parsePolicy, type ParsedRule } from "../acl.js";
import type { Location, MountSnapshot, PolicySnapshot, TrustSnapshot } from "./model.js";
import { text as scalar } from "./facts.js";

/** lineOf is the 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number | undefined {
  const at = text.indexOf(needle);
  return at < 0 ? undefined : text.slice(0, at).split("\n").length;
}

/** policySnapshot attaches each rule's line (its `path "…"` in the text). */
export function policySnapshot(name: string, rules: ParsedRule[], text: string, location: Location): PolicySnapshot {
  return {
    name,
    location,
    rules: rules.map((r) => ({ ...r, line: lineOf(text, `path ${JSON.stringify(r.path)}`) ?? lineOf(text, r.path) })),
  };
}

interface Builder {
  mounts: Map<string, MountSnapshot>;
  policies: Map<string, PolicySnapshot>;
  aws: TrustSnapshot["aws"];
}

function mountOf(b: Builder, path: string, location: Location): MountSnapshot {
  let mount = b.mounts.get(path);
  if (!mount) {
    mount = { path, type: "jwt", config: {}, location, roles: [] };
    b.mounts.set(path, mount);
  }
  return mount;
}

/** readTrustFiles reads every given file (or the files of a given directory) into one snapshot. */
export async function readTrustFiles(paths: readonly string[], cwd: string): Promise<TrustSnapshot> {
  const b: Builder = { mounts: new Map(), policies: new Map(), aws: [] };
  const files: string[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p);
    let isDir: boolean;
    try {
      isDir = statSync(full).isDirectory();
    } catch (error) {
      throw new ConfigError(`Cannot read ${p}: no such file or directory.`, { cause: error });
    }
    if (isDir)
      files.push(
        ...readdirSync(full)
          .filter((f) => /\.(tf|hcl|json)$/.test(f))
          .sort()
          .map((f) => join(full, f)),
      );
    else files.push(full);
  }
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const uri = relative(cwd, file) || basename(file);
    const at = (needle: string | undefined, logical: string): Location => ({
      uri,
      vault: false,
      line: needle ? lineOf(text, needle) : undefined,
      logical,
    });
    const ext = extname(file);
    if (ext === ".json") await readJson(b, text, uri, at);
    else if (ext === ".tf" || /^\s*(resource|data|provider|terraform|variable|locals|module)\s/m.test(text))
      await readTerraform(b, text, uri, at, file);
    else if (ext === ".hcl")
      b.policies.set(
        basename(file, ext),
        policySnapshot(basename(file, ext), await parsePolicy(text, uri), text, at(undefined, `policy ${basename(file, ext)}`)),
      );
    else
      throw new ConfigError(`${uri}: not a .tf, .hcl or .json file.`, {
        hint: "Give Terraform, ACL policy HCL, API JSON or IAM trust policy JSON files.",
      });
  }
  return {
    source: files.length === 1 ? relative(cwd, files[0] ?? "") || "file" : `${files.length} files`,
    mounts: [...b.mounts.values()],
    policies: b.policies,
    kvMounts: undefined,
    aws: b.aws,
  };
}

type At = (needle: string | undefined, logical: string) => Location;

async function readJson(b: Builder, text: string, uri: string, at: At): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${uri} is not valid JSON.`, { cause: error });
  }
  const obj = (doc ?? {}) as Record<string, unknown>;
  if ("Statement" in obj) {
    b.aws.push({ document: obj, text, location: at(undefined, `trust policy ${uri}`) });
    return;
  }
  if (!Array.isArray(obj.requests))
    throw new ConfigError(`${uri}: neither an IAM trust policy (Statement) nor vaultgate API requests (requests).`, {
      hint: "Write the API JSON with `vaultgate policy --format json`.",
    });
  for (const raw of obj.requests as unknown[]) {
    const req = (raw ?? {}) as { path?: unknown; body?: unknown };
    const path = scalar(req.path);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const here = at(`"path": ${JSON.stringify(path)}`, path);
    let m: RegExpExecArray | null;
    if ((m = /^sys\/auth\/(.+)$/.exec(path))) mountOf(b, m[1] ?? "", here).type = scalar(body.type, "jwt");
    else if ((m = /^auth\/(.+)\/config$/.exec(path)))
      Object.assign(mountOf(b, m[1] ?? "", here), { config: body, location: here });
    else if ((m = /^auth\/(.+)\/role\/([^/]+)$/.exec(path)))
      mountOf(b, m[1] ?? "", here).roles.push({
        mount: m[1] ?? "",
        name: m[2] ?? "",
        data: body,
        location: { ...here, logical: `role ${m[2] ?? ""} on auth/${m[1] ?? ""}` },
      });
    else if ((m = /^sys\/policies\/acl\/([^/]+)$/.exec(path)) && typeof body.policy === "string") {
      const line = here.line ?? 1;
      const rules = await parsePolicy(body.policy, `${uri} ${path}`);
      b.policies.set(m[1] ?? "", { name: m[1] ?? "", location: here, rules: rules.map((r) => ({ ...r, line })) });
    }
  }
}

/** resolveRef turns `${vault_x.name.attr}` into the named resource's attribute when it was read. */
function resolveRef(value: unknown, resources: Record<string, Record<string, Record<string, unknown>>>): unknown {
  if (typeof value !== "string") return value;
  const m = /^\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value);
  if (!m) return value;
  return resources[m[1] ?? ""]?.[m[2] ?? ""]?.[m[3] ?? ""] ?? value;
}

async function readTerraform(b: Builder, text: string, uri: string, at: At, file: string): Promise<void> {
  const doc = await parseHcl(text, uri);
  const blocks = (doc.resource ?? {}) as Record<string, Record<string, unknown[]>>;
  const resources: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [type, byName] of Object.entries(blocks)) {
    resources[type] = {};
    for (const [name, list] of Object.entries(byName))
      resources[type][name] = (Array.isArray(list) ? list[0] : list) as Record<string, unknown>;
  }
  const tfAt = (type: string, name: string, logical: string) => at(`resource "${type}" "${name}"`, logical);
  for (const [name, r] of Object.entries(resources.vault_jwt_auth_backend ?? {})) {
    const path = scalar(r.path, "jwt");
    r.path = path;
    const config = Object.fromEntries(Object.entries(r).filter(([k]) => !["path", "type", "description"].includes(k)));
    const here = tfAt("vault_jwt_auth_backend", name, `auth/${path} (vault_jwt_auth_backend.${name})`);
    Object.assign(mountOf(b, path, here), { type: scalar(r.type, "jwt"), config, location: here });
  }
  for (const [name, r] of Object.entries(resources.vault_policy ?? {})) {
    const policyName = scalar(r.name, name);
    let policyText = r.policy;
    const fileRef = typeof policyText === "string" ? /^\$\{file\("([^"]+)"\)\}$/.exec(policyText) : null;
    if (fileRef) policyText = readFileSync(resolve(file, "..", (fileRef[1] ?? "").replace("${path.module}", ".")), "utf8");
    if (typeof policyText !== "string" || policyText.startsWith("${")) continue;
    const here = tfAt("vault_policy", name, `policy ${policyName} (vault_policy.${name})`);
    const rules = await parsePolicy(policyText, `${uri} vault_policy.${name}`);
    b.policies.set(policyName, { name: policyName, location: here, rules: rules.map((rule) => ({ ...rule, line: here.line })) });
    r.name = policyName;
  }
  for (const [name, r] of Object.entries(resources.vault_jwt_auth_backend_role ?? {})) {
    const mount = String(resolveRef(r.backend ?? "jwt", resources));
    const roleName = scalar(r.role_name, name);
    const data: Record<string, unknown> = {
      ...r,
      token_policies: (Array.isArray(r.token_policies) ? r.token_policies : []).map((p) => resolveRef(p, resources)),
    };
    const here = tfAt(
      "vault_jwt_auth_backend_role",
      name,
      `role ${roleName} on auth/${mount} (vault_jwt_auth_backend_role.${name})`,
    );
    mountOf(b, mount, here).roles.push({ mount, name: roleName, data, location: here });
  }
}
