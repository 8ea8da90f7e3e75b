// The element's public events: names, detail types, the typed event map that bundler users
// get through HTMLElementEventMap, and the one table that says which session event becomes
// which element event. Every event is a bubbling, composed CustomEvent.
import type { HydraClientErrorCode, HydraErrorCode, HydraErrorDetail } from '../protocol/errors.ts';
import type { ResponseStatus, Usage } from '../protocol/schemas.ts';
import type { HydraState, PlaybackEndDetail, ReconnectingDetail, ResponseEndReason, SessionEventDetails } from '../session/events.ts';
import type { HydraHistoryEntry } from './history.ts';

export type { HydraClientErrorCode, HydraErrorCode, HydraErrorDetail, ResponseEndReason };

/** The conversation state (the same type the session uses). */
export type HydraVoiceState = HydraState;

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
  /** `interrupted` (barge-in), `client_cancelled` (cancelResponse()), … or `connection_lost` (the socket dropped mid-response). */
  reason?: ResponseEndReason | undefined;
  usage?: Usage | undefined;
}
export type HydraPlaybackEndDetail = PlaybackEndDetail;
export type HydraReconnectingDetail = ReconnectingDetail;
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
  'hydra-playback-end': CustomEvent<HydraPlaybackEndDetail>;
  'hydra-tool-call': CustomEvent<HydraToolCallDetail>;
  'hydra-error': CustomEvent<HydraErrorDetail>;
  'hydra-reconnecting': CustomEvent<HydraReconnectingDetail>;
  'hydra-frame': CustomEvent<HydraFrameDetail>;
  'hydra-history': CustomEvent<HydraHistoryDetail>;
}

/**
 * Session events the element re-fires as they are, detail for detail. (`state`, `error`
 * and `tool-call` need the element's own handling and are not in the table; `warning` and
 * `turn-discarded` stay internal.)
 */
export type ForwardedSessionEvent = 'session' | 'turn-start' | 'turn-end' | 'response-start' | 'response-end' | 'playback-end' | 'reconnecting' | 'frame';
/** Each is fired as `hydra-<name>`. */
export const FORWARDED_EVENTS: readonly string[] = ['session', 'turn-start', 'turn-end', 'response-start', 'response-end', 'playback-end', 'reconnecting', 'frame'] satisfies ForwardedSessionEvent[];

/** Compile-time check: every forwarded session event's detail is its element event's detail. */
type DetailsFit<T extends Record<ForwardedSessionEvent, true>> = T;
export type ForwardedDetailsFit = DetailsFit<{
  [K in ForwardedSessionEvent]: SessionEventDetails[K] extends HydraVoiceEventMap[`hydra-${K}`]['detail'] ? true : never;
}>;

/** Dispatches a bubbling, composed event; returns false when a listener called preventDefault(). */
export function fire<K extends keyof HydraVoiceEventMap>(
  target: EventTarget,
  type: K,
  detail: HydraVoiceEventMap[K]['detail'],
  cancelable = false,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
