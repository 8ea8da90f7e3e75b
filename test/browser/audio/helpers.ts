// Signal helpers for the audio tests: tones, amplitude/phase estimation, WAV decoding,
// and waiting for worklet messages.

/** `n` samples of a sine at `freq` Hz sampled at `rate`, starting at sample `start`. */
export function tone(n: number, freq: number, rate: number, amplitude = 0.5, start = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * (start + i)) / rate);
  return out;
}

/** Amplitude and phase of the `freq` component of x (least-squares fit of sin + cos). */
export function fitTone(x: ArrayLike<number>, freq: number, rate: number, start = 0): { amplitude: number; phase: number } {
  let s = 0;
  let c = 0;
  let ss = 0;
  let cc = 0;
  let sc = 0;
  for (let i = 0; i < x.length; i++) {
    const w = (2 * Math.PI * freq * (start + i)) / rate;
    const si = Math.sin(w);
    const ci = Math.cos(w);
    s += x[i]! * si;
    c += x[i]! * ci;
    ss += si * si;
    cc += ci * ci;
    sc += si * ci;
  }
  // Solve [ss sc; sc cc] [a b]' = [s c]'
  const det = ss * cc - sc * sc;
  const a = (s * cc - c * sc) / det;
  const b = (c * ss - s * sc) / det;
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(b, a) };
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

export const db = (ratio: number) => 20 * Math.log10(ratio);

/** Decodes a 16-bit PCM mono WAV (as written by src/server/audio/wav.ts). */
export function decodeWav16(buf: ArrayBuffer): { rate: number; samples: Float32Array } {
  const v = new DataView(buf);
  let at = 12;
  let rate = 0;
  let channels = 1;
  while (at + 8 <= v.byteLength) {
    const id = String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
    const size = v.getUint32(at + 4, true);
    if (id === 'fmt ') {
      channels = v.getUint16(at + 10, true);
      rate = v.getUint32(at + 12, true);
    } else if (id === 'data') {
      const n = Math.floor(size / 2 / channels);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = v.getInt16(at + 8 + i * 2 * channels, true) / 32768;
      return { rate, samples };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Resolves when `check()` is true, polling every animation-free 10 ms; rejects after `ms`. */
export async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Envelope: RMS over consecutive windows of `win` samples. */
export function envelope(x: Float32Array, win: number): Float32Array {
  const n = Math.floor(x.length / win);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rms(x, i * win, (i + 1) * win);
  return out;
}

/** Normalized cross-correlation of a and b at lag (b shifted by `lag`), over the overlap. */
export function correlation(a: Float32Array, b: Float32Array, lag: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  let ma = 0;
  let mb = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const j = i + lag;
    if (j < 0 || j >= b.length) continue;
    ma += a[i]!;
    mb += b[j]!;
    n++;
  }
  if (n === 0) return 0;
  ma /= n;
  mb /= n;
  for (let i = 0; i < a.length; i++) {
    const j = i + lag;
    if (j < 0 || j >= b.length) continue;
    const da = a[i]! - ma;
    const dbv = b[j]! - mb;
    ab += da * dbv;
    aa += da * da;
    bb += dbv * dbv;
  }
  return ab / Math.sqrt(aa * bb || 1);
}
