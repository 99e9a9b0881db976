/** post — the secrets action's post step: revoke the token and leases, remove the files; warn, never fail. */
import { revokeForPost, runStep } from "@vaultgate/github-actions";

await runStep((runner, platform) => revokeForPost(runner, platform), { onError: "warning", command: "github-secrets-post" });
