// Streaming sample-rate converter: a Kaiser-windowed sinc low-pass evaluated as a polyphase
// FIR, for any rational ratio (44.1k→16k, 48k→16k, 96k→16k, 16k/24k→48k, 48k→44.1k, ...).
//
// The position of every output sample is tracked as an exact rational (an integer input
// index plus a numerator in [0, L)), so long runs never drift: after N inputs exactly
// ceil((N - lookahead) * L / M) outputs exist and output n sits at input time n * M / L.
//
// This class also runs inside the AudioWorkletGlobalScope: its source is taken with
// Function.prototype.toString() (see worklet-source.ts). It must stay self-contained:
// no imports, no module-level constants or helpers, no static members, no class-field
// initializers (a minifier may move or rename anything outside the class body).

/** Options for {@link Resampler}. */
export interface ResamplerOptions {
  /** Stopband attenuation in dB (default 90). */
  attenuationDb?: number;
  /** -6 dB cutoff as a fraction of the lower of the two rates (default 0.49). */
  cutoff?: number;
  /** Full transition width as a fraction of the lower rate (default 0.09). */
  transition?: number;
}

/**
 * Streaming polyphase resampler. `push()` input, then `pull()` whatever output is ready;
 * `needed(n)` says how much more input `n` more outputs require (for pull-driven playback).
 */
export class Resampler {
  /** Input rate (Hz). */
  declare readonly inRate: number;
  /** Output rate (Hz). */
  declare readonly outRate: number;
  /** Upsampling factor L of the reduced ratio outRate/inRate = L/M. */
  declare readonly up: number;
  /** Downsampling factor M of the reduced ratio. */
  declare readonly down: number;
  /** Filter taps per output sample. */
  declare readonly taps: number;
  /** Input samples the filter looks ahead of an output's position (its latency in input samples). */
  declare readonly lookahead: number;
  declare private readonly behind: number;
  declare private readonly phases: number;
  declare private readonly table: Float32Array;
  declare private buf: Float32Array;
  declare private len: number;
  declare private pos: number;
  declare private frac: number;

  constructor(inRate: number, outRate: number, options?: ResamplerOptions) {
    if (!(inRate > 0 && outRate > 0) || inRate % 1 !== 0 || outRate % 1 !== 0) {
      throw new RangeError(`Resampler: rates must be positive integers (got ${inRate} → ${outRate})`);
    }
    let a = inRate;
    let b = outRate;
    while (b !== 0) {
      const t = a % b;
      a = b;
      b = t;
    }
    this.inRate = inRate;
    this.outRate = outRate;
    this.up = outRate / a;
    this.down = inRate / a;
    if (inRate === outRate) {
      // Same rate: a one-tap identity filter, no latency.
      this.behind = 0;
      this.lookahead = 0;
      this.taps = 1;
      this.phases = 1;
      this.table = new Float32Array([1]);
    } else {
      const o = options || {};
      const atten = o.attenuationDb === undefined ? 90 : o.attenuationDb;
      const lower = Math.min(inRate, outRate);
      const fc = (o.cutoff === undefined ? 0.49 : o.cutoff) * lower; // Hz, -6 dB point
      const tw = (o.transition === undefined ? 0.09 : o.transition) * lower; // Hz
      // Kaiser's estimates for the window's length and shape.
      const n = Math.ceil((atten - 7.95) / (2.285 * ((2 * Math.PI * tw) / inRate)));
      const half = Math.max(2, Math.ceil(n / 2));
      const beta = atten > 50 ? 0.1102 * (atten - 8.7) : atten > 21 ? 0.5842 * Math.pow(atten - 21, 0.4) + 0.07886 * (atten - 21) : 0;
      const i0 = (x: number): number => {
        // Modified Bessel function of the first kind, order 0 (power series).
        let sum = 1;
        let term = 1;
        const q = (x * x) / 4;
        for (let k = 1; k < 64; k++) {
          term *= q / (k * k);
          sum += term;
          if (term < sum * 1e-12) break;
        }
        return sum;
      };
      const i0beta = i0(beta);
      const scale = (2 * fc) / inRate;
      // Exact phase rows when the ratio's numerator is small (all common rates); otherwise
      // 4096 rows and the nearest-lower row (position accounting stays exact either way).
      const phases = this.up <= 4096 ? this.up : 4096;
      const taps = 2 * half;
      const table = new Float32Array(phases * taps);
      for (let p = 0; p < phases; p++) {
        const f = p / phases;
        let sum = 0;
        for (let k = 0; k < taps; k++) {
          // Distance (in input samples) from the output's position to tap k.
          const d = f + (half - 1 - k);
          const x = d / half;
          const w = Math.abs(x) >= 1 ? 0 : i0(beta * Math.sqrt(1 - x * x)) / i0beta;
          const arg = Math.PI * scale * d;
          const s = d === 0 ? 1 : Math.sin(arg) / arg;
          const h = scale * s * w;
          table[p * taps + k] = h;
          sum += h;
        }
        // Unity DC gain on every phase: no phase-dependent level ripple.
        for (let k = 0; k < taps; k++) table[p * taps + k]! /= sum;
      }
      this.behind = half - 1;
      this.lookahead = half;
      this.taps = taps;
      this.phases = phases;
      this.table = table;
    }
    this.buf = new Float32Array(Math.max(4096, this.taps * 4));
    this.len = 0;
    this.pos = 0;
    this.frac = 0;
    this.reset();
  }

