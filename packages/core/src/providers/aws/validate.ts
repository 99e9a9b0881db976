/**
 * providers/aws/validate — the gate's view of AWS secrets: DescribeSecret proves that a
 * secret exists, is not scheduled for deletion and has the requested version; a read
 * (values stay in this module's memory) proves the role may read it and that the
 * selected key is there. Nothing is printed, exported or written.
 */
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { SecretSpec } from "../../config/schema.js";
import { selectValue } from "../../config/selector.js";
import { mapLimit } from "../../fetch/limit.js";
import type { Verdict } from "../types.js";
import { mapAwsReadError } from "./errors.js";
import { readAws, type AwsClients } from "./read.js";
import { describeRef, parseAwsRef } from "./refs.js";

const fail = (reason: string, details: Verdict["details"] = {}): Verdict => ({ status: "fail", reason, details });

/** validateAws gives one verdict per spec, in order. */
export async function validateAws(clients: AwsClients, specs: readonly SecretSpec[], concurrency: number): Promise<Verdict[]> {
  const described = await mapLimit(specs, concurrency, (spec) => describe(clients, spec));
  const readable = specs.filter((_, i) => described[i] === undefined);
  const outcomes = await readAws(clients, readable, concurrency);
  return Promise.all(
    specs.map(async (spec, i): Promise<Verdict> => {
      const early = described[i];
      if (early) return early;
      const outcome = outcomes[readable.indexOf(spec)];
      if (!outcome) return fail("Not checked.");
      if (!outcome.ok) return fail(`${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ""}`);
      const { data, apiPath, version } = outcome.value;
      const details: Verdict["details"] = { apiPath, ...(version !== undefined ? { version: String(version) } : {}) };
      const keys = Object.keys(data);
      if (spec.selector.kind === "all") {
        if (keys.length === 0) return fail(`${spec.path} has no keys.`, details);
        return { status: "pass", reason: `Readable, ${keys.length} key${keys.length === 1 ? "" : "s"}.`, details };
      }
      if ((await selectValue(data, spec.selector)) === undefined) {
        return fail(`The key is missing from ${spec.path}; it has: ${keys.join(", ") || "no keys"}.`, details);
      }
      return { status: "pass", reason: `Readable${version !== undefined ? ` (version ${String(version)})` : ""}.`, details };
    }),
  );
}

/** describe returns a failing verdict when DescribeSecret already rules the secret out, else undefined. */
async function describe(clients: AwsClients, spec: SecretSpec): Promise<Verdict | undefined> {
  const ref = parseAwsRef(spec.path, spec.origin);
  if (ref.service !== "secretsmanager") return undefined;
  try {
    const out = await clients.sm.send(new DescribeSecretCommand({ SecretId: ref.id }));
    const details: Verdict["details"] = { arn: out.ARN ?? ref.id };
    if (out.DeletedDate) {
      return fail(
        `${describeRef(ref)} is scheduled for deletion on ${new Date(out.DeletedDate).toISOString()}: restore it (aws secretsmanager restore-secret) or point the manifest at its replacement.`,
        details,
      );
    }
    const stages = Object.entries(out.VersionIdsToStages ?? {});
    if (ref.versionId && !stages.some(([id]) => id === ref.versionId)) {
      return fail(`${describeRef(ref)} has no version ${ref.versionId}.`, details);
    }
    if (ref.versionStage && !stages.some(([, s]) => s.includes(ref.versionStage ?? ""))) {
      return fail(`No version of ${describeRef(ref)} carries the stage ${ref.versionStage}.`, details);
    }
    return undefined;
  } catch (error) {
    const e = mapAwsReadError(error, {
      what: describeRef(ref),
      origin: spec.origin,
      roleArn: clients.roleArn,
      region: clients.region,
      action: "secretsmanager:DescribeSecret",
      resource: `the secret ${ref.id}`,
    });
    return fail(`${e.message}${e.hint ? ` ${e.hint}` : ""}`);
  }
}
