// The session's typed events and its error type. Every event is a CustomEvent whose
// `detail` is listed in HydraSessionEventMap.
import type { ErrorCode, ResponseReason, ResponseStatus, Usage } from '../protocol/schemas.ts';

export type SessionState = 'idle' | 'connecting' | 'listening' | 'user-speaking' | 'thinking' | 'speaking' | 'error';
/** Alias kept for the element, which imports this name. */
export type HydraSessionState = SessionState;

/** Hydra's own error codes, plus problems the client detects itself. */
export type SessionErrorCode =
  | ErrorCode
  | 'invalid_config' // unknown model or voice, unknown config key, malformed tools, bad URL
  | 'token_failed' // token endpoint unreachable, slow, non-2xx, not JSON, or without a token
  | 'connection_failed' // sockets that never opened: likely credentials (HTTP 401) or endpoint
  | 'connection_lost' // an open socket dropped (reconnecting), or reconnects were exhausted (fatal)
  | 'tool_failed' // a tool handler rejected, timed out, or the model sent unparseable arguments
  | 'stopped' // start() was pending when stop() was called
  | (string & {});

export interface SessionErrorDetail {
  code: SessionErrorCode;
  message: string;
  /** True when the session ended because of it (state `error`, no reconnect). */
  fatal: boolean;
  /** Hydra's `error.param`, e.g. `session.configure.session.voice`. */
  param?: string;
  /** The `event_id` of the client frame the server blamed (`error.event_id`). */
  causeEventId?: string;
  /** The type of that client frame, when the session still remembers it. */
  causeType?: string;
}

/** The error start() rejects with; also describes every `error` event. */
export class HydraError extends Error implements SessionErrorDetail {
  readonly code: SessionErrorCode;
  readonly fatal: boolean;
  param?: string;
  causeEventId?: string;
  causeType?: string;
  /** For token failures: whether asking again later may succeed (network, timeout, 5xx). */
  readonly retryable: boolean;

  constructor(code: SessionErrorCode, message: string, options: { fatal?: boolean; retryable?: boolean } = {}) {
    super(message);
    this.name = 'HydraError';
    this.code = code;
    this.fatal = options.fatal ?? true;
    this.retryable = options.retryable ?? false;
  }

  toDetail(): SessionErrorDetail {
    const d: SessionErrorDetail = { code: this.code, message: this.message, fatal: this.fatal };
    if (this.param !== undefined) d.param = this.param;
    if (this.causeEventId !== undefined) d.causeEventId = this.causeEventId;
    if (this.causeType !== undefined) d.causeType = this.causeType;
    return d;
  }
}

export interface ToolCallDetail {
  callId: string;
  name: string;
  /** The parsed arguments object. */
  arguments: Record<string, unknown>;
  /**
   * Answers the model, once (later calls are ignored). A string is sent as-is, anything
   * else JSON-encoded; a promise is awaited, and a rejected one sends `{"error": message}`.
   */
  respond(valueOrPromise: unknown): void;
}

export type ReconnectReason = 'dropped' | 'closed' | 'server_full' | 'never_opened' | 'internal_error' | 'handshake_timeout' | 'token_failed';

export interface HydraSessionEventMap {
  state: CustomEvent<{ state: SessionState }>;
  /** Hydra applied the configuration (`session.configured`), on every (re)connection. */
  session: CustomEvent<{ sessionId: string; session: Record<string, unknown> }>;
  /** A `warning` frame, e.g. `model_deprecated`. */
  warning: CustomEvent<{ code: string; message?: string }>;
  'turn-start': CustomEvent<{ itemId: string; audioStartMs: number }>;
  'turn-end': CustomEvent<{ itemId: string; audioEndMs: number }>;
  /** Speech the turn detector rejected (noise): no response follows. */
  'turn-discarded': CustomEvent<{ itemId: string }>;
  'response-start': CustomEvent<{ responseId: string }>;
  'response-end': CustomEvent<{ responseId: string; status: ResponseStatus; reason?: ResponseReason; usage?: Usage }>;
  /** Reply audio, PCM16 mono 48 kHz. */
  audio: CustomEvent<{ responseId: string; itemId?: string; pcm: Int16Array }>;
  'audio-done': CustomEvent<{ responseId: string }>;
  /** The user talked over this response: flush its audio now; its late chunks are dropped. */
  'barge-in': CustomEvent<{ responseId: string }>;
  'tool-call': CustomEvent<ToolCallDetail>;
  error: CustomEvent<SessionErrorDetail>;
  reconnecting: CustomEvent<{ attempt: number; delayMs: number; reason: ReconnectReason }>;
  /** Wire log: every frame sent or received (audio payloads elided; invalid frames as `{invalid, raw}`). */
  frame: CustomEvent<{ direction: 'in' | 'out'; frame: unknown }>;
}
