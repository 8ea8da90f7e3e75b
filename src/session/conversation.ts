// The conversation: Hydra's handshake (session.created → one session.configure →
// session.configured), routing of every server frame to turns (turns.ts) and tool calls
// (tool-calls.ts), the error policy, audio gating and the state. It talks to the wire only
// through a TransportLink; it never sees a socket, a token or a timer of the transport.
import { pcm16ToBase64 } from '../protocol/base64.ts';
import { HydraError, withCause } from '../protocol/errors.ts';
import type { FrameFailure } from '../protocol/parse.ts';
import type { ClientFrame, ServerFrame, ServerFrameOf, SessionConfig, Tool } from '../protocol/schemas.ts';
import type { HydraState, ReconnectReason, SessionEventDetails, ToolCallRequest, ToolResult } from './events.ts';
import type { SessionTimers } from './timers.ts';
import type { TransportListener } from './transport.ts';
import { ToolCalls } from './tool-calls.ts';
import { Turns } from './turns.ts';

/** The part of the transport the conversation uses (the Transport itself is one). */
export interface TransportLink {
  /** The conversation hears the transport's events (called once, from the constructor). */
  listen(listener: TransportListener): void;
  send(frame: ClientFrame): boolean;
  /** The handshake is complete. */
  ready(): void;
  /** Replace the socket and reconnect. */
  replace(reason: ReconnectReason): void;
  markServerFull(): void;
  healthy(): void;
  typeOf(eventId: string): string | undefined;
  /** End the conversation with this fatal error. */
  fail(error: HydraError): void;
}

export interface ConversationHost {
  emit<K extends Exclude<keyof SessionEventDetails, 'tool-call'>>(type: K, detail: SessionEventDetails[K]): void;
  /** The model called a tool; answer with answerToolCall(). */
  toolCall(request: ToolCallRequest): void;
  /** The session is configured (after the transport's ready()). */
  ready(): void;
}

export interface ConversationOptions {
  config: SessionConfig;
  toolTimeoutMs: number;
  responseCreateDebounceMs: number;
  timers: SessionTimers;
}

type Phase = 'offline' | 'awaiting-created' | 'awaiting-configured' | 'ready';

export class Conversation implements TransportListener {
  /** While true, appendAudio() sends zeros of the same length (the session stays alive). */
  muted = false;
  state: HydraState = 'idle';
  sessionId: string | undefined;
  /** Mic chunks dropped because the session was not configured (startup, reconnect). */
  droppedAudio = 0;
  config: SessionConfig;

  readonly turns: Turns;
  readonly #tools: ToolCalls;
  #phase: Phase = 'offline';
  #pendingToolsUpdate = false;
  #internalErrorRetried = false;
  #zeros = new Int16Array(0);

  readonly #link: TransportLink;
  readonly #host: ConversationHost;

