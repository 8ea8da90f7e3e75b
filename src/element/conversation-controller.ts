// A Lit reactive controller that runs one conversation: the audio graph on the page (the
// AudioContext, the mic and playback worklets) and the engine (src/worker: the session and
// the audio routing, in a worker by default). The worklets talk to the engine over their
// own MessagePorts; this controller gets only control messages (state, turns, responses,
// tool calls, errors, levels) and re-fires them as DOM events through a small sink.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { toErrorDetail } from '../protocol/errors.ts';
import type { HydraError, HydraErrorDetail } from '../protocol/errors.ts';
import type { Model, SessionConfig, Tool } from '../protocol/schemas.ts';
import { withResponder } from '../session/tool-answer.ts';
import { bindTimers } from '../session/timers.ts';
import { provideToken, type TokenProvider } from '../session/token.ts';
import { createAudioContext, MIC_ERROR_CODES, MicCapture, Playback } from '../audio/index.ts';
import { EngineClient } from '../worker/client.ts';
import type { EngineThread, FromEngine } from '../worker/messages.ts';
import type { WorkerVia } from '../worker/loader.ts';
import { FORWARDED_EVENTS, type ForwardedSessionEvent, type HydraVoiceEventMap, type HydraVoiceState } from './events.ts';

/** The tokenProvider's deadline, as the token endpoint's (HydraSessionOptions.tokenTimeoutMs). */
const TOKEN_TIMEOUT_MS = 10_000;


export interface ConversationOptions {
  tokenEndpoint?: string | undefined;
  /** The page's own token source; it runs here, on the page, when the engine asks for a token. */
  tokenProvider?: TokenProvider | undefined;
  agent?: string | undefined;
  url?: string | undefined;
  model: Model;
  config: SessionConfig;
  workletUrl?: string | undefined;
  workerUrl?: string | undefined;
  toolTimeoutMs?: number | undefined;
  muted: boolean;
  wireLog: boolean;
  /** Preferred microphone (deviceId); the system default when unset or gone. */
  micDeviceId?: string | undefined;
  /** Output device (deviceId) where the browser supports AudioContext.setSinkId. */
  outputDeviceId?: string | undefined;
  /** Output volume 0…1 (default 1). */
  volume?: number | undefined;
}

/** Diagnostics snapshot: counters only, copied (never live objects). */
export interface HydraVoiceDebugStats {
  sessionState: string;
  /** Where the socket, the codec and the audio routing run: a worker, or (fallback) the page's main thread. */
  thread: EngineThread | 'starting';
  /** How the worker was started: `url` (worker-url), `script` (this script, same-origin), `blob` (a Blob importing it), `module` (the ES module worker). */
  worker?: WorkerVia;
  /** Why no worker could start, when `thread` is `main`. */
  workerError?: string;
  /** Mic chunks not sent because the session was not configured (startup, reconnect). */
  droppedAudioChunks: number;
  /** Reply chunks discarded because their response had ended (barge-in, cancel, lost connection). */
  droppedLateAudioChunks: number;
  /** Reply chunks discarded because Hydra never announced their response. */
  droppedUnknownAudioChunks: number;
  /** Capture: chunks delivered, chunks missing from the worklet's sequence (lost), graph rebuilds. */
  mic: { chunks: number; lost: number; rebuilds: number };
  /** Playback: underruns (the queue of a response that had not ended ran dry), chunks dropped after a flush, and the AudioContext frame where the last flush (barge-in) began its fade. */
  playback: { underruns: number; dropped: number; lastFlushFrame: number | null };
}

/** What the controller needs from its element. */
export interface ConversationSink {
  fire<K extends keyof HydraVoiceEventMap>(type: K, detail: HydraVoiceEventMap[K]['detail'], cancelable?: boolean): boolean;
  stateChanged(state: HydraVoiceState): void;
  /** The engine's levels (loudness in quarter steps), when a step changed (at most 4 a second). */
  levelsChanged(input: number, output: number): void;
  /** The element's history (history.ts), told what the public events do not carry. */
  timeline?: TimelineHooks;
}

export interface TimelineHooks {
  /** The first sample of a reply reached the output. */
  replyStarted(responseId: string): void;
  /** The page answered a tool call (a value or a promise), before it goes to the engine. */
  toolAnswered(callId: string, value: unknown): void;
}

