// Which engine a browser test runs in, and how a test that cannot run in one says so.
// A test that cannot run in an engine is skipped there by name, with the reason in its
// title ("… [skipped in firefox: reason]"); the runner's reporter lists every skip per
// engine and fails a skip that gives no reason (test/support/counting-reporter.ts).

export type Engine = 'chromium' | 'firefox' | 'webkit';

/** The engine of this page, from its user agent (Chromium says Chrome; WebKitGTK says Safari). */
export function engineOf(userAgent: string): Engine {
  if (/Firefox\//.test(userAgent)) return 'firefox';
  if (/Chrome\/|Chromium\//.test(userAgent)) return 'chromium';
  return 'webkit';
}

export const engine: Engine = engineOf(navigator.userAgent);

type TestFn = MochaTestFn;

/**
 * `it(title, fn)`, except in the engines named in `reasons`, where the test is declared
 * skipped with the reason in its title. Use only for what the engine cannot do (a missing
 * API, a test technique it does not support), never for a product bug: fix those.
 */
export function itExcept(reasons: Partial<Record<Engine, string>>, title: string, fn: TestFn): void {
  const reason = reasons[engine];
  if (reason) it.skip(`${title} [skipped in ${engine}: ${reason}]`, fn);
  else it(title, fn);
}
