// The capture worklet's chunk stream, independent of where it is received: sequence
// numbers checked (a hole is lost audio), chunk and level handed on, the dead-mic signal.
// MicCapture uses it on the node's own port; the audio router (src/worker/router.ts) on a
// port routed to the worker, so mic audio never passes the page's main thread.
import type { CaptureMessage } from './worklet/capture-core.ts';

/** Stats for diagnostics and tests. */
export interface CaptureStats {
  chunks: number;
  /** Chunks missing from the sequence (never expected: a gap means lost audio). */
  lost: number;
}

export class CaptureChannel {
  /** Each 20 ms chunk, in order, with its RMS level (0..1). The array is the receiver's (its buffer was transferred). */
  onchunk: (pcm: Int16Array, level: number) => void = () => undefined;
  /** The input has been exact zeros for `ms` (a muted or dead microphone). */
  onsilent: (ms: number) => void = () => undefined;
  readonly stats: CaptureStats = { chunks: 0, lost: 0 };
  #nextSeq = 0;

  /** A new worklet starts its sequence at 0. */
  restart(): void {
    this.#nextSeq = 0;
  }

  receive(m: CaptureMessage): void {
    if (m.type === 'chunk') {
      if (m.seq !== this.#nextSeq) this.stats.lost += m.seq - this.#nextSeq;
      this.#nextSeq = m.seq + 1;
      this.stats.chunks++;
      this.onchunk(m.pcm, m.level);
    } else if (m.type === 'silent') {
      this.onsilent(m.ms);
    }
  }
}
