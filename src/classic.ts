// hydra-voice as a classic script (dist/hydra-voice.js: <script src> on any page, with or
// without type="module", async or not). The same file is also the engine's worker script:
// in a worker it runs the engine (the element's class is evaluated but never defined:
// there is no DOM); on a page it defines <hydra-voice>, exposes window.HydraVoice, and
// starts its worker from its own URL (directly when same-origin, else a Blob that imports
// it), so the shipped script holds the session and protocol code once.
import './element/ssr-enter.ts'; // first: Lit touches `document` and `HTMLElement` as it loads (none in a worker)
import { DEFAULT_MODEL, HydraVoiceElement, TAG_NAME, VOICES, checkVoice, defineHydraVoice } from './element/api.ts';
import { setLocaleScript } from './element/language.ts';
import { setWorkletFile } from './audio/worklet-loader.ts';
import { setWebRtcRouteFile } from './audio/webrtc-route-load.ts';
import { isWorkerScope, runWorkerHost } from './worker/host.ts';
import { classicScriptCandidates, setBundledWorker } from './worker/loader.ts';
import './element/ssr-leave.ts'; // last: nothing lent is left behind

// Without a document (required in Node by server-side rendering or CommonJS tooling) it does nothing.
if (isWorkerScope()) runWorkerHost();
else if (typeof document !== 'undefined') {
  const current = document.currentScript as HTMLScriptElement | null; // null once this script has run
  const scriptUrl = current?.src || urlFromStack();
  setBundledWorker(() => (scriptUrl ? classicScriptCandidates(scriptUrl) : []));
  if (scriptUrl) {
    // Beside this script: the worklets, and the WebRTC echo route (loaded only if needed, with this script's nonce).
    setWorkletFile(new URL('hydra-voice-worklets.js', scriptUrl).href);
    setWebRtcRouteFile(new URL('hydra-voice-webrtc.js', scriptUrl).href, current?.nonce ?? '');
  }
  if (current) setLocaleScript(current); // the locale files sit beside this script; its nonce loads them
  // The public API (element/api.ts) listed, not `import * as`: a namespace object costs a
  // bundler helper. The type makes the compiler check that the list is complete.
  const api: typeof import('./element/api.ts') = { HydraVoiceElement, defineHydraVoice, TAG_NAME, VOICES, DEFAULT_MODEL, checkVoice };
  (globalThis as { HydraVoice?: unknown }).HydraVoice ??= api;
  defineHydraVoice();
}

/** This script's URL when loaded as type="module" (document.currentScript is null): from the stack. */
function urlFromStack(): string | undefined {
  const stack = new Error().stack ?? '';
  return /(https?:\/\/[^\s()@]+?\.m?js(?:\?[^\s():]*)?)(?::\d+){1,2}/.exec(stack)?.[1];
}
