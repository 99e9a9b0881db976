package io.vaultgate.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * Options turns the named parameters of the vaultgate steps into the environment the
 * `vaultgate` CLI reads (VAULTGATE_* variables), and rejects what it does not know.
 *
 * Why environment variables and not flags: every `sh` script of this library is a
 * constant string, so nothing a user passes — and no secret — is ever interpolated into
 * a shell script or an argv. The scripts refer to "$VAULTGATE_…" instead.
 *
 * Pure functions only (no pipeline steps), so they are @NonCPS and hold nothing across a
 * restart. None of the values handled here is a secret: the ID token is bound by
 * withCredentials and the vault secrets never reach Groovy.
 */
class Options {
    /** The npm package the steps install when nothing else is named: pinned, never a range. */
    static final String DEFAULT_CLI_PACKAGE = 'vaultgate@0.1.0'

    /**
     * The expected integrity (SRI sha512 of the tarball) of DEFAULT_CLI_PACKAGE; empty means
     * install-cli.sh asks the registry for the integrity it records for that version, on
     * every use, and holds the cached tarball to it.
     */
    static final String DEFAULT_CLI_INTEGRITY = ''

    /** Name of the variable the ID token credential is bound to (read by the CLI). */
    static final String TOKEN_VARIABLE = 'VAULTGATE_ID_TOKEN'

    /**
     * Name of the variable the AWS ID token credential (awsCredentialsId) is bound to: a
     * manifest's sources.aws names it (id-token: { variable: AWS_ID_TOKEN }). AWS wants a
     * token of its own audience (sts.amazonaws.com), so it is a second credential.
     */
    static final String AWS_TOKEN_VARIABLE = 'AWS_ID_TOKEN'

    /** Parameters shared by withVaultgate and vaultgateCheck, with the variable each sets. */
    static final Map<String, String> CONFIG_VARIABLES = [
        url      : 'VAULTGATE_URL',
        namespace: 'VAULTGATE_NAMESPACE',
        mount    : 'VAULTGATE_MOUNT',
        role     : 'VAULTGATE_ROLE',
        secrets  : 'VAULTGATE_SECRETS',
        manifest : 'VAULTGATE_MANIFEST',
        caCert   : 'VAULTGATE_CA_CERT',
        minMaskLength: 'VAULTGATE_MIN_MASK_LENGTH',
    ]

    static final List<String> COMMON_KEYS = ['credentialsId', 'awsCredentialsId', 'tokenType', 'cliPackage', 'cliIntegrity'] +
        (CONFIG_VARIABLES.keySet() as List<String>)

    /**
     * validate checks the parameters of `step`: unknown names (typos) and bad values are
     * errors that name the fix. Returns the error message, or null when all is well.
     */
    @NonCPS
    static String validate(String step, Map args, List<String> extraKeys) {
        List<String> known = COMMON_KEYS + extraKeys
        List<String> unknown = args.keySet().findAll { !(it in known) }.collect { it.toString() }
        if (unknown) {
            return "${step}: unknown parameter${unknown.size() == 1 ? '' : 's'} ${unknown.join(', ')}; " +
                "known parameters: ${known.sort().join(', ')}"
        }
        if (!args.credentialsId) {
            return "${step}: credentialsId is required: the ID of an OIDC Provider plugin credential " +
                "(\"OpenID Connect id token\" or \"… as file\") whose audience your vault role is bound to"
        }
        String type = args.tokenType == null ? 'string' : args.tokenType.toString()
        if (!(type in ['string', 'file'])) {
            return "${step}: tokenType must be 'string' (an \"OpenID Connect id token\" credential) " +
                "or 'file' (\"… as file\"), not '${type}'"
        }
        if (args.secrets != null && !(args.secrets instanceof CharSequence) && !(args.secrets instanceof List)) {
            return "${step}: secrets must be a string (\"PATH KEY | NAME ; …\") or a list of such strings"
        }
        return null
    }

    /** tokenType returns 'string' or 'file' (default 'string'). */
    @NonCPS
    static String tokenType(Map args) {
        return args.tokenType == null ? 'string' : args.tokenType.toString()
    }

    /** configEnv returns the VAULTGATE_* assignments for withEnv, in a stable order. */
    @NonCPS
    static List<String> configEnv(Map args) {
        List<String> env = ["VAULTGATE_ID_TOKEN_VARIABLE=${TOKEN_VARIABLE}".toString()]
        CONFIG_VARIABLES.each { String key, String variable ->
            def value = args[key]
            if (value == null || value == '') return
            String text = value instanceof List ? value.collect { it.toString() }.join(' ;\n') : value.toString()
            env << "${variable}=${text}".toString()
        }
        return env
    }

    /** installArgs returns the parameters for vaultgateInstall from a step's parameters. */
    @NonCPS
    static Map installArgs(Map args) {
        Map out = [:]
        if (args.cliPackage) out.package = args.cliPackage.toString()
        if (args.cliIntegrity) out.integrity = args.cliIntegrity.toString()
        return out
    }

    /** lastLine returns the last non-empty line of a step's stdout (the path a script printed). */
    @NonCPS
    static String lastLine(String text) {
        List<String> lines = text.tokenize('\n').collect { it.trim() }.findAll { it }
        return lines ? lines.last() : ''
    }
}
