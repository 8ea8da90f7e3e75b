// A web-test-runner reporter that counts passed/failed/skipped tests per browser engine and
// writes them to a JSON file, so scripts/test.mjs can print one line per engine and one
// total line.
//   - A test file that fails to load (session errors, no results) counts as one failure.
//   - A skipped test must say why in its title ("… [skipped in firefox: reason]", see
//     test/browser/engine.ts); a skip without a reason counts as a failure: never a
//     silent pass.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface SuiteResult {
  name?: string;
  suites: SuiteResult[];
  tests: { name: string; passed: boolean; skipped: boolean; duration?: number; error?: { message: string } }[];
}

interface SessionLike {
  testFile: string;
  browser: { name: string };
  passed?: boolean;
  errors: { message: string }[];
  testResults?: SuiteResult;
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface EngineResult extends Counts {
  /** Sum of the tests' own durations (ms), i.e. without page loads. */
  testMs: number;
  /** Skipped tests: file, full title (the reason is in the title). */
  skips: { file: string; title: string }[];
  /** Skips whose title gives no reason (each also counted as a failure). */
  unexplained: { file: string; title: string }[];
  /** Failed tests with the first lines of their error (the runner's own reporters merge engines). */
  failures: { file: string; title: string; error: string }[];
  brokenFiles: string[];
  /** The files whose tests took longest (ms, tests' own durations): where CI time goes. */
  slowest: { file: string; ms: number }[];
}

export interface BrowserResults extends Counts {
  engines: Record<string, EngineResult>;
  brokenFiles: string[];
}

/** The marker test/browser/engine.ts puts in a skipped test's title. */
export const SKIP_MARKER = /\[skipped in [\w-]+: .+\]$/;

function countSuite(suite: SuiteResult, into: EngineResult, file: string, path: string[]): void {
  for (const test of suite.tests) {
    const title = [...path, test.name].join(' > ');
    into.testMs += test.duration ?? 0;
    if (test.skipped) {
      into.skipped++;
      into.skips.push({ file, title });
      if (!SKIP_MARKER.test(test.name)) {
        into.unexplained.push({ file, title });
        into.failed++;
      }
    } else if (test.passed) into.passed++;
    else {
      into.failed++;
      into.failures.push({ file, title, error: (test.error?.message ?? 'failed').split('\n').slice(0, 80).join('\n') });
    }
  }
  for (const child of suite.suites) countSuite(child, into, file, child.name ? [...path, child.name] : path);
}

export function countingReporter(outFile: string) {
  return {
    onTestRunFinished({ sessions }: { sessions: SessionLike[] }) {
      const engines: Record<string, EngineResult> = {};
      for (const session of sessions) {
        const e = (engines[session.browser.name] ??= { passed: 0, failed: 0, skipped: 0, testMs: 0, skips: [], unexplained: [], failures: [], brokenFiles: [], slowest: [] });
        const before = e.failed + e.passed + e.skipped;
        const msBefore = e.testMs;
        if (session.testResults) countSuite(session.testResults, e, session.testFile, []);
        e.slowest.push({ file: session.testFile, ms: e.testMs - msBefore });
        e.slowest = e.slowest.sort((a, b) => b.ms - a.ms).slice(0, 5);
        const ranNothing = e.failed + e.passed + e.skipped === before;
        // Errors outside any test (load failure, uncaught error after tests) fail the file.
        if (session.errors.length > 0 || (session.passed === false && ranNothing)) {
          e.failed++;
          e.brokenFiles.push(session.testFile);
          e.failures.push({ file: session.testFile, title: '(the file did not run)', error: session.errors.map((x) => x.message).join('\n') });
        }
      }
      const all = Object.values(engines);
      const sum = (k: keyof Counts) => all.reduce((n, e) => n + e[k], 0);
      const result: BrowserResults = {
        passed: sum('passed'),
        failed: sum('failed'),
        skipped: sum('skipped'),
        engines,
        brokenFiles: all.flatMap((e) => e.brokenFiles),
      };
      mkdirSync(dirname(outFile), { recursive: true });
      writeFileSync(outFile, JSON.stringify(result, null, 2));
    },
  };
}
