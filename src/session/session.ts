// HydraSession: one conversation with Hydra over a WebSocket. Credentials, handshake,
// audio gating, keep-alive, errors and reconnects live here; turn tracking (turns.ts) and
// tool calls (tool-calls.ts) are delegated. Only WebSocket, fetch, timers and random are
// used, all injectable. No audio, no UI.
import { pcm16ToBase64 } from '../protocol/base64.ts';
import { checkSessionConfig, checkToolList } from '../protocol/browser-checks.ts';
import { newEventId } from '../protocol/ids.ts';
import { parseServerFrame } from '../protocol/parse.ts';
import type { ClientFrame, Model, ServerFrame, ServerFrameOf, SessionConfig, Tool } from '../protocol/schemas.ts';
import { DEFAULT_MODEL, checkVoice } from '../protocol/voices.ts';
import { HydraError } from './events.ts';
import type { HydraSessionEventMap, ReconnectReason, SessionErrorDetail, SessionState } from './events.ts';
import { RECONNECT_DEFAULTS, reconnectDelay } from './reconnect.ts';
import type { ReconnectOptions } from './reconnect.ts';
import { TimerSlots, bindTimers } from './timers.ts';
import type { SessionTimers } from './timers.ts';
import { DEFAULT_URL, buildSocketUrl, fetchToken } from './token.ts';
import { ToolCalls } from './tool-calls.ts';
import { Turns } from './turns.ts';
import { SentFrames, elideAudio } from './wire.ts';

export interface HydraSessionOptions {
  /** POST → `{token, url?}`. Absent: connect without a token (`api_key` omitted), e.g. to a relay. */
  tokenEndpoint?: string | undefined;
  /** WebSocket base when the token answer has none (default `wss://api.smallest.ai/waves/v1/s2s`). */
  url?: string | undefined;
  /** Default `hydra-v1.1`. */
  model?: Model | undefined;
  /** Sent as the one `session.configure`; only known keys, voice checked against the model. */
  config: SessionConfig;
  /** An unanswered tool call gets an error output after this long (default 15 000). */
  toolTimeoutMs?: number;
  /** Delay between the last tool output of a batch and its one `response.create` (default 200). */
  responseCreateDebounceMs?: number;
  /** A silence frame is sent when nothing was sent for this long (default 5000; Hydra idles out at ~30 s). */
  keepAliveMs?: number;
  /** Token endpoint deadline (default 10 000). */
  tokenTimeoutMs?: number;
  /** A socket not open after this long counts as never opened (default 10 000). */
  connectTimeoutMs?: number;
  /** An open socket without `session.configured` after this long is replaced (default 10 000). */
  handshakeTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** Largest incoming frame accepted (default 1 MiB). */
  maxFrameBytes?: number;
  WebSocket?: typeof WebSocket;
  fetch?: typeof fetch;
  timers?: SessionTimers;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

type Phase = 'closed' | 'connecting' | 'awaiting-created' | 'awaiting-configured' | 'ready';
type Slot = 'keepalive' | 'reconnect' | 'open' | 'handshake';
type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void };

const SILENCE_SAMPLES = 320; // 20 ms at 16 kHz
const CLOSE_NORMAL = 1000;
const CLOSE_CLIENT_RETRY = 4000;

/** Close codes of hydra-voice's relay (docs/SERVER.md) that no retry can fix. */
const RELAY_FATAL_CLOSES: Record<number, string> = {
  4003: 'The relay refused this page\'s origin (or a token minted for another origin or model)',
  4400: 'Hydra refused the connection request (e.g. an unknown model)',
  4401: 'Hydra rejected the relay\'s API key; the site\'s SMALLEST_API_KEY needs fixing',
};
/** The relay refused the token (expired, bad signature): a fresh token may fix it. */
const RELAY_TOKEN_REFUSED = 4001;
/** Too many sessions for this token or IP at the relay: back off like server_full. */
const RELAY_TOO_MANY = 4029;

