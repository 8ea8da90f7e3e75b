// The echo guard: keeps the agent's own voice, coming back from the loudspeaker into the
// microphone, from reaching Hydra as "the user started speaking" (a self-interruption).
//
// Browsers cancel echo in getUserMedia, but only of audio their canceller hears as the
// reference: Chromium without Chrome-wide echo cancellation (older or differently
// configured Chromes) does not hear Web Audio output, and WebKitGTK has no canceller at
// all (measured in the speakerphone rig: 0 dB of attenuation, see README "Browsers"). The
// guard measures, from the signals themselves, whether what we play comes back:
//
//   - The playback worklet reports the energy of every render quantum it plays
//     (`played`); the capture worklet the energy of every quantum the mic hears (`heard`).
//     Both run on the same render thread and share this object (processors.ts).
//   - Every block (8 quanta, ~21 ms) it correlates the two level envelopes over the last
//     2 s at every lag up to 0.75 s: an echo follows the reference at a fixed lag and
//     gain (its echo return loss, ERL). States: `unknown` (at the start), `cancelled`
//     (the mic stays far below what we play: the browser cancels), `echo` (it does not).
//   - Per quantum it gates the mic: audio passes when no echo of ours can be in it, or
//     when the mic is clearly louder than the echo we predict (double talk: the user
//     talks over the agent, a barge-in Hydra must hear); otherwise Hydra gets silence.
//     Until the state is known the guard assumes the worst (echo up to 6 dB louder than
//     what we play, at any lag up to 0.75 s); once
//     `cancelled`, it still refuses mic audio less than 15 dB below what we play, louder
//     mic audio that carries our voice's texture at some lag (the short leaks a canceller
//     lets through after a jump in loop delay), and louder bursts shorter than ~128 ms.
//
// Where it is `echo` and WebRTC exists, Playback reroutes its output through a loopback
// RTCPeerConnection so the browser's canceller hears it (playback.ts): the guard then
// learns again and normally ends `cancelled`.
//
// Runs inside the AudioWorkletGlobalScope via Function.prototype.toString(): keep it
// self-contained (no imports, no module-level names, no static members or field
// initializers).

/** What the guard has concluded about the echo of our own playback. */
export type EchoState = 'unknown' | 'cancelled' | 'echo';

/** A snapshot of the guard, as posted to the main thread. */
export interface EchoReport {
  state: EchoState;
  /** Loop delay (loudspeaker → mic) in ms, when state is `echo`. */
  delayMs: number;
  /** Echo return loss in dB (mic level of our echo relative to what we play; 0 = as loud). */
  erlDb: number;
  /** Quanta the mic was gated (sent as silence) so far. */
  gatedQuanta: number;
  /** Fine-grained match of the last echo candidate (see EchoGuard.fineMatch). */
  match: number;
  /** Leaks of a cancelling browser caught and gated (see EchoGuard.isLeak). */
  leaks: number;
}

export class EchoGuard {
  declare readonly rate: number;
  /** Render quanta per analysis block. */
  declare private readonly qpb: number;
  /** Per-quantum energies (mean square) of what we played / what the mic heard, by quantum number. */
  declare private refQ: Float32Array;
  declare private refQn: Float64Array;
  declare private micQ: Float32Array;
  declare private micQn: Float64Array;
  /** Per-block levels in dB, by block number. */
  declare private refB: Float32Array;
  declare private refBn: Float64Array;
  declare private micB: Float32Array;
  declare private micBn: Float64Array;
  declare private refAcc: number;
  declare private refAccN: number;
  declare private refAccBlock: number;
  declare private micAcc: number;
  declare private micAccN: number;
  declare private micAccBlock: number;
  /** Largest lag searched, in blocks. */
  declare private readonly maxLagB: number;
  /** Analysis window, in blocks. */
  declare private readonly windowB: number;
  declare private stateCode: number;
  declare private delayB: number;
  declare private erl: number;
  /** Highest echo return loss measured on this path (state `echo`; reset by a new verdict). */
  declare private erlMax: number;
  /** Noise floor of the mic (mean square), tracked from quiet blocks. */
  declare private floor: number;
  /** Quanta of double talk still to pass after the last detection. */
  declare private hold: number;
  /** Consecutive quanta in which the mic was louder than our echo can be. */
  declare private talk: number;
  declare private gated: number;
  declare private echoVotes: number;
  /** Analyses in a row, in state `echo`, where at every lag the mic stayed far below our playback. */
  declare private quietVotes: number;
  declare private scratchB: Float64Array;
  /** Lag (blocks) of the current run of echo votes. */
  declare private voteLag: number;
  declare private lastMatch: number;
  /** Leak checks (isLeak): last quantum checked, gate shut until, count, scratch. */
  declare private leakCheckedAt: number;
  declare private leakUntil: number;
  declare private leakLag: number;
  declare private leaks: number;
  declare private leakMic: Float64Array;
  declare private leakRef: Float64Array;
  /** Running sums of one correlation (corrReset/corrAdd): n, Σx, Σy, Σx², Σy², Σxy. */
  declare private corr: Float64Array;

