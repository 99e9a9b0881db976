/** main — the secrets action's main step: inputs → login and read (core) → outputs, env, files. */
import { exportSecrets, fetchSecretsForJob, handOver, readSecretsInputs, runStep } from "@vaultgate/github-actions";

await runStep(
  async (runner, platform) => {
    const inputs = readSecretsInputs(runner, process.cwd());
    const job = await fetchSecretsForJob(inputs, runner, platform);
    exportSecrets(runner, platform, job, inputs);
    handOver(runner, job);
  },
  { command: "github-secrets", errorOutput: "errorMessage" },
);
