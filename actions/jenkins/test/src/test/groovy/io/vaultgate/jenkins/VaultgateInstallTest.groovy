package io.vaultgate.jenkins

import org.junit.Test

import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.security.MessageDigest

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

/**
 * vaultgateInstall: pinned, verified on every use, the tarball cached per agent. The
 * look-alike package (VAULTGATE_TEST_HOSTILE_CLI) leaves a mark in
 * VAULTGATE_TEST_HOSTILE_MARKS if any of its scripts or its `vaultgate` command runs.
 */
class VaultgateInstallTest extends PipelineHarness {

    static File marks() {
        return new File(required('VAULTGATE_TEST_HOSTILE_MARKS'))
    }

    static String integrityOf(File file) {
        return 'sha512-' + MessageDigest.getInstance('SHA-512').digest(file.bytes).encodeBase64().toString()
    }

    /** privateCache gives this test an agent cache of its own: it is about to tamper with it. */
    File privateCache() {
        File cache = new File(testDir, 'agent-cache')
        env.VAULTGATE_CACHE_DIR = cache.path
        return cache
    }

    /** nextBuild makes the next runPipeline the agent's next build; returns where its console starts. */
    int nextBuild() {
        currentBuild.result = null
        failure = null
        return console.length()
    }

    List<File> cliInstalls() {
        File tmp = new File("${workspace.path}@tmp")
        return (tmp.listFiles() ?: []).findAll { it.name.startsWith('vaultgate-cli.') } as List<File>
    }

    @Test
    void refusesAPackageWhoseIntegrityDiffers() {
        runPipeline('install-mismatch')
        assertEquals('FAILURE', result)
        assertTrue(console.toString(), console.toString().contains('integrity mismatch'))
        assertFalse(console.toString().contains('installed\n'))
        File cache = new File(env.VAULTGATE_CACHE_DIR, 'cli')
        List<String> leftovers = (cache.list() ?: []).findAll { it.startsWith('.') } as List<String>
        assertEquals('no temporary download is left behind', [], leftovers)
        assertEquals('no install is left behind', [], cliInstalls())
    }

