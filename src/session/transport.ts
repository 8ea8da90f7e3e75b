// The transport: everything between "start a conversation" and frames in and out. The
// token step, the WebSocket, the connect and handshake deadlines, the keep-alive, the
// frame codec (JSON in and out, parsing, event ids) and the reconnect policy. It knows no
// turns, responses or tools: the conversation (conversation.ts) gets parsed frames and
// tells it when the handshake is complete. WebSocket, fetch, timers and random are
// injectable; this is what runs in the worker (src/worker) by default.
import { pcm16ToBase64 } from '../protocol/base64.ts';
import { CLIENT_CLOSE_RETRY, WS_CLOSE, classifyClose } from '../protocol/close-codes.ts';
import { HYDRA_URL, INPUT_SAMPLE_RATE, buildSocketUrl, safeEndpoint } from '../protocol/endpoints.ts';
import { HydraError } from '../protocol/errors.ts';
import { newEventId } from '../protocol/ids.ts';
import { parseServerFrame } from '../protocol/parse.ts';
import type { FrameFailure } from '../protocol/parse.ts';
import type { ClientFrame, Model, ServerFrame } from '../protocol/schemas.ts';
import type { ReconnectReason, ReconnectingDetail } from './events.ts';
import { reconnectDelay } from './reconnect.ts';
import type { ReconnectOptions } from './reconnect.ts';
import { TimerSlots } from './timers.ts';
import type { BoundTimers } from './timers.ts';
import { fetchToken, provideToken } from './token.ts';
import type { GetToken, TokenAnswer, TokenProvider } from './token.ts';
import { SentFrames, elideAudio } from './wire.ts';

export interface TransportOptions {
  /** POST → `{token, url?}`. Absent (and no getToken): connect without a token, e.g. to a relay. */
  tokenEndpoint?: string | undefined;
  /** The token step instead of a POST to `tokenEndpoint` (e.g. a page's own function). */
  getToken?: GetToken | undefined;
  /** The page's own `{token, url?}` source, used instead of `tokenEndpoint` (same deadline and checks). */
  tokenProvider?: TokenProvider | undefined;
  /** A server-held agent named in the token request (`{"agent": id}`) or passed to the provider. */
  agent?: string | undefined;
  /** WebSocket base when the token answer has none (default Hydra's endpoint). */
  url?: string | undefined;
  model: Model;
  keepAliveMs: number;
  tokenTimeoutMs: number;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  maxFrameBytes?: number | undefined;
  reconnect: Required<ReconnectOptions>;
  WebSocket: typeof WebSocket;
  fetch: typeof fetch;
  timers: BoundTimers;
  random: () => number;
  /** Produce wire-log frames (`TransportHost.wire`); off, nothing is copied or elided. */
  wireLog: boolean;
}

/** What the transport tells the conversation (conversation.ts), which listen()s. */
export interface TransportListener {
  /** A connection attempt begins (the first, or a reconnect after its delay). */
  connecting(): void;
  /** The socket opened: Hydra's `session.created` comes next. */
  opened(): void;
  /** A parsed server frame. */
  frame(frame: ServerFrame): void;
  /** A frame that did not parse (reported, then ignored). */
  invalid(failure: FrameFailure, raw: string): void;
  /** The socket is gone (a drop, a close, a replacement, stop() or a fatal error): everything tied to that Hydra session is over. */
  lost(): void;
}

/** What the transport tells the session. */
export interface TransportHost {
  reconnecting(detail: ReconnectingDetail): void;
  /** A non-fatal problem (the connection dropped, a token fetch failed during a reconnect). */
  problem(error: HydraError): void;
  /** The conversation cannot go on: no more reconnects. */
  failed(error: HydraError): void;
  /** Wire log, only with `wireLog`. */
  wire(direction: 'in' | 'out', frame: unknown): void;
}

type Slot = 'keepalive' | 'reconnect' | 'open' | 'handshake';

const SILENCE = new Int16Array((INPUT_SAMPLE_RATE * 20) / 1000); // 20 ms

export class Transport {
  readonly #slots: TimerSlots<Slot>;
  readonly #sent = new SentFrames();
  #ws: WebSocket | undefined;
  #opened = false;
  #configured = false;
  #serverFull = false;
  /** open() called and close() not (nor a fatal error): reconnect after drops. */
  #engaged = false;
  /** Bumped by close()/fail()/each connect, so stale async work is ignored. */
  #generation = 0;
  #attempt = 0;
  #neverOpened = 0;
  /** A relay's 4001 (token refused) is retried once with a fresh token, then reported. */
  #tokenRefusedRetried = false;
  #tokenAbort: AbortController | undefined;
  /** timers.now() of the last frame sent: the keep-alive fires only after real silence. */
  #lastSentAt = 0;

  readonly #options: TransportOptions;
  readonly #host: TransportHost;
  /** The conversation, from its constructor on (before open()). */
  #listener!: TransportListener;

