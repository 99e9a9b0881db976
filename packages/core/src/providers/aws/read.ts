/**
 * providers/aws/read — reads Secrets Manager secrets and SSM parameters, batched where
 * the API allows (BatchGetSecretValue: 20 ids, GetParameters: 10 names) and parallel
 * with the fetch's bound; each distinct reference is read once. `*` on a parameter path
 * reads the hierarchy below it (GetParametersByPath, recursive). SecureString values
 * are decrypted; binary secrets are given as base64.
 */
import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
  type SecretValueEntry,
} from "@aws-sdk/client-secrets-manager";
import { GetParametersByPathCommand, GetParametersCommand, type Parameter, type SSMClient } from "@aws-sdk/client-ssm";
import type { SecretSpec } from "../../config/schema.js";
import { SecretNotFoundError, type VaultgateError } from "../../errors.js";
import { mapLimit } from "../../fetch/limit.js";
import type { ReadOutcome, SecretData } from "../types.js";
import { mapAwsReadError, shapeOf } from "./errors.js";
import { describeRef, hierarchyKey, parseAwsRef, refKey, secretDataOf, type AwsRef } from "./refs.js";

/** AwsClients are the service clients of one session. */
export interface AwsClients {
  sm: SecretsManagerClient;
  ssm: SSMClient;
  roleArn: string;
  region: string;
}

/** MAX_PAGES bounds GetParametersByPath paging (10 parameters a page). */
const MAX_PAGES = 100;

type Planned = { key: string; ref: AwsRef; hierarchy: boolean; origin: string };
type Result = { ok: true; value: SecretData } | { ok: false; error: VaultgateError };

/** readAws reads every spec; outcomes follow the order of `specs`. */
export async function readAws(clients: AwsClients, specs: readonly SecretSpec[], concurrency: number): Promise<ReadOutcome[]> {
  const planned = new Map<string, Planned>();
  const keys = specs.map((spec) => {
    const ref = parseAwsRef(spec.path, spec.origin);
    const hierarchy = ref.service === "ssm" && spec.selector.kind === "all";
    const key = refKey(ref, hierarchy);
    if (!planned.has(key)) planned.set(key, { key, ref, hierarchy, origin: spec.origin });
    return key;
  });
  const results = new Map<string, Result>();
  const tasks = batches([...planned.values()]).map((batch) => async () => {
    for (const [key, result] of await readBatch(clients, batch)) results.set(key, result);
  });
  await mapLimit(tasks, concurrency, (task) => task());
  return keys.map((key) => results.get(key) ?? { ok: false, error: new SecretNotFoundError(`Not read: ${key}.`) });
}

type Batch =
  | { kind: "secrets"; items: Planned[] }
  | { kind: "secret"; item: Planned }
  | { kind: "parameters"; items: Planned[] }
  | { kind: "path"; item: Planned };

