package io.vaultgate.jenkins

import org.junit.Test

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

/**
 * withVaultgate through whole Jenkinsfiles (pipelines/*.jenkinsfile). These checks need no
 * secret value; the vitest side checks the evidence against the values.
 */
class WithVaultgateTest extends PipelineHarness {

    private void assertCleanedUp() {
        assertFalse('a session was opened', sessions.isEmpty())
        sessions.each { Map s ->
            assertEquals('the env file is 0600 while the body runs', ['OWNER_READ', 'OWNER_WRITE'], s.envFileMode)
            assertTrue('the env file is under WORKSPACE_TMP', s.envFile.startsWith("${workspace.path}@tmp/"))
            assertFalse('the env file is deleted', new File(s.envFile).exists())
            assertFalse('the private directory is removed', new File(s.runDir).exists())
        }
    }

    @Test
    void shortestJenkinsfile() {
        runPipeline('shortest')
        assertNull(failure, failure)
        assertEquals('SUCCESS', result)
        assertTrue(console.toString().contains('deploy.sh: deployed'))
        assertCleanedUp()
    }

    @Test
    void scriptedExample() {
        runPipeline('scripted')
        assertNull(failure, failure)
        assertEquals('SUCCESS', result)
        assertTrue(console.toString().contains('env file ready'))
        assertEquals(1, archived.size())
        assertEquals(1, junitResults.size())
        assertCleanedUp()
    }

    @Test
    void declarativeExample() {
        runPipeline('declarative')
        assertNull(failure, failure)
        assertEquals('SUCCESS', result)
        assertCleanedUp()
    }

    @Test
    void bodyThrows() {
        runPipeline('body-throws')
        assertEquals('FAILURE', result)
        assertEquals('the body failed on purpose', failure)
        assertTrue('the revoke step ran after the failure', scripts.last().contains('vaultgate revoke'))
        assertCleanedUp()
    }

    @Test
    void revocationFails() {
        runPipeline('revoke-fails')
        assertNull(failure, failure)
        assertEquals('a failed revocation makes the build UNSTABLE', 'UNSTABLE', result)
        assertTrue(console.toString().contains('withVaultgate: revocation failed'))
        assertTrue('the build went on', console.toString().contains('after the block'))
        assertCleanedUp()
    }

    @Test
    void fileCredential() {
        runPipeline('file-credential')
        assertNull(failure, failure)
        assertEquals('SUCCESS', result)
        assertCleanedUp()
    }

    @Test
    void maskPasswordsIsRefusedBeforeLogin() {
        installMaskPasswords()
        runPipeline('mask-passwords')
        assertEquals('FAILURE', result)
        assertTrue(failure, failure.contains('maskPasswords is not supported'))
        assertTrue(failure, failure.contains('vaultgate exec'))
        assertTrue('it failed before logging in', scripts.isEmpty())
        assertTrue('no value was read', readFiles.isEmpty())
        assertNull('the plugin step never received a value', observed.maskPasswordsPairs)
    }

    @Test
    void loginDenied() {
        runPipeline('login-denied')
        assertEquals('FAILURE', result)
        assertTrue(failure, failure.contains('exit code 3'))
        assertFalse('the body did not run', console.toString().contains('body ran'))
        assertTrue(sessions.isEmpty())
        File tmp = new File("${workspace.path}@tmp")
        assertEquals('nothing is left in WORKSPACE_TMP', [], (tmp.list() as List).findAll { it.startsWith('vaultgate.') })
    }

    @Test
    void typoInAParameter() {
        runPipeline('typo')
        assertEquals('FAILURE', result)
        assertTrue(failure, failure.contains('unknown parameter rol'))
        assertTrue('nothing ran', scripts.isEmpty())
    }
}
