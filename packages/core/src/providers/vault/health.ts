/**
 * providers/vault/health — the gate's probe of a vault before login: reads sys/health (in the root namespace: it is a root-only endpoint)
 * and says what it means for a deploy: active and unsealed, a standby that forwards, a
 * DR secondary or uninitialized node that cannot serve, a sealed vault, an untrusted
 * certificate, or no answer at all.
 */
import { say, type CheckReasonId, type Said } from "../../check/reasons.js";
import { NetworkError } from "../../http/client.js";
import { RetriesExhaustedError } from "../../http/retry.js";
import type { VaultClient } from "./client.js";
import { isUntrustedCertificate } from "./errors.js";

const BY_STATUS: Readonly<Record<number, CheckReasonId>> = {
  200: "health.active",
  429: "health.standby",
  473: "health.performance-standby",
  472: "health.dr-secondary",
  501: "health.uninitialized",
  503: "health.sealed",
};

/** checkHealth classifies the vault's health answer. */
export async function checkHealth(client: VaultClient): Promise<Said> {
  let res: { status: number; body: Record<string, unknown> };
  try {
    res = await client.health();
  } catch (error) {
    const network = error instanceof RetriesExhaustedError ? error.cause : error;
    if (network instanceof NetworkError && isUntrustedCertificate(network.code)) {
      return say("health.untrusted-ca", { address: client.address, code: network.code });
    }
    const detail = network instanceof Error ? network.message : String(network);
    return say("health.unreachable", { address: client.address, detail: detail.replace(/\.$/, "") });
  }
  const body = res.body;
  const details: Said["details"] = {};
  if (typeof body.version === "string") details.version = body.version;
  if (typeof body.sealed === "boolean") details.sealed = body.sealed;
  if (typeof body.standby === "boolean") details.standby = body.standby;
  if (typeof body.cluster_name === "string") details.cluster = body.cluster_name;
  const version = typeof body.version === "string" ? ` (version ${body.version})` : "";
  return say(BY_STATUS[res.status] ?? "health.unexpected", { version, status: res.status }, details);
}
