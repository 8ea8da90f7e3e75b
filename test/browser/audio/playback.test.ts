// Playback worklet behaviour, observed at the output: an OfflineAudioContext's rendered
// buffer is exactly what reached the destination (sample-exact taps), and suspend()/
// resume() at quantum boundaries injects commands at known frames. A realtime context with
// a recorder worklet checks the same flush path under a running audio clock.
import { expect } from '@open-wc/testing';
import { Playback } from '../../../src/audio/playback.ts';
import { PlaybackCore } from '../../../src/audio/worklet/playback-core.ts';
import type { PlaybackMessage } from '../../../src/audio/worklet/playback-core.ts';
import { Resampler } from '../../../src/audio/worklet/resampler.ts';
import { loadWorkletModule } from '../../../src/audio/worklet-loader.ts';
import { until } from './helpers.ts';
import { itExcept } from '../support/engine.ts';

/** Tests that inject commands at exact frames need OfflineAudioContext.suspend(). */
const NO_OFFLINE_SUSPEND = {
  firefox: 'OfflineAudioContext.suspend() is not implemented in Firefox (Mozilla bug 1265406), and these tests inject commands at exact render frames with it',
};

/** Deterministic, never-repeating PCM16 (a seam anywhere would show as a mismatch). */
function noise(n: number, seed: number): Int16Array {
  const out = new Int16Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) % 40000) - 20000;
  }
  return out;
}

function tonePcm(n: number, freq = 440, amplitude = 16000, start = 0): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (start + i)) / 48_000));
  return out;
}

/** Splits pcm into chunks of varying sizes (1 sample up to 4801) and enqueues them. */
function enqueueIrregular(pb: Playback, id: string, pcm: Int16Array): number {
  const sizes = [960, 1, 7, 480, 4801, 333, 960, 128, 129, 2];
  let at = 0;
  let k = 0;
  while (at < pcm.length) {
    const n = Math.min(sizes[k++ % sizes.length]!, pcm.length - at);
    pb.enqueue(id, pcm.slice(at, at + n));
    at += n;
  }
  return k;
}

const toFloat = (pcm: Int16Array) => Float32Array.from(pcm, (v) => v / 32768);

function firstNonZero(x: Float32Array, from = 0): number {
  for (let i = from; i < x.length; i++) if (x[i] !== 0) return i;
  return -1;
}
function lastNonZero(x: Float32Array, to = x.length): number {
  for (let i = to - 1; i >= 0; i--) if (x[i] !== 0) return i;
  return -1;
}

/** Index of the first mismatch between out[at..] and ref, or -1. */
function mismatch(out: Float32Array, at: number, ref: Float32Array): number {
  for (let i = 0; i < ref.length; i++) if (out[at + i] !== ref[i]) return i;
  return -1;
}

async function offline(rate: number, seconds: number) {
  const ctx = new OfflineAudioContext(1, Math.round(rate * seconds), rate);
  const pb = new Playback(ctx);
  await pb.ready();
  const started: [string, number][] = [];
  pb.onstarted = (id, frame) => started.push([id, frame]);
  const played = new Map<string, number>();
  pb.onplayed = (id, frames) => played.set(id, frames);
  return { ctx, pb, started, played };
}

/** Runs `fn` while the offline context is suspended at `frame` (a multiple of 128), then syncs. */
function at(ctx: OfflineAudioContext, pb: Playback, frame: number, fn: () => void): void {
  void ctx.suspend(frame / ctx.sampleRate).then(async () => {
    fn();
    await pb.sync();
    await ctx.resume();
  });
}