  constructor(rate: number) {
    this.rate = rate;
    this.qpb = 8;
    const quanta = 2048; // ~5.5 s at 48 kHz
    this.refQ = new Float32Array(quanta);
    this.refQn = new Float64Array(quanta).fill(-1);
    this.micQ = new Float32Array(quanta);
    this.micQn = new Float64Array(quanta).fill(-1);
    const blocks = 256;
    this.refB = new Float32Array(blocks);
    this.refBn = new Float64Array(blocks).fill(-1);
    this.micB = new Float32Array(blocks);
    this.micBn = new Float64Array(blocks).fill(-1);
    this.refAcc = 0;
    this.refAccN = 0;
    this.refAccBlock = -1;
    this.micAcc = 0;
    this.micAccN = 0;
    this.micAccBlock = -1;
    const blockS = (128 * this.qpb) / rate;
    this.maxLagB = Math.ceil(0.75 / blockS);
    this.windowB = Math.ceil(2.0 / blockS);
    this.stateCode = 0;
    this.delayB = 0;
    this.erl = 0;
    this.erlMax = 0;
    this.floor = 1e-7;
    this.hold = 0;
    this.talk = 0;
    this.gated = 0;
    this.echoVotes = 0;
    this.quietVotes = 0;
    this.scratchB = new Float64Array(this.windowB);
    this.voteLag = -1;
    this.lastMatch = 0;
    this.leakCheckedAt = -1e9;
    this.leakUntil = -1;
    this.leakLag = -1;
    this.leaks = 0;
    this.leakMic = new Float64Array(0);
    this.leakRef = new Float64Array(0);
    this.corr = new Float64Array(6);
  }

  get state(): EchoState {
    return this.stateCode === 1 ? 'cancelled' : this.stateCode === 2 ? 'echo' : 'unknown';
  }

  report(): EchoReport {
    return {
      state: this.state,
      delayMs: this.stateCode === 2 ? Math.round((this.delayB * 128 * this.qpb * 1000) / this.rate) : 0,
      erlDb: Math.round(this.erl * 10) / 10,
      gatedQuanta: this.gated,
      match: Math.round(this.lastMatch * 100) / 100,
      leaks: this.leaks,
    };
  }

  /** Forget the echo path (the output route changed): assume the worst until measured again. */
  relearn(): void {
    this.stateCode = 0;
    this.echoVotes = 0;
    this.quietVotes = 0;
    this.erl = 0;
    // What the mic heard before the change says nothing about the new path.
    this.micBn.fill(-1);
  }

  /** The playback worklet played `out` at context frame `frame`. */
  played(out: Float32Array, frame: number): void {
    const q = Math.round(frame / 128);
    const e = this.store(out, q, this.refQ, this.refQn);
    const b = Math.floor(q / this.qpb);
    if (b !== this.refAccBlock) {
      if (this.refAccBlock >= 0) this.closeBlock(this.refB, this.refBn, this.refAccBlock, this.refAcc, this.refAccN);
      this.refAccBlock = b;
      this.refAcc = 0;
      this.refAccN = 0;
    }
    this.refAcc += e;
    this.refAccN++;
  }

  /** The mic delivered `input` at context frame `frame` (then ask {@link decide} about it). */
  heard(input: Float32Array, frame: number): void {
    const q = Math.round(frame / 128);
    const e = this.store(input, q, this.micQ, this.micQn);
    const b = Math.floor(q / this.qpb);
    if (b !== this.micAccBlock) {
      if (this.micAccBlock >= 0) {
        const mean = this.micAccN > 0 ? this.micAcc / this.micAccN : 0;
        this.closeBlock(this.micB, this.micBn, this.micAccBlock, this.micAcc, this.micAccN);
        // Noise floor: follows quiet blocks down at once, rises slowly (~3 dB/s).
        this.floor = mean < this.floor ? Math.max(mean, 1e-10) : this.floor * 1.016;
        this.analyze(this.micAccBlock);
      }
      this.micAccBlock = b;
      this.micAcc = 0;
      this.micAccN = 0;
    }
    this.micAcc += e;
    this.micAccN++;
  }

