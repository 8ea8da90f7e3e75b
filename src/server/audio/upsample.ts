// Integer-factor upsampling (e.g. Flite's 16 kHz speech to Hydra's 48 kHz output) with a
// windowed-sinc interpolation filter, so replies have no imaging artefacts.

const TAPS_PER_PHASE = 16;

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

/** Blackman-windowed sinc kernel, cutoff at the input Nyquist, split into `factor` phases. */
function polyphaseKernel(factor: number): Float64Array[] {
  const length = TAPS_PER_PHASE * factor;
  const centre = (length - 1) / 2;
  const phases = Array.from({ length: factor }, () => new Float64Array(TAPS_PER_PHASE));
  for (let n = 0; n < length; n++) {
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (length - 1)) + 0.08 * Math.cos((4 * Math.PI * n) / (length - 1));
    phases[n % factor]![Math.floor(n / factor)] = sinc((n - centre) / factor) * w;
  }
  // Each phase must sum to 1 so a constant input stays constant.
  for (const phase of phases) {
    const sum = phase.reduce((a, b) => a + b, 0);
    for (let i = 0; i < phase.length; i++) phase[i]! /= sum;
  }
  return phases;
}

export function upsampleInteger(input: Int16Array, factor: number): Int16Array {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`bad upsampling factor ${factor}`);
  if (factor === 1) return input.slice();
  const phases = polyphaseKernel(factor);
  const out = new Int16Array(input.length * factor);
  const half = TAPS_PER_PHASE / 2;
  for (let i = 0; i < input.length; i++) {
    for (let p = 0; p < factor; p++) {
      const phase = phases[(factor - 1 - p) % factor]!;
      let acc = 0;
      for (let k = 0; k < TAPS_PER_PHASE; k++) {
        const j = i + k - half + 1;
        if (j >= 0 && j < input.length) acc += input[j]! * phase[TAPS_PER_PHASE - 1 - k]!;
      }
      out[i * factor + p] = Math.max(-32768, Math.min(32767, Math.round(acc)));
    }
  }
  return out;
}