describe('Playback (worklet, sample-exact at the output)', () => {
  it('plays chunks of any size gaplessly: the output is the input, sample for sample', async () => {
    const { ctx, pb, started, played } = await offline(48_000, 2);
    const a = noise(48_000, 7); // 1 s in 10 ragged chunk sizes, ~100 chunks
    const chunks = enqueueIrregular(pb, 'a', a);
    expect(chunks).to.be.above(50);
    pb.end('a');
    await pb.sync();
    const out = (await ctx.startRendering()).getChannelData(0);
    const start = firstNonZero(out);
    expect(start).to.equal(0); // everything was queued before the first quantum
    expect(mismatch(out, start, toFloat(a))).to.equal(-1);
    expect(lastNonZero(out)).to.equal(a.length - 1);
    await until(() => played.get('a') === a.length, 2000, 'played count');
    expect(started).to.deep.equal([['a', 0]]);
  });

  it('runs one response into the next without a gap when the next is already buffered', async () => {
    const { ctx, pb } = await offline(48_000, 1);
    const a = noise(9_600, 1);
    const b = noise(14_400, 2);
    enqueueIrregular(pb, 'a', a);
    pb.end('a');
    enqueueIrregular(pb, 'b', b);
    pb.end('b');
    await pb.sync();
    const out = (await ctx.startRendering()).getChannelData(0);
    const both = new Float32Array(a.length + b.length);
    both.set(toFloat(a));
    both.set(toFloat(b), a.length);
    expect(mismatch(out, 0, both)).to.equal(-1);
    expect(lastNonZero(out)).to.equal(both.length - 1);
  });

  itExcept(NO_OFFLINE_SUSPEND, 'waits for a 50 ms prebuffer before starting a response', async () => {
    const { ctx, pb, started } = await offline(48_000, 1);
    const a = tonePcm(4800);
    // 20 ms at frame 0 (not enough), 40 ms more at frame 12800.
    pb.enqueue('a', a.slice(0, 960));
    await pb.sync();
    at(ctx, pb, 12_800, () => pb.enqueue('a', a.slice(960, 2880)));
    const out = (await ctx.startRendering()).getChannelData(0);
    expect(firstNonZero(out)).to.be.at.least(12_800);
    // The worklet's "started" message may reach this thread after rendering resolves.
    await until(() => started.length > 0, 2000, 'started message');
    expect(started[0]?.[1]).to.equal(12_800);
    expect(mismatch(out, 12_800, toFloat(a.slice(0, 2880)))).to.equal(-1);
  });

  itExcept(NO_OFFLINE_SUSPEND, 'recovers from an underrun: zeros while starved, then the rest of the response, intact', async () => {
    const { ctx, pb } = await offline(48_000, 1.5);
    const first = noise(4_800, 3); // 100 ms
    const second = noise(9_600, 4); // 200 ms, arrives at 0.4 s
    pb.enqueue('a', first.slice()); // enqueue transfers the buffer: keep our copy
    await pb.sync();
    at(ctx, pb, 128 * 150, () => {
      pb.enqueue('a', second.slice());
      pb.end('a');
    });
    const out = (await ctx.startRendering()).getChannelData(0);
    expect(mismatch(out, 0, toFloat(first))).to.equal(-1);
    // Starved: silence until the second part arrives, then it plays from its first sample.
    expect(firstNonZero(out, first.length)).to.equal(128 * 150);
    expect(mismatch(out, 128 * 150, toFloat(second))).to.equal(-1);
    expect(lastNonZero(out)).to.equal(128 * 150 + second.length - 1);
    await until(() => pb.stats.underruns === 1, 2000, 'underrun count');
  });

  itExcept(NO_OFFLINE_SUSPEND, 'flush fades out within one render quantum plus the ramp, without a click', async () => {
    const { ctx, pb, played } = await offline(48_000, 1);
    let idle = false;
    pb.onidle = () => (idle = true);
    const a = tonePcm(48_000, 440, 16_000);
    for (let i = 0; i < a.length; i += 960) pb.enqueue('a', a.slice(i, i + 960));
    await pb.sync();
    const F = 128 * 100;
    at(ctx, pb, F, () => pb.flush('a'));
    const out = (await ctx.startRendering()).getChannelData(0);
    const ramp = Math.round(0.004 * 48_000);
    // Untouched until the flush, then silent within one quantum + the ramp.
    expect(mismatch(out, 0, toFloat(a.slice(0, F)))).to.equal(-1);
    const last = lastNonZero(out);
    expect(last).to.be.below(F + 128 + ramp);
    expect(last).to.be.at.least(F); // it is a fade, not a cut
    // The worklet reports the flush by message, which can land after rendering resolves.
    await until(() => pb.stats.lastFlushFrame !== undefined, 2000, 'flush reported');
    expect(pb.stats.lastFlushFrame).to.equal(F);
    // No click: no step during the fade larger than the tone's own steepest step.
    const maxStep = (2 * Math.PI * 440 * 16_000) / 48_000 / 32768;
    let worst = 0;
    for (let i = F; i <= last + 1; i++) worst = Math.max(worst, Math.abs(out[i]! - out[i - 1]!));
    expect(worst).to.be.at.most(maxStep * 1.05);
    // It reports how much of the response was heard (up to the end of the ramp). Wait for
    // idle, which the worklet posts after its final count: progress reports from before the
    // flush can land after rendering resolves (a loaded machine: 12160 seen here).
    await until(() => idle, 2000, 'idle after the fade');
    expect(played.get('a')).to.be.within(F, F + ramp);
  });

  itExcept(NO_OFFLINE_SUSPEND, 'drops late chunks of a flushed response, then plays the next response', async () => {
    const { ctx, pb } = await offline(48_000, 1);
    pb.enqueue('a', tonePcm(9_600));
    await pb.sync();
    const b = noise(4_800, 9);
    at(ctx, pb, 128 * 20, () => {
      pb.flush('a');
      for (let i = 0; i < 10; i++) pb.enqueue('a', tonePcm(960)); // late audio of 'a'
    });
    at(ctx, pb, 128 * 200, () => {
      pb.enqueue('a', tonePcm(960)); // later still
      pb.enqueue('b', b.slice());
      pb.end('b');
    });
    const out = (await ctx.startRendering()).getChannelData(0);
    const ramp = Math.round(0.004 * 48_000);
    expect(lastNonZero(out, 128 * 200)).to.be.below(128 * 20 + ramp);
    expect(firstNonZero(out, 128 * 20 + ramp)).to.equal(128 * 200);
    expect(mismatch(out, 128 * 200, toFloat(b))).to.equal(-1);
    expect(lastNonZero(out)).to.equal(128 * 200 + b.length - 1);
    expect(pb.stats.dropped).to.equal(11);
  });

  it('at 44.1 kHz resamples the stream seamlessly (output = the resampler run on the whole input)', async () => {
    const { ctx, pb } = await offline(44_100, 1.5);
    const a = noise(24_000, 5);
    const b = tonePcm(24_000, 1000, 12_000);
    enqueueIrregular(pb, 'a', a);
    pb.end('a');
    enqueueIrregular(pb, 'b', b);
    pb.end('b');
    await pb.sync();
    const out = (await ctx.startRendering()).getChannelData(0);
    const input = new Float32Array(a.length + b.length + 2000);
    input.set(toFloat(a));
    input.set(toFloat(b), a.length);
    const r = new Resampler(48_000, 44_100);
    r.push(input);
    const ref = new Float32Array(r.available());
    r.pull(ref);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(out[i]! - ref[i]!));
    expect(worst).to.be.below(1e-6);
    expect(ref.length).to.be.above(((a.length + b.length) * 44_100) / 48_000);
  });

  itExcept(NO_OFFLINE_SUSPEND, 'at 44.1 kHz a flush still silences within a quantum plus the ramp', async () => {
    const { ctx, pb } = await offline(44_100, 1);
    for (let i = 0; i < 48_000; i += 960) pb.enqueue('a', tonePcm(960, 440, 16_000, i));
    await pb.sync();
    const F = 128 * 80;
    at(ctx, pb, F, () => pb.flush());
    const out = (await ctx.startRendering()).getChannelData(0);
    expect(Math.abs(out[F - 1]!)).to.be.above(0);
    expect(lastNonZero(out)).to.be.below(F + 128 + Math.round(0.004 * 44_100));
  });

  itExcept(NO_OFFLINE_SUSPEND, 'ducks smoothly to the duck gain and back', async () => {
    const { ctx, pb } = await offline(48_000, 1);
    const level = 16_000;
    pb.enqueue('a', Int16Array.from({ length: 48_000 }, () => level)); // DC makes gain visible
    await pb.sync();
    at(ctx, pb, 128 * 50, () => pb.duck(true));
    at(ctx, pb, 128 * 200, () => pb.duck(false));
    const out = (await ctx.startRendering()).getChannelData(0);
    const v = level / 32768;
    expect(out[128 * 50 - 1]).to.equal(v);
    expect(out[128 * 190]!).to.be.closeTo(0.35 * v, 0.01 * v);
    expect(out[128 * 300]!).to.be.closeTo(v, 0.01 * v);
    let worst = 0;
    for (let i = 1; i < 48_000; i++) worst = Math.max(worst, Math.abs(out[i]! - out[i - 1]!));
    expect(worst).to.be.below(0.01); // no jumps: smoothed over ~15 ms
  });
});

