// Browser side of bench/engines.ts, bundled by esbuild and loaded (a plain <script>) before
// dist/hydra-voice.js on the bench page, in every engine. It observes, never replaces:
//   - the output tap of the e2e tests (every quantum sent to the context's destination or
//     to the WebRTC route, with its exact frame);
//   - WebSocket arrivals of the server frames that matter (first reply delta, speech_started,
//     response.done), stamped with the render clock (ctx.currentTime);
// and measures what needs no conversation: the engine's clocks, capture latency, echo
// attenuation at the mic (a track with echoCancellation against one without, in the same
// run), and what the WebRTC output route costs in output latency.
import { Playback, type OutputRoute } from '../../src/audio/playback.ts';
import { loadWorkletModule } from '../../src/audio/worklet-loader.ts';
import { webRtcRouteAvailable } from '../../src/audio/webrtc-route-load.ts';
import { captureLatency } from '../audio/capture-latency.ts';
import { countPeerConnections, installWorkletTap, watchEchoReports } from '../../test/browser/e2e/helpers.ts';
import { installWorkerProbe } from '../../test/support/worker-probe.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]! : NaN);
const db = (x: number) => 20 * Math.log10(x);

// ------------------------------------------------------------------ clocks

/** The engine's clocks: render rate vs wall time, getOutputTimestamp's scale, latencies. */
async function clocks() {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  while (ctx.currentTime < 0.2) await sleep(20);
  const ts = () => (typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : undefined);
  const a = ts();
  const c0 = ctx.currentTime;
  const p0 = performance.now();
  await sleep(2000);
  const b = ts();
  const c1 = ctx.currentTime;
  const p1 = performance.now();
  const out = {
    rate: ctx.sampleRate,
    baseLatencyMs: typeof ctx.baseLatency === 'number' ? ctx.baseLatency * 1000 : NaN,
    outputLatencyMs: typeof ctx.outputLatency === 'number' ? ctx.outputLatency * 1000 : NaN,
    /** Render clock (currentTime) per second of performance.now(). */
    renderScale: (c1 - c0) / ((p1 - p0) / 1000),
    /** getOutputTimestamp's contextTime per second of its own performanceTime (1 when sane). */
    outputTimestampScale:
      a && b && a.contextTime !== undefined && b.contextTime !== undefined && a.performanceTime && b.performanceTime
        ? (b.contextTime - a.contextTime) / ((b.performanceTime - a.performanceTime) / 1000)
        : NaN,
    webrtc: webRtcRouteAvailable(),
  };
  await ctx.close();
  return out;
}

// ------------------------------------------------------------------ recorder

const RECORDER = `registerProcessor('engine-bench-recorder', class extends AudioWorkletProcessor {
  process(inputs) { const ch = inputs[0] && inputs[0][0]; if (ch) this.port.postMessage({ frame: currentFrame, data: ch.slice() }); return true; }
});`;

interface Recording {
  quanta: { frame: number; data: Float32Array }[];
}

async function record(ctx: AudioContext, source: AudioNode): Promise<Recording> {
  const node = new AudioWorkletNode(ctx, 'engine-bench-recorder', { numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit' });
  const rec: Recording = { quanta: [] };
  node.port.onmessage = (e) => rec.quanta.push(e.data);
  source.connect(node);
  return rec;
}

/** RMS per window of `winS` seconds over [from, to) (context seconds). */
function windows(rec: Recording, rate: number, from: number, to: number, winS: number): number[] {
  const n = Math.floor((to - from) / winS);
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  for (const { frame, data } of rec.quanta) {
    for (let i = 0; i < data.length; i++) {
      const k = Math.floor(((frame + i) / rate - from) / winS);
      if (k < 0 || k >= n) continue;
      sum[k] = sum[k]! + data[i]! * data[i]!;
      cnt[k] = cnt[k]! + 1;
    }
  }
  return Array.from(sum, (s, k) => (cnt[k] ? Math.sqrt(s / cnt[k]!) : NaN));
}

async function agentSpeech(url: string): Promise<Int16Array> {
  const buf = await (await fetch(url)).arrayBuffer();
  const v = new DataView(buf);
  let at = 12;
  while (at + 8 <= v.byteLength) {
    const id = String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
    const size = v.getUint32(at + 4, true);
    if (id === 'data') return new Int16Array(buf.slice(at + 8, at + 8 + size));
    at += 8 + size + (size % 2);
  }
  throw new Error(`${url}: no data chunk`);
}

async function openMics(ctx: AudioContext) {
  const on = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 } });
  const off = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
  const recOn = await record(ctx, ctx.createMediaStreamSource(on));
  const recOff = await record(ctx, ctx.createMediaStreamSource(off));
  return {
    recOn,
    recOff,
    ecOnSetting: on.getAudioTracks()[0]!.getSettings().echoCancellation,
    close: () => {
      for (const s of [on, off]) for (const t of s.getTracks()) t.stop();
    },
  };
}

