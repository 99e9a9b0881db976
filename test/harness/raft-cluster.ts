/**
 * raft-cluster — a 3-node OpenBao cluster with integrated (Raft) storage on 127.0.0.1,
 * behind a real HAProxy, for the load and failover suites and `bench:load`. Each node
 * has its own ports, data directory and `retry_join` to the others; the first is
 * initialised with one key share and every node is unsealed with it; the fixture (jwt
 * auth, KV, PKI, policies, roles, secrets) is configured through the balancer by the
 * same code as the dev server's. HAProxy health-checks `/v1/sys/health` and sends
 * traffic to the active node only (standbys answer 429, sealed nodes 503): requests go
 * straight to the node that serves them, and during an election the balancer itself
 * answers 503 until a new leader passes its check. Every request the balancer saw is
 * logged (time, status, method, path, node) for the load benchmark. `stop` ends every
 * process this started and removes the data. A missing haproxy or a cluster that does
 * not form is an error, never a skip.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createIssuerKey } from "./issuer.js";
import { ensureOpenBao } from "./openbao.js";
import { freePort } from "./ports.js";
import { stopProcess } from "./processes.js";
import { ISSUERS, VaultAdmin, configureVault, type VaultFixture } from "./vault-setup.js";

const HAPROXY_SCRIPT = fileURLToPath(new URL("../servers/haproxy.sh", import.meta.url));
const QUOTA = "vaultgate-load";
/** QUOTA_EXEMPT_PATHS are OpenBao's default rate-limit exempt paths (vault/quotas/quotas.go). */
const QUOTA_EXEMPT_PATHS = [
  "sys/generate-recovery-token/attempt",
  "sys/generate-recovery-token/update",
  "sys/generate-root/attempt",
  "sys/generate-root/update",
  "sys/health",
  "sys/seal-status",
  "sys/unseal",
];

/** ClusterNode is one OpenBao server of the cluster. */
export interface ClusterNode {
  name: string;
  addr: string;
  process: ChildProcess | undefined;
}

/** BalancerEntry is one request HAProxy answered. */
export interface BalancerEntry {
  at: number;
  status: number;
  method: string;
  path: string;
  server: string;
  /** HAProxy's termination state (`--` normal; `sH` server timeout, `SH` server closed, `CD` client aborted, `SC` no server...). */
  termination: string;
  /** Total time the balancer spent on the request, in ms (-1: aborted). */
  ms: number;
}

/** RaftCluster is a started cluster behind its balancer, configured with the fixture. */
export interface RaftCluster {
  /** The balancer's address: what vaultgate is pointed at. */
  addr: string;
  nodes: ClusterNode[];
  fixture: VaultFixture;
  admin: VaultAdmin;
  /** Requests the balancer answered, in order. */
  balancerLog: BalancerEntry[];
  /** The balancer's other log lines (a server going DOWN or UP, with the health check's reason), timestamped. */
  balancerEvents: { at: number; line: string }[];
  activeNode(): Promise<ClusterNode | undefined>;
  /** waitForLeader resolves with the active node once the balancer reaches one. */
  waitForLeader(timeoutMs?: number): Promise<ClusterNode>;
  kill(node: ClusterNode, signal?: NodeJS.Signals): Promise<void>;
  /** restart starts a stopped node again and unseals it. */
  restart(node: ClusterNode): Promise<void>;
  /** setQuota sets a global rate-limit quota of `rate` requests per second, or removes it. */
  setQuota(rate: number | undefined): Promise<void>;
  /** call is a root request through the balancer that waits out 429s and elections (up to 60 s). */
  call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** countLive counts live token accessors and PKI leases, with the root token. */
  countLive(): Promise<{ accessors: number; leases: number }>;
  /** liveIds lists live token accessors and PKI lease ids, with the root token. */
  liveIds(): Promise<{ accessors: string[]; leases: string[] }>;
  stop(): Promise<void>;
}

interface NodeSpec extends ClusterNode {
  config: string;
  output: string;
}

