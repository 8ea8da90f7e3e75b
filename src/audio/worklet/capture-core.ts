// The capture worklet's logic, as a plain class (tested directly on the main thread too):
// device-rate float input → 16 kHz → clamped Int16 → exactly `chunk`-sample messages
// whose buffers are transferred, not copied. Counts exact-zero input to spot a dead mic.
//
// Runs inside the AudioWorkletGlobalScope via Function.prototype.toString(): keep it
// self-contained (no imports, no module-level names, no static members or field
// initializers). The resampler class is passed in instead of referenced.

import type { Resampler } from './resampler.ts';

/** Options the capture processor receives (processorOptions). */
export interface CaptureOptions {
  /** Output rate in Hz (default 16000). */
  outRate?: number;
  /** Samples per posted chunk (default 320: 20 ms at 16 kHz). */
  chunk?: number;
  /** Continuous exact-zero input (ms) after which a `silent` message is posted (default 6000). */
  silentAfterMs?: number;
  /** Gate the mic with the context's echo guard (echo-guard.ts; default true). */
  echoGuard?: boolean;
}

/** Messages the capture processor posts. */
export type CaptureMessage =
  | {
      type: 'chunk';
      /** `chunk` samples of 16 kHz PCM16 (buffer transferred). */
      pcm: Int16Array;
      /** Sequence number from 0: a gap means lost chunks. */
      seq: number;
      /** RMS (0..1) of this chunk. */
      level: number;
      /** Context frame at the end of the render quantum that completed this chunk. */
      frame: number;
    }
  | { type: 'silent'; ms: number }
  | { type: 'sound' };

/** Posts a message with an optional transfer list (a MessagePort's postMessage). */
export type Post = (message: unknown, transfer?: Transferable[]) => void;

/** Constructor shape of {@link Resampler}, injected so the worklet needs no imports. */
export type ResamplerClass = new (inRate: number, outRate: number) => Resampler;

/** What the capture needs of the echo guard (echo-guard.ts). */
export interface EchoGate {
  heard(input: Float32Array, frame: number): void;
  /** 1 pass, 0 silence (see EchoGuard.decide). */
  decide(frame: number): number;
}

/** Capture processing, independent of AudioWorkletProcessor. */
export class CaptureCore {
  declare readonly inRate: number;
  declare readonly outRate: number;
  declare readonly chunk: number;
  declare private readonly resampler: Resampler;
  declare private readonly post: Post;
  declare private scratch: Float32Array;
  declare private pcm: Int16Array;
  declare private fill: number;
  declare private sumSq: number;
  declare private seq: number;
  declare private zeroRun: number;
  declare private readonly silentAfter: number;
  declare private silentReported: boolean;
  declare private readonly gate: EchoGate | null;
  declare private gateGain: number;
  declare private gated: Float32Array;

  constructor(inRate: number, options: CaptureOptions | undefined, ResamplerCtor: ResamplerClass, post: Post, gate?: EchoGate | null) {
    const o = options || {};
    this.inRate = inRate;
    this.outRate = o.outRate || 16000;
    this.chunk = o.chunk || 320;
    this.resampler = new ResamplerCtor(inRate, this.outRate);
    this.post = post;
    this.scratch = new Float32Array(256);
    this.pcm = new Int16Array(this.chunk);
    this.fill = 0;
    this.sumSq = 0;
    this.seq = 0;
    this.zeroRun = 0;
    this.silentAfter = Math.round(((o.silentAfterMs === undefined ? 6000 : o.silentAfterMs) * inRate) / 1000);
    this.silentReported = false;
    this.gate = gate || null;
    this.gateGain = 1;
    this.gated = new Float32Array(128);
  }

  /**
   * Consumes one render quantum of mono input (undefined when the input is disconnected:
   * nothing is produced). `frame` is the context frame at the start of the quantum.
   */
  process(input: Float32Array | undefined, frame: number): void {
    if (!input || input.length === 0) return;
    this.watchZeros(input);
    if (!this.gate) return this.feed(input, frame);
    this.gate.heard(input, frame);
    this.feed(this.applyGate(input, this.gate.decide(frame)), frame);
  }

  /** Resamples one quantum (context frame `frame`) and posts every chunk it completes. */
  private feed(input: Float32Array, frame: number): void {
    const r = this.resampler;
    r.push(input);
    const ready = r.available();
    if (this.scratch.length < ready) this.scratch = new Float32Array(ready * 2);
    const n = r.pull(this.scratch, 0, ready);
    const s = this.scratch;
    const end = frame + input.length;
    for (let i = 0; i < n; i++) {
      let v = s[i]!;
      this.sumSq += v * v;
      // Clamp, then scale asymmetrically so -1 → -32768 and +1 → 32767.
      v = v > 1 ? 1 : v < -1 ? -1 : v;
      this.pcm[this.fill++] = v < 0 ? Math.round(v * 32768) : Math.round(v * 32767);
      if (this.fill === this.chunk) {
        const pcm = this.pcm;
        const level = Math.sqrt(this.sumSq / this.chunk);
        this.post({ type: 'chunk', pcm, seq: this.seq++, level, frame: end }, [pcm.buffer]);
        // The old buffer now belongs to the receiver.
        this.pcm = new Int16Array(this.chunk);
        this.fill = 0;
        this.sumSq = 0;
      }
    }
  }

  /** `input` at gain `target` (0 or 1), ramped from the last quantum's gain (no clicks). */
  private applyGate(input: Float32Array, target: number): Float32Array {
    const from = this.gateGain;
    this.gateGain = target;
    if (from === 1 && target === 1) return input;
    if (this.gated.length !== input.length) this.gated = new Float32Array(input.length);
    const out = this.gated;
    const n = input.length;
    for (let i = 0; i < n; i++) out[i] = input[i]! * (from + ((target - from) * (i + 1)) / n);
    return out;
  }

  private watchZeros(input: Float32Array): void {
    let allZero = true;
    for (let i = 0; i < input.length; i++) {
      if (input[i] !== 0) {
        allZero = false;
        break;
      }
    }
    if (allZero) {
      this.zeroRun += input.length;
      if (!this.silentReported && this.zeroRun >= this.silentAfter) {
        this.silentReported = true;
        this.post({ type: 'silent', ms: Math.round((this.zeroRun * 1000) / this.inRate) });
      }
    } else {
      if (this.silentReported) this.post({ type: 'sound' });
      this.zeroRun = 0;
      this.silentReported = false;
    }
  }
}
