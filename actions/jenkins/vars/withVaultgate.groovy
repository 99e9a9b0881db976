import com.cloudbees.groovy.cps.NonCPS
import io.vaultgate.jenkins.Options

/**
 * withVaultgate — runs its body with short-lived vault secrets, obtained with the job's own
 * OIDC identity (an OIDC Provider plugin credential), and revokes them when the body ends,
 * however it ends.
 *
 *   withVaultgate(credentialsId: 'vault-oidc', url: 'https://vault.example.com',
 *                 mount: 'jwt-jenkins', role: 'deploy',
 *                 secrets: 'secret/data/app/db password | DB_PASSWORD') {
 *       sh 'vaultgate exec -- ./deploy.sh'     // DB_PASSWORD in its env, its output masked
 *   }
 *
 * What happens, in order:
 *   1. vaultgateInstall puts the pinned, verified CLI on the agent (cached per agent).
 *   2. withCredentials binds the ID token credential (secret text, or file with
 *      tokenType: 'file') to $VAULTGATE_ID_TOKEN; Credentials Binding masks it.
 *   3. `vaultgate fetch` logs in and writes the secrets to a 0600 file in a private
 *      directory under $WORKSPACE_TMP (never the workspace, which archiving may pick up).
 *   4. The body runs with, in its environment: $VAULTGATE_ENV_FILE (that file), the CLI
 *      and `vaultgate-env` on PATH, and the VAULTGATE_* settings and the ID token, so a
 *      bare `vaultgate exec -- cmd` works with the same identity.
 *   5. finally: `vaultgate revoke` revokes the token and its leases and deletes the file;
 *      the private directory is removed.
 *
 * Why the secrets are not in the body's environment as Jenkins variables: withEnv would
 * need the values in Groovy, and Pipeline persists Groovy state (program.dat) and step
 * arguments (the flow graph) on the controller. Here the values go from the vault to a
 * 0600 file on the agent and from there into the processes that use them — never into a
 * Groovy variable, a script string or an argv. Commands reach them in one of two ways:
 *   sh 'vaultgate exec -- ./deploy.sh'  reads them again with the same identity, runs the
 *                                       command with them in its env and masks its output
 *                                       (every value, each line of multi-line values, and
 *                                       their encodings). Use this for anything that prints.
 *   sh 'vaultgate-env ./deploy.sh'      the exact values fetched in step 3, from the file,
 *                                       masked by `vaultgate exec --from-file` (no new login).
 *
 * maskPasswords: true (needs the Mask Passwords plugin) registers every value, and each
 * line of a multi-line value, with that plugin's maskPasswords step, which masks the
 * console line by line. That passes the values through the controller: the plugin keeps
 * them in the build's program state while the body runs. It is off by default for that
 * reason; prefer `vaultgate exec`.
 *
 * Parameters: credentialsId (required), tokenType ('string' | 'file'), url, namespace,
 * mount, role, secrets (String or List), manifest (default: vaultgate.yml when it exists
 * and no secrets are given), caCert, cliPackage, cliIntegrity, maskPasswords.
 * Returns the body's value.
 */
def call(Map args = [:], Closure body) {
    String problem = Options.validate('withVaultgate', args, ['maskPasswords'])
    if (problem) {
        error(problem)
    }
    if (args.maskPasswords != null && !(args.maskPasswords instanceof Boolean)) {
        error("withVaultgate: maskPasswords must be true or false, not '${args.maskPasswords}'")
    }
    if (args.maskPasswords) {
        // Without the plugin this fails here ("No such DSL method"), before any login and
        // before a value could be read.
        maskPasswords(varPasswordPairs: []) {}
    }
    Map config = args
    if (!args.manifest && !args.secrets && fileExists('vaultgate.yml')) {
        config = args + [manifest: 'vaultgate.yml']
    }
    String bin = vaultgateInstall(Options.installArgs(args))
    String runDir = sh(label: 'vaultgate: private directory', returnStdout: true, script: '''#!/bin/sh -e
base=${WORKSPACE_TMP:-${WORKSPACE:?withVaultgate needs a node (agent) with a workspace}@tmp}
mkdir -p "$base"
mktemp -d "$base/vaultgate.XXXXXX"
''').trim()
    List<String> paths = [
        "PATH+VAULTGATE=${bin}".toString(),
        "VAULTGATE_RUN_DIR=${runDir}".toString(),
        "VAULTGATE_ENV_FILE=${runDir}/secrets.sh".toString(),
    ]
    def result = null
    try {
        withCredentials([tokenBinding(Options.tokenType(args), args.credentialsId.toString())]) {
            withEnv(Options.configEnv(config) + paths) {
                sh(label: 'vaultgate fetch',
                    script: 'vaultgate fetch --format shell --out "$VAULTGATE_ENV_FILE" --state "$VAULTGATE_RUN_DIR/state.json"')
                if (args.maskPasswords) {
                    // The values go straight from the file into the plugin's step, never into a
                    // variable of this script.
                    maskPasswords(varPasswordPairs: maskPairs(readFile(file: "${runDir}/secrets.sh", encoding: 'UTF-8'))) {
                        result = body()
                    }
                } else {
                    result = body()
                }
            }
        }
    } finally {
        withEnv(paths) {
            int status = sh(label: 'vaultgate revoke', returnStatus: true, script: '''#!/bin/sh
status=0
if [ -f "$VAULTGATE_RUN_DIR/state.json" ]; then
  vaultgate revoke --state "$VAULTGATE_RUN_DIR/state.json" || status=$?
fi
rm -rf "$VAULTGATE_RUN_DIR"
exit $status
''')
            if (status != 0) {
                echo "withVaultgate: revocation failed (exit ${status}): the vault token lives until its TTL ends; see the message above."
                if (currentBuild.result == null || currentBuild.result == 'SUCCESS') {
                    currentBuild.result = 'UNSTABLE'
                }
            }
        }
    }
    return result
}

/** tokenBinding binds the OIDC Provider credential to $VAULTGATE_ID_TOKEN. */
def tokenBinding(String type, String credentialsId) {
    if (type == 'file') {
        return file(credentialsId: credentialsId, variable: Options.TOKEN_VARIABLE)
    }
    return string(credentialsId: credentialsId, variable: Options.TOKEN_VARIABLE)
}

/**
 * maskPairs turns the fetched file (`export NAME='value'` lines, ' written as '\'') into
 * Mask Passwords pairs: each value, and each line of a multi-line value on its own,
 * because that plugin matches line by line. Lines shorter than 4 characters are left
 * out so that a `{` line does not mask every brace of the log (as vaultgate's masker).
 */
@NonCPS
List<Map> maskPairs(String text) {
    List<Map> pairs = []
    int at = 0
    while (true) {
        int start = text.indexOf('export ', at)
        if (start < 0) break
        int eq = text.indexOf("='", start)
        String name = text.substring(start + 7, eq)
        StringBuilder value = new StringBuilder()
        int i = eq + 2
        while (true) {
            int quote = text.indexOf("'", i)
            value.append(text, i, quote)
            if (text.startsWith("'\\''", quote)) {
                value.append("'")
                i = quote + 4
            } else {
                at = quote + 1
                break
            }
        }
        String secret = value.toString()
        if (secret.trim()) pairs << [var: name, password: secret]
        List<String> lines = secret.readLines()
        if (lines.size() > 1) {
            lines.eachWithIndex { String line, int n ->
                if (line.trim().length() >= 4) pairs << [var: "${name}_LINE${n + 1}".toString(), password: line]
            }
        }
    }
    return pairs
}
