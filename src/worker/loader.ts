// Starting the engine's worker, by the same rules as the audio worklets: a same-origin
// `worker-url` the page serves (for CSPs that allow no blob: workers), else what the build
// registered for itself (setBundledWorker), else nothing, and the engine runs on the main
// thread. Never a data: URL: its opaque origin would change the socket's Origin header and
// the relay's origin check would refuse it. A candidate counts once the worker says `ready`;
// a load failure (404, CSP, script error) shows as an `error` event or a throw.
import { describeError, scriptBlobUrl, watchingCsp } from '../audio/csp.ts';

/** How the worker was started. */
export type WorkerVia = 'url' | 'script' | 'blob' | 'module';

export interface WorkerCandidate {
  via: WorkerVia;
  /** Creates the worker (may throw, e.g. SecurityError for a cross-origin URL). */
  create(): Worker;
  /** Called once the attempt is over (e.g. revokes a Blob URL). */
  release?(): void;
}

let bundled: (() => WorkerCandidate[]) | undefined;

/** The build's entry registers how this script starts itself as a worker (see src/classic.ts, src/index.ts). */
export function setBundledWorker(candidates: () => WorkerCandidate[]): void {
  bundled = candidates;
}

/** The candidates, in order: the page's `worker-url`, then the bundle's own. */
export function workerCandidates(workerUrl: string | undefined, baseUrl: string): WorkerCandidate[] {
  const list: WorkerCandidate[] = [];
  if (workerUrl) {
    const href = new URL(workerUrl, baseUrl).href;
    const type: WorkerType = /\.mjs([?#]|$)/.test(href) ? 'module' : 'classic';
    list.push({ via: 'url', create: () => new Worker(href, { type }) });
  }
  try {
    list.push(...(bundled?.() ?? []));
  } catch {
    // No way to address the bundle (e.g. an inline script): only worker-url, else the main thread.
  }
  return list;
}

/** A classic script that runs itself as the worker: directly when same-origin, else from a Blob that imports it. */
export function classicScriptCandidates(scriptUrl: string): WorkerCandidate[] {
  const url = new URL(scriptUrl, document.baseURI);
  const list: WorkerCandidate[] = [];
  if (url.origin === globalThis.origin) list.push({ via: 'script', create: () => new Worker(url.href) });
  // Cross-origin (a CDN): `new Worker(url)` is refused, but a Blob worker has the page's
  // origin and may import the script like any <script src>.
  list.push(blobCandidate(`importScripts(${JSON.stringify(url.href)});`, 'classic'));
  return list;
}

/** An ES module worker file: directly when same-origin, else from a module Blob that imports it (needs CORS). */
export function moduleCandidates(url: URL, create: () => Worker): WorkerCandidate[] {
  const list: WorkerCandidate[] = [];
  if (url.origin === globalThis.origin) list.push({ via: 'module', create });
  list.push(blobCandidate(`import ${JSON.stringify(url.href)};`, 'module'));
  return list;
}

function blobCandidate(source: string, type: WorkerType): WorkerCandidate {
  let href: string | undefined;
  return {
    via: 'blob',
    create() {
      href = scriptBlobUrl(source);
      return new Worker(href, { type });
    },
    release() {
      if (href) URL.revokeObjectURL(href);
      href = undefined;
    },
  };
}

export type WorkerStart = { worker: Worker; via: WorkerVia } | { worker: undefined; failures: string[] };

/**
 * Tries each candidate until a worker says `ready`. `readyTimeoutMs` bounds a worker that
 * neither loads nor fails (its script stuck on the network).
 */
export async function startWorker(candidates: WorkerCandidate[], readyTimeoutMs = 10_000): Promise<WorkerStart> {
  const failures: string[] = [];
  if (typeof Worker !== 'function') return { worker: undefined, failures: ['this browser has no Worker'] };
  // A CSP refusal may only show as a generic error; the violation event names the directive.
  const [started, violations] = await watchingCsp(async () => {
    for (const candidate of candidates) {
      let worker: Worker;
      try {
        worker = candidate.create();
      } catch (e) {
        candidate.release?.();
        failures.push(`${candidate.via}: ${describeError(e)}`);
        continue;
      }
      const outcome = await new Promise<true | string>((resolve) => {
        const timer = setTimeout(() => resolve(`no answer within ${readyTimeoutMs} ms`), readyTimeoutMs);
        worker.onmessage = (e: MessageEvent) => {
          if ((e.data as { type?: string } | null)?.type !== 'ready') return;
          clearTimeout(timer);
          resolve(true);
        };
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault(); // reported here, not as an uncaught page error
          clearTimeout(timer);
          resolve(e.message || 'the worker script failed to load');
        };
      });
      candidate.release?.();
      worker.onmessage = null;
      worker.onerror = null;
      if (outcome === true) return { worker, via: candidate.via };
      worker.terminate();
      failures.push(`${candidate.via}: ${outcome}`);
    }
    // WebKit refuses a worker under the CSP by throwing a bare SecurityError from `new
    // Worker()` and reports the violation in a task queued after it: let that task run.
    if (failures.some((f) => f.includes('SecurityError'))) await new Promise((r) => setTimeout(r, 0));
    return undefined;
  });
  if (started) return started;
  const directive = violations.find((v) => v.startsWith('worker-src') || v.startsWith('child-src') || v.startsWith('script-src'));
  if (directive) failures.push(`the page's Content-Security-Policy refused it (${directive}: allow blob:, or serve hydra-voice-worker.js from your origin and set worker-url)`);
  if (candidates.length === 0) failures.push('no worker script to start (set worker-url)');
  return { worker: undefined, failures };
}