  /** Energy (mean square) of one quantum of audio, kept as quantum `q` of (energies, numbers). */
  private store(x: Float32Array, q: number, energies: Float32Array, numbers: Float64Array): number {
    let e = 0;
    for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
    e /= x.length || 1;
    const k = q % energies.length;
    energies[k] = e;
    numbers[k] = q;
    return e;
  }

  /**
   * How well the mic's quantum-by-quantum level changes follow ours at `lagB` blocks (best
   * lag within 1.5 blocks of it), over the last second where we played: the correlation of
   * the first differences of log energies, which keeps syllable onsets and the fine
   * texture of speech and drops the slow rise and fall of syllables. An echo (the same
   * sound, delayed) follows it closely; a user talking over the agent, whose syllables
   * may keep time with the agent's, does not.
   * Mic quanta below -70 dBFS (digital silence: a gap in capture, where a real mic has its
   * noise floor) are left out. WebKitGTK's capture on a loaded machine has such gaps (in
   * the speakerphone rig, late in a test run: 1173 of 12 310 quanta while we played), each
   * a 40+ dB dip our playback did not have: two such pairs in a second take an echo's
   * correlation from ~0.95 to ~0.6, more take it below the 0.5 the verdict needs, and the
   * first verdict came 5–10 s late.
   */
  private fineMatch(lastQ: number, lagB: number): number {
    const n = Math.round(this.rate / 128);
    let best = 0;
    for (let lag = Math.max(1, lagB * this.qpb - 12); lag <= lagB * this.qpb + 12; lag++) {
      this.corrReset();
      for (let t = lastQ - n; t <= lastQ; t++) {
        const r1 = this.quantumDb(this.refQ, this.refQn, t - lag);
        const r0 = this.quantumDb(this.refQ, this.refQn, t - lag - 1);
        const m1 = this.quantumDb(this.micQ, this.micQn, t);
        const m0 = this.quantumDb(this.micQ, this.micQn, t - 1);
        if (!(r1 > -50 && r0 > -50 && m1 > -70 && m0 > -70)) continue;
        this.corrAdd(r1 - r0, m1 - m0);
      }
      if (this.corr[0]! < 60) continue;
      const r = this.corrR();
      if (r > best) best = r;
    }
    return best;
  }

  private closeBlock(levels: Float32Array, numbers: Float64Array, block: number, acc: number, n: number): void {
    const k = block % levels.length;
    levels[k] = 10 * Math.log10(n > 0 ? acc / n + 1e-12 : 1e-12);
    numbers[k] = block;
  }

  /** Energy (dB) of quantum `q`; NaN when it was not recorded. */
  private quantumDb(energies: Float32Array, numbers: Float64Array, q: number): number {
    const k = ((q % energies.length) + energies.length) % energies.length;
    return numbers[k] === q ? 10 * Math.log10(energies[k]! + 1e-9) : NaN;
  }

  /** Starts a correlation (fineMatch, analyze, isLeak share one set of sums: no allocation on the render thread). */
  private corrReset(): void {
    this.corr.fill(0);
  }

  private corrAdd(x: number, y: number): void {
    const c = this.corr;
    c[0] = c[0]! + 1;
    c[1] = c[1]! + x;
    c[2] = c[2]! + y;
    c[3] = c[3]! + x * x;
    c[4] = c[4]! + y * y;
    c[5] = c[5]! + x * y;
  }

  /** Pearson's r of the pairs added since corrReset(); 0 when either side is flat. */
  private corrR(): number {
    const c = this.corr;
    const n = c[0]!;
    const vx = c[3]! - (c[1]! * c[1]!) / n;
    const vy = c[4]! - (c[2]! * c[2]!) / n;
    return vx > 1e-9 && vy > 1e-9 ? (c[5]! - (c[1]! * c[2]!) / n) / Math.sqrt(vx * vy) : 0;
  }

  /** Least-squares slope of y on x for the same pairs; 0 when x is flat. */
  private corrSlope(): number {
    const c = this.corr;
    const n = c[0]!;
    const vx = c[3]! - (c[1]! * c[1]!) / n;
    return vx > 1e-9 ? (c[5]! - (c[1]! * c[2]!) / n) / vx : 0;
  }

