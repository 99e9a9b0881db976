import io.vaultgate.jenkins.Options

/**
 * vaultgateCheck — the pre-deploy gate: proves that the job's identity logs in, the vault
 * answers, the token outlives the deploy and every required secret is readable, without
 * reading a value into the build. Archives the JSON report, records the JUnit report (one
 * test case per check, shown in the build's test results) and fails the build when a
 * required check fails.
 *
 *   vaultgateCheck(credentialsId: 'vault-oidc', url: 'https://vault.example.com',
 *                  mount: 'jwt-jenkins', role: 'deploy', minTtl: '15m',
 *                  secrets: 'secret/data/app/db password | DB_PASSWORD')
 *
 * Parameters: those of withVaultgate (credentialsId, awsCredentialsId, tokenType, url,
 * namespace, mount, role, secrets, manifest, caCert, cliPackage, cliIntegrity) and
 *   minTtl        the planned deploy duration, e.g. '15m': token and leases must last it
 *   issueDynamic  true: issue one credential per dynamic engine (revoked at once)
 *   report        JSON report, relative to the workspace (default vaultgate-check.json)
 *   junit         JUnit XML, relative to the workspace (default vaultgate-check.xml)
 * Returns 0 when every required check passed; otherwise the build fails with error().
 */
def call(Map args = [:]) {
    List<String> own = ['minTtl', 'issueDynamic', 'report', 'junit']
    String problem = Options.validate('vaultgateCheck', args, own)
    if (problem) {
        error(problem)
    }
    String report = args.report ? args.report.toString() : 'vaultgate-check.json'
    String junitFile = args.junit ? args.junit.toString() : 'vaultgate-check.xml'
    for (String path in [report, junitFile]) {
        if (path.startsWith('/') || path.contains('..')) {
            error("vaultgateCheck: report and junit must be paths inside the workspace, not '${path}'")
        }
    }
    Map config = args
    if (!args.manifest && !args.secrets && fileExists('vaultgate.yml')) {
        config = args + [manifest: 'vaultgate.yml']
    }
    String bin = vaultgateInstall(Options.installArgs(args))
    List<String> env = Options.configEnv(config) + [
        "PATH+VAULTGATE=${bin}".toString(),
        "VAULTGATE_CLI_BIN=${bin}".toString(),
        "VAULTGATE_CHECK_REPORT=${report}".toString(),
        "VAULTGATE_CHECK_JUNIT=${junitFile}".toString(),
        "VAULTGATE_CHECK_MIN_TTL=${args.minTtl ?: ''}".toString(),
        "VAULTGATE_CHECK_ISSUE_DYNAMIC=${args.issueDynamic ? 'true' : ''}".toString(),
    ]
    int status = 2
    withCredentials(tokenBindings(args)) {
        withEnv(env) {
            // The check's own CLI install goes when it ends, whatever its outcome.
            status = sh(label: 'vaultgate check', returnStatus: true, script: '''#!/bin/sh
status=0
vaultgate check --report "$VAULTGATE_CHECK_REPORT" --junit "$VAULTGATE_CHECK_JUNIT" \\
  ${VAULTGATE_CHECK_MIN_TTL:+--min-ttl "$VAULTGATE_CHECK_MIN_TTL"} ${VAULTGATE_CHECK_ISSUE_DYNAMIC:+--issue-dynamic} || status=$?
rm -rf "${VAULTGATE_CLI_BIN%/bin}"
exit $status
''')
        }
    }
    // The reports hold no secret value (names, paths, TTLs and outcomes only).
    if (fileExists(report)) {
        archiveArtifacts(artifacts: report, fingerprint: false)
    }
    if (fileExists(junitFile)) {
        junit(testResults: junitFile, allowEmptyResults: false)
    }
    if (status == 1) {
        error("vaultgateCheck: a required check failed; see the vaultgate test results and ${report}. Nothing was deployed.")
    }
    if (status != 0) {
        error("vaultgateCheck: the gate could not run (exit ${status}); see its message above.")
    }
    return status
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
