/**
 * check/health — reads sys/health and says what it means for a deploy: active and
 * unsealed, a standby that forwards, a DR secondary or uninitialized node that cannot
 * serve, a sealed vault, or no answer at all.
 */
import { toVaultgateError } from "../errors.js";
import type { VaultClient } from "../providers/vault/client.js";
import type { CheckStatus } from "./model.js";

/** checkHealth classifies the vault's health answer. */
export async function checkHealth(
  client: VaultClient,
): Promise<{ status: CheckStatus; reason: string; details: Record<string, string | boolean> }> {
  let res: { status: number; body: Record<string, unknown> };
  try {
    res = await client.health();
  } catch (error) {
    const e = toVaultgateError(error);
    const cause = e.cause instanceof Error ? e.cause.message : e.message;
    return {
      status: "fail",
      reason: `The vault at ${client.address} did not answer: ${cause}. Check the address, network and proxy settings.`,
      details: {},
    };
  }
  const body = res.body;
  const details: Record<string, string | boolean> = {};
  if (typeof body.version === "string") details.version = body.version;
  if (typeof body.sealed === "boolean") details.sealed = body.sealed;
  if (typeof body.standby === "boolean") details.standby = body.standby;
  if (typeof body.cluster_name === "string") details.cluster = body.cluster_name;
  const version = typeof body.version === "string" ? ` (version ${body.version})` : "";
  switch (res.status) {
    case 200:
      return { status: "pass", reason: `Active, initialized and unsealed${version}.`, details };
    case 429:
      return {
        status: "warn",
        reason: `Answered by a standby node${version}; requests are forwarded to the active node.`,
        details,
      };
    case 473:
      return {
        status: "warn",
        reason: `Answered by a performance standby${version}; reads may lag the active node (412 is retried).`,
        details,
      };
    case 472:
      return {
        status: "fail",
        reason: `The node is a disaster-recovery secondary${version} and cannot serve secrets: point url at the primary cluster.`,
        details,
      };
    case 501:
      return { status: "fail", reason: `The vault is not initialized${version}: its operators must initialize it.`, details };
    case 503:
      return {
        status: "fail",
        reason: `The vault is sealed${version}: its operators must unseal it before any deploy can read secrets.`,
        details,
      };
    default:
      return { status: "fail", reason: `Unexpected health status HTTP ${res.status}${version}.`, details };
  }
}