// ------------------------------------------------------------------ echo

/**
 * The agent's voice through the product's Playback on `route`, with the loudspeaker into the
 * mic (the harness turns the speakerphone on): level at a track with the browser's echo
 * cancellation vs one without, per 250 ms window while the voice is at the mic.
 */
async function echo(route: OutputRoute, speechUrl: string) {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  await loadWorkletModule(ctx, RECORDER);
  const mics = await openMics(ctx);
  const pb = new Playback(ctx, { echoRoute: route });
  try {
    await pb.ready();
    const pcm = await agentSpeech(speechUrl);
    await sleep(1000); // both tracks running
    const t0 = ctx.currentTime;
    pb.enqueue('agent', pcm.slice());
    pb.end('agent');
    await sleep((pcm.length / 48_000) * 1000 + 1500);
    const t1 = ctx.currentTime;
    const on = windows(mics.recOn, ctx.sampleRate, t0, t1, 0.25);
    const off = windows(mics.recOff, ctx.sampleRate, t0, t1, 0.25);
    const att: number[] = [];
    const echoLevels: number[] = [];
    for (let k = 0; k < off.length; k++) {
      // Windows where the agent's voice is clearly at the mic (without cancellation).
      if (!(off[k]! > 0.01) || !(on[k]! >= 0)) continue;
      att.push(db(off[k]! / Math.max(on[k]!, 1e-6)));
      echoLevels.push(db(off[k]!));
    }
    return {
      route: pb.stats.route,
      windows: att.length,
      attenuationMedianDb: median(att),
      attenuationP10Db: quantile(att, 0.1),
      /** The first two windows: the canceller converging. */
      firstWindowsDb: att.slice(0, 2),
      echoLevelDbfs: median(echoLevels),
      ecSetting: mics.ecOnSetting,
    };
  } finally {
    pb.dispose();
    mics.close();
    await ctx.close();
  }
}

// ------------------------------------------------------------------ route cost

/**
 * Output latency of each route, loudspeaker to mic: 40 ms bursts played through Playback,
 * found in a track without echo cancellation; their lag from the frame the worklet played
 * them (same context clock). The input side is the same for both routes, so the difference
 * is what the WebRTC route adds.
 */
async function routeCost(runs = 6) {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  await loadWorkletModule(ctx, RECORDER);
  const mics = await openMics(ctx);
  const rate = ctx.sampleRate;
  const burst = Int16Array.from({ length: 1920 }, (_, i) => Math.round(16000 * Math.sin((2 * Math.PI * 1000 * i) / 48_000)));
  const lagMs: Record<string, number[]> = { direct: [], webrtc: [] };
  try {
    await sleep(1000);
    for (const route of ['direct', 'webrtc'] as const) {
      if (route === 'webrtc' && !webRtcRouteAvailable()) continue;
      const pb = new Playback(ctx, { echoRoute: route });
      await pb.ready();
      await sleep(500);
      for (let k = 0; k < runs; k++) {
        const started = new Promise<number>((r) => (pb.onstarted = (_id, frame) => r(frame)));
        pb.enqueue(`b${k}`, burst.slice());
        pb.end(`b${k}`);
        const frame = await started;
        await sleep(800);
        let found = -1;
        for (const q of mics.recOff.quanta) {
          if (q.frame + 128 < frame) continue;
          for (let i = 0; i < q.data.length && found < 0; i++) if (q.frame + i >= frame && Math.abs(q.data[i]!) > 0.05) found = q.frame + i;
          if (found >= 0) break;
        }
        if (found >= 0) lagMs[route]!.push(((found - frame) / rate) * 1000);
        mics.recOff.quanta = mics.recOff.quanta.filter((q) => q.frame > frame + rate);
      }
      pb.dispose();
    }
  } finally {
    mics.close();
    await ctx.close();
  }
  const direct = median(lagMs.direct!);
  const webrtc = median(lagMs.webrtc!);
  return { directMs: direct, webrtcMs: webrtc, addedMs: webrtc - direct, runs: { direct: lagMs.direct!.length, webrtc: lagMs.webrtc!.length } };
}

// ------------------------------------------------------------------ conversation

const tap = installWorkletTap(window);
const echoReports = watchEchoReports(window, () => (tap.context ? tap.context.currentTime : NaN));
const peerConnections = countPeerConnections(window);

