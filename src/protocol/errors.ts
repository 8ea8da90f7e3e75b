// One error vocabulary for every layer: Hydra's own `error.code`s and the problems the
// client detects itself (configuration, token, connection, microphone, audio, tools), one
// error class that carries the code, and the Hydra-shaped `error` frame that servers send
// (the relay and the simulator build theirs with errorFrame() from server-frames.ts). No DOM, no Node.
import type { ErrorCode } from './schemas.ts';

/** Problems the client detects itself (the rest are Hydra's own `error.code`s). */
export type HydraClientErrorCode =
  | 'invalid_config' // unknown model or voice, unknown config key, malformed tools, bad URL
  | 'token_failed' // the token endpoint failed, was slow, or answered garbage; or the relay refused the token twice
  | 'connection_failed' // sockets that never opened (credentials, endpoint) or a relay refusal no retry fixes
  | 'connection_lost' // an open socket dropped (reconnecting), or reconnects were exhausted (fatal)
  | 'mic_denied' // the user or the browser refused the microphone
  | 'mic_unavailable' // no microphone, or it disappeared
  | 'mic_silent' // the microphone delivers only zeros
  | 'audio_failed' // Web Audio could not start (e.g. a CSP blocks the audio worklet)
  | 'tool_failed' // a tool handler rejected or timed out, or the model sent unparseable arguments
  | 'stopped'; // only as start()'s rejection: stop() came first

/** Every code a `hydra-error` / session `error` can carry; unknown future Hydra codes pass through. */
export type HydraErrorCode = ErrorCode | HydraClientErrorCode | (string & {});

/** What every error event carries. */
export interface HydraErrorDetail {
  code: HydraErrorCode;
  message: string;
  /** True when the conversation ended because of it (state `error`, no reconnect). */
  fatal: boolean;
  /** Hydra's `error.param`, e.g. `session.configure.session.voice`. */
  param?: string;
  /** The `event_id` of the client frame the server blamed (`error.event_id`). */
  causeEventId?: string;
  /** The type of that client frame, when the session still remembers it. */
  causeType?: string;
}

/** The one error class: start() rejects with it, and MicError / WorkletLoadError extend it. */
export class HydraError extends Error implements HydraErrorDetail {
  readonly code: HydraErrorCode;
  readonly fatal: boolean;
  param?: string;
  causeEventId?: string;
  causeType?: string;
  /** For token failures: whether asking again later may succeed (network, timeout, 5xx). */
  readonly retryable: boolean;

  constructor(code: HydraErrorCode, message: string, options: { fatal?: boolean; retryable?: boolean } = {}) {
    super(message);
    this.name = 'HydraError';
    this.code = code;
    this.fatal = options.fatal ?? true;
    this.retryable = options.retryable ?? false;
  }

  toDetail(): HydraErrorDetail {
    return withCause<HydraErrorDetail>({ code: this.code, message: this.message, fatal: this.fatal }, this);
  }
}

type Cause = Pick<HydraErrorDetail, 'param' | 'causeEventId' | 'causeType'>;

/** Copies the param and cause of `source` (those it has) onto `target`. */
export function withCause<T extends Cause>(target: T, source: Cause): T {
  if (source.param !== undefined) target.param = source.param;
  if (source.causeEventId !== undefined) target.causeEventId = source.causeEventId;
  if (source.causeType !== undefined) target.causeType = source.causeType;
  return target;
}

/**
 * The detail of anything thrown: a HydraError (or subclass) keeps its code; errors that
 * crossed a thread arrive as plain `{code, message}` objects and keep theirs too;
 * anything else is `fallback`.
 */
export function toErrorDetail(e: unknown, fallback: HydraErrorCode, fatal = true): HydraErrorDetail {
  if (e instanceof HydraError) return { ...e.toDetail(), fatal };
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { message?: unknown }).message === 'string') {
    const { code, message } = e as { code: string; message: string };
    return { code, message, fatal };
  }
  return { code: fallback, message: e instanceof Error ? e.message : String(e), fatal };
}
