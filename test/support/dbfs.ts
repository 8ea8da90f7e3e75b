// One dBFS rounding for the diagnostics that print levels side by side (what Hydra received,
// what the page played), so the two columns compare. Plain math: runs in Node and in pages.

/** A linear amplitude (full scale = 1) in whole dBFS; -99 for digital silence. */
export function dbfs(amplitude: number): number {
  return amplitude > 0 ? Math.round(20 * Math.log10(amplitude)) : -99;
}