/** batches groups the reads into the fewest requests the APIs allow. */
function batches(items: readonly Planned[]): Batch[] {
  const out: Batch[] = [];
  const plainSecrets = items.filter((i) => i.ref.service === "secretsmanager" && !i.ref.versionId && !i.ref.versionStage);
  const names = items.filter((i) => i.ref.service === "ssm" && !i.hierarchy);
  for (const chunk of chunks(plainSecrets, 20))
    out.push(chunk.length === 1 && chunk[0] ? { kind: "secret", item: chunk[0] } : { kind: "secrets", items: chunk });
  for (const chunk of chunks(names, 10)) out.push({ kind: "parameters", items: chunk });
  for (const item of items) {
    if (item.ref.service === "secretsmanager" && (item.ref.versionId || item.ref.versionStage))
      out.push({ kind: "secret", item });
    if (item.hierarchy) out.push({ kind: "path", item });
  }
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function readBatch(clients: AwsClients, batch: Batch): Promise<[string, Result][]> {
  switch (batch.kind) {
    case "secret":
      return [[batch.item.key, await readSecret(clients, batch.item)]];
    case "secrets":
      return readSecrets(clients, batch.items);
    case "parameters":
      return readParameters(clients, batch.items);
    case "path":
      return [[batch.item.key, await readPath(clients, batch.item)]];
  }
}

function failure(clients: AwsClients, item: Planned, error: unknown, action: string): Result {
  const resource =
    item.ref.service === "ssm"
      ? `arn:aws:ssm:${clients.region}:${clients.roleArn.split(":")[4] || "<account>"}:parameter${item.ref.name}`
      : `the secret ${item.ref.id}`;
  return {
    ok: false,
    error: mapAwsReadError(error, {
      what: describeRef(item.ref),
      origin: item.origin,
      roleArn: clients.roleArn,
      region: clients.region,
      action,
      resource,
    }),
  };
}

function secretValue(entry: {
  ARN?: string | undefined;
  Name?: string | undefined;
  SecretString?: string | undefined;
  SecretBinary?: Uint8Array | undefined;
  VersionId?: string | undefined;
}): SecretData {
  const data =
    entry.SecretString !== undefined
      ? secretDataOf(entry.SecretString)
      : { value: Buffer.from(entry.SecretBinary ?? new Uint8Array()).toString("base64") };
  return { data, apiPath: entry.ARN ?? entry.Name ?? "", version: entry.VersionId };
}

async function readSecret(clients: AwsClients, item: Planned): Promise<Result> {
  if (item.ref.service !== "secretsmanager") throw new Error("not a secret");
  try {
    const out = await clients.sm.send(
      new GetSecretValueCommand({ SecretId: item.ref.id, VersionId: item.ref.versionId, VersionStage: item.ref.versionStage }),
    );
    return { ok: true, value: secretValue(out) };
  } catch (error) {
    return failure(clients, item, error, "secretsmanager:GetSecretValue");
  }
}

/** readSecrets asks BatchGetSecretValue; a role allowed only GetSecretValue falls back to one read each. */
async function readSecrets(clients: AwsClients, items: Planned[]): Promise<[string, Result][]> {
  const ids = items.map((i) => (i.ref.service === "secretsmanager" ? i.ref.id : ""));
  let values: SecretValueEntry[];
  let errors: { SecretId?: string | undefined; ErrorCode?: string | undefined; Message?: string | undefined }[];
  try {
    const out = await clients.sm.send(new BatchGetSecretValueCommand({ SecretIdList: ids }));
    values = out.SecretValues ?? [];
    errors = out.Errors ?? [];
  } catch (error) {
    if (shapeOf(error).name !== "AccessDeniedException")
      return items.map((i) => [i.key, failure(clients, i, error, "secretsmanager:BatchGetSecretValue")]);
    return Promise.all(items.map(async (i): Promise<[string, Result]> => [i.key, await readSecret(clients, i)]));
  }
  return items.map((item, n) => {
    const id = ids[n] ?? "";
    const found = values.find((v) => v.Name === id || v.ARN === id);
    if (found) return [item.key, { ok: true, value: secretValue(found) }];
    const err = errors.find((e) => e.SecretId === id);
    const shaped = Object.assign(new Error(err?.Message ?? "not returned by BatchGetSecretValue"), {
      name: err?.ErrorCode ?? "ResourceNotFoundException",
    });
    return [item.key, failure(clients, item, shaped, "secretsmanager:GetSecretValue")];
  });
}

function parameterValue(p: Parameter): SecretData {
  return { data: secretDataOf(p.Value ?? ""), apiPath: p.ARN ?? p.Name ?? "", version: p.Version };
}

async function readParameters(clients: AwsClients, items: Planned[]): Promise<[string, Result][]> {
  const names = items.map((i) => (i.ref.service === "ssm" ? i.ref.name : ""));
  try {
    const out = await clients.ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
    return items.map((item, n) => {
      const name = names[n] ?? "";
      const found = out.Parameters?.find(
        (p) => p.ARN === name || `${p.Name ?? ""}${p.Selector ?? ""}` === name || p.Name === name,
      );
      if (found) return [item.key, { ok: true, value: parameterValue(found) }];
      return [
        item.key,
        failure(clients, item, Object.assign(new Error("no such parameter"), { name: "ParameterNotFound" }), "ssm:GetParameters"),
      ];
    });
  } catch (error) {
    return items.map((i) => [i.key, failure(clients, i, error, "ssm:GetParameters")]);
  }
}

async function readPath(clients: AwsClients, item: Planned): Promise<Result> {
  if (item.ref.service !== "ssm") throw new Error("not a parameter");
  const path = item.ref.name;
  const data: Record<string, unknown> = {};
  let next: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await clients.ssm.send(
        new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true, NextToken: next }),
      );
      for (const p of out.Parameters ?? []) if (p.Name) data[hierarchyKey(path, p.Name)] = p.Value ?? "";
      next = out.NextToken;
      if (!next) break;
    }
  } catch (error) {
    return failure(clients, item, error, "ssm:GetParametersByPath");
  }
  if (Object.keys(data).length === 0) {
    return failure(
      clients,
      item,
      Object.assign(new Error("no parameters below the path"), { name: "ParameterNotFound" }),
      "ssm:GetParametersByPath",
    );
  }
  return { ok: true, value: { data, apiPath: path } };
}