  /** Level (dB) of block `b`, floored at -70 dB; `missing` when the block was not recorded. */
  private level(levels: Float32Array, numbers: Float64Array, b: number, missing: number): number {
    const k = ((b % levels.length) + levels.length) % levels.length;
    if (b < 0 || numbers[k] !== b) return missing;
    const v = levels[k]!;
    return v < -70 ? -70 : v;
  }

  /**
   * Re-estimates the echo path after mic block `b` closed. For every lag: how well the
   * mic's envelope follows ours (correlation) and how loud the mic is where we played
   * (median of mic - reference, over the blocks where the reference was active).
   *   echo:      at the best-correlated lag, over the blocks where we played, the mic's level
   *              rises and falls with ours (r > 0.6, slope 0.6..1.6 in dB) at an ERL above
   *              -25 dB. A user talking over the agent, or answering right after it, can
   *              line up with our speech-and-pauses pattern at some lag, but their level
   *              does not follow ours syllable by syllable;
   *   cancelled: at every lag the mic stays 25 dB or more below what we played, in most
   *              of those blocks (a canceller still converging leaks in many of them; a user
   *              talking over the agent delays the verdict until they stop).
   */
  private analyze(b: number): void {
    const W = this.windowB;
    // Nothing played is silence; mic blocks from before a relearn() do not count.
    const refAt = (t: number) => this.level(this.refB, this.refBn, t, -70);
    const micAt = (t: number) => this.level(this.micB, this.micBn, t, NaN);
    const diff = this.scratchB;
    let bestR = -1;
    let bestD = -1;
    let bestErl = -99;
    let loudest = -99;
    let lags = 0;
    for (let d = 0; d <= this.maxLagB; d++) {
      // Over the blocks where we played (at this lag): correlation and slope of mic on ref (dB).
      this.corrReset();
      let active = 0;
      for (let i = 0; i < W; i++) {
        const y = micAt(b - i);
        if (y !== y) continue;
        const x = refAt(b - i - d);
        if (x <= -50) continue;
        this.corrAdd(x, y);
        diff[active++] = y - x;
      }
      if (active < 16) continue; // not enough of our own speech at this lag yet (~0.33 s)
      lags++;
      const r = this.corrR();
      const slope = this.corrSlope();
      const sorted = diff.slice(0, active).sort(); // typed arrays sort numerically
      const erl = sorted[active >> 1]!;
      if (erl > loudest) loudest = erl;
      if (r > bestR && slope > 0.6 && slope < 1.6) {
        bestR = r;
        bestD = d;
        bestErl = erl;
      }
    }
    let candidate = bestD >= 0 && bestR > 0.6 && bestErl > -25 && (this.echoVotes === 0 || Math.abs(bestD - this.voteLag) <= 3);
    if (candidate && this.stateCode !== 2) {
      // Before calling it an echo, check the fine texture (cheap: once per candidate block).
      this.lastMatch = this.fineMatch(b * this.qpb + this.qpb - 1, bestD);
      candidate = this.lastMatch > 0.5;
    }
    if (candidate) {
      // Our level comes back at about the same lag, three analyses in a row: an echo. Once
      // the browser is known to cancel, it takes half a second of them.
      this.voteLag = bestD;
      this.quietVotes = 0;
      if (this.stateCode === 2) {
        // Already an echo: follow the lag; let the loss estimate rise at once but fall only
        // slowly (~2 dB/s), so a window of pauses or double talk cannot open the gate, and
        // never more than 3 dB below the highest measured on this path: a loop delay that
        // wanders (WebKitGTK on a loaded machine) misaligns the blocks the median is taken
        // over and drags it down (-9.7 dB measured at 0 dB of true loss, and the next reply's
        // first syllable interrupted it). A quieter loudspeaker costs a louder barge-in.
        this.delayB = bestD;
        if (bestErl > this.erlMax) this.erlMax = bestErl;
        this.erl = bestErl > this.erl ? bestErl : Math.max(bestErl, this.erl - 0.05, this.erlMax - 3);
      } else if (++this.echoVotes >= (this.stateCode === 1 ? 24 : 3)) {
        this.stateCode = 2;
        this.delayB = bestD;
        this.erl = bestErl;
        this.erlMax = bestErl;
      }
    } else {
      this.echoVotes = 0;
      // Every lag must have been judged: early in a reply the short lags see our speech
      // before its echo has had time to come back.
      if (lags === this.maxLagB + 1 && loudest < -25) {
        // Once an echo was measured, the loop is not believed gone after one quiet window:
        // an audio server that stops delivering the mic for a moment (WebKitGTK in the
        // speakerphone rig, on a loaded machine) looked like a canceller and let the next
        // reply interrupt itself. It takes ~8 s of our speech without an echo (headphones
        // plugged in); a route change (relearn) starts over at once.
        if (this.stateCode !== 2 || ++this.quietVotes >= 384) {
          this.stateCode = 1;
          this.erl = loudest;
          this.quietVotes = 0;
        }
      } else if (lags === this.maxLagB + 1) this.quietVotes = 0;
    }
  }