/**
 * A Hydra conversation. `start()` connects and configures; `appendAudio()` streams the mic;
 * events report turns, responses, audio, tool calls, errors and reconnects. A session
 * started and not stopped is "in a conversation": it reconnects after any drop (also a
 * server's close 1000) until stop(), a fatal error, or `reconnect.maxAttempts`.
 */
export class HydraSession extends EventTarget {
  /** While true, appendAudio() sends zeros of the same length (the session stays alive). */
  muted = false;

  private readonly options: HydraSessionOptions;
  private readonly model: Model;
  private config: SessionConfig;
  private readonly WS: typeof WebSocket;
  private readonly fetchFn: typeof fetch;
  private readonly timers: SessionTimers;
  private readonly slots: TimerSlots<Slot>;
  private readonly random: () => number;
  private readonly retry: Required<ReconnectOptions>;
  private readonly turns: Turns;
  private readonly tools: ToolCalls;
  private readonly sent = new SentFrames();

  private currentState: SessionState = 'idle';
  private currentSessionId: string | undefined;
  private phase: Phase = 'closed';
  private ws: WebSocket | undefined;
  private opened = false;
  private serverFull = false;
  /** start() called and stop() not (nor a fatal error): reconnect after drops. */
  private engaged = false;
  /** Bumped by stop()/fail()/each connect, so stale async work is ignored. */
  private generation = 0;
  private attempt = 0;
  private neverOpened = 0;
  private internalErrorRetried = false;
  /** A relay's 4001 (token refused) is retried once with a fresh token, then reported. */
  private tokenRefusedRetried = false;
  private pendingToolsUpdate = false;
  private tokenAbort: AbortController | undefined;
  private starting: { promise: Promise<void>; resolve: () => void; reject: (e: HydraError) => void } | undefined;
  private droppedAudio = 0;
  private zeros = new Int16Array(0);

  constructor(options: HydraSessionOptions) {
    super();
    this.options = options;
    this.model = options.model ?? DEFAULT_MODEL;
    this.config = { ...options.config };
    this.WS = options.WebSocket ?? globalThis.WebSocket;
    const f = options.fetch ?? globalThis.fetch;
    this.fetchFn = ((input, init) => f(input, init)) as typeof fetch;
    this.timers = bindTimers(options.timers);
    this.slots = new TimerSlots<Slot>(this.timers);
    this.random = options.random ?? Math.random;
    this.retry = { ...RECONNECT_DEFAULTS, ...stripUndefined(options.reconnect ?? {}) };
    this.turns = new Turns({
      emit: (type, detail) => this.emit(type, detail),
      invalid: (message) => this.emitError(new HydraError('invalid_frame', message, { fatal: false })),
      changed: () => this.refreshState(),
    });
    this.tools = new ToolCalls({
      timers: this.timers,
      toolTimeoutMs: options.toolTimeoutMs ?? 15_000,
      debounceMs: options.responseCreateDebounceMs ?? 200,
      send: (frame) => {
        // Between the tool outputs and the narration's response.created the agent is still
        // working: stay `thinking` instead of flickering to `listening` for a round trip.
        if (frame.type === 'response.create') this.turns.expectResponse();
        void this.send(frame);
      },
      call: (detail) => this.emit('tool-call', detail),
      error: (message) => this.emitError(new HydraError('tool_failed', message, { fatal: false })),
      changed: () => this.refreshState(),
    });
  }

  /** idle, connecting (also while reconnecting), listening, user-speaking, thinking, speaking, error. */
  get state(): SessionState {
    return this.currentState;
  }

  /** Hydra's id for the current session (a reconnect is a new session). */
  get sessionId(): string | undefined {
    return this.currentSessionId;
  }

  /** Audio chunks dropped because the session was not configured yet (or reconnecting). */
  get droppedAudioChunks(): number {
    return this.droppedAudio;
  }

  /** Reply audio chunks dropped because they belonged to a barged-in response. */
  get droppedLateAudioChunks(): number {
    return this.turns.droppedLateAudio;
  }

