// Resampler quality with the worklet's own code: the Resampler class that the capture and
// playback worklets run (their source is this class's toString()), and the real capture
// worklet in an OfflineAudioContext.
import { expect } from '@open-wc/testing';
import { Resampler } from '../../../src/audio/worklet/resampler.ts';
import { CAPTURE_PROCESSOR } from '../../../src/audio/worklet-source.ts';
import { loadWorklets } from '../../../src/audio/worklet-loader.ts';
import type { CaptureMessage } from '../../../src/audio/worklet/capture-core.ts';
import { db, fitTone, rms, tone, until } from './helpers.ts';

/** Runs `input` through a fresh resampler in 128-sample blocks (as the worklet sees it). */
function run(inRate: number, outRate: number, input: Float32Array): Float32Array {
  const r = new Resampler(inRate, outRate);
  const out = new Float32Array(Math.ceil((input.length * outRate) / inRate) + 16);
  let n = 0;
  for (let i = 0; i < input.length; i += 128) {
    r.push(input, i, Math.min(128, input.length - i));
    n += r.pull(out, n);
  }
  return out.subarray(0, n);
}

/** Gain (dB) of a tone at `freq` through inRate → outRate, measured away from the edges. */
function gainDb(inRate: number, outRate: number, freq: number): number {
  const input = tone(inRate, freq, inRate, 0.5);
  const out = run(inRate, outRate, input);
  const skip = Math.round(outRate * 0.05);
  const body = out.subarray(skip, out.length - skip);
  return db(fitTone(body, freq, outRate, skip).amplitude / 0.5);
}

/** Level (dB re the input) of everything that comes out for an out-of-band tone (aliases included). */
function leakDb(inRate: number, outRate: number, freq: number): number {
  const input = tone(inRate, freq, inRate, 0.5);
  const out = run(inRate, outRate, input);
  const skip = Math.round(outRate * 0.05);
  return db(rms(out, skip, out.length - skip) / rms(input));
}

describe('Resampler (the worklet code)', () => {
  for (const inRate of [48_000, 44_100]) {
    it(`${inRate} → 16000: passband flat within 0.5 dB from 50 Hz to 7 kHz`, () => {
      const gains: number[] = [];
      for (const f of [50, 200, 440, 1000, 2000, 3000, 4000, 5000, 6000, 6500, 7000]) gains.push(gainDb(inRate, 16_000, f));
      const ripple = Math.max(...gains.map(Math.abs));
      expect(ripple, `gains ${gains.map((g) => g.toFixed(3)).join(', ')}`).to.be.below(0.5);
    });

    it(`${inRate} → 16000: a 12 kHz tone (and 9–20 kHz) is attenuated by at least 60 dB`, () => {
      expect(leakDb(inRate, 16_000, 12_000)).to.be.below(-60);
      for (const f of [9000, 10_000, 15_000, 20_000]) expect(leakDb(inRate, 16_000, f), `${f} Hz`).to.be.below(-60);
    });
  }

  it('96 kHz → 16 kHz also meets both figures', () => {
    expect(Math.abs(gainDb(96_000, 16_000, 7000))).to.be.below(0.5);
    expect(leakDb(96_000, 16_000, 12_000)).to.be.below(-60);
  });

  it('upsamples for playback (16k, 24k, 44.1k → 48k; 48k → 44.1k) flat and without images', () => {
    for (const [a, b, f] of [
      [16_000, 48_000, 7000],
      [24_000, 48_000, 10_000],
      [44_100, 48_000, 15_000],
      [48_000, 44_100, 15_000],
    ] as const) {
      expect(Math.abs(gainDb(a, b, 1000)), `${a}→${b} 1 kHz`).to.be.below(0.1);
      expect(Math.abs(gainDb(a, b, f)), `${a}→${b} ${f} Hz`).to.be.below(0.5);
      // The output must be the tone alone: images above the input's Nyquist are filtered out.
      const input = tone(a, 1000, a, 0.5);
      const out = run(a, b, input);
      const skip = Math.round(b * 0.05);
      const body = out.subarray(skip, out.length - skip);
      const fit = fitTone(body, 1000, b, skip);
      const residual = body.map((v, i) => v - fit.amplitude * Math.sin((2 * Math.PI * 1000 * (skip + i)) / b + fit.phase));
      expect(db(rms(residual) / rms(body)), `${a}→${b} residual`).to.be.below(-60);
    }
  });

  it('same rate is an exact pass-through with no delay', () => {
    const x = tone(1000, 440, 48_000, 0.7);
    const y = run(48_000, 48_000, x);
    expect(y.length).to.equal(1000);
    expect(Array.from(y)).to.deep.equal(Array.from(x));
  });

  it('produces the same samples whatever the block sizes', () => {
    const x = tone(20_000, 3000, 44_100, 0.5);
    const a = run(44_100, 16_000, x);
    const r = new Resampler(44_100, 16_000);
    const b = new Float32Array(a.length + 10);
    let n = 0;
    let i = 0;
    let size = 1;
    while (i < x.length) {
      const take = Math.min(size, x.length - i);
      r.push(x, i, take);
      i += take;
      n += r.pull(b, n);
      size = (size * 7 + 3) % 509 || 1;
    }
    expect(n).to.equal(a.length);
    expect(Array.from(b.subarray(0, n))).to.deep.equal(Array.from(a));
  });

  it('needed(n) is exactly the input that makes n outputs available', () => {
    for (const [a, b] of [
      [48_000, 44_100],
      [16_000, 48_000],
      [44_100, 16_000],
    ] as const) {
      const r = new Resampler(a, b);
      const x = tone(50_000, 440, a);
      let at = 0;
      for (let step = 0; step < 200; step++) {
        const want = 1 + (step % 300);
        const need = r.needed(want);
        r.push(x, at, need);
        at += need;
        expect(r.available(), `${a}→${b}`).to.be.at.least(want);
        if (need > 0) {
          // One sample less would not have been enough.
          expect(r.available() - Math.ceil(b / a), `${a}→${b} minimal`).to.be.below(want);
        }
        const out = new Float32Array(want);
        expect(r.pull(out)).to.equal(want);
      }
    }
  });

  for (const inRate of [44_100, 48_000]) {
    it(`${inRate} → 16000: no drift over 10 minutes (exact count, tone phase preserved)`, function () {
      this.timeout(120_000);
      const r = new Resampler(inRate, 16_000);
      // Whole 128-frame blocks, as the worklet gets them.
      const total = Math.ceil((inRate * 600) / 128) * 128;
      const block = new Float32Array(128);
      const out = new Float32Array(256);
      const f = 1000;
      let produced = 0;
      let worst = 0;
      for (let i = 0; i < total; i += 128) {
        for (let k = 0; k < 128; k++) block[k] = 0.5 * Math.sin((2 * Math.PI * f * ((i + k) % inRate)) / inRate);
        r.push(block);
        const n = r.pull(out);
        // Output m sits at exactly m / 16000 s; check the last minute against the ideal tone.
        if (i > total - inRate * 60) {
          for (let k = 0; k < n; k++) {
            const m = produced + k;
            const ideal = 0.5 * Math.sin((2 * Math.PI * f * (m % 16_000)) / 16_000);
            worst = Math.max(worst, Math.abs(out[k]! - ideal));
          }
        }
        produced += n;
      }
      // Outputs exist for every position m·M/L that has `lookahead` inputs after it.
      const expected = Math.ceil(((total - r.lookahead) * r.up) / r.down);
      expect(produced).to.equal(expected);
      expect(Math.abs(produced - (total * 16_000) / inRate)).to.be.below(r.lookahead);
      expect(worst).to.be.below(1e-3);
    });
  }
});

