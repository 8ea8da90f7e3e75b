// The Hydra session client: plain TypeScript over WebSocket + fetch + timers (injectable).
export { HydraSession } from './session.ts';
export type { HydraSessionOptions } from './session.ts';
export { HydraError } from './events.ts';
export type {
  HydraSessionEventMap,
  HydraSessionState,
  ReconnectReason,
  SessionErrorCode,
  SessionErrorDetail,
  SessionState,
  ToolCallDetail,
} from './events.ts';
export { RECONNECT_DEFAULTS, reconnectDelay } from './reconnect.ts';
export type { ReconnectOptions } from './reconnect.ts';
export type { SessionTimers } from './timers.ts';
export { DEFAULT_URL, buildSocketUrl } from './token.ts';
