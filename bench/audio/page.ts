// Browser side of bench/audio.ts: bundled by esbuild (minified, like the shipped script, so
// the worklet source is built from minified classes) and run in headless Chromium.
import { Resampler } from '../../src/audio/worklet/resampler.ts';
import { Playback } from '../../src/audio/playback.ts';
import { loadWorkletModule } from '../../src/audio/worklet-loader.ts';
import { base64ToPcm16, pcm16ToBase64 } from '../../src/protocol/base64.ts';
import { MicCapture } from '../../src/audio/mic-capture.ts';
import { captureLatency } from './capture-latency.ts';

const db = (x: number) => 20 * Math.log10(x);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function toneGain(inRate: number, outRate: number, f: number): number {
  const r = new Resampler(inRate, outRate);
  const n = inRate / 2;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * f * i) / inRate);
  r.push(x);
  const y = new Float32Array(r.available());
  r.pull(y);
  const skip = Math.round(outRate * 0.05);
  // Least-squares amplitude at f, and total RMS (catches aliases at other frequencies).
  let s = 0, c = 0, e = 0;
  for (let i = skip; i < y.length - skip; i++) {
    const w = (2 * Math.PI * f * i) / outRate;
    s += y[i]! * Math.sin(w);
    c += y[i]! * Math.cos(w);
    e += y[i]! * y[i]!;
  }
  const m = y.length - 2 * skip;
  const amp = (2 * Math.hypot(s, c)) / m;
  const rms = Math.sqrt(e / m);
  return f < outRate / 2 ? amp / 0.5 : rms / (0.5 / Math.SQRT2);
}

/** Passband ripple (50 Hz–7 kHz) and worst stopband leak (stopband edge to input Nyquist). */
function resamplerFigures(inRate: number) {
  const gains: number[] = [];
  for (let f = 50; f <= 7000; f += 173) gains.push(db(toneGain(inRate, 16_000, f)));
  gains.push(db(toneGain(inRate, 16_000, 7000)));
  const edge = 0.535 * 16_000; // cutoff 0.49 + half the 0.09 transition
  let worst = -Infinity;
  for (let f = edge; f < inRate / 2 - 100; f += (inRate / 2 - edge) / 60) worst = Math.max(worst, db(toneGain(inRate, 16_000, f)));
  const at12k = db(toneGain(inRate, 16_000, 12_000));
  return {
    passbandRippleDb: Math.max(...gains) - Math.min(...gains),
    passbandMaxDeviationDb: Math.max(...gains.map(Math.abs)),
    stopbandAttenuationDb: -worst,
    stopbandEdgeHz: edge,
    attenuation12kDb: -at12k,
    taps: new Resampler(inRate, 16_000).taps,
  };
}

const RECORDER = `registerProcessor('bench-recorder', class extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(128 * 32); this.n = 0; this.start = 0; }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    if (this.n === 0) this.start = currentFrame;
    this.buf.set(ch, this.n); this.n += ch.length;
    if (this.n === this.buf.length) { this.port.postMessage({ frame: this.start, data: this.buf }, [this.buf.buffer]); this.buf = new Float32Array(128 * 32); this.n = 0; }
    return true;
  }
});`;

interface Tap { quanta: { frame: number; data: Float32Array }[] }

async function tapped(ctx: AudioContext, pb: Playback): Promise<Tap> {
  await loadWorkletModule(ctx, RECORDER);
  const node = new AudioWorkletNode(ctx, 'bench-recorder', { numberOfOutputs: 0 });
  const tap: Tap = { quanta: [] };
  node.port.onmessage = (e) => tap.quanta.push(e.data);
  pb.workletNode!.connect(node);
  return tap;
}

function tonePcm(n: number, start: number, freq = 440, amp = 16000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * (start + i)) / 48_000));
  return out;
}

