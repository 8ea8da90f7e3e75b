// hydra-voice as a classic script (dist/hydra-voice.js: <script src> on any page, with or
// without type="module", async or not). The same file is also the engine's worker script:
// in a worker it runs the engine (and never evaluates the element, which needs a DOM);
// on a page it defines <hydra-voice>, exposes window.HydraVoice, and starts its worker from
// its own URL (directly when same-origin, else a Blob that imports it), so the shipped
// script holds the session and protocol code once.
import { isWorkerScope, runWorkerHost } from './worker/host.ts';
import { classicScriptCandidates, setBundledWorker } from './worker/loader.ts';

// Without a document (required in Node by server-side rendering or CommonJS tooling) it does nothing.
if (isWorkerScope()) runWorkerHost();
else if (typeof document !== 'undefined') {
  const scriptUrl = ownScriptUrl();
  const current = document.currentScript as HTMLScriptElement | null; // null once this script has run
  setBundledWorker(() => (scriptUrl ? classicScriptCandidates(scriptUrl) : []));
  // Loaded lazily so that, in a worker, the element and Lit (which touch `document` as
  // they load) are never evaluated. The element is defined a microtask after this script.
  void Promise.all([import('./element/api.ts'), import('./element/language.ts')]).then(([api, language]) => {
    if (current) language.setLocaleScript(current); // the locale files sit beside this script; its nonce loads them
    const g = globalThis as { HydraVoice?: unknown };
    g.HydraVoice ??= { ...api };
    api.defineHydraVoice();
  });
}

/** This script's URL: document.currentScript, or (as type="module", where that is null) the stack. */
function ownScriptUrl(): string | undefined {
  const current = document.currentScript as HTMLScriptElement | null;
  if (current?.src) return current.src;
  const stack = new Error().stack ?? '';
  return /(https?:\/\/[^\s()@]+?\.m?js)(?:\?[^\s():]*)?(?::\d+){1,2}/.exec(stack)?.[0]?.replace(/(?::\d+){1,2}$/, '');
}
