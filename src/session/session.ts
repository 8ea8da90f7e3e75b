// HydraSession: one conversation with Hydra, as an EventTarget with typed events. It is
// the two layers wired together: the transport (transport.ts: token, socket, timers,
// keep-alive, codec, reconnect policy) and the conversation (conversation.ts: handshake,
// routing, turns, responses, tools, error policy, state). No audio, no UI: the audio
// router (src/worker/router.ts) feeds it mic chunks and plays its `audio` events.
import { HydraError, withCause } from '../protocol/errors.ts';
import { checkSessionConfig, checkToolList } from '../protocol/browser-checks.ts';
import type { Model, SessionConfig, Tool } from '../protocol/schemas.ts';
import { DEFAULT_MODEL, checkVoice } from '../protocol/voices.ts';
import { Conversation } from './conversation.ts';
import type { HydraSessionEventMap, HydraState, SessionEventDetails, ToolResult } from './events.ts';
import { RECONNECT_DEFAULTS } from './reconnect.ts';
import type { ReconnectOptions } from './reconnect.ts';
import { bindTimers } from './timers.ts';
import type { SessionTimers } from './timers.ts';
import type { GetToken, TokenProvider } from './token.ts';
import { withResponder } from './tool-answer.ts';
import { Transport } from './transport.ts';

export interface HydraSessionOptions {
  /** POST → `{token, url?}`. Absent: connect without a token (`api_key` omitted), e.g. to a relay. */
  tokenEndpoint?: string | undefined;
  /** The token step instead of a POST to `tokenEndpoint` (how the worker asks the page's tokenProvider). */
  getToken?: GetToken | undefined;
  /** Used instead of tokenEndpoint when set: the page's own `{token, url?}` source. */
  tokenProvider?: TokenProvider | undefined;
  /** A server-held agent to ask the token endpoint (or provider) for. */
  agent?: string | undefined;
  /** WebSocket base when the token answer has none (default `wss://api.smallest.ai/waves/v1/s2s`). */
  url?: string | undefined;
  /** Default `hydra-v1.1`. */
  model?: Model | undefined;
  /** Sent as the one `session.configure`; only known keys, voice checked against the model. */
  config: SessionConfig;
  /** An unanswered tool call gets an error output after this long (default 15 000). */
  toolTimeoutMs?: number | undefined;
  /** Delay between the last tool output of a batch and its one `response.create` (default 200). */
  responseCreateDebounceMs?: number | undefined;
  /** A silence frame is sent when nothing was sent for this long (default 5000; Hydra idles out at ~30 s). */
  keepAliveMs?: number | undefined;
  /** Token endpoint deadline (default 10 000). */
  tokenTimeoutMs?: number | undefined;
  /** A socket not open after this long counts as never opened (default 10 000). */
  connectTimeoutMs?: number | undefined;
  /** An open socket without `session.configured` after this long is replaced (default 10 000). */
  handshakeTimeoutMs?: number | undefined;
  reconnect?: ReconnectOptions | undefined;
  /** Largest incoming frame accepted (default 1 MiB). */
  maxFrameBytes?: number | undefined;
  /** Fire `frame` events (the wire log). Off, no frame is copied for it. */
  wireLog?: boolean | undefined;
  WebSocket?: typeof WebSocket;
  fetch?: typeof fetch;
  timers?: SessionTimers;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void };

/**
 * A Hydra conversation. `start()` connects and configures; `appendAudio()` streams the mic;
 * events report turns, responses, audio, tool calls, errors and reconnects. A session
 * started and not stopped is "in a conversation": it reconnects after any drop (also a
 * server's close 1000) until stop(), a fatal error, or `reconnect.maxAttempts`.
 */
export class HydraSession extends EventTarget {
  readonly #model: Model;
  readonly #transport: Transport;
  readonly #conversation: Conversation;
  #engaged = false;
  #starting: { promise: Promise<void>; resolve: () => void; reject: (e: HydraError) => void } | undefined;

