// The page's side of the engine: starts the worker (loader.ts), queues messages until it is
// ready, and falls back to running the engine on the main thread when no worker can start
// (said once in the console, and in debugStats). The element talks only to this.
import type { HydraErrorDetail } from '../protocol/errors.ts';
import type { EngineStats, EngineThread, FromEngine, ToEngine } from './messages.ts';
import { EngineHost, emptyStats } from './host.ts';
import { startWorker, workerCandidates } from './loader.ts';
import type { WorkerVia } from './loader.ts';

export interface EngineClientOptions {
  /** Same-origin URL of hydra-voice-worker.js (strict CSPs). */
  workerUrl?: string | undefined;
  /** Resolves relative URLs (default document.baseURI). */
  baseUrl?: string;
}

let warnedFallback = false;


export class EngineClient {
  /** Every message from the engine (events, levels, started…), in order. */
  onmessage: (m: FromEngine) => void = () => undefined;
  /** Where the engine runs; undefined while the worker is starting. */
  thread: EngineThread | undefined;
  /** How the worker was started. */
  via: WorkerVia | undefined;
  /** Why no worker could start (main-thread fallback). */
  workerError: string | undefined;
  /** Counters as of the last message from the engine. */
  stats: EngineStats = emptyStats('main');
  /** Settles with the session's start(): resolves on the first session.configured. */
  readonly started: Promise<void>;

  #worker: Worker | undefined;
  #local: EngineHost | undefined;
  #queue: [ToEngine, Transferable[]][] = [];
  #closed = false;
  #settle: { resolve: () => void; reject: (e: HydraErrorDetail) => void } | undefined;

  constructor(options: EngineClientOptions = {}) {
    this.started = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.started.catch(() => undefined);
    const baseUrl = options.baseUrl ?? document.baseURI;
    void startWorker(workerCandidates(options.workerUrl, baseUrl)).then((result) => {
      if (this.#closed) {
        result.worker?.terminate();
        return;
      }
      if (result.worker) {
        this.#worker = result.worker;
        this.via = result.via;
        this.thread = 'worker';
        // The engine's reports come in batches (runWorkerHost).
        result.worker.onmessage = (e: MessageEvent<FromEngine[]>) => e.data.forEach((m) => this.#receive(m));
        for (const [m, transfer] of this.#queue.splice(0)) result.worker.postMessage(m, transfer);
      } else {
        this.workerError = result.failures.join('; ');
        this.thread = 'main';
        if (!warnedFallback) {
          warnedFallback = true;
          console.warn(
            `hydra-voice: no Web Worker could start (${this.workerError}); running on the main thread, where a busy page can break up the audio.`,
          );
        }
        const local = (this.#local = new EngineHost('main', (m) => this.#receive(m)));
        for (const [m] of this.#queue.splice(0)) local.handle(m);
      }
    });
  }

  /** Sends a message to the engine (queued until it runs); `transfer` lists the ports it carries. */
  send(m: ToEngine, transfer: Transferable[] = []): void {
    if (this.#closed) return;
    if (this.#worker) this.#worker.postMessage(m, transfer);
    else if (this.#local) this.#local.handle(m);
    else this.#queue.push([m, transfer]);
  }

  /** Stops the session and ends the worker once its socket is closed. */
  close(): void {
    if (this.#closed) return;
    this.send({ type: 'stop' });
    this.#closed = true;
    this.#queue = [];
    const worker = this.#worker;
    if (worker) {
      // Terminate after the engine closed its socket (a close frame, not a torn connection);
      // a stuck worker is ended anyway.
      const timer = setTimeout(() => worker.terminate(), 2000);
      worker.onmessage = (e: MessageEvent<FromEngine[]>) => {
        if (!e.data.some((m) => m.type === 'stopped')) return;
        clearTimeout(timer);
        worker.terminate();
      };
    }
    this.#settle?.reject({ code: 'stopped', message: 'stopped', fatal: false });
    this.#settle = undefined;
  }

  #receive(m: FromEngine): void {
    if (this.#closed) return;
    if ('stats' in m) this.stats = m.stats;
    switch (m.type) {
      case 'started':
        this.#settle?.resolve();
        this.#settle = undefined;
        break;
      case 'start-failed':
        this.#settle?.reject(m.error);
        this.#settle = undefined;
        break;
    }
    this.onmessage(m);
  }
}
