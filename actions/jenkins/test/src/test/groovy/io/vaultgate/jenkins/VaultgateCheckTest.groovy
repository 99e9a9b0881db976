package io.vaultgate.jenkins

import groovy.json.JsonSlurper
import org.junit.Test

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

/** vaultgateCheck: the gate's reports are archived and recorded; a failed check fails the build. */
class VaultgateCheckTest extends PipelineHarness {

    @Test
    void passes() {
        runPipeline('check-passes')
        assertEquals(failure, 'SUCCESS', result)
        assertEquals(1, archived.size())
        assertEquals('reports/gate.json', archived[0].artifacts)
        def report = new JsonSlurper().parseText(archived[0].content as String)
        assertTrue(report instanceof Map)
        assertEquals(1, junitResults.size())
        assertEquals('reports/gate.xml', junitResults[0].file)
        assertTrue(junitResults[0].tests > 0)
        assertEquals(0, junitResults[0].failures)
        assertTrue(console.toString().contains('deploying'))
    }

    @Test
    void failsTheBuildWhenARequiredCheckFails() {
        runPipeline('check-fails')
        assertEquals('FAILURE', result)
        assertTrue(failure, failure.contains('a required check failed'))
        assertFalse('nothing after the gate ran', console.toString().contains('deploying'))
        assertEquals('the JSON report is archived', 1, archived.size())
        assertEquals('the JUnit report is recorded', 1, junitResults.size())
        assertTrue('it has the failed check', junitResults[0].failures > 0)
    }
}
