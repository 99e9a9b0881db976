/**
 * ldap — a real LDAP server for the suites that log in through OpenBao's ldap auth
 * method: ldaptor (PyPI), installed once into a virtualenv cached outside the repository
 * (test/servers/install-ldaptor.sh) and run by test/servers/ldap-server.py on a free
 * loopback port, serving a tree of users under ou=users,dc=example,dc=org whose
 * passwords the suite generates. A missing or uninstallable ldaptor is an error, never a
 * skip.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stopProcess } from "./processes.js";
import { runSetupScript } from "./setup-script.js";

const INSTALL_SCRIPT = fileURLToPath(new URL("../servers/install-ldaptor.sh", import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL("../servers/ldap-server.py", import.meta.url));

/** LDAP_USERS_DN is where the served users live (OpenBao's ldap `userdn`, with `userattr` uid). */
export const LDAP_USERS_DN = "ou=users,dc=example,dc=org";

/** ensureLdaptor returns the python of ldaptor's virtualenv, installing it on first use. */
export function ensureLdaptor(): Promise<string> {
  return runSetupScript({
    script: INSTALL_SCRIPT,
    what: "ldaptor",
    verb: "installed",
    override: "VAULTGATE_LDAPTOR_PYTHON",
    timeoutMs: 15 * 60_000,
  });
}

/** LdapServer is a running LDAP server. */
export interface LdapServer {
  /** url is `ldap://127.0.0.1:<port>`. */
  url: string;
  stop(): Promise<void>;
}

/** startLdap serves `users` (uid → password) on a free loopback port. */
export async function startLdap(users: Readonly<Record<string, string>>): Promise<LdapServer> {
  const python = await ensureLdaptor();
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-ldap-"));
  const tree = join(dir, "tree.ldif");
  const entries = [
    "dn: dc=example,dc=org\nobjectClass: dcObject\ndc: example",
    `dn: ${LDAP_USERS_DN}\nobjectClass: organizationalUnit\nou: users`,
    ...Object.entries(users).map(
      ([uid, password]) =>
        `dn: uid=${uid},${LDAP_USERS_DN}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\nuserPassword: ${password}`,
    ),
  ];
  writeFileSync(tree, `${entries.join("\n\n")}\n\n`, { mode: 0o600 });
  const child = spawn(python, [SERVER_SCRIPT, tree], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<string | undefined>((resolve) => {
    let text = "";
    const timer = setTimeout(() => resolve(undefined), 30_000);
    child.stdout.on("data", (c: Buffer) => {
      text += c.toString();
      const line = /^(\d+)\n/.exec(text);
      if (line) {
        clearTimeout(timer);
        resolve(line[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  if (port === undefined) {
    await stop();
    throw new Error(`the LDAP server did not start:\n${output}`);
  }
  return { url: `ldap://127.0.0.1:${port}`, stop };
}
