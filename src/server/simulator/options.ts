// Every knob of the simulator, with defaults chosen to feel like the hosted service
// (30 s idle close, ~0.5 s end-of-turn silence, sub-second reply latency, real-time audio).
// Tests shrink the timings and speed the pacing up; nothing else changes.
import type { IncomingMessage } from 'node:http';
import type { Tool } from '../../protocol/index.ts';

/** How replies are chosen. See README.md. */
export type ReplyMode = 'scripted' | 'persona' | 'parrot';

/** What caused a response. */
export type ResponseTrigger = 'turn' | 'initial' | 'tool-narration' | 'response.create';

/** Passed to `replyText`: everything the simulator knows when it must speak. */
export interface ReplyContext {
  sessionId: string;
  trigger: ResponseTrigger;
  /** 1-based count of completed user turns so far in this session. */
  turn: number;
  /** Duration of the user's last completed utterance, in ms (0 when none). */
  utteranceMs: number;
  instructions: string;
  voice: string;
  /** Tool outputs being narrated (trigger 'tool-narration'). */
  toolOutputs: { callId: string; name: string; output: string }[];
}

/** One tool call a policy asks for; `arguments` defaults to values built from the schema. */
export interface ToolCallPlan {
  name: string;
  arguments?: Record<string, unknown>;
}

/** Passed to `toolPolicy` after each completed user turn. */
export interface ToolPolicyContext {
  sessionId: string;
  turn: number;
  tools: readonly Tool[];
  instructions: string;
}

export type ToolPolicy = (context: ToolPolicyContext) => (string | ToolCallPlan)[];

/** Reported once per response when it ends (any status). Times are `performance.now()` ms. */
export interface ResponseTiming {
  sessionId: string;
  responseId: string;
  trigger: ResponseTrigger;
  status: 'completed' | 'cancelled' | 'failed';
  reason?: 'interrupted' | 'client_cancelled';
  /** The user item whose end started this exchange (turns and tool narrations). */
  itemId?: string;
  /** When `speech_stopped` was sent for that item. */
  speechStoppedAt?: number;
  responseCreatedAt: number;
  /** When the first `response.output_audio.delta` was sent (absent if none was). */
  firstDeltaAt?: number;
  doneAt: number;
  /** What was spoken (absent for parrot replies and tool-call responses). */
  text?: string;
  /** Tool calls made by this response. */
  toolCalls?: { callId: string; name: string; arguments: string }[];
  /** Milliseconds of 48 kHz audio sent. */
  audioMs: number;
}

/** Reported for every detected user turn, including rejected (too short) ones. */
export interface TurnRecord {
  sessionId: string;
  itemId: string;
  audioStartMs: number;
  audioEndMs: number;
  status: 'completed' | 'incomplete';
  speechStartedAt: number;
  speechStoppedAt: number;
}

/** One frame on a session's socket, as passed to `onFrame`. */
export interface FrameTap {
  /** Absent for the `server_full` error of a connection that never became a session. */
  sessionId?: string;
  /** `sent` by the simulator, or `received` from the client. */
  direction: 'sent' | 'received';
  /** The frame's text exactly as on the wire (a binary frame: its bytes in base64). */
  data: string;
  binary: boolean;
}

export interface VadOptions {
  /** fvad aggressiveness 0–3 (3 rejects the most non-speech). Default 2. */
  mode?: 0 | 1 | 2 | 3;
  /** Analysis frame: 10, 20 or 30 ms. Default 20. */
  frameMs?: 10 | 20 | 30;
  /** Consecutive voiced audio needed to declare speech. Default 60 ms. */
  speechStartMs?: number;
  /** Unvoiced gap inside speech that still counts as speech. Default 200 ms. */
  hangoverMs?: number;
  /** Shorter utterances end as `incomplete` with no response. Default 200 ms. */
  minSpeechMs?: number;
  /** Silence after the last speech that ends the turn. Default 500 ms. */
  endOfTurnSilenceMs?: number;
  /**
   * Frames quieter than this RMS (PCM16 units) never count as the loud part of speech;
   * used to trim fvad's built-in hang-over from `audio_end_ms`. Default 60 (≈ -55 dBFS).
   */
  energyFloor?: number;
}

export interface FaultOptions {
  /** Return true to make this response fail with `internal_error` (response.done failed). */
  failResponse?: (context: { sessionId: string; trigger: ResponseTrigger; responseIndex: number }) => boolean;
}