/** ensureHaproxy returns haproxy's path, installing Debian's package when missing. */
export async function ensureHaproxy(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("bash", [HAPROXY_SCRIPT], { timeout: 15 * 60 * 1000 });
    return stdout.trim().split("\n").pop() ?? "haproxy";
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`HAProxy is not available (test/servers/haproxy.sh):\n${detail}`, { cause: error });
  }
}

/** RaftClusterOptions: what the cluster keeps for an investigation. */
export interface RaftClusterOptions {
  /**
   * A directory where each node writes a file audit log (`<node>.audit.jsonl`, accessors
   * in clear: which request created which token). OpenBao accepts audit devices only from
   * its configuration file.
   */
  auditDir?: string;
}

/** startRaftCluster starts three OpenBao nodes and HAProxy, forms the cluster and configures it. */
export async function startRaftCluster(options: RaftClusterOptions = {}): Promise<RaftCluster> {
  const [bao, haproxy] = await Promise.all([ensureOpenBao(), ensureHaproxy()]);
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-raft-"));
  const ports = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const nodes: NodeSpec[] = [0, 1, 2].map((i) => ({
    name: `node${i + 1}`,
    addr: `http://127.0.0.1:${ports[i]}`,
    process: undefined,
    config: join(dir, `node${i + 1}.hcl`),
    output: "",
  }));
  nodes.forEach((node, i) => {
    const data = join(dir, node.name);
    mkdirSync(data, { recursive: true });
    const joins = nodes
      .filter((other) => other !== node)
      .map((other) => `  retry_join {\n    leader_api_addr = "${other.addr}"\n  }`)
      .join("\n");
    writeFileSync(
      node.config,
      [
        `storage "raft" {`,
        `  path = "${data}"`,
        `  node_id = "${node.name}"`,
        joins,
        `}`,
        `listener "tcp" {`,
        `  address = "127.0.0.1:${ports[i]}"`,
        `  cluster_address = "127.0.0.1:${ports[i + 3]}"`,
        `  tls_disable = true`,
        `}`,
        `api_addr = "${node.addr}"`,
        `cluster_addr = "https://127.0.0.1:${ports[i + 3]}"`,
        `disable_mlock = true`,
        `log_level = "warn"`,
        ...(options.auditDir
          ? [
              `audit "file" "file" {`,
              `  options {`,
              `    file_path = "${join(options.auditDir, `${node.name}.audit.jsonl`)}"`,
              `    hmac_accessor = "false"`,
              `  }`,
              `}`,
            ]
          : []),
        "",
      ].join("\n"),
    );
  });
  const balancerPort = ports[6] ?? 0;
  const balancerLog: BalancerEntry[] = [];
  const balancerEvents: { at: number; line: string }[] = [];
  let balancer: ChildProcess | undefined;
  const stopAll = async () => {
    await Promise.all([...nodes.map((n) => stopProcess(n.process)), stopProcess(balancer)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const node of nodes) node.process = startNode(bao, node);
    balancer = startBalancer(haproxy, join(dir, "haproxy.cfg"), balancerPort, nodes, balancerLog, balancerEvents);
    await Promise.all(nodes.map((n) => waitListening(n)));
    const init = (await api(nodes[0]!.addr, "PUT", "sys/init", { secret_shares: 1, secret_threshold: 1 })) as {
      keys_base64: string[];
      root_token: string;
    };
    const key = init.keys_base64[0] ?? "";
    await unseal(nodes[0]!, key);
    await waitStatus(nodes[0]!, 200, 60_000);
    for (const node of nodes.slice(1)) await unseal(node, key);
    for (const node of nodes.slice(1)) await waitStatus(node, 429, 60_000);
    const addr = `http://127.0.0.1:${balancerPort}`;
    const cluster: RaftCluster = {
      addr,
      nodes,
      fixture: undefined as unknown as VaultFixture,
      admin: new VaultAdmin(addr, init.root_token),
      balancerLog,
      balancerEvents,
      activeNode: () => activeNode(nodes),
      waitForLeader: async (timeoutMs = 60_000) => {
        const until = Date.now() + timeoutMs;
        while (Date.now() < until) {
          const active = await activeNode(nodes);
          if (active && (await reachable(addr))) return active;
          await sleep(200);
        }
        throw new Error(`no active node behind the balancer within ${timeoutMs} ms`);
      },
      kill: async (node, signal = "SIGKILL") => {
        const child = node.process;
        node.process = undefined;
        await stopProcess(child, signal);
      },
      restart: async (node) => {
        const spec = node as NodeSpec;
        spec.process = startNode(bao, spec);
        await waitListening(spec);
        await unseal(spec, key);
      },
      setQuota: async (rate) => {
        if (rate === undefined) {
          await cluster.call("DELETE", `sys/quotas/rate-limit/${QUOTA}`);
          return;
        }
        // Writing the quota config replaces the exempt paths: without them the quota would
        // also apply to sys/health, the balancer's checks would get its 429s and take the
        // active node out (and the balancer would answer 503 to everyone).
        await cluster.call("POST", "sys/quotas/config", {
          enable_rate_limit_response_headers: true,
          rate_limit_exempt_paths: QUOTA_EXEMPT_PATHS,
        });
        await cluster.call("POST", `sys/quotas/rate-limit/${QUOTA}`, { rate, interval: "1s" });
      },
      call: async (method, path, body) => {
        const until = Date.now() + 60_000;
        for (;;) {
          try {
            return await cluster.admin.call(method, path, body);
          } catch (error) {
            // Under the quota or during an election the root token is refused like anyone.
            if (Date.now() > until || !/HTTP (429|502|503)/.test(String(error))) throw error;
            await sleep(250 + Math.random() * 500);
          }
        }
      },
      countLive: async () => {
        const ids = await cluster.liveIds();
        return { accessors: ids.accessors.length, leases: ids.leases.length };
      },
      liveIds: async () => {
        const accessors = await cluster.call("GET", "auth/token/accessors?list=true");
        const leases = await cluster
          .call("GET", "sys/leases/lookup/pki/issue/app/?list=true")
          .catch((error: unknown) => (/HTTP 404/.test(String(error)) ? {} : Promise.reject(error as Error)));
        const keys = (r: Record<string, unknown>) => [...((r.data as { keys?: string[] } | undefined)?.keys ?? [])];
        return { accessors: keys(accessors), leases: keys(leases) };
      },
      stop: stopAll,
    };
    await cluster.waitForLeader();
    // Joined nodes are non-voters until autopilot finds them stable; shorten that, then wait for
    // three voters, so that losing any one node leaves a quorum that elects a new leader.
    await cluster.call("POST", "sys/storage/raft/autopilot/configuration", { server_stabilization_time: "2s" });
    await waitVoters(cluster, nodes.length);
    const issuers = {
      github: await createIssuerKey(ISSUERS.github),
      gitlab: await createIssuerKey(ISSUERS.gitlab),
      jenkins: await createIssuerKey(ISSUERS.jenkins),
    };
    // A dev server mounts KV v2 at secret/ by itself; a real one needs it done.
    await cluster.admin.call("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
    await waitKvReady(cluster.admin);
    cluster.fixture = await configureVault(cluster.admin, issuers);
    // The same certificates with P-256 keys: RSA key generation for a train of jobs would
    // measure the CPU of this machine, not the cluster or vaultgate.
    await cluster.call("POST", "pki/roles/app", {
      allow_any_name: true,
      generate_lease: true,
      ttl: "1h",
      max_ttl: "2h",
      key_type: "ec",
      key_bits: 256,
    });
    return cluster;
  } catch (error) {
    const outputs = nodes.map((n) => `--- ${n.name}\n${n.output.slice(-1500)}`).join("\n");
    await stopAll();
    throw new Error(`The OpenBao Raft cluster did not start: ${String(error)}\n${outputs}`, { cause: error });
  }
}

function startNode(bin: string, node: NodeSpec): ChildProcess {
  const child = spawn(bin, ["server", `-config=${node.config}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", BAO_ADDR: node.addr },
  });
  const keep = (c: Buffer) => (node.output = (node.output + c.toString()).slice(-8000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return child;
}

function startBalancer(
  bin: string,
  config: string,
  port: number,
  nodes: readonly ClusterNode[],
  log: BalancerEntry[],
  events: { at: number; line: string }[],
) {
  writeFileSync(
    config,
    [
      "global",
      "  log stdout format raw local0",
      "  maxconn 4096",
      "defaults",
      "  mode http",
      "  log global",
      '  log-format "%Ts.%ms %ST %HM %HP %s %tsc %Ta"',
      "  timeout connect 2s",
      "  timeout client 90s",
      "  timeout server 90s",
      "  retries 2",
      "  option redispatch",
      "frontend vault",
      `  bind 127.0.0.1:${port}`,
      "  default_backend openbao",
      "backend openbao",
      // Active node only: standbys answer sys/health with 429, sealed nodes with 503.
      "  option httpchk GET /v1/sys/health",
      "  http-check expect status 200",
      "  default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1",
      ...nodes.map((n) => `  server ${n.name} ${n.addr.replace("http://", "")} check`),
      "",
    ].join("\n"),
  );
  const child = spawn(bin, ["-db", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  let pending = "";
  child.stdout.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const m = /^(\d+)\.(\d+) (\d+) (\S+) (\S+) (\S+) (\S+) (-?\d+)/.exec(line);
      if (m)
        log.push({
          at: Number(m[1]) * 1000 + Number(m[2]),
          status: Number(m[3]),
          method: m[4]!,
          path: m[5]!,
          server: m[6]!,
          termination: m[7]!,
          ms: Number(m[8]),
        });
      else if (line.trim()) events.push({ at: Date.now(), line: line.trim() });
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) events.push({ at: Date.now(), line: line.trim() });
  });
  return child;
}

async function api(addr: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${addr}/v1/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} on ${addr}: HTTP ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : {};
}

async function healthStatus(addr: string): Promise<number | undefined> {
  try {
    // Generous: on a busy machine a healthy node can take seconds to answer.
    const res = await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

async function reachable(addr: string): Promise<boolean> {
  return (await healthStatus(addr)) === 200;
}

async function activeNode(nodes: readonly ClusterNode[]): Promise<ClusterNode | undefined> {
  const statuses = await Promise.all(nodes.map((n) => (n.process ? healthStatus(n.addr) : Promise.resolve(undefined))));
  return nodes.find((_, i) => statuses[i] === 200);
}

async function waitListening(node: NodeSpec, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await healthStatus(node.addr)) !== undefined) return;
    if (node.process?.exitCode !== null) throw new Error(`${node.name} exited:\n${node.output.slice(-1500)}`);
    await sleep(100);
  }
  throw new Error(`${node.name} did not listen on ${node.addr}`);
}

/** unseal submits the key until the node reports unsealed (a joining node needs it to finish its join). */
async function unseal(node: NodeSpec, key: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    try {
      const res = (await api(node.addr, "PUT", "sys/unseal", { key })) as { sealed?: boolean };
      if (res.sealed === false) return;
    } catch (error) {
      last = String(error);
    }
    await sleep(300);
  }
  throw new Error(`${node.name} stayed sealed: ${last}`);
}

async function waitStatus(node: NodeSpec, status: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let seen: number | undefined;
  while (Date.now() < until) {
    seen = await healthStatus(node.addr);
    if (seen === status) return;
    await sleep(200);
  }
  throw new Error(`${node.name} answered sys/health ${seen ?? "nothing"}, not ${status}`);
}

/** waitVoters waits until the Raft configuration has `count` voters. */
async function waitVoters(cluster: RaftCluster, count: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let voters = 0;
  while (Date.now() < until) {
    const res = await cluster.call("GET", "sys/storage/raft/configuration");
    const servers = (res.data as { config?: { servers?: { voter?: boolean }[] } } | undefined)?.config?.servers ?? [];
    voters = servers.filter((s) => s.voter).length;
    if (voters >= count) return;
    await sleep(500);
  }
  throw new Error(`the Raft cluster has ${voters} voters, not ${count}`);
}

/** waitKvReady waits until the new KV v2 mount accepts requests (it sets itself up first). */
async function waitKvReady(admin: VaultAdmin, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.call("GET", "secret/config");
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await sleep(200);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
