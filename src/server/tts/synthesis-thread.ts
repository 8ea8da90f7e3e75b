// Speech synthesis off the event loop: one worker thread runs Flite (and upsamples parrot
// recordings) for the whole process, so a session's reply being prepared never delays
// another session's frames. Requests queue in the worker; the worker is started on first
// use and does not keep the process alive while idle. If it dies or stops answering,
// pending requests fail (their responses end `failed`) and the next request starts a fresh
// worker.
import { Worker } from 'node:worker_threads';
import type { SynthesisOptions } from './flite.ts';
import type { AudioJob, AudioJobReply } from './synthesis-worker.ts';

/** No answer for this long while requests are pending: the worker is presumed stuck. */
const STALL_MS = 30_000;

interface Pending {
  resolve: (pcm: Int16Array) => void;
  reject: (e: Error) => void;
  /** Keeps the process alive until answered. */
  keepAlive: boolean;
}

let worker: Worker | undefined;
let warmedUp = false;
const pending = new Map<number, Pending>();
let nextId = 1;
let stallTimer: ReturnType<typeof setTimeout> | undefined;

function workerEntry(): Worker {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./synthesis-worker${ext}`, import.meta.url);
  if (ext === '.js') return new Worker(entry);
  // Running from the TypeScript sources (tests, `npm start`): Node 20 workers do not get
  // tsx's loader hooks from `--import tsx`, so the worker registers them itself first.
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`, { eval: true });
}

function failAll(error: Error): void {
  const waiting = [...pending.values()];
  pending.clear();
  for (const p of waiting) p.reject(error);
}

function stop(reason: string): void {
  const w = worker;
  worker = undefined;
  warmedUp = false;
  clearTimeout(stallTimer);
  failAll(new Error(`speech synthesis worker ${reason}`));
  void w?.terminate();
}

function armStallTimer(): void {
  clearTimeout(stallTimer);
  if (pending.size === 0) return;
  stallTimer = setTimeout(() => stop(`gave no answer for ${STALL_MS / 1000} s`), STALL_MS);
  stallTimer.unref();
}

function ensureWorker(): Worker {
  if (worker) return worker;
  const w = workerEntry();
  w.unref(); // until a request that must keep the process alive
  w.on('message', (reply: AudioJobReply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (![...pending.values()].some((job) => job.keepAlive)) w.unref();
    armStallTimer();
    if (!p) return;
    if ('pcm' in reply) p.resolve(reply.pcm);
    else p.reject(new Error(reply.error));
  });
  w.on('error', (e) => {
    if (worker === w) stop(`failed: ${e.message}`);
  });
  w.on('exit', (code) => {
    if (worker === w) stop(`exited with code ${code}`);
  });
  worker = w;
  return w;
}

/** Jobs sent to the worker so far (for tests and diagnostics). */
export function synthesisCount(): number {
  return nextId - 1;
}

// An AudioJob without its id (assigned here), one union member at a time.
type WithoutId<J> = J extends unknown ? Omit<J, 'id'> : never;
type Job = WithoutId<AudioJob>;

/** Queues `job`; `keepAlive: false` lets the process exit before it is done. */
function runInWorker(job: Job, { transfer = [], keepAlive = true }: { transfer?: ArrayBuffer[]; keepAlive?: boolean } = {}): Promise<Int16Array> {
  return new Promise((resolve, reject) => {
    let w: Worker;
    try {
      w = ensureWorker();
    } catch (e) {
      reject(e as Error);
      return;
    }
    const id = nextId++;
    pending.set(id, { resolve, reject, keepAlive });
    if (keepAlive) w.ref();
    if (pending.size === 1) armStallTimer();
    w.postMessage({ ...job, id }, transfer);
  });
}

/**
 * Starts the worker and has it compile and run Flite once, in the background, so the first
 * reply does not wait for that (≈ 1 s on a loaded machine). Once per worker; never keeps
 * the process alive; failures surface on the first real request instead.
 */
export function warmUpSynthesis(): void {
  if (warmedUp) return;
  warmedUp = true;
  runInWorker({ kind: 'warm-up' }, { keepAlive: false }).catch(() => (warmedUp = false));
}

/** Speaks `text` in the worker: mono PCM16 at `sampleRate` (default 48 kHz). */
export function synthesizeOffThread(text: string, options: SynthesisOptions = {}): Promise<Int16Array> {
  return runInWorker({ kind: 'speak', text, voice: options.voice ?? 'slt', sampleRate: options.sampleRate ?? 48_000 });
}

/** upsampleInteger(pcm, factor) in the worker; `pcm` is copied, the caller keeps it. */
export function upsampleOffThread(pcm: Int16Array, factor: number): Promise<Int16Array> {
  const copy = pcm.slice();
  return runInWorker({ kind: 'upsample', pcm: copy, factor }, { transfer: [copy.buffer as ArrayBuffer] });
}
