/**
 * @vaultgate/devvault — the embedded dev vault: the subset of the Vault/OpenBao HTTP API
 * vaultgate uses, and a local OIDC issuer, in one loopback server for laptops, demos
 * and tests. See docs/devvault.md for what it implements and what it does not.
 */
export { DevVault, startDevVault, type DevVaultOptions } from "./devvault.js";
export type { RequestEvent } from "./server/http.js";
export {
  DevIssuer,
  generateIssuerKey,
  PLATFORMS,
  type IssuerKeyMaterial,
  type IdentityContexts,
  type PlatformShape,
  type SignOptions,
} from "./issuer/issuer.js";
export { ISSUER_BASE } from "./issuer/routes.js";
export {
  githubClaims,
  gitlabClaims,
  jenkinsClaims,
  type GitHubContext,
  type GitLabContext,
  type JenkinsContext,
} from "./issuer/claims.js";
export { parseSeed, loadSeedFile } from "./seed/load.js";
export { validateSeed, type Seed, type NamespaceSeed, type AuthSeed, type SecretsSeed, type PolicySeed } from "./seed/schema.js";
export { DEFAULT_SEED, DEV_AUDIENCE, DEV_ROLE, DEV_ROLES } from "./seed/default.js";
export { parsePolicy, type PolicyRule, type Capability } from "./policy/parse.js";
export { Acl, type Operation } from "./policy/acl.js";
export { globMatch } from "./auth/bound-claims.js";
export { VERSION } from "./version.js";
