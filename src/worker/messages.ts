// The messages between the page (src/worker/client.ts) and the engine (src/worker/host.ts),
// which runs in a dedicated Worker, or on the page's main thread when no worker can start.
// Everything here is structured-cloneable; audio never travels in these messages (it goes
// worklet ↔ engine over its own MessagePorts).
import type { HydraErrorDetail } from '../protocol/errors.ts';
import type { Tool } from '../protocol/schemas.ts';
import type { HydraSessionOptions } from '../session/session.ts';
import type { SessionEventDetails, ToolCallRequest, ToolResult } from '../session/events.ts';
import type { TokenAnswer } from '../session/token.ts';

/** Session options that can cross to a worker (no functions, no constructors). */
export type EngineOptions = Omit<HydraSessionOptions, 'WebSocket' | 'fetch' | 'timers' | 'random' | 'getToken' | 'tokenProvider'> & {
  /** The page holds a tokenProvider: the engine asks the page for every token (`token-request`). */
  pageTokens?: boolean;
};

/** A token step's outcome, as the page sends it back to the engine. */
export type TokenReply = { ok: true; answer: TokenAnswer } | { ok: false; message: string; retryable: boolean };

/** Where the engine runs. */
export type EngineThread = 'worker' | 'main';

/** Counters of the running engine, copied into every message to the page. */
export interface EngineStats {
  thread: EngineThread;
  sessionState: string;
  /** Mic chunks not sent because the session was not configured (startup, reconnect). */
  droppedAudioChunks: number;
  /** Reply chunks of responses that had ended (barge-in, cancel, lost connection), dropped. */
  droppedLateAudioChunks: number;
  /** Reply chunks of responses Hydra never announced, dropped. */
  droppedUnknownAudioChunks: number;
  /** Capture chunks received by the engine, and holes in their sequence (lost audio). */
  mic: { chunks: number; lost: number };
  /** Playback underruns (a response's queue ran dry before its end), chunks dropped after a flush, context frame where the last flush's fade began. */
  playback: { underruns: number; dropped: number; lastFlushFrame: number | null };
}

export type ToEngine =
  | { type: 'start'; options: EngineOptions }
  /** The capture worklet posts its chunks to this port (again after a device rebuild). */
  | { type: 'capture'; port: MessagePort }
  /** The playback worklet takes its commands from this port and reports to it. */
  | { type: 'playback'; port: MessagePort }
  | { type: 'stop' }
  | { type: 'mute'; muted: boolean }
  | { type: 'tools'; tools: Tool[] }
  | { type: 'cancel-response' }
  | { type: 'tool-result'; callId: string; result: ToolResult }
  | { type: 'token-reply'; id: number; reply: TokenReply };

/** Session events the page receives (audio, audio-done and barge-in stay in the engine). */
export type ForwardedEvent = Exclude<keyof SessionEventDetails, 'audio' | 'audio-done' | 'barge-in' | 'tool-call'>;

/** What the engine reports. From a worker they arrive as arrays (all of one engine task), after a single `ready`. */
export type FromEngine =
  | { type: 'ready' }
  | { [K in ForwardedEvent]: { type: 'event'; name: K; detail: SessionEventDetails[K]; stats: EngineStats } }[ForwardedEvent]
  | { type: 'tool-call'; request: ToolCallRequest; stats: EngineStats }
  /** The engine needs a token from the page's tokenProvider (`token-reply` answers; `token-abort` withdraws it). */
  | { type: 'token-request'; id: number; agent?: string | undefined }
  | { type: 'token-abort'; id: number }
  /** Loudness of the mic and of the playback, 0…1 in quarter steps (see loudness.ts). */
  | { type: 'levels'; input: number; output: number; stats: EngineStats }
  | { type: 'started'; stats: EngineStats }
  /** The session stopped (its socket closed): the worker may be terminated. */
  | { type: 'stopped' }
  | { type: 'start-failed'; error: HydraErrorDetail };
