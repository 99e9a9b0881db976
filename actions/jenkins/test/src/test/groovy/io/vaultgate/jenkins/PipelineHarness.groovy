package io.vaultgate.jenkins

import com.lesfurets.jenkins.unit.BasePipelineTest
import com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration
import com.lesfurets.jenkins.unit.global.lib.LocalSource
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import org.junit.After
import org.junit.Before
import org.junit.Rule
import org.junit.rules.TestName

import java.nio.file.FileVisitResult
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.SimpleFileVisitor
import java.nio.file.StandardCopyOption
import java.nio.file.attribute.BasicFileAttributes
import java.nio.file.attribute.PosixFilePermission
import java.util.concurrent.TimeUnit

/**
 * PipelineHarness runs Jenkinsfiles and the vaultgate library's steps under
 * JenkinsPipelineUnit with the pipeline steps stubbed the way Jenkins behaves — except
 * `sh`, which really runs its script on this machine (`sh -xe`, or the script's own
 * interpreter when it starts with #!), so the library drives the real CLI against the
 * real vault the integration suite started.
 *
 * What Jenkins would show or keep is recorded as evidence, written after each test to
 * $VAULTGATE_TEST_OUT/<Class>.<test>.json for the vitest side to check against the secret
 * values (which this JVM is never given): the console (masked as Credentials Binding and
 * Mask Passwords mask it), every `sh` script string, every call the pipeline made with its
 * arguments, what `sh` returned to Groovy, and the sessions (token accessor and lease IDs
 * read from the library's state file) that withVaultgate opened.
 *
 * Inputs (environment): VAULTGATE_TEST_VAULT_ADDR, VAULTGATE_TEST_ID_TOKEN (the OIDC
 * Provider credential 'vault-oidc'), VAULTGATE_TEST_AWS_ID_TOKEN (the credential 'aws-oidc',
 * audience sts.amazonaws.com), VAULTGATE_TEST_AWS_ROLE_ARN and VAULTGATE_TEST_AWS_ENDPOINT
 * (the agent's AWS_ROLE_ARN and AWS_ENDPOINT_URL_TEST, for the suite's moto),
 * VAULTGATE_TEST_CLI_PACKAGE and _INTEGRITY (the CLI
 * tarball, set as the agent's VAULTGATE_CLI_PACKAGE), VAULTGATE_TEST_CACHE_DIR,
 * VAULTGATE_TEST_OUT.
 */
abstract class PipelineHarness extends BasePipelineTest {
    static final File LIBRARY = new File(System.getProperty('vaultgate.library', '..')).canonicalFile
    static final File PIPELINES = new File(System.getProperty('vaultgate.pipelines', 'pipelines')).canonicalFile
    static final File WORK = new File(System.getProperty('vaultgate.work', 'target/work')).canonicalFile

    @Rule
    public TestName testName = new TestName()

    /** Credentials by ID, as the Jenkins credential store would hold them. */
    final Map<String, String> credentials = [:]

    final StringBuilder console = new StringBuilder()
    final List<String> scripts = []
    final List<Map> shReturns = []
    final List<Map> readFiles = []
    final List<Map> sessions = []
    final List<Map> archived = []
    final List<Map> junitResults = []
    final Map<String, Object> observed = [:]
    String failure = null
    boolean recordCalls = true

    final List<String> credentialMasks = []
    final List<List<String>> maskPasswordsStack = []
    final Map<String, String> env = [:]
    final Map<String, Object> currentBuild = [result: null]
    File testDir
    File workspace

    static String required(String name) {
        String value = System.getenv(name)
        if (!value) throw new IllegalStateException("${name} is not set: run these tests through test/integration/jenkins-library.test.ts")
        return value
    }