  constructor(
    options: TransportOptions,
    host: TransportHost,
  ) {
    this.#options = options;
    this.#host = host;
    this.#slots = new TimerSlots<Slot>(options.timers);
  }

  listen(listener: TransportListener): void {
    this.#listener = listener;
  }

  /** Starts connecting (token, socket); reconnects after drops until close() or a fatal error. */
  open(): void {
    if (this.#engaged) return;
    this.#engaged = true;
    this.#attempt = 0;
    this.#neverOpened = 0;
    this.#tokenRefusedRetried = false;
    void this.#connect(false);
  }

  /** Ends the conversation: closes 1000, clears every timer, no reconnect. */
  close(): void {
    this.#shutdown('client stop');
  }

  /** Ends the conversation with a fatal error (the conversation's own verdict, e.g. a refused configuration). */
  fail(error: HydraError): void {
    this.#shutdown('fatal error');
    this.#host.failed(error);
  }

  /** The handshake is complete: the deadline is cleared, failures are forgotten, the keep-alive runs. */
  ready(): void {
    this.#configured = true;
    this.#attempt = 0;
    this.#slots.clear('handshake');
    this.#armKeepAlive(this.#options.keepAliveMs);
  }

  /** Closes the socket (4000) and reconnects, e.g. after Hydra's `internal_error`. */
  replace(reason: ReconnectReason): void {
    this.#dropSocket(CLIENT_CLOSE_RETRY, reason);
    if (this.#engaged) this.#scheduleReconnect(reason);
  }

  /** Hydra reported `server_full`: the close that follows backs off longer. */
  markServerFull(): void {
    this.#serverFull = true;
  }

  /** A response completed: the one-retry budgets start over. */
  healthy(): void {
    this.#tokenRefusedRetried = false;
  }

  /** The type of a frame we sent, by its event_id (to name the cause of a server error). */
  typeOf(eventId: string): string | undefined {
    return this.#sent.typeOf(eventId);
  }

  /** Encodes and sends a client frame with a fresh event_id; false when no socket is open. */
  send(frame: ClientFrame): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return false;
    const eventId = newEventId();
    const { type, ...rest } = frame;
    const out = { type, event_id: eventId, ...rest };
    this.#sent.add(eventId, type);
    ws.send(JSON.stringify(out));
    this.#lastSentAt = this.#options.timers.now();
    if (this.#options.wireLog) this.#host.wire('out', elideAudio(out));
    return true;
  }

  // ------------------------------------------------------------ connecting

  async #connect(reconnecting: boolean): Promise<void> {
    const generation = ++this.#generation;
    this.#serverFull = false;
    this.#listener.connecting();
    let base = this.#options.url ?? HYDRA_URL;
    let token: string | undefined;
    const getToken = this.#tokenStep();
    if (getToken) {
      const abort = (this.#tokenAbort = new AbortController());
      try {
        const answer = await getToken(abort.signal);
        token = answer.token;
        if (answer.url !== undefined) base = answer.url;
      } catch (e) {
        if (generation !== this.#generation) return;
        const error = e instanceof HydraError ? e : new HydraError('token_failed', String((e as Error)?.message ?? e));
        // A flaky endpoint mid-conversation is retried; at start the user sees it at once.
        if (reconnecting && error.retryable) {
          this.#host.problem(new HydraError('token_failed', error.message, { fatal: false }));
          this.#scheduleReconnect('token_failed');
        } else this.fail(error);
        return;
      } finally {
        if (this.#tokenAbort === abort) this.#tokenAbort = undefined;
      }
      if (generation !== this.#generation) return;
    }
    let ws: WebSocket;
    try {
      ws = new this.#options.WebSocket(buildSocketUrl(base, this.#options.model, token));
    } catch (e) {
      this.fail(e instanceof HydraError ? e : new HydraError('invalid_config', `Cannot open a WebSocket: ${(e as Error).message}`));
      return;
    }
    this.#ws = ws;
    this.#opened = false;
    ws.onopen = () => this.#onOpen(ws);
    ws.onmessage = (m: MessageEvent) => this.#onMessage(ws, m.data);
    ws.onclose = (c: CloseEvent) => this.#onClose(ws, c.code, c.reason);
    ws.onerror = () => undefined; // a close event always follows
    this.#slots.set('open', () => this.#onClose(ws, WS_CLOSE.ABNORMAL, 'connect timeout'), this.#options.connectTimeoutMs);
  }

  #tokenStep(): GetToken | undefined {
    const { getToken, tokenProvider, tokenEndpoint, fetch, timers, tokenTimeoutMs, agent } = this.#options;
    if (getToken) return getToken;
    const request = (signal: AbortSignal) => ({ fetch, timers, timeoutMs: tokenTimeoutMs, signal, agent });
    if (tokenProvider) return (signal): Promise<TokenAnswer> => provideToken(tokenProvider, request(signal));
    if (tokenEndpoint) return (signal): Promise<TokenAnswer> => fetchToken(tokenEndpoint, request(signal));
    return undefined;
  }

  #onOpen(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#opened = true;
    this.#neverOpened = 0;
    this.#slots.clear('open');
    this.#slots.set('handshake', () => this.replace('handshake_timeout'), this.#options.handshakeTimeoutMs);
    this.#listener.opened();
  }

  #onMessage(ws: WebSocket, data: unknown): void {
    if (ws !== this.#ws) return;
    const result = parseServerFrame(data, this.#options.maxFrameBytes === undefined ? {} : { maxBytes: this.#options.maxFrameBytes });
    if (!result.ok) {
      const raw = typeof data === 'string' ? data.slice(0, 200) : `<${Object.prototype.toString.call(data)}>`;
      if (this.#options.wireLog) this.#host.wire('in', { invalid: result.failure.kind, raw });
      this.#listener.invalid(result.failure, raw);
      return;
    }
    if (this.#options.wireLog) {
      this.#host.wire('in', elideAudio(result.frame));
      if (ws !== this.#ws) return; // a wire-log listener stopped the session
    }
    this.#listener.frame(result.frame);
  }

  // ------------------------------------------------------------ the reconnect policy

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    const opened = this.#opened;
    const serverFull = this.#serverFull;
    this.#dropSocket(WS_CLOSE.NORMAL, 'closing');
    if (!this.#engaged) return;
    if (!opened) {
      if (++this.#neverOpened >= 2) {
        this.fail(
          new HydraError(
            'connection_failed',
            `The connection to ${safeEndpoint(ws.url)} failed twice before it opened: most likely a credential ` +
              `problem (a bad or expired api_key/token gets HTTP 401, which browsers cannot see) ` +
              `or a wrong endpoint URL.`,
          ),
        );
        return;
      }
      this.#scheduleReconnect('never_opened');
      return;
    }
    const verdict = classifyClose(code);
    const why = reason ? ` (${reason})` : '';
    switch (serverFull ? 'busy' : verdict.kind) {
      case 'refused':
        // hydra-voice's relay (src/server/relay) refused the session for a reason a retry cannot fix.
        this.fail(new HydraError('connection_failed', `${verdict.hint}${why}.`));
        return;
      case 'token_refused':
        if (this.#tokenRefusedRetried) {
          this.fail(new HydraError('token_failed', `The relay refused the token twice${why}; check the token endpoint's secret and clock.`));
          return;
        }
        this.#tokenRefusedRetried = true;
        this.#scheduleReconnect('token_failed');
        return;
      case 'busy':
        this.#scheduleReconnect('server_full');
        return;
      case 'closed':
        this.#scheduleReconnect('closed'); // still in a conversation (close() was not called)
        return;
      default:
        this.#host.problem(
          new HydraError('connection_lost', `The connection to Hydra dropped (close code ${code}${reason ? `: ${reason}` : ''}); reconnecting.`, { fatal: false }),
        );
        this.#scheduleReconnect('dropped');
    }
  }

  #scheduleReconnect(reason: ReconnectReason): void {
    const retry = this.#options.reconnect;
    this.#attempt++;
    if (this.#attempt > retry.maxAttempts) {
      this.fail(new HydraError('connection_lost', `Lost the connection to Hydra; ${retry.maxAttempts} reconnect attempts failed.`));
      return;
    }
    const delayMs = reconnectDelay(this.#attempt, reason === 'server_full', retry, this.#options.random);
    this.#host.reconnecting({ attempt: this.#attempt, delayMs, reason });
    this.#slots.set('reconnect', () => void this.#connect(true), delayMs);
  }

  // ------------------------------------------------------------ teardown

  #shutdown(reason: string): void {
    this.#engaged = false;
    this.#generation++;
    this.#tokenAbort?.abort();
    this.#tokenAbort = undefined;
    this.#dropSocket(WS_CLOSE.NORMAL, reason);
    this.#slots.clearAll();
  }

  /** Detaches and closes the socket (if any); the host forgets that Hydra session. */
  #dropSocket(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = undefined;
    this.#configured = false;
    this.#slots.clear('open');
    this.#slots.clear('handshake');
    this.#slots.clear('keepalive');
    this.#sent.clear();
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === 0 || ws.readyState === 1) {
        try {
          ws.close(code, reason);
        } catch {
          // already failing; nothing to release
        }
      }
    }
    this.#listener.lost();
  }

  // ------------------------------------------------------------ keep-alive

  /**
   * One timer, checked against the time of the last frame sent (audio re-arms nothing):
   * when it fires early because something was sent meanwhile, it waits for the rest.
   */
  #armKeepAlive(ms: number): void {
    this.#slots.set('keepalive', () => this.#keepAlive(), ms);
  }

  #keepAlive(): void {
    if (!this.#configured) return;
    const every = this.#options.keepAliveMs;
    const idle = this.#options.timers.now() - this.#lastSentAt;
    if (idle < every) {
      this.#armKeepAlive(every - idle);
      return;
    }
    this.send({ type: 'input_audio_buffer.append', audio: pcm16ToBase64(SILENCE) });
    this.#armKeepAlive(every);
  }
}
