package io.vaultgate.jenkins

import org.junit.Test

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertNull
import static org.junit.Assert.assertTrue

/**
 * The steps with a manifest that names two sources: the vault and AWS (sources.aws), the
 * AWS role assumed with a second credential ('aws-oidc', bound by awsCredentialsId). The
 * vitest side checks the evidence against the values and moto's record of what STS got.
 */
class AwsSourcesTest extends PipelineHarness {

    @Test
    void vaultAndAwsSecretsReachTheBodyAndTheTokenIsRevoked() {
        runPipeline('aws-sources')
        assertNull(failure, failure)
        assertEquals('SUCCESS', result)
        assertEquals('the gate ran first and passed', 0, junitResults[0].failures)
        assertTrue(console.toString().contains('deploy.sh: deployed'))
        assertFalse('a session was opened', sessions.isEmpty())
        sessions.each { Map s ->
            assertFalse('the env file is deleted', new File(s.envFile).exists())
            assertFalse('the private directory is removed', new File(s.runDir).exists())
        }
        assertTrue('the revoke step ran last', scripts.last().contains('vaultgate revoke'))
    }

    @Test
    void checkFailsOnAMissingAwsSecret() {
        runPipeline('aws-check-fails')
        assertEquals('FAILURE', result)
        assertTrue(failure, failure.contains('a required check failed'))
        assertFalse('nothing after the gate ran', console.toString().contains('deploying'))
        assertEquals('the JUnit report is recorded', 1, junitResults.size())
        assertEquals('one check failed', 1, junitResults[0].failures)
    }
}
