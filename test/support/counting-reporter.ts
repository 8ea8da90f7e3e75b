// A web-test-runner reporter that counts passed/failed/skipped tests across every browser
// session and writes them to a JSON file, so scripts/test.mjs can print one total line.
// A test file that fails to load (session errors, no results) counts as one failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface SuiteResult {
  suites: SuiteResult[];
  tests: { name: string; passed: boolean; skipped: boolean }[];
}

interface SessionLike {
  testFile: string;
  passed?: boolean;
  errors: { message: string }[];
  testResults?: SuiteResult;
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function countSuite(suite: SuiteResult, counts: Counts): void {
  for (const test of suite.tests) {
    if (test.skipped) counts.skipped++;
    else if (test.passed) counts.passed++;
    else counts.failed++;
  }
  for (const child of suite.suites) countSuite(child, counts);
}

export function countingReporter(outFile: string) {
  return {
    onTestRunFinished({ sessions }: { sessions: SessionLike[] }) {
      const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
      const brokenFiles: string[] = [];
      for (const session of sessions) {
        const before = counts.failed + counts.passed;
        if (session.testResults) countSuite(session.testResults, counts);
        const ranNothing = counts.failed + counts.passed === before;
        // Errors outside any test (load failure, uncaught error after tests) fail the file.
        if (session.errors.length > 0 || (session.passed === false && ranNothing)) {
          counts.failed++;
          brokenFiles.push(session.testFile);
        }
      }
      mkdirSync(dirname(outFile), { recursive: true });
      writeFileSync(outFile, JSON.stringify({ ...counts, brokenFiles }, null, 2));
    },
  };
}
