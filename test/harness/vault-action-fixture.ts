/**
 * vault-action-fixture — the vault hashicorp/vault-action's integration suites set up
 * (basic, e2e, e2e-tls), laid out again in a namespace of its own on the real OpenBao:
 * the same mounts, paths and keys, with values generated for this run. Its suites then
 * run actions/secrets from dist/ with the inputs a vault-action step would have.
 */
import { generateKeyPairSync } from "node:crypto";
import { freshNamespace, randomSecret, type VaultAdmin, type VaultFixture } from "./vault-setup.js";

/** VaultActionFixture is the configured namespace: its admin, the values, and the login material. */
export interface VaultActionFixture {
  admin: VaultAdmin;
  namespace: string;
  /** A token with the reader policy whose cubbyhole holds cubbyhole/test (vault-action's `token` cases). */
  token: string;
  values: Record<string, string>;
  userpass: { username: string; password: string };
  approle: { roleId: string; secretId: string };
  /** RSA key whose public half validates JWTs on auth/jwt (jwtPrivateKey cases), PEM. */
  jwtKey: { privatePem: string; publicPem: string };
}

const READER = `
path "*" { capabilities = ["read", "list"] }
path "pki/issue/*" { capabilities = ["update"] }
`;

/** setUpVaultAction creates the namespace and everything vault-action's suites write into a vault. */
export async function setUpVaultAction(root: VaultAdmin, vault: VaultFixture): Promise<VaultActionFixture> {
  const admin = await freshNamespace(root, "vault-action");
  const ns = admin.namespace ?? "";
  const v: Record<string, string> = {};
  for (const name of [
    "secret",
    "dotFoo",
    "multiDot",
    "otherDash",
    "otherSecret",
    "fookv2",
    "custom",
    "fookv1",
    "otherCustom",
    "alt",
    "otherAlt",
    "foo",
    "zip",
    "subsequent",
    "userpass",
    "approle",
    "encoded",
  ])
    v[name] = randomSecret();
  v.jsonString = JSON.stringify({ x: 1, y: randomSecret(6) });
  v.jsonStringMultiline = `{"x": 1, "y": "q\\n${randomSecret(6)}"}`;
  const jsonData = { x: 1, y: randomSecret(6) };
  v.jsonData = JSON.stringify(jsonData);

  await admin.call("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
  const kv2: Record<string, Record<string, unknown>> = {
    test: { secret: v.secret },
    "test-with-dot-char": { "secret.foo": v.dotFoo },
    "test-with-multi-dot-chars": { "secret.foo.bar": v.multiDot },
    // basic's nested/test and e2e's nested/test, one secret with both keys.
    "nested/test": { "other-Secret-dash": v.otherDash, otherSecret: v.otherSecret },
    foobar: { fookv2: v.fookv2 },
    "test-json-string": { jsonString: v.jsonString },
    "test-json-data": { jsonData },
    "test-json-string-multiline": { jsonStringMultiline: v.jsonStringMultiline },
    "subsequent-test": { secret: v.subsequent },
    "userpass-test": { secret: v.userpass },
    "approle-test": { secret: v.approle },
    tlsSkipVerify: { skip: "true" },
    encoded: { base64: Buffer.from(v.encoded!).toString("base64"), hex: Buffer.from(v.encoded!).toString("hex") },
  };
  for (const [path, data] of Object.entries(kv2)) await admin.putKv2("secret", path, data);
  for (const mount of ["secret-kv1", "my-secret"]) await admin.call("POST", `sys/mounts/${mount}`, { type: "kv" });
  await admin.call("POST", "secret-kv1/test", { secret: v.custom });
  await admin.call("POST", "secret-kv1/foobar", { fookv1: v.fookv1 });
  await admin.call("POST", "secret-kv1/nested/test", { "other-Secret-dash": v.otherCustom });
  await admin.call("POST", "my-secret/test", { altSecret: v.alt });
  await admin.call("POST", "my-secret/nested/test", { otherAltSecret: v.otherAlt });

  await admin.call("POST", "sys/mounts/pki", { type: "pki", config: { max_lease_ttl: "24h" } });
  await admin.call("POST", "pki/root/generate/internal", { common_name: "test", ttl: "24h" });
  await admin.call("POST", "pki/roles/Test", { allowed_domains: ["test"], allow_bare_domains: true, max_ttl: "1h" });

  await admin.call("PUT", "sys/policies/acl/reader", { policy: READER });
  const created = await admin.call("POST", "auth/token/create", { policies: ["reader"], ttl: "1h" });
  const token = (created.auth as { client_token: string }).client_token;
  await admin.call("POST", "cubbyhole/test", { foo: v.foo, zip: v.zip }, token);

  const userpass = { username: "testUsername", password: randomSecret() };
  await admin.call("POST", "sys/auth/userpass", { type: "userpass" });
  await admin.call("POST", `auth/userpass/users/${userpass.username}`, { password: userpass.password, policies: "reader" });

  await admin.call("POST", "sys/auth/approle", { type: "approle" });
  await admin.call("POST", "auth/approle/role/my-role", { token_policies: ["reader"], token_ttl: "5m" });
  const roleId = String(((await admin.call("GET", "auth/approle/role/my-role/role-id")).data as { role_id: string }).role_id);
  const secretId = String(
    ((await admin.call("POST", "auth/approle/role/my-role/secret-id")).data as { secret_id: string }).secret_id,
  );

  // auth/jwt validates both a JWT signed with this key (jwtPrivateKey) and the GitHub stand-in's ID tokens.
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwtKey = {
    privatePem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
  await admin.call("POST", "sys/auth/jwt", { type: "jwt" });
  await admin.call("POST", "auth/jwt/config", {
    jwt_validation_pubkeys: [jwtKey.publicPem, vault.issuers.github.publicPem],
    default_role: "default",
  });
  const role = (body: Record<string, unknown>) => ({ role_type: "jwt", token_policies: ["reader"], token_ttl: 300, ...body });
  await admin.call("POST", "auth/jwt/role/default", role({ bound_claims: { iss: "vault-action" }, user_claim: "iss" }));
  await admin.call(
    "POST",
    "auth/jwt/role/default-oidc",
    role({ bound_audiences: ["https://github.com/acme"], bound_claims: { repository: "acme/app" }, user_claim: "sub" }),
  );
  await admin.call(
    "POST",
    "auth/jwt/role/default-sigstore",
    role({ bound_audiences: ["sigstore"], bound_claims: { repository: "acme/app" }, user_claim: "sub" }),
  );
  return { admin, namespace: ns, token, values: v, userpass, approle: { roleId, secretId }, jwtKey };
}
