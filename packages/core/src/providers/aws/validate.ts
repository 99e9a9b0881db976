/**
 * providers/aws/validate — the gate's view of AWS secrets: DescribeSecret proves that a
 * secret exists, is not scheduled for deletion and has the requested version; a read
 * (values stay in this module's memory) proves the role may read it and that the
 * selected key is there. Each verdict carries its reason id (providers/aws/reasons.ts).
 * Nothing is printed, exported or written.
 */
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import type { SecretSpec } from "../../config/schema.js";
import { selectValue } from "../../config/selector.js";
import { mapLimit } from "../../fetch/limit.js";
import type { VaultgateError } from "../../errors.js";
import type { Verdict } from "../types.js";
import { mapAwsReadError } from "./errors.js";
import { readAws, type AwsClients } from "./read.js";
import { awsVerdict } from "./reasons.js";
import { describeRef, parseAwsRef } from "./refs.js";

const failed = (error: VaultgateError): Verdict => ({
  status: "fail",
  reason: `${error.message}${error.hint ? ` ${error.hint}` : ""}`,
  details: { reason: error.reasonId ?? "aws.read.refused" },
});

/** validateAws gives one verdict per spec, in order; each carries its reason id (AWS_REASONS). */
export async function validateAws(clients: AwsClients, specs: readonly SecretSpec[], concurrency: number): Promise<Verdict[]> {
  const described = await mapLimit(specs, concurrency, (spec) => describe(clients, spec));
  const readable = specs.filter((_, i) => described[i] === undefined);
  const outcomes = await readAws(clients, readable, concurrency);
  return Promise.all(
    specs.map(async (spec, i): Promise<Verdict> => {
      const early = described[i];
      if (early) return early;
      const outcome = outcomes[readable.indexOf(spec)];
      if (!outcome) return { status: "skip", reason: "Not checked: no answer.", details: { reason: "secret.not-checked" } };
      if (!outcome.ok) return failed(outcome.error);
      const { data, apiPath, version } = outcome.value;
      const details: Verdict["details"] = { apiPath, ...(version !== undefined ? { version: String(version) } : {}) };
      const keys = Object.keys(data);
      const shown = version !== undefined ? ` (version ${String(version)})` : "";
      if (spec.selector.kind === "all") {
        if (keys.length === 0) return awsVerdict("aws.secret.no-keys", { path: spec.path }, details);
        const count = `, ${keys.length} key${keys.length === 1 ? "" : "s"}`;
        return awsVerdict("aws.secret.readable", { version: shown, keys: count }, details);
      }
      if ((await selectValue(data, spec.selector)) === undefined) {
        const key = spec.selector.kind === "key" ? spec.selector.key : spec.selector.text;
        return awsVerdict("aws.secret.key-missing", { key, path: spec.path, keys: keys.join(", ") || "no keys" }, details);
      }
      return awsVerdict("aws.secret.readable", { version: shown, keys: "" }, details);
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
    const what = describeRef(ref);
    if (out.DeletedDate) {
      const when = ` on ${new Date(out.DeletedDate).toISOString()}`;
      return awsVerdict("aws.read.scheduled-for-deletion", { what, when, id: ref.id }, details);
    }
    const stages = Object.entries(out.VersionIdsToStages ?? {});
    if (ref.versionId && !stages.some(([id]) => id === ref.versionId)) {
      return awsVerdict("aws.secret.no-version", { what, version: ref.versionId }, details);
    }
    if (ref.versionStage && !stages.some(([, s]) => s.includes(ref.versionStage ?? ""))) {
      return awsVerdict("aws.secret.no-stage", { what, stage: ref.versionStage }, details);
    }
    return undefined;
  } catch (error) {
    return failed(
      mapAwsReadError(error, {
        what: describeRef(ref),
        origin: spec.origin,
        roleArn: clients.roleArn,
        region: clients.region,
        action: "secretsmanager:DescribeSecret",
        resource: `the secret ${ref.id}`,
      }),
    );
  }
}