  /**
   * Connects and configures. Resolves on the first `session.configured`; rejects with a
   * HydraError on a fatal problem (invalid config, token endpoint, connection) or `stopped`.
   */
  start(): Promise<void> {
    if (this.starting) return this.starting.promise;
    if (this.engaged) return Promise.resolve();
    const parsed = checkSessionConfig(this.config);
    let problem: string | undefined;
    if (!parsed.ok) problem = `Invalid session configuration: ${parsed.issues.join('; ')}`;
    else {
      const voice = checkVoice(this.model, parsed.value.voice);
      if (!voice.ok) problem = voice.message;
    }
    if (problem !== undefined || !parsed.ok) {
      const error = new HydraError('invalid_config', problem ?? 'Invalid session configuration.');
      this.fail(error);
      return Promise.reject(error);
    }
    this.config = parsed.value;
    this.engaged = true;
    this.attempt = 0;
    this.neverOpened = 0;
    this.internalErrorRetried = false;
    let resolve!: () => void;
    let reject!: (e: HydraError) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // callers that ignore it still see the `error` event
    this.starting = { promise, resolve, reject };
    void this.connect(false);
    return promise;
  }

  /** Ends the conversation: closes 1000, clears every timer, no reconnect; state idle. */
  stop(): void {
    this.engaged = false;
    this.generation++;
    this.tokenAbort?.abort();
    this.tokenAbort = undefined;
    this.dropSocket(CLOSE_NORMAL, 'client stop');
    this.slots.clearAll();
    this.settleStart(new HydraError('stopped', 'stop() was called before the session was configured.'));
    this.setState('idle');
  }

  /** Streams 16 kHz PCM16 mic audio; dropped (and counted) until `session.configured`. */
  appendAudio(pcm16: Int16Array): void {
    if (this.phase !== 'ready') {
      this.droppedAudio++;
      return;
    }
    let samples = pcm16;
    if (this.muted) {
      if (this.zeros.length !== pcm16.length) this.zeros = new Int16Array(pcm16.length);
      samples = this.zeros;
    }
    this.send({ type: 'input_audio_buffer.append', audio: pcm16ToBase64(samples) });
  }

  /** Replaces the tools: `session.update` now if configured, and on every reconnect. */
  updateTools(tools: Tool[]): void {
    const parsed = checkToolList(tools);
    if (!parsed.ok) {
      this.emitError(new HydraError('invalid_config', `updateTools: ${parsed.issues.join('; ')}`, { fatal: false }));
      return;
    }
    this.config = { ...this.config, tools: parsed.value };
    if (this.phase === 'ready') this.send({ type: 'session.update', session: { tools: parsed.value } });
    else if (this.phase === 'awaiting-configured') this.pendingToolsUpdate = true;
    // Before session.created the tools simply go into the session.configure.
  }

  /** Sends `response.cancel` for the response in flight (Hydra answers `client_cancelled`). */
  cancelResponse(): void {
    if (this.phase !== 'ready') return;
    const id = this.turns.current;
    this.send(id === undefined ? { type: 'response.cancel' } : { type: 'response.cancel', response_id: id });
  }

  // ------------------------------------------------------------ connection

