// Loading code into the page's browser contexts (worklet modules, workers) under a
// Content-Security-Policy: a refusal shows only as a generic error, the
// `securitypolicyviolation` event names the directive. Shared by the worklet loader and
// the worker loader (src/worker/loader.ts).

/** Runs `load`; gives its result and the directives the page's CSP refused meanwhile. */
export async function watchingCsp<T>(load: () => Promise<T>): Promise<[T, string[]]> {
  const violations: string[] = [];
  const onViolation = (e: SecurityPolicyViolationEvent) => violations.push(e.effectiveDirective || e.violatedDirective);
  const doc = typeof document === 'undefined' ? undefined : document;
  doc?.addEventListener('securitypolicyviolation', onViolation);
  try {
    return [await load(), violations];
  } finally {
    doc?.removeEventListener('securitypolicyviolation', onViolation);
  }
}

/** A Blob URL of JavaScript text (revoke it when done). */
export const scriptBlobUrl = (source: string) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));

/** `Name: message` of whatever was thrown. */
export const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