interface ResponseRecord {
  id: string;
  firstDelta?: number;
  /** Leading samples at or below 32/32768 (the speech's quiet start). */
  lead: number;
  audible: boolean;
  samples: number;
  done?: { status: string; reason?: string; bargeAt?: number };
}
const responses = new Map<string, ResponseRecord>();
const speechStarted: number[] = [];
const userVoices: { from: number; to: number; kind: string }[] = [];
const now = () => (tap.context ? tap.context.currentTime : NaN);

/** A server frame arrived at the engine's socket at `at` (render clock). */
function onFrame(data: unknown, at = now()): void {
  if (typeof data !== 'string') return;
  const now = () => at;
  const type = /"type"\s*:\s*"([^"]+)"/.exec(data.slice(0, 120))?.[1];
  if (type === 'response.output_audio.delta') {
    const f = JSON.parse(data) as { response_id: string; delta: string };
    let r = responses.get(f.response_id);
    if (!r) responses.set(f.response_id, (r = { id: f.response_id, firstDelta: now(), lead: 0, audible: false, samples: 0 }));
    if (!r.audible) {
      const bin = atob(f.delta);
      for (let i = 0; i + 1 < bin.length; i += 2) {
        const v = ((bin.charCodeAt(i) | (bin.charCodeAt(i + 1) << 8)) << 16) >> 16;
        if (v > 32 || v < -32) {
          r.audible = true;
          break;
        }
        r.lead++;
      }
    }
    r.samples += atob(f.delta).length >> 1;
  } else if (type === 'input_audio_buffer.speech_started') {
    speechStarted.push(now());
  } else if (type === 'response.done') {
    const f = JSON.parse(data) as { response: { id: string; status: string; status_details?: { reason?: string } } };
    const r = responses.get(f.response.id) ?? { id: f.response.id, lead: 0, audible: false, samples: 0 };
    // The speech_started that cut it: the last one to arrive before this frame. Compared by
    // arrival order, not time: two frames of one task can map to times 1 ms out of order
    // (the render clock steps per quantum).
    const cut = speechStarted.at(-1);
    const bargeAt = f.response.status === 'cancelled' && cut !== undefined && r.firstDelta !== undefined && cut >= r.firstDelta ? cut : undefined;
    r.done = { status: f.response.status, reason: f.response.status_details?.reason, bargeAt };
    responses.set(r.id, r);
  }
}

// The engine's socket is in its worker (the page's own socket only in the main-thread
// fallback): the worker probe reports each frame with its arrival time on the page's clock,
// mapped here to the render clock.
installWorkerProbe(window, (rec) => {
  if (rec.k === 'in') onFrame(rec.data, now() - (performance.now() - rec.t) / 1000);
});
const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
Object.defineProperty(WebSocket.prototype, 'onmessage', {
  ...onmessage,
  set(this: WebSocket, fn: ((ev: MessageEvent) => unknown) | null) {
    onmessage.set!.call(
      this,
      fn &&
        function (this: WebSocket, ev: MessageEvent) {
          onFrame(ev.data);
          return fn.call(this, ev);
        },
    );
  },
});

function element(): HTMLElement & { state: string; debugStats?: unknown; start(): Promise<void> } {
  return document.querySelector('hydra-voice') as never;
}

async function startConversation(): Promise<void> {
  await customElements.whenDefined('hydra-voice');
  const el = element();
  const session = new Promise<void>((resolve, reject) => {
    el.addEventListener('hydra-session', () => resolve(), { once: true });
    el.addEventListener('hydra-error', (e) => (e as CustomEvent).detail.fatal && reject(new Error((e as CustomEvent).detail.message)));
  });
  (el.shadowRoot!.querySelector('[part~=button]') as HTMLButtonElement).click();
  await session;
}

/** The harness is about to play a user voice of `ms` into the room. */
function userVoice(ms: number, kind = 'prompt'): void {
  const t = now();
  userVoices.push({ from: t, to: t + ms / 1000, kind });
}

function status() {
  const all = [...responses.values()];
  const last = all.at(-1);
  return {
    state: element().state,
    responses: all.length,
    done: all.filter((r) => r.done).length,
    lastId: last?.id,
    lastDone: last?.done?.status,
    /** Seconds the last response has been audible at the output. */
    lastAudibleS: last?.firstDelta !== undefined ? audibleSpan(last.firstDelta, Infinity) : 0,
    speechStarted: speechStarted.length,
  };
}

/** Seconds between the first and the last sample above 0.001 at the tap in [from, to). */
function audibleSpan(from: number, to: number): number {
  const rate = tap.sampleRate;
  if (tap.startFrame < 0) return 0;
  const a = Math.max(tap.startFrame, Math.ceil(from * rate));
  const b = Math.min(tap.startFrame + tap.length, to === Infinity ? Infinity : Math.ceil(to * rate));
  let first = -1;
  let last = -1;
  for (let f = a; f < b; f++) {
    if (Math.abs(tap.at(f)) > 0.001) {
      if (first < 0) first = f;
      last = f;
    }
  }
  return first < 0 ? 0 : (last - first) / rate;
}