  private async connect(reconnecting: boolean): Promise<void> {
    const generation = ++this.generation;
    this.phase = 'connecting';
    this.serverFull = false;
    this.setState('connecting');
    let base = this.options.url ?? DEFAULT_URL;
    let token: string | undefined;
    if (this.options.tokenEndpoint) {
      const abort = (this.tokenAbort = new AbortController());
      try {
        const answer = await fetchToken(this.options.tokenEndpoint, {
          fetch: this.fetchFn,
          timers: this.timers,
          timeoutMs: this.options.tokenTimeoutMs ?? 10_000,
          signal: abort.signal,
        });
        token = answer.token;
        if (answer.url !== undefined) base = answer.url;
      } catch (e) {
        if (generation !== this.generation) return;
        const error = e instanceof HydraError ? e : new HydraError('token_failed', String(e));
        // A flaky endpoint mid-conversation is retried; at start the user sees it at once.
        if (reconnecting && error.retryable) {
          this.emitError(new HydraError('token_failed', error.message, { fatal: false }));
          this.scheduleReconnect('token_failed');
        } else this.fail(error);
        return;
      } finally {
        if (this.tokenAbort === abort) this.tokenAbort = undefined;
      }
      if (generation !== this.generation) return;
    }
    let url: string;
    let ws: WebSocket;
    try {
      url = buildSocketUrl(base, this.model, token);
      ws = new this.WS(url);
    } catch (e) {
      this.fail(e instanceof HydraError ? e : new HydraError('invalid_config', `Cannot open a WebSocket: ${(e as Error).message}`));
      return;
    }
    this.ws = ws;
    this.opened = false;
    ws.onopen = () => this.onOpen(ws);
    ws.onmessage = (m: MessageEvent) => this.onMessage(ws, m.data);
    ws.onclose = (c: CloseEvent) => this.onClose(ws, c.code, c.reason);
    ws.onerror = () => undefined; // a close event always follows
    this.slots.set('open', () => this.onClose(ws, 1006, 'connect timeout'), this.options.connectTimeoutMs ?? 10_000);
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.opened = true;
    this.neverOpened = 0;
    this.phase = 'awaiting-created';
    this.slots.clear('open');
    this.slots.set('handshake', () => this.retryNow('handshake_timeout'), this.options.handshakeTimeoutMs ?? 10_000);
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    const opened = this.opened;
    const serverFull = this.serverFull || code === 1013;
    this.dropSocket(CLOSE_NORMAL, 'closing');
    if (!this.engaged) return;
    if (!opened) {
      this.neverOpened++;
      if (this.neverOpened >= 2) {
        this.fail(
          new HydraError(
            'connection_failed',
            `The connection to ${safeHost(ws.url)} failed twice before it opened. This is most likely a credential ` +
              `problem (an invalid or expired api_key/token is refused with HTTP 401, which browsers cannot see) ` +
              `or a wrong endpoint URL.`,
          ),
        );
        return;
      }
      this.scheduleReconnect('never_opened');
    } else if (RELAY_FATAL_CLOSES[code]) {
      // hydra-voice's relay (src/server/relay) refused the session for a reason a retry cannot fix.
      this.fail(new HydraError('connection_failed', `${RELAY_FATAL_CLOSES[code]}${reason ? ` (${reason})` : ''}.`));
    } else if (code === RELAY_TOKEN_REFUSED) {
      if (this.tokenRefusedRetried) {
        this.fail(new HydraError('token_failed', `The relay refused the token twice${reason ? ` (${reason})` : ''}; check the token endpoint's secret and clock.`));
        return;
      }
      this.tokenRefusedRetried = true;
      this.scheduleReconnect('token_failed');
    } else if (serverFull || code === RELAY_TOO_MANY) {
      this.scheduleReconnect('server_full');
    } else if (code === CLOSE_NORMAL) {
      this.scheduleReconnect('closed'); // still in a conversation (stop() was not called)
    } else {
      const why = `close code ${code}${reason ? `: ${reason}` : ''}`;
      this.emitError(new HydraError('connection_lost', `The connection to Hydra dropped (${why}); reconnecting.`, { fatal: false }));
      this.scheduleReconnect('dropped');
    }
  }

  /** Closes the current socket (if any) and schedules a new session. */
  private retryNow(reason: ReconnectReason): void {
    this.dropSocket(CLOSE_CLIENT_RETRY, reason);
    if (this.engaged) this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: ReconnectReason): void {
    this.attempt++;
    if (this.attempt > this.retry.maxAttempts) {
      this.fail(new HydraError('connection_lost', `Lost the connection to Hydra; ${this.retry.maxAttempts} reconnect attempts failed.`));
      return;
    }
    const delayMs = reconnectDelay(this.attempt, reason === 'server_full', this.retry, this.random);
    this.phase = 'closed';
    this.setState('connecting');
    this.emit('reconnecting', { attempt: this.attempt, delayMs, reason });
    this.slots.set('reconnect', () => void this.connect(true), delayMs);
  }