    /** deleteTree removes a directory tree without ever following a symbolic link out of it. */
    static void deleteTree(File dir) {
        if (!Files.exists(dir.toPath())) return
        Files.walkFileTree(dir.toPath(), new SimpleFileVisitor<Path>() {
            @Override
            FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                Files.delete(file)
                return FileVisitResult.CONTINUE
            }

            @Override
            FileVisitResult postVisitDirectory(Path d, IOException e) {
                Files.delete(d)
                return FileVisitResult.CONTINUE
            }
        })
    }

    /** copyTree copies the library's folders, as Jenkins checks a library out for a build. */
    static void copyTree(File from, File to) {
        Path source = from.toPath()
        Files.walkFileTree(source, new SimpleFileVisitor<Path>() {
            @Override
            FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                Files.createDirectories(to.toPath().resolve(source.relativize(d).toString()))
                return FileVisitResult.CONTINUE
            }

            @Override
            FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                Files.copy(file, to.toPath().resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES)
                return FileVisitResult.CONTINUE
            }
        })
    }

    @Before
    @Override
    void setUp() throws Exception {
        testDir = new File(WORK, "${getClass().simpleName}.${testName.methodName}")
        deleteTree(testDir)
        testDir.mkdirs()
        // LocalSource wants <dir>/<name>@<version>: a copy of vars/, src/ and resources/.
        File libs = new File(testDir, 'libs')
        ['vars', 'src', 'resources'].each { copyTree(new File(LIBRARY, it), new File(libs, "vaultgate@local/${it}")) }

        scriptRoots = [PIPELINES.path] as String[]
        scriptExtension = 'jenkinsfile'
        super.setUp()
        helper.registerSharedLibrary(LibraryConfiguration.library()
            .name('vaultgate')
            .defaultVersion('local')
            .allowOverride(false)
            .implicit(false)
            .targetPath(new File(testDir, 'lib-target').path)
            .retriever(LocalSource.localSource(libs.path))
            .build())

        credentials['vault-oidc'] = required('VAULTGATE_TEST_ID_TOKEN')
        credentials['aws-oidc'] = required('VAULTGATE_TEST_AWS_ID_TOKEN')
        env.putAll(agentEnv())
        binding.setVariable('env', env)
        binding.setVariable('currentBuild', currentBuild)
        binding.setVariable('scm', [$class: 'GitSCM'])
        binding.setVariable('any', 'any')
        registerSteps()
    }

    /** agentEnv is the environment of the agent and build, as Jenkins sets it. */
    Map<String, String> agentEnv() {
        Map<String, String> e = [:]
        System.getenv().each { k, v -> if (!k.startsWith('VAULTGATE_') && !k.startsWith('MAVEN_')) e[k] = v }
        e.putAll([
            JENKINS_URL            : 'https://jenkins.example.com/',
            JOB_NAME               : 'app/deploy',
            JOB_URL                : 'https://jenkins.example.com/job/app/job/deploy/',
            BUILD_NUMBER           : '17',
            BUILD_TAG              : 'jenkins-app-deploy-17',
            VAULT_ADDR             : required('VAULTGATE_TEST_VAULT_ADDR'),
            // What an administrator sets on agents that install from a mirror (here: the tarball).
            VAULTGATE_CLI_PACKAGE  : required('VAULTGATE_TEST_CLI_PACKAGE'),
            VAULTGATE_CLI_INTEGRITY: required('VAULTGATE_TEST_CLI_INTEGRITY'),
            VAULTGATE_CACHE_DIR    : required('VAULTGATE_TEST_CACHE_DIR'),
            // What a manifest with an AWS source reads from the agent (vaultgate-aws.yml).
            AWS_ROLE_ARN           : required('VAULTGATE_TEST_AWS_ROLE_ARN'),
            AWS_ENDPOINT_URL_TEST  : required('VAULTGATE_TEST_AWS_ENDPOINT'),
        ])
        return e
    }

    void registerSteps() {
        helper.registerAllowedMethod('node', [Closure], { Closure c -> onNode(c) })
        helper.registerAllowedMethod('node', [String, Closure], { String label, Closure c -> onNode(c) })
        helper.registerAllowedMethod('checkout', [Map], { Map s -> checkoutApp() })
        helper.registerAllowedMethod('checkout', [Object], { s -> checkoutApp() })
        helper.registerAllowedMethod('sh', [String], { String s -> runSh([script: s]) })
        helper.registerAllowedMethod('sh', [Map], { Map m -> runSh(m) })
        helper.registerAllowedMethod('echo', [String], { String s -> log("${s}\n") })
        helper.registerAllowedMethod('error', [String], { String s -> throw new PipelineAbort(s) })
        helper.registerAllowedMethod('withEnv', [List, Closure], { List l, Closure c -> withEnvStub(l, c) })
        helper.registerAllowedMethod('string', [Map], { Map m -> [binding: 'string'] + m })
        helper.registerAllowedMethod('file', [Map], { Map m -> [binding: 'file'] + m })
        helper.registerAllowedMethod('withCredentials', [List, Closure], { List l, Closure c -> withCredentialsStub(l, c) })
        helper.registerAllowedMethod('fileExists', [String], { String p -> resolve(p).exists() })
        helper.registerAllowedMethod('readFile', [Map], { Map m -> readFileStub(m.file.toString()) })
        helper.registerAllowedMethod('readFile', [String], { String p -> readFileStub(p) })
        helper.registerAllowedMethod('archiveArtifacts', [Map], { Map m -> archiveStub(m) })
        helper.registerAllowedMethod('junit', [Map], { Map m -> junitStub(m) })
        // A minimal declarative runtime: `agent any` allocates a node and checks out scm.
        helper.registerAllowedMethod('pipeline', [Closure], { Closure c -> onNode({ checkoutApp(); c() }) })
        helper.registerAllowedMethod('agent', [String], { a -> null })
        helper.registerAllowedMethod('agent', [Object], { a -> null })
        helper.registerAllowedMethod('stages', [Closure], { Closure c -> c() })
        helper.registerAllowedMethod('stage', [String, Closure], { String n, Closure c -> log("[Pipeline] stage ${n}\n"); c() })
        helper.registerAllowedMethod('steps', [Closure], { Closure c -> c() })
        helper.registerAllowedMethod('script', [Closure], { Closure c -> c() })
    }

    /** installMaskPasswords makes the Mask Passwords plugin's step available. */
    void installMaskPasswords() {
        helper.registerAllowedMethod('maskPasswords', [Map, Closure], { Map m, Closure c -> maskPasswordsStub(m, c) })
    }

    /** runPipeline runs pipelines/<name>.jenkinsfile, recording a failure instead of throwing. */
    void runPipeline(String name) {
        try {
            runScript("${name}.jenkinsfile")
            if (currentBuild.result == null) currentBuild.result = 'SUCCESS'
        } catch (MissingMethodException t) {
            // Jenkins names an unknown step without its arguments (java.lang.NoSuchMethodError).
            currentBuild.result = 'FAILURE'
            failure = "No such DSL method '${t.method}' found among steps".toString()
            log("ERROR: ${failure}\n")
        } catch (Throwable t) {
            currentBuild.result = 'FAILURE'
            failure = t.message ?: t.class.name
            log("ERROR: ${failure}\n")
        }
    }

    String getResult() {
        return currentBuild.result
    }

    // ---- steps ---------------------------------------------------------------------------

    def onNode(Closure c) {
        workspace = new File(testDir, 'workspace')
        workspace.mkdirs()
        Map<String, String> saved = new LinkedHashMap<>(env)
        env.WORKSPACE = workspace.path
        env.WORKSPACE_TMP = "${workspace.path}@tmp".toString()
        env.NODE_NAME = 'agent-1'
        try {
            return c.call()
        } finally {
            env.clear()
            env.putAll(saved)
        }
    }

    void checkoutApp() {
        new File(PIPELINES, 'app').eachFile { File f ->
            File to = new File(workspace, f.name)
            Files.copy(f.toPath(), to.toPath(), StandardCopyOption.REPLACE_EXISTING)
            to.setExecutable(f.canExecute())
        }
    }

    File resolve(String path) {
        File f = new File(path)
        return f.absolute ? f : new File(workspace ?: testDir, path)
    }

    def runSh(Map m) {
        String script = m.script.toString()
        scripts << script
        log("[Pipeline] sh${m.label ? " (${m.label})" : ''}\n")
        File control = new File(workspace ? "${workspace.path}@tmp" : testDir.path, 'durable')
        control.mkdirs()
        File file = File.createTempFile('script', '.sh', control)
        file.text = script
        List<String> command
        if (script.startsWith('#!')) {
            file.setExecutable(true)
            command = [file.path]
        } else {
            command = ['sh', '-xe', file.path]
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workspace ?: testDir)
        pb.environment().clear()
        pb.environment().putAll(env)
        boolean returnStdout = m.returnStdout == true
        if (!returnStdout) pb.redirectErrorStream(true)
        Process p = pb.start()
        p.outputStream.close()
        StringBuffer err = new StringBuffer()
        Thread errReader = null
        if (returnStdout) {
            errReader = Thread.start { err.append(p.errorStream.getText('UTF-8')) }
        }
        String out = p.inputStream.getText('UTF-8')
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw new PipelineAbort('sh: script timed out')
        }
        errReader?.join()
        int code = p.exitValue()
        file.delete()
        observeSession()
        if (returnStdout) {
            log(err.toString())
            shReturns << [script: script, stdout: out, code: code]
            if (code != 0) throw new PipelineAbort("script returned exit code ${code}")
            return out
        }
        log(out)
        if (m.returnStatus == true) return code
        if (code != 0) throw new PipelineAbort("script returned exit code ${code}")
        return null
    }

    /** observeSession notes the token accessor and leases of a live withVaultgate run. */
    void observeSession() {
        String dir = env.VAULTGATE_RUN_DIR
        if (!dir) return
        File state = new File(dir, 'state.json')
        if (!state.exists()) return
        def parsed = new JsonSlurper().parse(state)
        File envFile = new File(env.VAULTGATE_ENV_FILE)
        Map session = [
            runDir     : dir,
            envFile    : envFile.path,
            envFileMode: envFile.exists() ? Files.getPosixFilePermissions(envFile.toPath()).collect { it.toString() }.sort() : null,
            accessor   : parsed.accessor,
            leases     : parsed.leases.collect { it.leaseId },
        ]
        if (!sessions.any { it.accessor == session.accessor }) sessions << session
    }

    def withEnvStub(List overrides, Closure c) {
        Map<String, String> saved = new LinkedHashMap<>(env)
        overrides.each { entry ->
            String text = entry.toString()
            int eq = text.indexOf('=')
            String name = text.substring(0, eq)
            String value = text.substring(eq + 1)
            int plus = name.indexOf('+')
            if (plus > 0) {
                String base = name.substring(0, plus)
                env[base] = env[base] ? "${value}:${env[base]}".toString() : value
            } else {
                env[name] = value
            }
        }
        try {
            return c.call()
        } finally {
            env.clear()
            env.putAll(saved)
        }
    }

    def withCredentialsStub(List bindings, Closure c) {
        Map<String, String> saved = new LinkedHashMap<>(env)
        List<File> files = []
        bindings.each { Map b ->
            String secret = credentials[b.credentialsId]
            if (secret == null) throw new PipelineAbort("Could not find credentials entry with ID '${b.credentialsId}'")
            if (b.binding == 'file') {
                File dir = new File("${workspace.path}@tmp", "secretFiles/${UUID.randomUUID()}")
                dir.mkdirs()
                File f = new File(dir, 'id-token')
                f.text = secret
                Files.setPosixFilePermissions(f.toPath(), [PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE] as Set)
                files << dir
                env[b.variable] = f.path
            } else {
                env[b.variable] = secret
            }
            credentialMasks << secret
        }
        try {
            return c.call()
        } finally {
            files.each { deleteTree(it) }
            env.clear()
            env.putAll(saved)
        }
    }

    def readFileStub(String path) {
        String text = resolve(path).getText('UTF-8')
        // What was read is kept as its length only: it may be a secret file.
        readFiles << [file: path, length: text.length()]
        return text
    }

    def archiveStub(Map m) {
        File f = resolve(m.artifacts.toString())
        if (!f.exists()) throw new PipelineAbort("No artifacts found that match the file pattern \"${m.artifacts}\"")
        archived << [artifacts: m.artifacts, content: f.getText('UTF-8')]
    }

    def junitStub(Map m) {
        File f = resolve(m.testResults.toString())
        if (!f.exists()) throw new PipelineAbort('No test report files were found. Configuration error?')
        def suites = new XmlSlurper().parse(f)
        List cases = suites.depthFirst().findAll { it.name() == 'testcase' }
        int failures = cases.count { tc -> tc.children().any { it.name() in ['failure', 'error'] } }
        junitResults << [file: m.testResults, tests: cases.size(), failures: failures, content: f.getText('UTF-8')]
        // Like the junit step: test failures make the build UNSTABLE.
        if (failures > 0 && (currentBuild.result == null || currentBuild.result == 'SUCCESS')) currentBuild.result = 'UNSTABLE'
    }

    def maskPasswordsStub(Map m, Closure c) {
        List<String> passwords = (m.varPasswordPairs ?: []).collect { it.password?.toString() }.findAll { it?.trim() }
        observed.maskPasswordsPairs = (m.varPasswordPairs ?: []).collect { it.var }
        maskPasswordsStack << passwords
        try {
            return c.call()
        } finally {
            maskPasswordsStack.remove(maskPasswordsStack.size() - 1)
        }
    }

    // ---- console -------------------------------------------------------------------------

    /**
     * log appends to the console as Jenkins would show it: values of bound credentials are
     * replaced by **** (Credentials Binding, any position), and the Mask Passwords plugin's
     * passwords by ******** — line by line, as that plugin's output stream works.
     */
    void log(String text) {
        String masked = text
        credentialMasks.each { String s -> if (s) masked = masked.replace(s, '****') }
        List<String> passwords = maskPasswordsStack.flatten() as List<String>
        if (passwords) {
            passwords = passwords.sort { -it.length() }
            masked = masked.split('\n', -1).collect { String line ->
                passwords.each { String p -> line = line.replace(p, '********') }
                line
            }.join('\n')
        }
        console.append(masked)
    }

    // ---- evidence ------------------------------------------------------------------------

    @After
    void writeEvidence() {
        String out = System.getenv('VAULTGATE_TEST_OUT')
        if (!out) return
        Map evidence = [
            test        : "${getClass().simpleName}.${testName.methodName}".toString(),
            result      : currentBuild.result,
            failure     : failure,
            console     : console.toString(),
            scripts     : scripts,
            shReturns   : shReturns,
            readFiles   : readFiles,
            sessions    : sessions,
            archived    : archived,
            junit       : junitResults,
            observed    : observed,
            workspaceTmp: workspace ? "${workspace.path}@tmp".toString() : null,
            // With Mask Passwords the values are step arguments by design: not written out.
            calls       : recordCalls ? helper.callStack.collect { it.toString() } : null,
        ]
        new File(out).mkdirs()
        new File(out, "${evidence.test}.json").setText(JsonOutput.prettyPrint(JsonOutput.toJson(evidence)), 'UTF-8')
    }
}

/** PipelineAbort is what `error` and a failed `sh` throw (hudson.AbortException in Jenkins). */
class PipelineAbort extends RuntimeException {
    PipelineAbort(String message) {
        super(message)
    }
}