  constructor(options: HydraSessionOptions) {
    super();
    this.#model = options.model ?? DEFAULT_MODEL;
    const timers = bindTimers(options.timers);
    const f = options.fetch ?? globalThis.fetch;
    this.#transport = new Transport(
      {
        ...options, // tokenEndpoint, getToken, tokenProvider, agent, url, maxFrameBytes as given
        model: this.#model,
        keepAliveMs: options.keepAliveMs ?? 5_000,
        tokenTimeoutMs: options.tokenTimeoutMs ?? 10_000,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
        reconnect: { ...RECONNECT_DEFAULTS, ...stripUndefined(options.reconnect ?? {}) },
        WebSocket: options.WebSocket ?? globalThis.WebSocket,
        fetch: ((input, init) => f(input, init)) as typeof fetch,
        timers,
        random: options.random ?? Math.random,
        wireLog: options.wireLog ?? false,
      },
      {
        reconnecting: (detail) => {
          this.#conversation.setState('connecting');
          this.#emit('reconnecting', detail);
        },
        problem: (error) => this.#emit('error', error.toDetail()),
        failed: (error) => this.#failed(error),
        wire: (direction, frame) => this.#emit('frame', { direction, frame }),
      },
    );
    this.#conversation = new Conversation(
      this.#transport,
      {
        emit: (type, detail) => this.#emit(type, detail),
        toolCall: (request) => this.#emit('tool-call', withResponder(request, (result) => this.answerToolCall(request.callId, result))),
        ready: () => this.#settleStart(),
      },
      {
        config: options.config,
        toolTimeoutMs: options.toolTimeoutMs ?? 15_000,
        responseCreateDebounceMs: options.responseCreateDebounceMs ?? 200,
        timers,
      },
    );
  }

  /** idle, connecting (also while reconnecting), listening, user-speaking, thinking, speaking, error. */
  get state(): HydraState {
    return this.#conversation.state;
  }

  /** Hydra's id for the current session (a reconnect is a new session). */
  get sessionId(): string | undefined {
    return this.#conversation.sessionId;
  }

  /** While true, appendAudio() sends zeros of the same length (the session stays alive). */
  get muted(): boolean {
    return this.#conversation.muted;
  }
  set muted(muted: boolean) {
    this.#conversation.muted = muted;
  }

  /** Audio chunks dropped because the session was not configured yet (or reconnecting). */
  get droppedAudioChunks(): number {
    return this.#conversation.droppedAudio;
  }

  /** Reply audio chunks dropped because their response had ended (barge-in, cancel, lost connection). */
  get droppedLateAudioChunks(): number {
    return this.#conversation.turns.droppedLateAudio;
  }

  /** Reply audio chunks dropped because Hydra never announced their response. */
  get droppedUnknownAudioChunks(): number {
    return this.#conversation.turns.droppedUnknownAudio;
  }

  /**
   * Connects and configures. Resolves on the first `session.configured`; rejects with a
   * HydraError on a fatal problem (invalid config, token endpoint, connection) or `stopped`.
   */
  start(): Promise<void> {
    if (this.#starting) return this.#starting.promise;
    if (this.#engaged) return Promise.resolve();
    const parsed = checkSessionConfig(this.#conversation.config);
    const voice = parsed.ok ? checkVoice(this.#model, parsed.value.voice) : undefined;
    if (!parsed.ok || !voice?.ok) {
      const problem = parsed.ok ? (voice as { message: string }).message : `Invalid session configuration: ${parsed.issues.join('; ')}`;
      const error = new HydraError('invalid_config', problem);
      this.#failed(error);
      return Promise.reject(error);
    }
    this.#conversation.config = parsed.value;
    this.#conversation.begin();
    this.#engaged = true;
    let resolve!: () => void;
    let reject!: (e: HydraError) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // callers that ignore it still see the `error` event
    this.#starting = { promise, resolve, reject };
    this.#transport.open();
    return promise;
  }

  /** Ends the conversation: closes 1000, clears every timer, no reconnect; state idle. */
  stop(): void {
    this.#engaged = false;
    this.#conversation.clear();
    this.#transport.close();
    this.#settleStart(new HydraError('stopped', 'stop() was called before the session was configured.'));
    this.#conversation.setState('idle');
  }

  /** Streams 16 kHz PCM16 mic audio; dropped (and counted) until `session.configured`. */
  appendAudio(pcm16: Int16Array): void {
    this.#conversation.appendAudio(pcm16);
  }

  /** Replaces the tools: `session.update` now if configured, and on every reconnect. */
  updateTools(tools: Tool[]): void {
    const parsed = checkToolList(tools);
    if (!parsed.ok) {
      this.#emit('error', { code: 'invalid_config', message: `updateTools: ${parsed.issues.join('; ')}`, fatal: false });
      return;
    }
    this.#conversation.updateTools(parsed.value);
  }

  /** Sends `response.cancel` for the response in flight (Hydra answers `client_cancelled`). */
  cancelResponse(): void {
    this.#conversation.cancelResponse();
  }

  /** Answers tool call `callId` (what `tool-call`'s respond() does; for answers from another thread). */
  answerToolCall(callId: string, result: ToolResult): void {
    this.#conversation.answerToolCall(callId, result);
  }

  /**
   * A playback will report what it plays (playbackStarted/playbackEnded): from now on
   * `speaking` lasts from a reply's first audible sample to its last, and `playback-end`
   * events fire.
   */
  attachPlayback(): void {
    this.#conversation.turns.playbackAttached = true;
  }

  /** The first sample of response `responseId` reached the output. */
  playbackStarted(responseId: string): void {
    this.#conversation.turns.playbackStarted(responseId);
  }

  /** Response `responseId` left the output after `durationMs` of it played: to its last sample, or cut off. */
  playbackEnded(responseId: string, interrupted: boolean, durationMs: number): void {
    this.#conversation.turns.playbackEnded(responseId, interrupted, durationMs);
  }

  // ------------------------------------------------------------ internals

  #failed(error: HydraError): void {
    const fatal = error.fatal ? error : withCause(new HydraError(error.code, error.message), error);
    this.#engaged = false;
    this.#conversation.setState('error');
    this.#emit('error', { ...fatal.toDetail(), fatal: true });
    this.#settleStart(fatal);
  }

  #settleStart(error?: HydraError): void {
    const starting = this.#starting;
    if (!starting) return;
    this.#starting = undefined;
    if (error) starting.reject(error);
    else starting.resolve();
  }

  #emit<K extends keyof SessionEventDetails>(type: K, detail: SessionEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // Typed listeners for the session's events (types only: EventTarget's own methods run).
  declare addEventListener: {
    <K extends keyof HydraSessionEventMap>(type: K, listener: Listener<HydraSessionEventMap[K]> | null, options?: boolean | AddEventListenerOptions): void;
    (type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  };
  declare removeEventListener: {
    <K extends keyof HydraSessionEventMap>(type: K, listener: Listener<HydraSessionEventMap[K]> | null, options?: boolean | EventListenerOptions): void;
    (type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
