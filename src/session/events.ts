// The session's vocabulary: the one conversation state type, and the typed events (every
// event is a CustomEvent whose `detail` is listed in SessionEventDetails). The element
// forwards most of them as `hydra-*` DOM events with the same details.
import type { ResponseReason, ResponseStatus, Usage } from '../protocol/schemas.ts';
import { HydraError } from '../protocol/errors.ts';
import type { HydraErrorCode, HydraErrorDetail } from '../protocol/errors.ts';

export { HydraError };
export type SessionErrorCode = HydraErrorCode;
export type SessionErrorDetail = HydraErrorDetail;

/**
 * The conversation state, as the user hears it: `speaking` while the agent's audio is
 * audible (with a playback attached: from its first sample at the output to its last),
 * `thinking` between the user's turn and that, `connecting` also while reconnecting.
 */
export type HydraState = 'idle' | 'connecting' | 'listening' | 'user-speaking' | 'thinking' | 'speaking' | 'error';
/** @deprecated the same type as {@link HydraState}. */
export type SessionState = HydraState;
/** @deprecated the same type as {@link HydraState}. */
export type HydraSessionState = HydraState;

/** Why a response ended: Hydra's `status_details.reason`, or the client's own `connection_lost`. */
export type ResponseEndReason = ResponseReason | 'connection_lost';

export interface ResponseEndDetail {
  responseId: string;
  status: ResponseStatus;
  /** `interrupted` (barge-in), `client_cancelled`, …, or `connection_lost` (the socket dropped mid-response). */
  reason?: ResponseEndReason;
  usage?: Usage;
}

export interface PlaybackEndDetail {
  responseId: string;
  /** False: its last sample was played. True: it was cut off (barge-in, cancelResponse(), connection lost). */
  interrupted: boolean;
  /** How much of it reached the speakers, in milliseconds of audio (counted by the playback worklet). */
  durationMs: number;
}

export type ReconnectReason = 'dropped' | 'closed' | 'server_full' | 'never_opened' | 'internal_error' | 'handshake_timeout' | 'token_failed';

export interface ReconnectingDetail {
  /** 1 for the first attempt after a working session; counts up while attempts fail. */
  attempt: number;
  /** Milliseconds until the attempt. */
  delayMs: number;
  reason: ReconnectReason;
}

/** A tool call as the model made it (structured-cloneable: it crosses from the worker). */
export interface ToolCallRequest {
  callId: string;
  name: string;
  /** The parsed arguments object. */
  arguments: Record<string, unknown>;
}

export interface ToolCallDetail extends ToolCallRequest {
  /**
   * Answers the model, once (later calls are ignored). A string is sent as-is, anything
   * else JSON-encoded; a promise is awaited, and a rejected one sends `{"error": message}`.
   */
  respond(valueOrPromise: unknown): void;
}

/** The answer to a tool call: an output for the model, or why there is none. */
export type ToolResult = { output: string } | { error: string };

export interface SessionEventDetails {
  state: { state: HydraState };
  /** Hydra applied the configuration (`session.configured`), on every (re)connection. */
  session: { sessionId: string; session: Record<string, unknown> };
  /** A `warning` frame, e.g. `model_deprecated`. */
  warning: { code: string; message?: string };
  'turn-start': { itemId: string; audioStartMs: number };
  'turn-end': { itemId: string; audioEndMs: number };
  /** Speech the turn detector rejected (noise): no response follows. */
  'turn-discarded': { itemId: string };
  'response-start': { responseId: string };
  /** The response is over on the wire (its audio may still be playing: see `playback-end`). */
  'response-end': ResponseEndDetail;
  /** The first sample of the response's audio reached the speakers (with a playback attached). */
  'playback-start': { responseId: string };
  /** The response's audio left the speakers: played out, or cut off. Only for responses that had audio, and only with a playback attached. */
  'playback-end': PlaybackEndDetail;
  /** Reply audio, PCM16 mono 48 kHz. */
  audio: { responseId: string; itemId?: string; pcm: Int16Array };
  'audio-done': { responseId: string };
  /** The user talked over this response: flush its audio now; its late chunks are dropped. */
  'barge-in': { responseId: string };
  'tool-call': ToolCallDetail;
  error: HydraErrorDetail;
  reconnecting: ReconnectingDetail;
  /** Wire log (only with the `wireLog` option): every frame sent or received, audio payloads elided. */
  frame: { direction: 'in' | 'out'; frame: unknown };
}

export type SessionEventName = keyof SessionEventDetails;

export type HydraSessionEventMap = { [K in SessionEventName]: CustomEvent<SessionEventDetails[K]> };
