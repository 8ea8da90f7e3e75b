// The engine: a HydraSession (transport + conversation) and the audio router, driven by
// ToEngine messages and reporting FromEngine messages. It runs in a dedicated Worker
// (runWorkerHost) or, when no worker can start, on the page's main thread (the client
// creates it directly). Either way the page sees the same messages.
import { loudnessStep } from '../audio/loudness.ts';
import { toErrorDetail } from '../protocol/errors.ts';
import { HydraSession } from '../session/session.ts';
import type { SessionEventDetails } from '../session/events.ts';
import type { EngineOptions, EngineStats, EngineThread, ForwardedEvent, FromEngine, ToEngine } from './messages.ts';
import { PageTokens } from './page-tokens.ts';
import { AudioRouter } from './router.ts';

/**
 * How often the levels (the loudest since the last look, in quarter steps) are looked at.
 * They go to the page only when a step changed, with the counters at least every
 * STATS_EVERY looks: every message is a task on the page's main thread, whose budget is
 * 0.5 s per minute of conversation.
 */
const LEVEL_INTERVAL_MS = 250;
const STATS_EVERY = 4;

const FORWARDED: readonly ForwardedEvent[] = [
  'state', 'session', 'warning', 'turn-start', 'turn-end', 'turn-discarded', 'response-start', 'response-end',
  'playback-start', 'playback-end', 'error', 'reconnecting', 'frame',
];

type Post = (message: FromEngine) => void;

/** The counters before a session runs. */
export const emptyStats = (thread: EngineThread): EngineStats => ({
  thread,
  sessionState: 'idle',
  droppedAudioChunks: 0,
  droppedLateAudioChunks: 0,
  droppedUnknownAudioChunks: 0,
  mic: { chunks: 0, lost: 0 },
  playback: { underruns: 0, dropped: 0, lastFlushFrame: null },
});

export class EngineHost {
  #session: HydraSession | undefined;
  #router: AudioRouter | undefined;
  #pageTokens: PageTokens | undefined;
  #levelTimer: ReturnType<typeof setInterval> | undefined;
  #pendingPorts: ToEngine[] = [];
  /** Mute may come before start: applied when the session exists. */
  #muted = false;

  readonly #thread: EngineThread;
  readonly #post: Post;

  constructor(
    thread: EngineThread,
    post: Post,
  ) {
    this.#thread = thread;
    this.#post = post;
  }

  handle(m: ToEngine): void {
    switch (m.type) {
      case 'start':
        return this.#start(m.options);
      case 'capture':
      case 'playback':
        if (!this.#router) this.#pendingPorts.push(m);
        else if (m.type === 'capture') this.#router.attachCapture(m.port);
        else this.#router.attachPlayback(m.port);
        return;
      case 'stop':
        this.#stop();
        this.#post({ type: 'stopped' });
        return;
      case 'mute':
        this.#muted = m.muted;
        if (this.#session) this.#session.muted = m.muted;
        return;
      case 'tools':
        return this.#session?.updateTools(m.tools);
      case 'cancel-response':
        return this.#router?.cancelResponse();
      case 'tool-result':
        return this.#session?.answerToolCall(m.callId, m.result);
      case 'token-reply':
        return this.#pageTokens?.reply(m.id, m.reply);
    }
  }

  stats(): EngineStats {
    const s = this.#session;
    const r = this.#router;
    if (!s || !r) return emptyStats(this.#thread);
    return {
      thread: this.#thread,
      sessionState: s.state,
      droppedAudioChunks: s.droppedAudioChunks,
      droppedLateAudioChunks: s.droppedLateAudioChunks,
      droppedUnknownAudioChunks: s.droppedUnknownAudioChunks,
      ...r.stats,
    };
  }

  #start({ pageTokens, ...options }: EngineOptions): void {
    if (this.#session) return;
    if (pageTokens) this.#pageTokens = new PageTokens(this.#post, options.agent);
    const session = (this.#session = new HydraSession(this.#pageTokens ? { ...options, getToken: this.#pageTokens.getToken } : options));
    session.muted = this.#muted;
    const router = (this.#router = new AudioRouter(session));
    for (const name of FORWARDED) {
      session.addEventListener(name, (e) => this.#post({ type: 'event', name, detail: (e as CustomEvent<SessionEventDetails[typeof name]>).detail, stats: this.stats() } as FromEngine));
    }
    session.addEventListener('tool-call', (e) => {
      const { callId, name, arguments: args } = e.detail;
      this.#post({ type: 'tool-call', request: { callId, name, arguments: args }, stats: this.stats() });
    });
    for (const m of this.#pendingPorts.splice(0)) this.handle(m);
    let shown = '';
    let quiet = 0;
    this.#levelTimer = setInterval(() => {
      const [input, output] = router.takeLevels().map(loudnessStep) as [number, number];
      if (`${input} ${output}` === shown && ++quiet < STATS_EVERY) return;
      shown = `${input} ${output}`;
      quiet = 0;
      this.#post({ type: 'levels', input, output, stats: this.stats() });
    }, LEVEL_INTERVAL_MS);
    session.start().then(
      () => this.#post({ type: 'started', stats: this.stats() }),
      (e: unknown) => this.#post({ type: 'start-failed', error: toErrorDetail(e, 'connection_failed') }),
    );
  }

  #stop(): void {
    clearInterval(this.#levelTimer);
    this.#levelTimer = undefined;
    this.#session?.stop();
    this.#router?.close();
    this.#session = undefined;
    this.#router = undefined;
    this.#pageTokens = undefined;
  }
}

/** Structural type of a DedicatedWorkerGlobalScope (the DOM lib has no worker globals). */
interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

/** True inside a dedicated worker (where the bundled script runs the engine instead of defining the element). */
export function isWorkerScope(): boolean {
  const g = globalThis as { WorkerGlobalScope?: abstract new () => unknown };
  return typeof g.WorkerGlobalScope === 'function' && globalThis instanceof g.WorkerGlobalScope;
}

/**
 * Runs the engine in this worker: answers the page's messages, says `ready` once. What the
 * engine reports in one task (a server frame's state change, turn and timeline events) goes
 * to the page as one array: one task there, one render of the element.
 */
export function runWorkerHost(scope: WorkerScope = globalThis as unknown as WorkerScope): void {
  let batch: FromEngine[] | undefined;
  const host = new EngineHost('worker', (m) => {
    if (batch) return void batch.push(m);
    const messages = (batch = [m]);
    queueMicrotask(() => {
      batch = undefined;
      scope.postMessage(messages);
    });
  });
  scope.onmessage = (e: MessageEvent<ToEngine>) => host.handle(e.data);
  scope.postMessage({ type: 'ready' } satisfies FromEngine);
}
