// Loading code into the page's browser contexts (worklet modules, workers, scripts beside
// hydra-voice.js) under a Content-Security-Policy: a refusal shows only as a generic error,
// the `securitypolicyviolation` event names the directive. Shared by the worklet loader,
// the worker loader (src/worker/loader.ts), the WebRTC route loader and the locale files.

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

/**
 * Runs a classic script (a file beside hydra-voice.js) with the page script's CSP nonce.
 * Resolves once it ran; when it cannot load, warns once (`instead`: what the element does
 * without it) and rejects.
 */
export const addScript = (src: string, nonce: string, instead: string) =>
  new Promise<unknown>((onload, reject) => {
    const onerror = () => {
      console.warn(`<hydra-voice> could not load ${src} (not served, or refused by the CSP's script-src): ${instead}`);
      reject(new Error(`could not load ${src}`));
    };
    document.head.append(Object.assign(document.createElement('script'), { src, nonce, onload, onerror }));
  });