  constructor(
    link: TransportLink,
    host: ConversationHost,
    options: ConversationOptions,
  ) {
    this.#link = link;
    this.#host = host;
    link.listen(this);
    this.config = { ...options.config };
    this.turns = new Turns({
      emit: (type, detail) => host.emit(type, detail),
      invalid: (message) => this.#problem(new HydraError('invalid_frame', message, { fatal: false })),
      changed: () => this.refreshState(),
    });
    this.#tools = new ToolCalls({
      timers: options.timers,
      toolTimeoutMs: options.toolTimeoutMs,
      debounceMs: options.responseCreateDebounceMs,
      send: (frame) => {
        // Between the tool outputs and the narration's response.created the agent is still
        // working: stay `thinking` instead of flickering to `listening` for a round trip.
        if (frame.type === 'response.create') this.turns.expectResponse();
        link.send(frame);
      },
      call: (request) => host.toolCall(request),
      error: (message) => this.#problem(new HydraError('tool_failed', message, { fatal: false })),
      changed: () => this.refreshState(),
    });
  }

  get ready(): boolean {
    return this.#phase === 'ready';
  }

  // ------------------------------------------------------------ from the transport

  /** start(): a new conversation, with fresh retry budgets. */
  begin(): void {
    this.#internalErrorRetried = false;
  }

  /** A connection attempt begins: the state is `connecting` until the next session.configured. */
  connecting(): void {
    this.setState('connecting');
  }

  /** The socket opened: Hydra speaks first (`session.created`). */
  opened(): void {
    this.#phase = 'awaiting-created';
  }

  /** The socket is gone: what was in flight ends (cancelled, connection_lost), the Hydra session is forgotten. */
  lost(): void {
    const wasConnected = this.#phase !== 'offline';
    this.#phase = 'offline';
    this.sessionId = undefined;
    this.#pendingToolsUpdate = false;
    this.#tools.reset();
    if (wasConnected) this.turns.connectionLost();
    else this.turns.reset();
  }

  invalid(failure: FrameFailure): void {
    this.#problem(new HydraError('invalid_frame', `Ignored a malformed frame from the server: ${failure.message}`, { fatal: false }));
  }

  frame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'warning':
        this.#host.emit('warning', frame.message === undefined ? { code: frame.code } : { code: frame.code, message: frame.message });
        return;
      case 'session.created':
        if (this.#phase !== 'awaiting-created') return; // a repeat would mean a second configure: never
        this.sessionId = frame.session_id;
        this.#phase = 'awaiting-configured';
        this.#link.send({ type: 'session.configure', session: { ...this.config } });
        return;
      case 'session.configured':
        if (this.#phase !== 'awaiting-configured') return;
        this.#configured(frame);
        return;
      case 'session.updated':
      case 'conversation.item.added':
        return;
      case 'input_audio_buffer.speech_started':
        return this.turns.speechStarted(frame);
      case 'input_audio_buffer.speech_stopped':
        return this.turns.speechStopped(frame);
      case 'conversation.item.done':
        return this.turns.itemDone(frame);
      case 'response.created':
        return this.turns.responseCreated(frame);
      case 'response.output_audio.delta':
        return this.turns.audioDelta(frame);
      case 'response.output_audio.done':
        return this.turns.audioDone(frame);
      case 'response.function_call_arguments.delta':
        return this.#tools.delta(frame);
      case 'response.function_call_arguments.done':
        return this.#tools.done(frame);
      case 'response.done':
        if (frame.response.status === 'completed') {
          this.#internalErrorRetried = false;
          this.#link.healthy();
        }
        this.#tools.responseEnded(frame.response.id, frame.response.status);
        return this.turns.responseDone(frame);
      case 'error':
        return this.#serverError(frame);
    }
  }

  // ------------------------------------------------------------ from the page

  /** Streams 16 kHz PCM16 mic audio; dropped (and counted) until `session.configured`. */
  appendAudio(pcm16: Int16Array): void {
    if (this.#phase !== 'ready') {
      this.droppedAudio++;
      return;
    }
    let samples = pcm16;
    if (this.muted) {
      if (this.#zeros.length !== pcm16.length) this.#zeros = new Int16Array(pcm16.length);
      samples = this.#zeros;
    }
    this.#link.send({ type: 'input_audio_buffer.append', audio: pcm16ToBase64(samples) });
  }

  /** Replaces the tools: `session.update` now if configured; always in the next configure. */
  updateTools(tools: Tool[]): void {
    this.config = { ...this.config, tools };
    if (this.#phase === 'ready') this.#link.send({ type: 'session.update', session: { tools } });
    else if (this.#phase === 'awaiting-configured') this.#pendingToolsUpdate = true;
    // Before session.created the tools simply go into the session.configure.
  }

  /** Sends `response.cancel` for the response in flight (Hydra answers `client_cancelled`). */
  cancelResponse(): void {
    if (this.#phase !== 'ready') return;
    const id = this.turns.current;
    this.#link.send(id === undefined ? { type: 'response.cancel' } : { type: 'response.cancel', response_id: id });
  }

  answerToolCall(callId: string, result: ToolResult): void {
    this.#tools.answer(callId, result);
  }

  /** stop(): forget everything, silently. */
  clear(): void {
    this.#phase = 'offline';
    this.sessionId = undefined;
    this.#tools.reset();
    this.turns.clear();
  }

  setState(state: HydraState): void {
    if (state === this.state) return;
    this.state = state;
    this.#host.emit('state', { state });
  }

  refreshState(): void {
    if (this.#phase !== 'ready') return;
    this.setState(this.turns.state(this.#tools.busy));
  }

  // ------------------------------------------------------------ handshake and errors

  #configured(frame: ServerFrameOf<'session.configured'>): void {
    this.#phase = 'ready';
    this.#link.ready();
    this.#host.ready();
    if (this.#pendingToolsUpdate) {
      this.#pendingToolsUpdate = false;
      this.#link.send({ type: 'session.update', session: { tools: this.config.tools ?? [] } });
    }
    this.#host.emit('session', { sessionId: this.sessionId ?? '', session: frame.session });
    this.refreshState();
  }

  #serverError(frame: ServerFrameOf<'error'>): void {
    const e = frame.error;
    const error = new HydraError(e.code, e.message, { fatal: false });
    if (e.param) error.param = e.param;
    if (e.event_id) {
      error.causeEventId = e.event_id;
      const type = this.#link.typeOf(e.event_id);
      if (type !== undefined) error.causeType = type;
    }
    if (e.code === 'server_full') this.#link.markServerFull(); // close 1013 follows: back off longer
    if (e.code === 'tool_response_timeout') this.#tools.abandonOpen();
    if (error.causeType === 'response.create') this.turns.responseRefused();
    if (error.causeType === 'session.configure' && this.#phase === 'awaiting-configured') {
      // Hydra refused our configuration (e.g. a voice): a new session would be refused too.
      this.#link.fail(withCause(new HydraError(e.code, `Hydra rejected the session configuration: ${e.message}`), error));
      return;
    }
    if (e.code === 'internal_error') {
      if (this.#internalErrorRetried) {
        this.#link.fail(withCause(new HydraError(e.code, `Hydra failed again after a reconnect: ${e.message}`), error));
        return;
      }
      // The digest's advice: reconnect once on internal_error.
      this.#internalErrorRetried = true;
      this.#problem(error);
      this.#link.replace('internal_error');
      return;
    }
    this.#problem(error);
  }

  /** A non-fatal error event. */
  #problem(error: HydraError): void {
    this.#host.emit('error', error.toDetail());
  }
}