export interface SimulatorOptions {
  /** Accepted API keys (set/array) or a check. Default: any non-empty key. */
  apiKeys?: Iterable<string> | ((key: string, req: IncomingMessage) => boolean | Promise<boolean>);
  /** Concurrent sessions; the next one gets `server_full` and close 1013. Default 100. */
  maxSessions?: number;
  /** Close 1000 after this long with no frame in either direction; 0 or Infinity disables. Default 30 000 ms. */
  idleTimeoutMs?: number;
  vad?: VadOptions;
  /** Minimum time from `speech_stopped` (or `response.create`) to the first audio delta. Default 600 ms. */
  replyLatencyMs?: number;
  /** Time from `speech_stopped` to the first function-call argument delta. Default 400 ms. */
  toolCallLatencyMs?: number;
  /** Duration of each `response.output_audio.delta`. Default 40 ms. */
  chunkMs?: number;
  /** Pacing factor: 1 = real time, 10 = ten times faster, Infinity = unpaced. Default 1. */
  speed?: number;
  /** How far ahead of real time the stream may run (a client-side jitter margin). Default 200 ms. */
  leadMs?: number;
  /** Time allowed for tool outputs plus one `response.create`; Infinity waits forever. Default 20 000 ms. */
  toolResponseWindowMs?: number;
  /** Default reply mode; instructions containing `[parrot]`, `[persona]` or `[scripted]` override it. Default 'scripted'. */
  mode?: ReplyMode;
  /** Replaces the reply text of scripted and persona modes. */
  replyText?: (context: ReplyContext) => string;
  /** Decides which tools a completed user turn calls. Default: see README ("Tool policy"). */
  toolPolicy?: ToolPolicy;
  /** Chunks smaller than this many bytes are `invalid_audio` (Hydra's example names 320 = 10 ms). Default 320. */
  minAudioChunkBytes?: number;
  /** Largest client frame accepted before `invalid_frame`. Default 1 MiB. */
  maxFrameBytes?: number;
  faults?: FaultOptions;
  /** Called when each response ends; for latency benchmarks and tests. */
  onTiming?: (timing: ResponseTiming) => void;
  /** Called when each user turn ends (completed or rejected). */
  onTurn?: (turn: TurnRecord) => void;
  /** Every frame sent and received, as wire text (for protocol checks and debugging; keep it cheap). */
  onFrame?: (frame: FrameTap) => void;
  /**
   * Called when an unexpected exception (a bug, or a throwing callback option) ended a
   * session with `internal_error` and close 1011. Default: console.error.
   */
  onInternalError?: (error: Error, context: { sessionId: string }) => void;
}

export interface ResolvedVad {
  mode: 0 | 1 | 2 | 3;
  frameMs: 10 | 20 | 30;
  speechStartMs: number;
  hangoverMs: number;
  minSpeechMs: number;
  endOfTurnSilenceMs: number;
  energyFloor: number;
}

export interface ResolvedOptions {
  apiKeyCheck: (key: string, req: IncomingMessage) => boolean | Promise<boolean>;
  maxSessions: number;
  idleTimeoutMs: number;
  vad: ResolvedVad;
  replyLatencyMs: number;
  toolCallLatencyMs: number;
  chunkMs: number;
  speed: number;
  leadMs: number;
  toolResponseWindowMs: number;
  mode: ReplyMode;
  replyText?: (context: ReplyContext) => string;
  toolPolicy?: ToolPolicy;
  minAudioChunkBytes: number;
  maxFrameBytes: number;
  faults: FaultOptions;
  onTiming?: (timing: ResponseTiming) => void;
  onTurn?: (turn: TurnRecord) => void;
  onFrame?: (frame: FrameTap) => void;
  onInternalError: (error: Error, context: { sessionId: string }) => void;
}

export const DEFAULT_VAD: ResolvedVad = {
  mode: 2,
  frameMs: 20,
  speechStartMs: 60,
  hangoverMs: 200,
  minSpeechMs: 200,
  endOfTurnSilenceMs: 500,
  energyFloor: 60,
};

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new RangeError(`simulator option ${name} must be >= 0, got ${value}`);
  return value;
}

/** Fills in defaults and validates. Throws RangeError on nonsense values. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const keys = options.apiKeys;
  let apiKeyCheck: ResolvedOptions['apiKeyCheck'];
  if (typeof keys === 'function') apiKeyCheck = keys;
  else if (keys !== undefined) {
    const set = new Set(keys);
    apiKeyCheck = (key) => set.has(key);
  } else apiKeyCheck = (key) => key.length > 0;

  const vad: ResolvedVad = { ...DEFAULT_VAD, ...stripUndefined(options.vad ?? {}) };
  if (![10, 20, 30].includes(vad.frameMs)) throw new RangeError(`vad.frameMs must be 10, 20 or 30`);
  if (![0, 1, 2, 3].includes(vad.mode)) throw new RangeError(`vad.mode must be 0..3`);
  for (const k of ['speechStartMs', 'hangoverMs', 'minSpeechMs', 'endOfTurnSilenceMs', 'energyFloor'] as const) {
    nonNegative(`vad.${k}`, vad[k]);
  }
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new RangeError(`simulator option speed must be > 0`);
  const chunkMs = options.chunkMs ?? 40;
  if (!(chunkMs >= 5)) throw new RangeError(`simulator option chunkMs must be >= 5`);

  return {
    apiKeyCheck,
    maxSessions: nonNegative('maxSessions', options.maxSessions ?? 100),
    idleTimeoutMs: nonNegative('idleTimeoutMs', options.idleTimeoutMs ?? 30_000),
    vad,
    replyLatencyMs: nonNegative('replyLatencyMs', options.replyLatencyMs ?? 600),
    toolCallLatencyMs: nonNegative('toolCallLatencyMs', options.toolCallLatencyMs ?? 400),
    chunkMs,
    speed,
    leadMs: nonNegative('leadMs', options.leadMs ?? 200),
    toolResponseWindowMs: nonNegative('toolResponseWindowMs', options.toolResponseWindowMs ?? 20_000),
    mode: options.mode ?? 'scripted',
    replyText: options.replyText,
    toolPolicy: options.toolPolicy,
    minAudioChunkBytes: nonNegative('minAudioChunkBytes', options.minAudioChunkBytes ?? 320),
    maxFrameBytes: nonNegative('maxFrameBytes', options.maxFrameBytes ?? 1 << 20),
    faults: options.faults ?? {},
    onTiming: options.onTiming,
    onTurn: options.onTurn,
    onFrame: options.onFrame,
    onInternalError:
      options.onInternalError ?? ((error, { sessionId }) => console.error(`hydra simulator: session ${sessionId} ended by an internal error:`, error)),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
