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
 *   1. vaultgateInstall puts the pinned CLI, verified again for this build, in a private
 *      directory (the tarball is cached per agent; the install is this block's own).
 *   2. withCredentials binds the ID token credential (secret text, or file with
 *      tokenType: 'file') to $VAULTGATE_ID_TOKEN; Credentials Binding masks it.
 *   3. `vaultgate fetch` logs in and writes the secrets to a 0600 file in a private
 *      directory under $WORKSPACE_TMP (never the workspace, which archiving may pick up).
 *   4. The body runs with, in its environment: $VAULTGATE_ENV_FILE (that file), the CLI
 *      and `vaultgate-env` on PATH, and the VAULTGATE_* settings and the ID token, so a
 *      bare `vaultgate exec -- cmd` works with the same identity.
 *   5. finally: `vaultgate revoke` revokes the token and its leases and deletes the file;
 *      the private directory and the block's CLI install are removed.
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
 * maskPasswords is refused: the Mask Passwords plugin's step takes the values as step
 * arguments, and Pipeline stores step arguments on the controller (the flow graph,
 * program.dat), so the option would copy every secret there. Masking happens on the
 * agent instead, in the process that prints: `vaultgate exec` and `vaultgate-env`.
 *
 * Parameters: credentialsId (required), awsCredentialsId (a second OIDC Provider
 * credential, audience sts.amazonaws.com, bound to $AWS_ID_TOKEN for a manifest's
 * sources.aws), tokenType ('string' | 'file', both credentials), url, namespace,
 * mount, role, secrets (String or List), manifest (default: vaultgate.yml when it exists
 * and no secrets are given), caCert, minMaskLength, cliPackage, cliIntegrity.
 * Returns the body's value.
 */
def call(Map args = [:], Closure body) {
    String problem = Options.validate('withVaultgate', args, ['maskPasswords'])
    if (problem) {
        error(problem)
    }
    if (args.maskPasswords != null && args.maskPasswords != false) {
        error('withVaultgate: maskPasswords is not supported: the Mask Passwords step takes the values as step ' +
            'arguments, which Pipeline stores on the controller. Run what prints secrets through ' +
            "`vaultgate exec -- cmd` or `vaultgate-env cmd`: they mask its output on the agent.")
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
        "VAULTGATE_CLI_BIN=${bin}".toString(),
        "VAULTGATE_RUN_DIR=${runDir}".toString(),
        "VAULTGATE_ENV_FILE=${runDir}/secrets.sh".toString(),
    ]
    def result = null
    try {
        withCredentials(tokenBindings(args)) {
            withEnv(Options.configEnv(config) + paths) {
                sh(label: 'vaultgate fetch',
                    script: 'vaultgate fetch --format shell --out "$VAULTGATE_ENV_FILE" --state "$VAULTGATE_RUN_DIR/state.json"')
                result = body()
            }
        }
    } finally {
        withEnv(paths) {
            int status = sh(label: 'vaultgate revoke', returnStatus: true, script: '''#!/bin/sh
status=0
if [ -f "$VAULTGATE_RUN_DIR/state.json" ]; then
  vaultgate revoke --state "$VAULTGATE_RUN_DIR/state.json" || status=$?
fi
rm -rf "$VAULTGATE_RUN_DIR" "${VAULTGATE_CLI_BIN%/bin}"
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

/**
 * tokenBindings binds the OIDC Provider credential to $VAULTGATE_ID_TOKEN and, with
 * awsCredentialsId, the AWS one (audience sts.amazonaws.com) to $AWS_ID_TOKEN.
 */
def tokenBindings(Map args) {
    String type = Options.tokenType(args)
    List bindings = [tokenBinding(type, args.credentialsId.toString(), Options.TOKEN_VARIABLE)]
    if (args.awsCredentialsId) {
        bindings << tokenBinding(type, args.awsCredentialsId.toString(), Options.AWS_TOKEN_VARIABLE)
    }
    return bindings
}

/** tokenBinding binds one ID token credential (secret text, or a file with tokenType: 'file') to `variable`. */
def tokenBinding(String type, String credentialsId, String variable) {
    if (type == 'file') {
        return file(credentialsId: credentialsId, variable: variable)
    }
    return string(credentialsId: credentialsId, variable: variable)
}