  /** Detaches and closes the socket; everything tied to that Hydra session is forgotten. */
  private dropSocket(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = undefined;
    this.phase = 'closed';
    this.currentSessionId = undefined;
    this.pendingToolsUpdate = false;
    this.slots.clear('open');
    this.slots.clear('handshake');
    this.slots.clear('keepalive');
    this.tools.reset();
    this.turns.reset();
    this.sent.clear();
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    if (ws.readyState === 0 || ws.readyState === 1) {
      try {
        ws.close(code, reason);
      } catch {
        // already failing; nothing to release
      }
    }
  }

  private fail(error: HydraError): void {
    const fatal = error.fatal ? error : withCause(new HydraError(error.code, error.message), error);
    this.engaged = false;
    this.generation++;
    this.tokenAbort?.abort();
    this.tokenAbort = undefined;
    this.dropSocket(CLOSE_NORMAL, 'fatal error');
    this.slots.clearAll();
    this.setState('error');
    this.emit('error', { ...fatal.toDetail(), fatal: true });
    this.settleStart(fatal);
  }

  private settleStart(error?: HydraError): void {
    const starting = this.starting;
    if (!starting) return;
    this.starting = undefined;
    if (error) starting.reject(error);
    else starting.resolve();
  }

  // ------------------------------------------------------------ frames in

