/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after a vitest
 * run, so tools that read a run's last line understand the outcome.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      // A module that failed outside its test cases (load error, hook timeout) counts as one failure.
      const casesFailed = [...testModule.children.allTests()].some((testCase) => testCase.result().state === 'failed');
      if (testModule.state() === 'failed' && !casesFailed) failed += 1;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