describe('PlaybackCore (the worklet logic, driven directly)', () => {
  it('drops chunks that arrive for a flushed id even when the main thread did not filter them', () => {
    const msgs: PlaybackMessage[] = [];
    const core = new PlaybackCore(48_000, { prebufferMs: 0 }, Resampler, (m) => msgs.push(m as PlaybackMessage));
    core.command({ type: 'chunk', id: 'a', pcm: tonePcm(960) });
    const out = new Float32Array(128);
    core.process(out, 0);
    expect(out.some((v) => v !== 0)).to.equal(true);
    core.command({ type: 'flush', id: 'a' });
    core.command({ type: 'chunk', id: 'a', pcm: tonePcm(960) });
    let frame = 128;
    for (let i = 0; i < 3; i++, frame += 128) core.process(out, frame);
    expect(out.every((v) => v === 0)).to.equal(true);
    expect(core.buffered).to.equal(0);
    core.command({ type: 'sync', seq: 1 });
    expect(msgs.at(-1)).to.deep.include({ type: 'synced', dropped: 1 });
    expect(msgs.some((m) => m.type === 'flushed' && m.frame === 128)).to.equal(true);
    expect(msgs.some((m) => m.type === 'idle')).to.equal(true);
  });

  it("a reply that ran dry before its end arrived reports what it played, not 0", () => {
    // A loaded page or worker: the whole 200 ms reply played out (an underrun) before the
    // 'end' command reached the worklet.
    const msgs: PlaybackMessage[] = [];
    const core = new PlaybackCore(48_000, undefined, Resampler, (m) => msgs.push(m as PlaybackMessage));
    core.command({ type: 'chunk', id: 'r', pcm: tonePcm(9600) });
    const out = new Float32Array(128);
    let frame = 0;
    for (; frame < 9600 + 128 * 4; frame += 128) core.process(out, frame);
    expect(msgs.filter((m) => m.type === 'underrun').length).to.equal(1);
    core.command({ type: 'end', id: 'r' });
    core.process(out, frame);
    expect(msgs.filter((m) => m.type === 'played')).to.deep.equal([{ type: 'played', id: 'r', frames: 9600, flushed: false }]);
  });

  it('keeps running on endless underrun and grows its ring for long bursts', () => {
    const core = new PlaybackCore(48_000, undefined, Resampler, () => undefined);
    const out = new Float32Array(128);
    for (let i = 0; i < 1000; i++) core.process(out, i * 128);
    const burst = noise(48_000 * 5, 11); // 5 s arrive at once (faster than real time)
    for (let i = 0; i < burst.length; i += 4800) core.command({ type: 'chunk', id: 'x', pcm: burst.slice(i, i + 4800) });
    expect(core.buffered).to.equal(burst.length);
    const got = new Float32Array(burst.length);
    for (let i = 0; i < burst.length; i += 128) {
      core.process(out, i);
      got.set(out.subarray(0, Math.min(128, burst.length - i)), i);
    }
    expect(mismatch(got, 0, toFloat(burst))).to.equal(-1);
  });
});

