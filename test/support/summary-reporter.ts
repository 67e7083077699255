import { rmSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { readScenarioLog, renderScenarioTable, SCENARIO_LOG_VARIABLE } from '../e2e/support/scenario-table.js';
import { BUILT_IMAGES_VARIABLE } from './podman.js';

/**
 * Ends the run with the plain "N passed, N failed, N skipped" line that CI
 * reads (vitest's own summary is not in a form CI knows).
 */
export default class SummaryReporter implements Reporter {
  #line = '';
  /** Tests skipped with a reason (`context.skip(reason)`, e.g. podman cannot run here): said, never silent. */
  #skipped: string[] = [];

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') counts.passed += 1;
        else if (result.state === 'failed') failedHere += 1;
        else {
          counts.skipped += 1;
          const note = result.state === 'skipped' ? result.note : undefined;
          if (note !== undefined) this.#skipped.push(`${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}: ${note}`);
        }
      }
      // A failing hook (beforeAll) or import fails the file while its tests show as skipped: count it.
      if (module.state() === 'failed' && failedHere === 0) failedHere = 1;
      counts.failed += failedHere;
    }
    this.#line = `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
  }

  /** Runs after the default reporter has printed its summary, so this line closes the output. */
  onFinished(): void {
    const log = process.env[SCENARIO_LOG_VARIABLE];
    const scenarios = log === undefined ? [] : readScenarioLog(log);
    if (log !== undefined) rmSync(log, { force: true });
    const images = process.env[BUILT_IMAGES_VARIABLE];
    if (images !== undefined) rmSync(images, { force: true });
    if (scenarios.length > 0) process.stdout.write(`\nEnd-to-end scenarios:\n${renderScenarioTable(scenarios)}\n`);
    if (this.#skipped.length > 0) process.stdout.write(`\nSkipped, and why:\n${this.#skipped.map((line) => `  ${line}`).join('\n')}\n`);
    process.stdout.write(`\n${this.#line}\n`);
  }
}