describe('capture worklet in an OfflineAudioContext', () => {
  for (const rate of [48_000, 44_100]) {
    it(`${rate} Hz: 20 ms chunks of 16 kHz; 1 kHz passes, 12 kHz is gone (≥ 60 dB)`, async function () {
      this.timeout(60_000);
      const measure = async (freq: number) => {
        const seconds = 2;
        const ctx = new OfflineAudioContext(1, rate * seconds, rate);
        await loadWorklets(ctx);
        const osc = new OscillatorNode(ctx, { frequency: freq });
        const amp = new GainNode(ctx, { gain: 0.5 });
        const node = new AudioWorkletNode(ctx, CAPTURE_PROCESSOR, { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
        const chunks: Int16Array[] = [];
        node.port.onmessage = (e: MessageEvent<CaptureMessage>) => {
          if (e.data.type === 'chunk') chunks.push(e.data.pcm);
        };
        osc.connect(amp).connect(node);
        osc.start();
        await ctx.startRendering();
        const lookahead = new Resampler(rate, 16_000).lookahead;
        // The context renders whole 128-frame quanta.
        const frames = Math.ceil((rate * seconds) / 128) * 128;
        const expected = Math.floor(Math.ceil(((frames - lookahead) * 16_000) / rate) / 320);
        await until(() => chunks.length >= expected, 10_000, `${expected} chunks`);
        expect(chunks.length).to.equal(expected);
        for (const c of chunks) expect(c.length).to.equal(320);
        const all = new Float32Array(chunks.length * 320);
        chunks.forEach((c, i) => all.set(Float32Array.from(c, (v) => v / 32768), i * 320));
        return all;
      };
      const pass = await measure(1000);
      const skip = 1600;
      expect(Math.abs(db(fitTone(pass.subarray(skip), 1000, 16_000, skip).amplitude / 0.5))).to.be.below(0.1);
      const stop = await measure(12_000);
      // PCM16 quantisation itself sits near -101 dBFS; 60 dB below a -9 dBFS tone is far above it.
      expect(db(rms(stop, skip) / (0.5 / Math.SQRT2))).to.be.below(-60);
    });
  }
});
