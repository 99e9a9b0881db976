package io.vaultgate.jenkins

import org.junit.Test

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

/** vaultgateInstall: pinned, verified, cached per agent. */
class VaultgateInstallTest extends PipelineHarness {

    @Test
    void refusesAPackageWhoseIntegrityDiffers() {
        runPipeline('install-mismatch')
        assertEquals('FAILURE', result)
        assertTrue(console.toString(), console.toString().contains('integrity mismatch'))
        assertFalse(console.toString().contains('installed\n'))
        File cache = new File(env.VAULTGATE_CACHE_DIR, 'cli')
        List<String> leftovers = (cache.list() ?: []).findAll { it.startsWith('.install.') } as List<String>
        assertEquals('no temporary install is left behind', [], leftovers)
    }

    @Test
    void installsOnceAndReusesTheCache() {
        runPipeline('install-twice')
        assertEquals(failure, 'SUCCESS', result)
        assertTrue(console.toString().contains('cached in'))
        assertTrue(console.toString().contains('/bin/vaultgate-env'))
    }
}