  /**
   * Whether the last ~100 ms of mic audio (up to quantum q) follows our playback's fine
   * texture (first differences of log energy, as in fineMatch) at any lag up to 0.75 s.
   * Checked every 4 quanta at most; a leak keeps the gate shut for ~130 ms.
   */
  private isLeak(q: number): boolean {
    if (q - this.leakCheckedAt < 4) return false;
    this.leakCheckedAt = q;
    const n = 40;
    const maxLag = (this.maxLagB + 1) * this.qpb;
    if (this.leakMic.length < n) this.leakMic = new Float64Array(n);
    if (this.leakRef.length < n + maxLag + 1) this.leakRef = new Float64Array(n + maxLag + 1);
    const m = this.leakMic;
    const r = this.leakRef;
    // m[i]: mic log-energy change at quantum q-n+1+i; r[j]: ref log energy at quantum q-n-maxLag+j.
    for (let i = 0; i < n; i++) m[i] = this.quantumDb(this.micQ, this.micQn, q - n + 1 + i) - this.quantumDb(this.micQ, this.micQn, q - n + i);
    for (let j = 0; j <= n + maxLag; j++) r[j] = this.quantumDb(this.refQ, this.refQn, q - n - maxLag + j);
    let best = 0;
    let bestLag = -1;
    for (let lag = 1; lag <= maxLag; lag++) {
      this.corrReset();
      for (let i = 0; i < n; i++) {
        // The reference quantum heard at mic quantum q-n+1+i, and the one before it.
        const j = maxLag + i + 1 - lag;
        const r1 = r[j]!;
        const r0 = r[j - 1]!;
        const y = m[i]!;
        if (!(r1 > -50 && r0 > -50) || y !== y) continue;
        this.corrAdd(r1 - r0, y);
      }
      if (this.corr[0]! < 20) continue;
      const c = this.corrR();
      if (c > best) {
        best = c;
        bestLag = lag;
      }
    }
    // Among a few hundred lags one may match by chance; a leak matches at the same lag in
    // two checks in a row.
    const previous = this.leakLag;
    this.leakLag = best > 0.7 ? bestLag : -1;
    if (previous >= 0 && this.leakLag >= 0 && Math.abs(this.leakLag - previous) <= 3) {
      this.leakUntil = q + 48;
      this.leaks++;
      return true;
    }
    return false;
  }

  /**
   * Loudest reference level (mean square) among quanta [from, to]: of single quanta, or of
   * stretches of `span` quanta ending there.
   */
  private loudestRef(from: number, to: number, span = 1): number {
    const n = this.refQ.length;
    let m = 0;
    let sum = 0;
    for (let q = from - span + 1; q <= to; q++) {
      const k = ((q % n) + n) % n;
      sum += this.refQn[k] === q ? this.refQ[k]! : 0;
      // Past the first stretch, the quantum `span` back leaves the running sum.
      const o = (((q - span) % n) + n) % n;
      if (q > from && this.refQn[o] === q - span) sum -= this.refQ[o]!;
      if (q >= from && sum > span * m) m = sum / span;
    }
    return m;
  }

  /**
   * Quanta in a row a louder stretch needs before it passes: 8, or 4 to go on with one that
   * passed. Where the browser cancels, one that starts while we play (anything above
   * -50 dBFS in the last ~0.2 s) needs 48; after that a quick answer needs only the usual 8
   * (a canceller's leaks come while we play). The 0.2 s scan runs only once 8 are reached:
   * below that the answer is "not yet" either way, and this runs every render quantum.
   */
  private quantaToPass(q: number): number {
    if (this.stateCode !== 1) return 8;
    if (this.hold > 0) return 4;
    if (this.talk < 8) return 8;
    return this.loudestRef(q - 75, q) > 1e-5 ? 48 : 8;
  }

