// Keeps the recent input audio so parrot mode can replay a whole utterance. Turn onsets are
// only known after the fact (the VAD needs a few frames), so audio is kept for `keepMs`
// behind the clock, and for the whole turn while one is open (capped at `maxMs`).
const RATE_PER_MS = 16;

export class InputRecorder {
  private chunks: { at: number; pcm: Int16Array }[] = [];
  private total = 0;

  constructor(
    private readonly keepMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  /** Appends input (call in the same order and amounts as the VAD is fed). */
  push(pcm: Int16Array, holdFromMs?: number): void {
    this.chunks.push({ at: this.total, pcm: pcm.slice() });
    this.total += pcm.length;
    const keepFrom = Math.max(
      (holdFromMs ?? Infinity) * RATE_PER_MS,
      this.total - this.maxMs * RATE_PER_MS,
    );
    const floor = Math.min(keepFrom, this.total - this.keepMs * RATE_PER_MS);
    while (this.chunks.length > 0 && this.chunks[0]!.at + this.chunks[0]!.pcm.length < floor) this.chunks.shift();
  }

  /** The recorded audio between two offsets of the input clock (ms), as far as it is kept. */
  slice(startMs: number, endMs: number): Int16Array {
    const from = Math.round(startMs * RATE_PER_MS);
    const to = Math.round(endMs * RATE_PER_MS);
    const out = new Int16Array(Math.max(0, to - from));
    for (const { at, pcm } of this.chunks) {
      const a = Math.max(from, at);
      const b = Math.min(to, at + pcm.length);
      if (b > a) out.set(pcm.subarray(a - at, b - at), a - from);
    }
    return out;
  }
}
