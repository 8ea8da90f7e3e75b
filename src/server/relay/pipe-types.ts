// What a relayed session reports. Kept apart from pipe.ts so the public declarations
// (RelayLogEvent) never import `ws`: `hydra-voice/server` types compile without @types/ws.

/** Why no upstream session came about: refused key, other 4xx, network/5xx, deadline. */
export type UpstreamFailure = 'auth' | 'rejected' | 'unreachable' | 'timeout';

/** How a session ended, for stats and logs (never contains credentials). */
export interface PipeEnd {
  /** Code sent to (or received from) the browser. */
  code: number;
  reason: string;
  /** Set when the relay could not reach or was refused by upstream. */
  upstreamFailure?: UpstreamFailure;
  /** HTTP status of a refused upstream upgrade. */
  upstreamStatus?: number;
  framesUp: number;
  framesDown: number;
  bytesUp: number;
  bytesDown: number;
}

/** Live frame/byte counters of one session. */
export interface PipeCounts {
  framesUp: number;
  framesDown: number;
  bytesUp: number;
  bytesDown: number;
}
