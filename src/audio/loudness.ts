// What the element's level halo shows: loudness in quarter steps. Computed in the engine,
// which posts a level only when a step changed (each post is a task on the page's main
// thread, each change a frame to render).

/** RMS → 0…1 in quarter steps, on a decibel scale (-48 dB → 0, -12 dB → 1): speech fills the range. */
export function loudnessStep(rms: number): number {
  const db = 20 * Math.log10(Math.max(rms, 1e-6));
  return Math.round(Math.min(1, Math.max(0, (db + 48) / 36)) * 4) / 4;
}