// A recorder worklet for realtime taps: posts every quantum it hears with its frame.
const RECORDER = `registerProcessor('test-recorder', class extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) this.port.postMessage({ frame: currentFrame, data: ch.slice() });
    return true;
  }
});`;

describe('Playback in a realtime AudioContext (tapped output)', () => {
  it('flush: silence at the tap within a quantum plus the ramp of the frame the worklet handled it', async function () {
    this.timeout(20_000);
    const ctx = new AudioContext();
    await ctx.resume();
    try {
      await loadWorkletModule(ctx, RECORDER);
      const tap = new AudioWorkletNode(ctx, 'test-recorder', { numberOfOutputs: 0 });
      const quanta: { frame: number; data: Float32Array }[] = [];
      tap.port.onmessage = (e) => quanta.push(e.data);
      const pb = new Playback(ctx);
      await pb.ready();
      pb.workletNode!.connect(tap);
      const rate = ctx.sampleRate;
      for (let i = 0; i < 48_000 * 3; i += 960) pb.enqueue('a', tonePcm(960, 440, 16_000, i));
      await until(() => quanta.filter((q) => q.data.some((v) => v !== 0)).length > 40, 10_000, 'sound at the tap');
      const callFrame = Math.round(ctx.currentTime * rate);
      pb.flush('a');
      await until(() => pb.stats.lastFlushFrame !== undefined, 5000, 'flush handled');
      const flushFrame = pb.stats.lastFlushFrame!;
      await until(() => quanta.length > 0 && quanta.at(-1)!.frame > flushFrame + rate * 0.2, 10_000, 'tap after flush');
      let lastSound = -1;
      for (const q of quanta) for (let i = 0; i < q.data.length; i++) if (q.data[i] !== 0) lastSound = q.frame + i;
      const ramp = Math.round(0.004 * rate);
      expect(flushFrame).to.be.at.least(callFrame - 128);
      expect(lastSound).to.be.at.least(flushFrame - 1);
      expect(lastSound).to.be.below(flushFrame + 128 + ramp);
      // From the call (the main thread's view of the clock) to silence: the audio callback's
      // render-ahead plus the ramp. Logged for the record; the bench reports it.
      console.log(`realtime flush @${rate} Hz: call→ramp start ${flushFrame - callFrame} frames, call→silence ${lastSound + 1 - callFrame} frames`);
      pb.dispose();
    } finally {
      await ctx.close();
    }
  });
});
