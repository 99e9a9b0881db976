/** @vaultgate/test-harness — the real servers and helpers the suites share. */
export * from "./issuer.js";
export * from "./vault-setup.js";
export * from "./fault-proxy.js";
export * from "./openbao.js";
export * from "./ports.js";
export * from "./platform.js";
export * from "./github-oidc.js";
export * from "./cli.js";
export * from "./schema.js";
export * from "./github-actions.js";
export * from "./tls.js";
export * from "./jenkins-pipeline.js";
export * from "./job-env.js";
export * from "./github-api.js";
export * from "./gitlab-api.js";
export * from "./raft-cluster.js";
export * from "./load-jobs.js";
