// Streams a reply as fixed-size chunks paced against a clock: chunk k (covering audio
// [k·chunkMs, (k+1)·chunkMs)) is sent once the playback clock, sped up by `speed`, is within
// `leadMs` of it. cancel() stops it at once: no chunk is sent after it returns.

export interface PacingOptions {
  chunkMs: number;
  /** 1 = real time; larger is faster; Infinity = as fast as the event loop allows. */
  speed: number;
  /** How far ahead of the playback clock the stream may run. */
  leadMs: number;
  sampleRate: number;
  now?: () => number;
}

export type StreamEnd = 'done' | 'cancelled';

// Without pacing, still yield to the event loop now and then so a barge-in can land.
const BURST = 8;

export class AudioStream {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private next = 0;
  private finished = false;
  private resolve!: (end: StreamEnd) => void;
  readonly ended: Promise<StreamEnd>;
  private readonly chunkSamples: number;
  private readonly now: () => number;
  private startedAt = 0;

  constructor(
    private readonly pcm: Int16Array,
    private readonly options: PacingOptions,
    private readonly send: (chunk: Int16Array, index: number) => void,
  ) {
    this.chunkSamples = Math.max(1, Math.round((options.chunkMs * options.sampleRate) / 1000));
    this.now = options.now ?? (() => performance.now());
    this.ended = new Promise((r) => (this.resolve = r));
  }

  get chunkCount(): number {
    return Math.ceil(this.pcm.length / this.chunkSamples);
  }

  /** Milliseconds of audio sent so far. */
  get sentMs(): number {
    return (Math.min(this.next * this.chunkSamples, this.pcm.length) * 1000) / this.options.sampleRate;
  }

  start(): Promise<StreamEnd> {
    this.startedAt = this.now();
    this.pump();
    return this.ended;
  }

  cancel(): void {
    if (this.finished) return;
    this.clear();
    this.finish('cancelled');
  }

  private pump = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.finished) return;
    const { chunkMs, speed, leadMs } = this.options;
    const clockMs = (this.now() - this.startedAt) * speed;
    let burst = 0;
    while (this.next < this.chunkCount && this.next * chunkMs - leadMs <= clockMs) {
      const at = this.next * this.chunkSamples;
      this.send(this.pcm.subarray(at, at + this.chunkSamples), this.next);
      this.next++;
      if (this.finished) return; // send() may have cancelled us.
      if (!Number.isFinite(speed) && ++burst >= BURST) break;
    }
    if (this.next >= this.chunkCount) {
      this.finish('done');
      return;
    }
    if (!Number.isFinite(speed)) {
      this.immediate = setImmediate(this.pump);
      return;
    }
    const dueIn = (this.next * chunkMs - leadMs - clockMs) / speed;
    this.timer = setTimeout(this.pump, Math.max(0, dueIn));
  };

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private finish(end: StreamEnd): void {
    this.finished = true;
    this.resolve(end);
  }
}
