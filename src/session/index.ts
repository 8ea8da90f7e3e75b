// The Hydra session client: plain TypeScript over WebSocket + fetch + timers (injectable),
// in two layers: the transport (transport.ts) and the conversation (conversation.ts),
// wired together by HydraSession (session.ts).
export { HydraSession } from './session.ts';
export type { HydraSessionOptions } from './session.ts';
export { HydraError } from './events.ts';
export type {
  HydraSessionEventMap,
  HydraSessionState,
  HydraState,
  PlaybackEndDetail,
  ReconnectReason,
  ReconnectingDetail,
  ResponseEndDetail,
  ResponseEndReason,
  SessionErrorCode,
  SessionErrorDetail,
  SessionEventDetails,
  SessionEventName,
  SessionState,
  ToolCallDetail,
  ToolCallRequest,
  ToolResult,
} from './events.ts';
export { RECONNECT_DEFAULTS, reconnectDelay } from './reconnect.ts';
export type { ReconnectOptions } from './reconnect.ts';
export type { SessionTimers } from './timers.ts';
export type { GetToken, TokenAnswer } from './token.ts';
export { withResponder, encodeOutput } from './tool-answer.ts';
export { HYDRA_URL as DEFAULT_URL, buildSocketUrl } from '../protocol/endpoints.ts';