/** Flush: main-thread call → ramp start (worklet) → last non-zero sample at the tap. */
async function flushLatency(runs = 10) {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  const pb = new Playback(ctx);
  await pb.ready();
  const tap = await tapped(ctx, pb);
  const rate = ctx.sampleRate;
  const toStart: number[] = [];
  const toSilence: number[] = [];
  for (let k = 0; k < runs; k++) {
    const id = `r${k}`;
    for (let i = 0; i < 48_000; i += 960) pb.enqueue(id, tonePcm(960, i));
    await sleep(200 + Math.random() * 50);
    const callFrame = ctx.currentTime * rate;
    pb.flush(id);
    const before = pb.stats.lastFlushFrame;
    while (pb.stats.lastFlushFrame === before) await sleep(5);
    await sleep(150);
    const flushFrame = pb.stats.lastFlushFrame!;
    let last = -1;
    for (const q of tap.quanta) for (let i = 0; i < q.data.length; i++) if (q.data[i] !== 0 && q.frame + i < flushFrame + rate * 0.1) last = q.frame + i;
    toStart.push(flushFrame - callFrame);
    toSilence.push(last + 1 - callFrame);
    tap.quanta.length = 0;
  }
  pb.dispose();
  await ctx.close();
  return {
    rate,
    rampFrames: Math.round(0.004 * rate),
    callToRampMedianFrames: median(toStart),
    callToSilenceMedianFrames: median(toSilence),
    callToSilenceMaxFrames: Math.max(...toSilence),
    callToSilenceMedianMs: (median(toSilence) / rate) * 1000,
    callToSilenceMaxMs: (Math.max(...toSilence) / rate) * 1000,
  };
}

/**
 * Full duplex for `seconds` of real time: the fake mic's chunks are base64- and
 * JSON-encoded as input_audio_buffer.append frames; for each, one 20 ms
 * response.output_audio.delta frame (pre-serialized, as the socket would deliver it) is
 * JSON-parsed, base64-decoded and enqueued. Main-thread time is summed with
 * performance.now() around exactly that work. The output is tapped and checked for seams.
 */