  /** Forgets all input: the next pushed sample is the position of the next output. */
  reset(): void {
    // `behind` zeros of history so the first output can sit exactly on the first input.
    this.buf.fill(0, 0, this.behind);
    this.len = this.behind;
    this.pos = this.behind;
    this.frac = 0;
  }

  /** Appends input samples (`length` of them from `offset`). */
  push(input: Float32Array, offset?: number, length?: number): void {
    const off = offset === undefined ? 0 : offset;
    const n = length === undefined ? input.length - off : length;
    if (n <= 0) return;
    if (this.len + n > this.buf.length) {
      // Drop history no future output needs, then grow if still short.
      const drop = this.pos - this.behind;
      if (drop > 0) {
        this.buf.copyWithin(0, drop, this.len);
        this.len -= drop;
        this.pos -= drop;
      }
      if (this.len + n > this.buf.length) {
        let cap = this.buf.length * 2;
        while (cap < this.len + n) cap *= 2;
        const next = new Float32Array(cap);
        next.set(this.buf.subarray(0, this.len));
        this.buf = next;
      }
    }
    this.buf.set(off === 0 && n === input.length ? input : input.subarray(off, off + n), this.len);
    this.len += n;
  }

  /** Appends `n` zeros (drains the filter's tail at the end of a stream). */
  pushZeros(n: number): void {
    if (n <= 0) return;
    if (this.len + n > this.buf.length) this.push(new Float32Array(n));
    else {
      this.buf.fill(0, this.len, this.len + n);
      this.len += n;
    }
  }

  /** Outputs that `pull()` can produce now. */
  available(): number {
    const k = this.len - 1 - this.lookahead - this.pos;
    if (k < 0) return 0;
    return Math.ceil(((k + 1) * this.up - this.frac) / this.down);
  }

  /** Input samples still to push before `pull()` can produce `outputs` samples. */
  needed(outputs: number): number {
    if (outputs <= 0) return 0;
    const last = this.pos + Math.floor((this.frac + (outputs - 1) * this.down) / this.up);
    return Math.max(0, last + this.lookahead + 1 - this.len);
  }

  /** Writes up to `max` outputs to `out` from `offset`; returns how many it wrote. */
  pull(out: Float32Array, offset?: number, max?: number): number {
    const off = offset === undefined ? 0 : offset;
    const limit = max === undefined ? out.length - off : max;
    const buf = this.buf;
    const table = this.table;
    const taps = this.taps;
    const up = this.up;
    const down = this.down;
    const exact = this.phases === up;
    const lastPos = this.len - 1 - this.lookahead;
    let pos = this.pos;
    let frac = this.frac;
    let n = 0;
    while (n < limit && pos <= lastPos) {
      const row = (exact ? frac : Math.floor((frac * this.phases) / up)) * taps;
      const start = pos - this.behind;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += buf[start + k]! * table[row + k]!;
      out[off + n++] = acc;
      frac += down;
      if (frac >= up) {
        const whole = Math.floor(frac / up);
        pos += whole;
        frac -= whole * up;
      }
    }
    this.pos = pos;
    this.frac = frac;
    return n;
  }
}