  private onMessage(ws: WebSocket, data: unknown): void {
    if (ws !== this.ws) return;
    const result = parseServerFrame(data, this.options.maxFrameBytes === undefined ? {} : { maxBytes: this.options.maxFrameBytes });
    if (!result.ok) {
      const raw = typeof data === 'string' ? data.slice(0, 200) : `<${Object.prototype.toString.call(data)}>`;
      this.emit('frame', { direction: 'in', frame: { invalid: result.failure.kind, raw } });
      this.emitError(new HydraError('invalid_frame', `Ignored a malformed frame from the server: ${result.failure.message}`, { fatal: false }));
      return;
    }
    const frame = result.frame;
    this.emit('frame', { direction: 'in', frame: elideAudio(frame) });
    if (ws !== this.ws) return; // a listener stopped the session
    this.onFrame(frame);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'warning':
        this.emit('warning', frame.message === undefined ? { code: frame.code } : { code: frame.code, message: frame.message });
        return;
      case 'session.created':
        if (this.phase !== 'awaiting-created') return; // a repeat would mean a second configure: never
        this.currentSessionId = frame.session_id;
        this.phase = 'awaiting-configured';
        this.send({ type: 'session.configure', session: { ...this.config } });
        return;
      case 'session.configured':
        if (this.phase !== 'awaiting-configured') return;
        this.onConfigured(frame);
        return;
      case 'session.updated':
        return;
      case 'input_audio_buffer.speech_started':
        return this.turns.speechStarted(frame);
      case 'input_audio_buffer.speech_stopped':
        return this.turns.speechStopped(frame);
      case 'conversation.item.added':
        return;
      case 'conversation.item.done':
        return this.turns.itemDone(frame);
      case 'response.created':
        return this.turns.responseCreated(frame);
      case 'response.output_audio.delta':
        return this.turns.audioDelta(frame);
      case 'response.output_audio.done':
        return this.turns.audioDone(frame);
      case 'response.function_call_arguments.delta':
        return this.tools.delta(frame);
      case 'response.function_call_arguments.done':
        return this.tools.done(frame);
      case 'response.done':
        if (frame.response.status === 'completed') this.internalErrorRetried = this.tokenRefusedRetried = false;
        this.tools.responseEnded(frame.response.id, frame.response.status);
        return this.turns.responseDone(frame);
      case 'error':
        return this.onServerError(frame);
    }
  }

  private onConfigured(frame: ServerFrameOf<'session.configured'>): void {
    this.phase = 'ready';
    this.attempt = 0;
    this.slots.clear('handshake');
    this.armKeepAlive();
    if (this.pendingToolsUpdate) {
      this.pendingToolsUpdate = false;
      this.send({ type: 'session.update', session: { tools: this.config.tools ?? [] } });
    }
    this.emit('session', { sessionId: this.currentSessionId ?? '', session: frame.session });
    this.refreshState();
    this.settleStart();
  }

  private onServerError(frame: ServerFrameOf<'error'>): void {
    const e = frame.error;
    const error = new HydraError(e.code, e.message, { fatal: false });
    if (e.param) error.param = e.param;
    if (e.event_id) {
      error.causeEventId = e.event_id;
      const type = this.sent.typeOf(e.event_id);
      if (type !== undefined) error.causeType = type;
    }
    if (e.code === 'server_full') this.serverFull = true; // close 1013 follows: back off longer
    if (e.code === 'tool_response_timeout') this.tools.abandonOpen();
    if (error.causeType === 'response.create') this.turns.responseRefused();
    if (error.causeType === 'session.configure' && this.phase === 'awaiting-configured') {
      // Hydra refused our configuration (e.g. a voice): a new session would be refused too.
      this.fail(withCause(new HydraError(e.code, `Hydra rejected the session configuration: ${e.message}`), error));
      return;
    }
    if (e.code === 'internal_error') {
      if (this.internalErrorRetried) {
        this.fail(withCause(new HydraError(e.code, `Hydra failed again after a reconnect: ${e.message}`), error));
        return;
      }
      // The digest's advice: reconnect once on internal_error.
      this.internalErrorRetried = true;
      this.emitError(error);
      this.retryNow('internal_error');
      return;
    }
    this.emitError(error);
  }

  // ------------------------------------------------------------ frames out

  private send(frame: ClientFrame): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    const eventId = newEventId();
    const { type, ...rest } = frame;
    const out = { type, event_id: eventId, ...rest };
    this.sent.add(eventId, type);
    ws.send(JSON.stringify(out));
    this.emit('frame', { direction: 'out', frame: elideAudio(out) });
    if (this.phase === 'ready') this.armKeepAlive();
    return true;
  }

  private armKeepAlive(): void {
    const keepAliveMs = this.options.keepAliveMs ?? 5_000;
    this.slots.set('keepalive', () => this.sendSilence(), keepAliveMs);
  }

  private sendSilence(): void {
    if (this.phase !== 'ready') return;
    if (this.zeros.length !== SILENCE_SAMPLES) this.zeros = new Int16Array(SILENCE_SAMPLES);
    this.send({ type: 'input_audio_buffer.append', audio: pcm16ToBase64(this.zeros) });
  }

  // ------------------------------------------------------------ state and events

  private refreshState(): void {
    if (this.phase !== 'ready') return;
    this.setState(this.turns.state(this.tools.busy));
  }

  private setState(state: SessionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', { state });
  }

  private emitError(error: HydraError): void {
    this.emit('error', error.toDetail());
  }

  private emit<K extends keyof HydraSessionEventMap>(type: K, detail: HydraSessionEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  override addEventListener<K extends keyof HydraSessionEventMap>(
    type: K,
    listener: Listener<HydraSessionEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof HydraSessionEventMap>(
    type: K,
    listener: Listener<HydraSessionEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }
}

export type { SessionErrorDetail };

/** Copies param and cause of `source` onto `target`. */
function withCause(target: HydraError, source: HydraError): HydraError {
  if (source.param !== undefined) target.param = source.param;
  if (source.causeEventId !== undefined) target.causeEventId = source.causeEventId;
  if (source.causeType !== undefined) target.causeType = source.causeType;
  return target;
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`; // never the query: it carries the token
  } catch {
    return 'the Hydra endpoint';
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