async function duplex(seconds = 20) {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  const pb = new Playback(ctx);
  await pb.ready();
  const tap = await tapped(ctx, pb);
  const mic = new MicCapture(ctx);
  let longTasks = 0;
  let obs: PerformanceObserver | undefined;
  try {
    obs = new PerformanceObserver((l) => (longTasks += l.getEntries().length));
    obs.observe({ type: 'longtask', buffered: false });
  } catch {
    // no long-task API
  }
  // Downlink frames, serialized ahead of time (the network hands us text).
  const downCount = seconds * 50 + 50;
  const down: string[] = [];
  for (let k = 0; k < downCount; k++) {
    down.push(JSON.stringify({ type: 'response.output_audio.delta', event_id: `sv_${k}`, response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, delta: pcm16ToBase64(tonePcm(960, k * 960)) }));
  }
  let mainMs = 0;
  const perCall: number[] = [];
  let up = 0;
  let sentBytes = 0;
  let next = 0;
  let startTime = Infinity;
  const done = new Promise<void>((resolve) => {
    mic.onchunk = (pcm) => {
      const t0 = performance.now();
      const text = JSON.stringify({ type: 'input_audio_buffer.append', event_id: `ev_${up}`, audio: pcm16ToBase64(pcm) });
      sentBytes += text.length;
      up++;
      // Downlink: keep the model's audio 100 ms ahead of the output clock (Hydra streams
      // at least as fast as real time), i.e. ~50 frames/s, decoded as they "arrive".
      const due = Math.ceil((ctx.currentTime - startTime + 0.1) / 0.02);
      while (next < due && next < down.length) {
        const frame = JSON.parse(down[next++]!) as { response_id: string; delta: string };
        const audio = base64ToPcm16(frame.delta);
        if (audio) pb.enqueue(frame.response_id, audio);
      }
      const dt = performance.now() - t0;
      mainMs += dt;
      perCall.push(dt);
      if (up === seconds * 50) resolve();
    };
  });
  await mic.start();
  startTime = ctx.currentTime;
  await done;
  pb.end('resp_1');
  mic.stop();
  await sleep(300);
  obs?.disconnect();
  const rate = ctx.sampleRate;
  // Seams: the output must be one continuous 440 Hz sine. A sine obeys
  // x[n] = 2cos(w)x[n-1] - x[n-2]; any gap, repeat or jump breaks that by far more than
  // rounding (PCM16, resampling) does.
  const all = new Float32Array(tap.quanta.length * 4096);
  tap.quanta.forEach((q, i) => all.set(q.data, i * 4096));
  let first = all.findIndex((v) => v !== 0);
  let last = all.length - 1;
  while (last > 0 && all[last] === 0) last--;
  const w = (2 * Math.PI * 440) / rate;
  const k2 = 2 * Math.cos(w);
  let seams = 0;
  let inSeam = false;
  first += Math.round(rate * 0.01);
  for (let n = first + 2; n < last - Math.round(rate * 0.01); n++) {
    const bad = Math.abs(all[n]! - k2 * all[n - 1]! + all[n - 2]!) > 0.01;
    if (bad && !inSeam) seams++;
    inSeam = bad;
  }
  const playedSeconds = (last - first) / rate;
  pb.dispose();
  await ctx.close();
  return {
    rate,
    seconds,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    upFrames: up,
    upBytesPerSecond: sentBytes / seconds,
    downFrames: next,
    mainThreadMs: mainMs,
    mainThreadMsPerMinute: (mainMs / seconds) * 60,
    // Median handler time × calls per minute: robust to preemption on a loaded machine.
    mainThreadMsPerMinuteMedian: median(perCall) * 50 * 60,
    handlerMedianUs: median(perCall) * 1000,
    handlerP99Us: [...perCall].sort((a, b) => a - b)[Math.floor(perCall.length * 0.99)]! * 1000,
    longTasks,
    playedSeconds,
    seams,
    seamsPerMinute: (seams / playedSeconds) * 60,
    underruns: pb.stats.underruns,
  };
}

/**
 * Work content of one uplink and one downlink frame (exactly the duplex handler's steps,
 * message posting included), warmed up; min over 15 runs of 200 frames, in µs per frame.
 * The minimum filters out preemption by other processes.
 */
async function costBreakdown() {
  const ctx = new OfflineAudioContext(1, 128, 48_000);
  const pb = new Playback(ctx);
  await pb.ready();
  const up = new Int16Array(320).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
  const downText = JSON.stringify({ type: 'response.output_audio.delta', event_id: 'sv_1', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, delta: pcm16ToBase64(tonePcm(960, 0)) });
  let k = 0;
  const upFrame = () => JSON.stringify({ type: 'input_audio_buffer.append', event_id: `ev_${k++}`, audio: pcm16ToBase64(up) });
  const downFrame = () => {
    const f = JSON.parse(downText) as { response_id: string; delta: string };
    const a = base64ToPcm16(f.delta);
    if (a) pb.enqueue(`r${k++}`, a);
  };
  const time = (fn: () => unknown) => {
    for (let i = 0; i < 300; i++) fn();
    let best = Infinity;
    for (let r = 0; r < 15; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) fn();
      best = Math.min(best, (performance.now() - t0) / 200);
    }
    return best * 1000;
  };
  const upUs = time(upFrame);
  const downUs = time(downFrame);
  pb.dispose();
  return { upFrameUs: upUs, downFrameUs: downUs, msPerMinute: ((upUs + downUs) * 50 * 60) / 1000 };
}

async function all() {
  return {
    resampler48k: resamplerFigures(48_000),
    resampler44k: resamplerFigures(44_100),
    capture: await captureLatency(),
    flush: await flushLatency(),
    duplex: await duplex(),
    costs: await costBreakdown(),
  };
}

(window as unknown as { __audioBench: unknown }).__audioBench = { all, costBreakdown, resamplerFigures, captureLatency, flushLatency, duplex };