interface Running {
  context: AudioContext;
  engine: EngineClient;
  tokenProvider: TokenProvider | undefined;
  /** Token requests of the engine in flight, by id (aborted on token-abort or stop). */
  tokenRequests: Map<number, AbortController>;
  mic: MicCapture;
  playback: Playback;
}

export class ConversationController implements ReactiveController {
  state: HydraVoiceState = 'idle';
  #running: Running | undefined;
  #failed = false;

  readonly #sink: ConversationSink;

  constructor(
    host: ReactiveControllerHost,
    sink: ConversationSink,
  ) {
    this.#sink = sink;
    host.addController(this);
  }

  get active(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Starts a conversation. Must be called synchronously from the user's gesture: the
   * AudioContext is created and resumed before anything is awaited (autoplay policies).
   */
  async start(options: ConversationOptions): Promise<void> {
    if (this.#running) return;
    this.#failed = false;
    let context: AudioContext;
    try {
      context = createAudioContext();
    } catch (e) {
      this.#fail({ code: 'audio_failed', message: `Web Audio is not available: ${(e as Error).message}`, fatal: true });
      return;
    }
    const base = document.baseURI;
    // The worker resolves nothing against the page: hand it absolute URLs.
    const absolute = (u: string | undefined) => (u === undefined ? undefined : new URL(u, base).href);
    const engine = new EngineClient({ workerUrl: options.workerUrl, baseUrl: base });
    const playbackRoute = new MessageChannel();
    engine.send({ type: 'playback', port: playbackRoute.port2 }, [playbackRoute.port2]);
    const mic = new MicCapture(context, {
      workletUrl: options.workletUrl,
      constraints: options.micDeviceId ? { deviceId: { ideal: options.micDeviceId } } : undefined,
      // Each capture worklet (a device change builds a new one) posts its chunks to the engine.
      route: () => {
        const channel = new MessageChannel();
        engine.send({ type: 'capture', port: channel.port2 }, [channel.port2]);
        return channel.port1;
      },
    });
    const playback = new Playback(context, { workletUrl: options.workletUrl, route: playbackRoute.port1 });
    if (options.volume !== undefined) playback.setVolume(options.volume);
    const running: Running = { context, engine, mic, playback, tokenProvider: options.tokenProvider, tokenRequests: new Map() };
    this.#running = running;
    this.#wire(running);
    if (options.outputDeviceId) this.setOutputDevice(options.outputDeviceId);
    engine.send({ type: 'mute', muted: options.muted });
    engine.send({
      type: 'start',
      options: {
        tokenEndpoint: absolute(options.tokenEndpoint),
        pageTokens: options.tokenProvider !== undefined,
        agent: options.agent,
        url: absolute(options.url),
        model: options.model,
        config: options.config,
        toolTimeoutMs: options.toolTimeoutMs,
        wireLog: options.wireLog,
      },
    });
    this.#setState('connecting');
    try {
      // Mic permission, worklets, the worker and the handshake proceed in parallel; the
      // session drops mic audio until Hydra confirms the configuration.
      await Promise.all([playback.ready(), mic.start(), engine.started]);
    } catch (e) {
      // A WorkletLoadError or MicError carries its own code (audio_failed, mic_denied, …).
      if (this.#running === running) this.#fail(toErrorDetail(e, 'audio_failed'));
    }
  }

  /** Ends the conversation and releases the mic, the socket and the audio graph. */
  stop(): void {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    for (const request of running.tokenRequests.values()) request.abort();
    running.engine.close();
    running.mic.stop();
    running.playback.dispose();
    void running.context.close().catch(() => undefined);
    this.#sink.levelsChanged(0, 0);
    if (!this.#failed) this.#setState('idle');
  }

  cancelResponse(): void {
    this.#running?.engine.send({ type: 'cancel-response' });
  }

  setMuted(muted: boolean): void {
    this.#running?.engine.send({ type: 'mute', muted });
  }

  // ------------------------------------------------------------ devices and volume

  /** Output volume 0…1 (0: speaker muted). */
  setVolume(volume: number): void {
    this.#running?.playback.setVolume(volume);
  }

  /** Switches the microphone mid-conversation (undefined: the system default). */
  setMicDevice(deviceId: string | undefined): void {
    void this.#running?.mic.switchDevice(deviceId);
  }

  /** Plays through another output device, where AudioContext.setSinkId exists (Chromium). */
  setOutputDevice(deviceId: string | undefined): void {
    const context = this.#running?.context as (AudioContext & { setSinkId?(id: string): Promise<void> }) | undefined;
    context?.setSinkId?.(deviceId ?? '').catch((e: Error) =>
      this.#sink.fire('hydra-error', { code: 'audio_failed', message: `Could not play through the chosen speaker: ${e.message}`, fatal: false }),
    );
  }

  updateTools(tools: Tool[]): void {
    this.#running?.engine.send({ type: 'tools', tools });
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Read-only counters of the running conversation (see HydraVoiceElement.debugStats). */
  debugStats(): HydraVoiceDebugStats | undefined {
    const r = this.#running;
    if (!r) return undefined;
    const { stats: s, thread = 'starting', via, workerError } = r.engine;
    const stats: HydraVoiceDebugStats = { ...s, thread, mic: { ...s.mic, rebuilds: r.mic.stats.rebuilds }, playback: { ...s.playback } };
    if (via) stats.worker = via;
    if (workerError !== undefined) stats.workerError = workerError;
    return stats;
  }

  #wire(running: Running): void {
    const { engine, mic } = running;
    const current = () => this.#running === running;
    mic.onproblem = (problem) => {
      if (!current()) return;
      const detail: HydraErrorDetail = { code: MIC_ERROR_CODES[problem.kind], message: problem.message, fatal: problem.kind !== 'silent' };
      if (detail.fatal) this.#fail(detail);
      else this.#sink.fire('hydra-error', detail);
    };
    engine.onmessage = (m) => current() && this.#onEngine(m);
  }

  #onEngine(m: FromEngine): void {
    const running = this.#running!;
    const engine = running.engine;
    switch (m.type) {
      case 'token-request':
        return this.#provideToken(running, m.id, m.agent);
      case 'token-abort':
        running.tokenRequests.get(m.id)?.abort();
        running.tokenRequests.delete(m.id);
        return;
      case 'levels':
        return this.#sink.levelsChanged(m.input, m.output);
      case 'event':
        if (m.name === 'state') this.#setState(m.detail.state);
        else if (m.name === 'playback-start') this.#sink.timeline?.replyStarted(m.detail.responseId);
        else if (m.name === 'error') {
          if (m.detail.fatal) this.#fail(m.detail);
          else this.#sink.fire('hydra-error', m.detail);
        } else if (FORWARDED_EVENTS.includes(m.name)) {
          this.#sink.fire(`hydra-${m.name as ForwardedSessionEvent}`, m.detail as never);
        }
        return;
      case 'tool-call': {
        const { callId, name } = m.request;
        const toEngine = withResponder(m.request, (result) => engine.send({ type: 'tool-result', callId, result }));
        const respond = (value: unknown) => {
          this.#sink.timeline?.toolAnswered(callId, value);
          toEngine.respond(value);
        };
        const answered = this.#sink.fire('hydra-tool-call', { ...toEngine, respond }, true);
        // preventDefault() declines the call: the model hears so at once instead of after the timeout.
        if (!answered) respond(Promise.reject(new Error(`The page declined the ${name} tool call.`)));
        return;
      }
    }
  }

  /** Runs the page's tokenProvider for the engine (same deadline and checks as the endpoint) and sends back the outcome. */
  #provideToken(running: Running, id: number, agent: string | undefined): void {
    const provider = running.tokenProvider;
    if (!provider) return;
    const abort = new AbortController();
    running.tokenRequests.set(id, abort);
    const request = { fetch: globalThis.fetch.bind(globalThis), timers: bindTimers(undefined), timeoutMs: TOKEN_TIMEOUT_MS, signal: abort.signal, agent };
    provideToken(provider, request).then(
      (answer) => ({ ok: true as const, answer }),
      (e: HydraError) => ({ ok: false as const, message: e.message, retryable: e.retryable }),
    ).then((reply) => {
      if (running.tokenRequests.get(id) !== abort) return; // aborted or stopped
      running.tokenRequests.delete(id);
      running.engine.send({ type: 'token-reply', id, reply });
    });
  }

  #setState(state: HydraVoiceState): void {
    if (state === this.state) return;
    this.state = state;
    this.#sink.stateChanged(state);
  }

  #fail(detail: HydraErrorDetail): void {
    this.#failed = true;
    this.stop();
    this.#setState('error');
    this.#sink.fire('hydra-error', { ...detail, fatal: true });
  }
}