    @Test
    void installsAFreshVerifiedCopyOnEveryUseFromOneDownload() {
        runPipeline('install-twice')
        assertEquals(failure, 'SUCCESS', result)
        assertTrue(console.toString(), (console.toString() =~ /cached in \S+, verified \(sha512-/).find())
        assertTrue(console.toString().contains('/bin/vaultgate-env'))
        assertEquals(2, cliInstalls().size())
    }

    @Test
    void installsFromATarballUrlWithItsIntegrity() {
        privateCache()
        // A mirror's URL (VAULTGATE_TEST_CLI_URL serves the packed CLI from 127.0.0.1), as an
        // administrator sets it on the agents, with the integrity of that tarball.
        env.VAULTGATE_CLI_PACKAGE = required('VAULTGATE_TEST_CLI_URL')
        runPipeline('install-twice')
        assertEquals(failure, 'SUCCESS', result)
        assertTrue(console.toString(), console.toString().contains("vaultgateInstall: fetching ${env.VAULTGATE_CLI_PACKAGE}"))
    }

    @Test
    void refusesATarballWithoutIntegrity() {
        runPipeline('install-unpinned')
        assertEquals('FAILURE', result)
        String out = console.toString()
        assertTrue(out, out.contains('is not a registry package at an exact version, and no cliIntegrity is given'))
        assertTrue(out, out.contains("vaultgateInstall: Hint: pass cliIntegrity: 'sha512-...'"))
        assertFalse(out.contains('installed\n'))
        assertEquals([], cliInstalls())
    }

    @Test
    void runsNoScriptOfThePackageWhenPackingOrInstallingIt() {
        File lookalike = new File(required('VAULTGATE_TEST_HOSTILE_CLI'))
        privateCache()
        env.LOOKALIKE_CLI = lookalike.path
        env.LOOKALIKE_CLI_INTEGRITY = integrityOf(lookalike)
        runPipeline('install-scripts-off')
        assertEquals(failure, 'SUCCESS', result)
        assertEquals('no preinstall, install, postinstall, prepare, prepack or postpack ran', [], marks().list() as List)
    }

    @Test
    void aCachedTarballReplacedBetweenBuildsIsRefusedBeforeTheTokenIsBound() {
        File cache = privateCache()
        runPipeline('shortest')
        assertEquals(failure, 'SUCCESS', result)
        List<File> tarballs = new File(cache, 'cli').listFiles().findAll { !it.name.startsWith('.') }
            .collect { new File(it, 'package.tgz') }
        assertEquals(1, tarballs.size())
        // Another build on this agent puts its own package where the verified one was.
        Files.copy(new File(required('VAULTGATE_TEST_HOSTILE_CLI')).toPath(), tarballs[0].toPath(),
            StandardCopyOption.REPLACE_EXISTING)

        int from = nextBuild()
        int calls = helper.callStack.size()
        int shs = scripts.size()
        runPipeline('shortest')
        String second = console.toString().substring(from)
        assertEquals('FAILURE', result)
        assertTrue(second, second.contains('is not the package it was verified as'))
        assertTrue(second, second.contains('another build or user on this agent may have replaced it. Nothing of it was run.'))
        assertTrue(second, second.contains("vaultgateInstall: Hint: find out what changed it, then delete ${tarballs[0].parent}"))
        assertEquals('nothing of the replaced package ran', [], marks().list() as List)
        List<String> after = helper.callStack.drop(calls).collect { it.toString() }
        assertFalse('the ID token was never bound', after.any { it.contains('withCredentials(') })
        assertFalse('no login was attempted', scripts.drop(shs).any { it.contains('vaultgate fetch') })
        assertEquals('no install is left behind', [], cliInstalls())
    }

    @Test
    void aRegistryVersionWithoutIntegrityIsHeldToTheRegistrysRecordOnEveryUse() {
        File cache = privateCache()
        // The pinned default's case: a registry version and no cliIntegrity (the registry:
        // VAULTGATE_TEST_NPM_REGISTRY, which publishes the packed CLI as vaultgate@0.1.0).
        env.VAULTGATE_CLI_PACKAGE = 'vaultgate@0.1.0'
        env.remove('VAULTGATE_CLI_INTEGRITY')
        env.NPM_CONFIG_REGISTRY = required('VAULTGATE_TEST_NPM_REGISTRY')
        runPipeline('install-twice')
        assertEquals(failure, 'SUCCESS', result)
        String want = integrityOf(new File(required('VAULTGATE_TEST_CLI_PACKAGE')))
        assertTrue(console.toString(), console.toString().contains("cached in ${cache.path}/cli/"))
        assertTrue(console.toString(), console.toString().contains("verified (${want})"))

        File tarball = new File(cache, 'cli').listFiles().find { !it.name.startsWith('.') }
        Files.copy(new File(required('VAULTGATE_TEST_HOSTILE_CLI')).toPath(), new File(tarball, 'package.tgz').toPath(),
            StandardCopyOption.REPLACE_EXISTING)
        int from = nextBuild()
        runPipeline('install-twice')
        assertEquals('FAILURE', result)
        String second = console.toString().substring(from)
        assertTrue(second, second.contains("is not the package it was verified as: its integrity is ${integrityOf(new File(required('VAULTGATE_TEST_HOSTILE_CLI')))}, expected ${want}"))
        assertEquals('nothing of the replaced package ran', [], marks().list() as List)
    }

    @Test
    void installedFilesChangedBetweenBuildsAreNeverRun() {
        privateCache()
        runPipeline('install-twice')
        assertEquals(failure, 'SUCCESS', result)
        // Another build edits the CLI in every install the first one left on the agent.
        List<File> installs = cliInstalls()
        assertEquals(2, installs.size())
        File planted = new File(marks(), 'edited-install')
        installs.each { File dir ->
            File cli = new File(dir, 'node_modules/vaultgate/vaultgate.js')
            cli.text = "#!/bin/sh\necho ran > '${planted.path}'\n"
            cli.setExecutable(true)
        }

        int from = nextBuild()
        runPipeline('shortest')
        assertEquals(failure, 'SUCCESS', result)
        assertTrue(console.toString().substring(from).contains('deploy.sh: deployed'))
        assertFalse('the edited CLI never ran', planted.exists())
        assertEquals('withVaultgate removed its own install', installs*.name.sort(), cliInstalls()*.name.sort())
    }
}