  /** Mean mic energy over the last 4 quanta up to q. */
  private recentMic(q: number): number {
    let s = 0;
    let n = 0;
    for (let x = q - 3; x <= q; x++) {
      const k = ((x % this.micQ.length) + this.micQ.length) % this.micQ.length;
      if (this.micQn[k] === x) {
        s += this.micQ[k]!;
        n++;
      }
    }
    return n > 0 ? s / n : 0;
  }

  /**
   * What to send Hydra of the mic quantum heard at context frame `frame` (ask once per
   * quantum, in order, after {@link heard}): 1 pass, 0 our own echo (send silence).
   */
  decide(frame: number): number {
    const q = Math.round(frame / 128);
    const qpb = this.qpb;
    let echo: number;
    // Where our echo is a plain copy of what we play (`unknown`, `echo`), it is predicted
    // from our loudest 4-quantum stretch: the mic is judged by its last 4 quanta (recentMic),
    // and against our loudest single quantum a user had to be 1-3 dB louder again (WebKitGTK,
    // speakerphone rig: a voice 8 dB up missed its barge-in). A canceller's leaks are brief:
    // once `cancelled`, the loudest single quantum.
    const span = this.stateCode === 1 ? 1 : 4;
    if (this.stateCode === 2) {
      // Around the measured lag, 3 dB above the measured loss (the capture's gain control
      // moves it; on top of the loudest stretch in the window, and the 3 dB a barge-in must
      // clear: with +6 dB a user 8 dB louder than the echo missed their barge-in in
      // WebKitGTK). The loop delay wanders and jumps (a loaded machine's audio server):
      // 0.25 s of slack after it (a late echo of the agent's last word must stay gated),
      // 0.1 s before.
      const lag = this.delayB * qpb;
      const late = Math.round((0.25 * this.rate) / 128);
      const early = Math.round((0.1 * this.rate) / 128);
      const near = Math.pow(10, (this.erl + 3) / 10) * this.loudestRef(q - lag - late, q - lag + early, span);
      // Without a canceller a jump in loop delay (an audio server catching up after an
      // underrun: 0.14 → 0.42 s measured in WebKitGTK) can bring our echo back at any lag:
      // anything we played in the lag range may return at the measured loss too.
      const anywhere = Math.pow(10, this.erl / 10) * this.loudestRef(q - (this.maxLagB + 1) * qpb, q, span);
      echo = near > anywhere ? near : anywhere;
    } else {
      // Unknown lag: anything we played in the lag range. Until measured, assume the echo
      // may be 6 dB louder than what we play (a capture's automatic gain control lifts it:
      // Chromium without Chrome-wide echo cancellation, +6 dB measured); once the browser
      // is known to cancel, refuse mic audio within 15 dB of it (louder mic audio is checked
      // for being a leak of our voice below).
      const erl = this.stateCode === 1 ? -15 : 6;
      echo = Math.pow(10, erl / 10) * this.loudestRef(q - (this.maxLagB + 1) * qpb, q, span);
    }
    if (echo < this.floor * 2) {
      this.hold = 0;
      this.talk = 0;
      return 1; // nothing of ours can be in the mic
    }
    const mic = this.recentMic(q);
    // Double talk: the mic clearly louder than our echo can be, for 8 quanta (~21 ms) in a
    // row; it passes while that lasts and ~107 ms after, so a barge-in reaches Hydra in
    // stretches its turn detection takes for speech. Once the browser is known to cancel, a
    // stretch that starts while we play needs 48 quanta (~128 ms), then goes on with 4 and
    // passes ~256 ms after: Firefox's canceller (speakerphone rig, loaded machine) let
    // 40–100 ms bursts of our voice through at full level, mid-reply and as a reply ended,
    // which the leak check below did not recognise and the simulator's turn detector took
    // for speech. The cost: a barge-in reaches Hydra ~128 ms later, without its first ~128 ms.
    let louder = mic > 2 * echo + 2 * this.floor;
    // A canceller leaks for a moment after a jump in loop delay (in the speakerphone rig,
    // on a loaded machine, leaks nearly as loud as the agent): loud mic audio that carries
    // our voice's texture at some lag is our echo, not the user.
    if (this.stateCode === 1 && louder && (this.leakUntil > q || this.isLeak(q))) {
      louder = false;
      this.hold = 0;
    }
    this.talk = louder ? this.talk + 1 : 0;
    if (this.talk >= this.quantaToPass(q)) this.hold = this.stateCode === 1 ? 96 : 40;
    if (this.hold > 0) {
      this.hold--;
      return 1;
    }
    this.gated++;
    return 0;
  }
}
