import io.vaultgate.jenkins.Options

/**
 * vaultgateInstall — makes the `vaultgate` CLI available on the current agent and returns
 * the directory holding `vaultgate` and `vaultgate-env` (add it to PATH with
 * withEnv(["PATH+VAULTGATE=${dir}"])). withVaultgate and vaultgateCheck call it for you.
 *
 * The package is pinned: Options.DEFAULT_CLI_PACKAGE, unless `package` (or the agent's
 * VAULTGATE_CLI_PACKAGE, with VAULTGATE_CLI_INTEGRITY) names another spec. Every call
 * verifies it again: the tarball — fetched with npm once per agent and cached under
 * ${VAULTGATE_CACHE_DIR:-~/.cache/vaultgate}/cli — is copied into a new private directory
 * under WORKSPACE_TMP, its sha512 compared with `integrity` (or, for a registry package at
 * an exact version given without one, with the registry's record), and only then
 * installed there with --ignore-scripts. A cached tarball that no longer matches stops the
 * build before anything of it runs. Each call returns a new directory; withVaultgate and
 * vaultgateCheck delete theirs when they end.
 * See resources/io/vaultgate/jenkins/install-cli.sh for every step.
 *
 *   vaultgateInstall()                                        // the pinned release
 *   vaultgateInstall(package: 'vaultgate@0.1.0', integrity: 'sha512-…')
 *   vaultgateInstall(package: '/opt/mirror/vaultgate-0.1.0.tgz', integrity: 'sha512-…')
 */
def call(Map args = [:]) {
    List<String> unknown = args.keySet().findAll { !(it in ['package', 'integrity']) }.collect { it.toString() }
    if (unknown) {
        error("vaultgateInstall: unknown parameter ${unknown.join(', ')}; known parameters: integrity, package")
    }
    // A `package` parameter wins; else the agent's VAULTGATE_CLI_PACKAGE (an administrator's
    // mirror), else the pinned default. An expected integrity belongs to its own spec only.
    String spec
    String integrity
    if (args.package) {
        spec = args.package.toString()
        integrity = args.integrity ? args.integrity.toString() : ''
    } else if (env.VAULTGATE_CLI_PACKAGE) {
        spec = env.VAULTGATE_CLI_PACKAGE
        integrity = args.integrity ? args.integrity.toString() : (env.VAULTGATE_CLI_INTEGRITY ?: '')
    } else {
        spec = Options.DEFAULT_CLI_PACKAGE
        integrity = args.integrity ? args.integrity.toString() : Options.DEFAULT_CLI_INTEGRITY
    }
    String out = ''
    withEnv(["VAULTGATE_CLI_PACKAGE=${spec}".toString(), "VAULTGATE_CLI_INTEGRITY=${integrity}".toString()]) {
        out = sh(label: 'vaultgate: install the CLI', returnStdout: true,
            script: libraryResource('io/vaultgate/jenkins/install-cli.sh'))
    }
    String dir = Options.lastLine(out)
    if (!dir.startsWith('/') || !dir.endsWith('/bin')) {
        error("vaultgateInstall: the installer printed no directory (got '${dir}'); see its messages above.")
    }
    return dir
}