function firstAbove(from: number, to: number, threshold: number): number | undefined {
  const rate = tap.sampleRate;
  const a = Math.max(tap.startFrame, Math.ceil(from * rate));
  const b = Math.min(tap.startFrame + tap.length, Math.ceil(to * rate));
  for (let f = a; f < b; f++) if (Math.abs(tap.at(f)) > threshold) return f / rate;
  return undefined;
}

function lastAbove(from: number, to: number, threshold: number): number | undefined {
  const rate = tap.sampleRate;
  const a = Math.max(tap.startFrame, Math.ceil(from * rate));
  const b = Math.min(tap.startFrame + tap.length, Math.ceil(to * rate));
  for (let f = b - 1; f >= a; f--) if (Math.abs(tap.at(f)) > threshold) return f / rate;
  return undefined;
}

/** Per-response figures of the conversation so far (render clock). */
function conversationSummary() {
  const all = [...responses.values()].filter((r) => r.firstDelta !== undefined).sort((a, b) => a.firstDelta! - b.firstDelta!);
  const deltaToRenderedMs: number[] = [];
  const bargeToSilenceMs: number[] = [];
  const replySeconds: number[] = [];
  all.forEach((r, i) => {
    const next = all[i + 1]?.firstDelta ?? Infinity;
    const first = firstAbove(r.firstDelta!, next, 32 / 32768);
    if (first !== undefined) deltaToRenderedMs.push((first - r.firstDelta! - r.lead / 48_000) * 1000);
    if (r.done?.status === 'cancelled') {
      const s = r.done.bargeAt;
      if (s !== undefined) {
        const last = lastAbove(s - 0.05, next, 1e-5);
        bargeToSilenceMs.push(last === undefined ? 0 : Math.max(0, (last - s) * 1000));
      }
    } else replySeconds.push(audibleSpan(r.firstDelta!, next));
  });
  // Barge-ins: each interruption voice (played while a long reply is audible) → the first
  // speech_started after it; none before the voice ended + 1.5 s is a missed barge-in.
  const bargeDetectMs: number[] = [];
  let missedBargeIns = 0;
  for (const v of userVoices.filter((u) => u.kind === 'interruption')) {
    const s = speechStarted.find((t) => t >= v.from - 0.1);
    if (s !== undefined && s <= v.to + 1.5) bargeDetectMs.push((s - v.from) * 1000);
    else missedBargeIns++;
  }
  // How long the guard took to its first verdict (until then only a user much louder than
  // the agent gets through): from the first reply audible to the first non-unknown report.
  const firstAudible = all.length ? firstAbove(all[0]!.firstDelta!, Infinity, 0.001) : undefined;
  const verdict = echoReports.find((e) => e.state !== 'unknown' && firstAudible !== undefined && e.ctxTime >= firstAudible);
  const verdictS = verdict && firstAudible !== undefined ? verdict.ctxTime - firstAudible : NaN;
  // A speech_started no user voice explains (its voice, plus the room's way back) is the agent hearing itself.
  const selfInterruptions = speechStarted.filter((t) => !userVoices.some((v) => t >= v.from - 0.1 && t <= v.to + 1.5));
  const ctx = tap.context;
  return {
    rate: tap.sampleRate,
    outputLatencyMs: ctx && typeof ctx.outputLatency === 'number' ? ctx.outputLatency * 1000 : NaN,
    responses: all.length,
    completed: all.filter((r) => r.done?.status === 'completed').length,
    bargeIns: bargeToSilenceMs.length,
    replySeconds,
    deltaToRenderedMs,
    bargeToSilenceMs,
    speechStarted: speechStarted.length,
    userVoices: userVoices.length,
    selfInterruptions: selfInterruptions.length,
    bargeDetectMs,
    missedBargeIns,
    verdictS,
    verdicts: echoReports.filter((e, i) => i === 0 || e.state !== echoReports[i - 1]!.state).map((e) => `${e.state}@${e.ctxTime.toFixed(1)}`),
    missedQuanta: tap.missedQuanta,
    peerConnections: peerConnections(),
    guard: echoReports.at(-1),
    debugStats: (element() as { debugStats?: unknown }).debugStats,
  };
}

(window as unknown as { __engineBench: unknown }).__engineBench = {
  clocks,
  capture: () => captureLatency(20),
  echo,
  routeCost,
  startConversation,
  userVoice,
  status,
  conversationSummary,
};
