// The element's public events: names, detail types, and the typed event map that bundler
// users get through HTMLElementEventMap. Every event is a bubbling, composed CustomEvent.
import type { ErrorCode, ResponseReason, ResponseStatus, Usage } from '../protocol/schemas.ts';
import type { HydraHistoryEntry } from './history.ts';

export type HydraVoiceState = 'idle' | 'connecting' | 'listening' | 'user-speaking' | 'thinking' | 'speaking' | 'error';

/** Problems the client itself detects (the rest are Hydra's own `error.code`s). */
export type HydraClientErrorCode =
  | 'invalid_config' // unknown model or voice, malformed tools
  | 'token_failed' // the token endpoint failed or answered garbage
  | 'connection_failed' // the socket never opened (bad credentials or endpoint)
  | 'connection_lost' // the socket dropped; the element reconnects
  | 'mic_denied' // the user or the browser refused the microphone
  | 'mic_unavailable' // no microphone, or it disappeared
  | 'mic_silent' // the microphone delivers only zeros
  | 'audio_failed' // Web Audio could not start (e.g. a CSP blocks the worklet)
  | 'tool_failed'; // a tool handler threw, or nobody answered in time

export type HydraErrorCode = ErrorCode | HydraClientErrorCode | (string & {});

export interface HydraStateDetail {
  state: HydraVoiceState;
}
export interface HydraSessionDetail {
  sessionId: string;
  /** The configuration Hydra applied (`session.configured.session`). */
  session: Record<string, unknown>;
}
export interface HydraTurnStartDetail {
  itemId: string;
  audioStartMs: number;
}
export interface HydraTurnEndDetail {
  itemId: string;
  audioEndMs: number;
}
export interface HydraResponseStartDetail {
  responseId: string;
}
export interface HydraResponseEndDetail {
  responseId: string;
  status: ResponseStatus;
  reason?: ResponseReason | undefined;
  usage?: Usage | undefined;
}
export interface HydraToolCallDetail {
  callId: string;
  name: string;
  /** The parsed arguments object. */
  arguments: Record<string, unknown>;
  /**
   * Answers the model. Pass a value (strings are sent as-is, anything else JSON-encoded)
   * or a promise of one; a rejected promise sends `{"error": message}`.
   */
  respond(value: unknown): void;
}
export interface HydraErrorDetail {
  code: HydraErrorCode;
  message: string;
  /** True when the conversation ended because of it. */
  fatal: boolean;
}
export interface HydraFrameDetail {
  direction: 'in' | 'out';
  /** The frame as sent or received; audio payloads are elided. */
  frame: unknown;
}

export interface HydraHistoryDetail {
  /** The element's `history`: a frozen array of frozen entries. */
  history: readonly HydraHistoryEntry[];
}

export interface HydraVoiceEventMap {
  'hydra-state': CustomEvent<HydraStateDetail>;
  'hydra-session': CustomEvent<HydraSessionDetail>;
  'hydra-turn-start': CustomEvent<HydraTurnStartDetail>;
  'hydra-turn-end': CustomEvent<HydraTurnEndDetail>;
  'hydra-response-start': CustomEvent<HydraResponseStartDetail>;
  'hydra-response-end': CustomEvent<HydraResponseEndDetail>;
  'hydra-tool-call': CustomEvent<HydraToolCallDetail>;
  'hydra-error': CustomEvent<HydraErrorDetail>;
  'hydra-frame': CustomEvent<HydraFrameDetail>;
  'hydra-history': CustomEvent<HydraHistoryDetail>;
}

/** Dispatches a bubbling, composed event; returns false when a listener called preventDefault(). */
export function fire<K extends keyof HydraVoiceEventMap>(
  target: EventTarget,
  type: K,
  detail: HydraVoiceEventMap[K]['detail'],
  cancelable = false,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
