import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { SCENARIO_LOG_VARIABLE } from './e2e/support/scenario-table.js';
import { BUILT_IMAGES_VARIABLE } from './support/podman.js';

// The tests run the Node release the images ship (.node-version): under another
// major they would pass or fail for a runtime no user runs. npm's scripts and
// .ci/run go through test/node.sh, which puts that release first on PATH.
const wanted = readFileSync(new URL('../.node-version', import.meta.url), 'utf8').trim();
if (process.versions.node.split('.')[0] !== wanted.split('.')[0]) {
  throw new Error(`the tests run under Node ${wanted} (.node-version), not ${process.version}: bash test/setup.sh, then bash test/node.sh npx vitest …`);
}

// One file per run where e2e scenarios record their results; workers inherit the variable, the summary reporter prints it.
process.env[SCENARIO_LOG_VARIABLE] ??= join(tmpdir(), `mysql-sts-agent-scenarios-${process.pid}.jsonl`);
// The images each run built, so that the image tests build each flavour once per run (test/support/podman.ts).
process.env[BUILT_IMAGES_VARIABLE] ??= join(tmpdir(), `mysql-sts-agent-images-${process.pid}.txt`);

// Files run one at a time: tests that drive real servers, namespaces and DNS
// (integration, e2e) share the machine's two cores and would starve each other.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
