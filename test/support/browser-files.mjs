// The test files, listed by the runner itself (scripts/test.mjs passes path filters to
// web-test-runner through HV_BROWSER_FILES), so groups of engines can pick their files.
// Plain JavaScript: scripts/test.mjs runs on bare Node, web-test-runner.config.mjs too.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files that also run in the speakerphone-only engines (test/support/engines.ts). */
export const SPEAKERPHONE_FILES = ['test/browser/speakerphone/'];

/** Every file under `dir` (none when it does not exist). @param {string} dir @returns {string[]} */
export function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * test/browser/**\/*.test.ts, sorted, kept when a filter is a substring of the path (or no
 * filters). Engine probes (*.probe.ts: measurements of browser behaviour, not tests of
 * ours) run only when a filter names them: `npm test -- browser probes/`.
 * @param {string[]} [filters] @returns {string[]}
 */
export function browserTestFiles(filters = []) {
  const named = (f) => filters.some((x) => f.includes(x));
  return walk('test/browser')
    .filter((f) => (f.endsWith('.test.ts') && (filters.length === 0 || named(f))) || (f.endsWith('.probe.ts') && named(f)))
    .sort();
}
