// Browser side of conversation-driver.ts (the e2e bench and the soak). Bundled by esbuild
// into one classic script and injected with puppeteer's evaluateOnNewDocument, so it runs
// before the page's own scripts and before <hydra-voice> creates its AudioContext or socket.
//
// It observes, never replaces, the product's code paths:
//   - the output tap (output-tap.ts): every block that reaches an AudioContext destination;
//   - WebSocket: arrival of server frames (wrapping the `onmessage` setter and message
//     listeners) and what the client sends (wrapping send), timestamped with
//     performance.now() and with the context's output clock (getOutputTimestamp);
//   - MessagePort: the capture worklet's chunk messages (their `frame`), so each uplink
//     chunk's hand-off (worklet post → on the socket) is measured on the context clock;
//   - audio nodes: created and still alive (FinalizationRegistry), per type;
//   - long tasks (PerformanceObserver) and the instrumentation's own main-thread time, so
//     it can be subtracted from the page's totals.
// Everything recorded is drained by Node (drain()), so the page's heap stays flat.
import { installOutputTap, type OutputTap, type TapBlock } from './output-tap.ts';
import { installWorkerProbe } from './worker-probe.ts';
import { installQuantumTap } from './quantum-tap.ts';

export interface InEvent {
  type: string;
  perf: number;
  /** Context time being heard at `perf` (getOutputTimestamp), when a context exists. */
  out?: number;
  responseId?: string;
  audioEndMs?: number;
  /** speech_stopped: performance.now() when the uplink chunk holding audio_end_ms was sent. */
  endSentPerf?: number;
  status?: string;
  reason?: string;
  /** underrun: context time of the quantum that ran dry. */
  frameTime?: number;
  /** underrun / started (playback worklet): its context frame. */
  frame?: number;
}

/** Where each reply chunk was, on the page's performance.now() clock (soak verdict). */
export interface ChunkTimeline {
  /** A response.output_audio.delta reached the engine's socket handler: `n` samples. */
  arrivals: { id: string; n: number; t: number }[];
  /** The engine posted a chunk of `n` samples to the playback worklet. */
  posts: { id: string; n: number; t: number }[];
  /** The worker's event loop ran a timer `ms` late. */
  workerLags: { ms: number; t: number }[];
}

/** The worklet output tap: one entry per render quantum it saw (frame, peak). */
export interface QuantumTap {
  frames: number[];
  peaks: number[];
}

export interface ResponseAudio {
  responseId: string;
  /** Samples (48 kHz) received in deltas. */
  samples: number;
  /** Leading exact-silent samples before the first audible one (|x| > 32). */
  lead: number;
  /** Trailing samples at or below that level. */
  trail: number;
  deltas: number;
  /** Longest run of exact-zero samples between audible ones (the source's own pauses). */
  longestZeroRun: number;
  /** Current zero run; -1 until the first audible sample (internal). */
  zeroRun: number;
  /** Longest zero run since the last audible sample (internal). */
  pendingZeroRun: number;
}

export interface PageDrain {
  events: InEvent[];
  blocks: TapBlock[];
  responses: ResponseAudio[];
  /** Per uplink chunk: context clock at send minus the chunk's completing frame (ms). */
  handoffMs: number[];
  longTasks: { start: number; duration: number }[];
  sent: Record<string, number>;
  /** Main-thread ms spent in this instrumentation (tap + wrappers) since the last drain. */
  overheadMs: number;
  sampleRate: number;
  /** performance.timeOrigin of the page (epoch ms), to put page times beside Node's. */
  timeOrigin: number;
  chunks: ChunkTimeline;
  /** Empty unless window.__convWorkletTap was set before this script. */
  quanta: QuantumTap;
}

interface Conv {
  drain(): PageDrain;
  audioNodes(): { created: number; alive: number; byType: Record<string, number>; contexts: number };
  calibrateTap(): Promise<number>;
  captureLatency(workletUrl: string, runs?: number): Promise<{ rate: number; ms: number[] }>;
}

declare global {
  interface Window {
    __conv: Conv;
  }
}

// Light mode (window.__convLight set before this script): nothing but the long-task
// observer, for measuring the page's own main-thread time without the tap's callbacks.
const quanta: QuantumTap = { frames: [], peaks: [] };
const light = (window as { __convLight?: boolean }).__convLight === true;
// Installed before the ScriptProcessor tap, so that tap's connect() runs on top of this one.
if (!light && (window as { __convWorkletTap?: boolean }).__convWorkletTap === true) installQuantumTap(window, quanta);
const tap: OutputTap = light ? { blocks: [], samples: [], recordSamples: false, sampleRate: 0 } : installOutputTap(window);
const OriginalAudioContext = window.AudioContext;
let created = 0;
let collected = 0;
let contexts = 0;
const byType: Record<string, number> = {};
let overhead = 0;
const events: InEvent[] = [];
const handoff: number[] = [];
const longTasks: { start: number; duration: number }[] = [];
const sent: Record<string, number> = {};
const responses = new Map<string, ResponseAudio>();
const finished: ResponseAudio[] = [];
let lastChunkFrame: number | undefined;
// Uplink chunks on the socket: [first sample index (16 kHz), performance.now()], last ~40 s.
const appends: [number, number][] = [];
let appendedSamples = 0;
const chunks: ChunkTimeline = { arrivals: [], posts: [], workerLags: [] };

function outputTime(perf: number): number | undefined {
  const ctx = tap.context as AudioContext | undefined;
  if (!ctx || ctx.state !== 'running') return undefined;
  const ts = ctx.getOutputTimestamp();
  if (ts.contextTime === undefined || ts.performanceTime === undefined || ts.performanceTime === 0) return undefined;
  return ts.contextTime + (perf - ts.performanceTime) / 1000;
}

const base64Samples = (b64: string) => {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return ((b64.length / 4) * 3 - pad) / 2;
};

function pcmStats(b64: string, r: ResponseAudio): { lead: number; trail: number; n: number; audible: boolean } {
  const bin = atob(b64);
  const n = bin.length >> 1;
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const v = (bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8)) << 16 >> 16;
    if (v !== 0 && r.zeroRun > r.pendingZeroRun) r.pendingZeroRun = r.zeroRun;
    if (v > 32 || v < -32) {
      if (first < 0) first = i;
      last = i;
      // Exact-zero runs since the last audible sample end in sound: pauses in the source.
      if (r.pendingZeroRun > r.longestZeroRun) r.longestZeroRun = r.pendingZeroRun;
      r.pendingZeroRun = 0;
      r.zeroRun = 0;
    } else if (v === 0) {
      if (r.zeroRun >= 0) r.zeroRun++;
    } else if (r.zeroRun > 0) r.zeroRun = 0;
  }
  return first < 0 ? { lead: n, trail: n, n, audible: false } : { lead: first, trail: n - 1 - last, n, audible: true };
}

const TYPE = /"type"\s*:\s*"([^"]+)"/;
const RID = /"response_id"\s*:\s*"([^"]+)"/;
const seen = new WeakSet<Event>();

function onServerFrame(ev: MessageEvent): void {
  if (seen.has(ev) || typeof ev.data !== 'string') return;
  seen.add(ev);
  serverFrame(ev.data, performance.now());
}

/** A server frame that arrived at `arrived` (performance.now() of the page, also for a worker's socket). */
function serverFrame(data: string, arrived: number): void {
  const t0 = arrived;
  const started = performance.now();
  const head = data.length > 400 ? data.slice(0, 200) + data.slice(-200) : data;
  const type = TYPE.exec(head)?.[1] ?? '?';
  if (type === 'response.output_audio.delta') {
    const rid = RID.exec(head)?.[1] ?? '?';
    let r = responses.get(rid);
    const first = !r;
    if (!r) responses.set(rid, (r = { responseId: rid, samples: 0, lead: 0, trail: 0, deltas: 0, longestZeroRun: 0, zeroRun: -1, pendingZeroRun: 0 }));
    // Exact statistics need the samples: decode (outside the product's own timing).
    const delta = (JSON.parse(data) as { delta: string }).delta;
    const s = pcmStats(delta, r);
    if (r.lead === r.samples) r.lead += s.lead; // still silent so far
    r.trail = s.audible ? s.trail : r.trail + s.n;
    r.samples += s.n;
    r.deltas++;
    chunks.arrivals.push({ id: rid, n: s.n, t: t0 });
    if (first) events.push({ type: 'first-delta', perf: t0, out: outputTime(t0), responseId: rid });
  } else if (type !== 'response.output_audio_transcript.delta' && type !== 'response.function_call_arguments.delta') {
    const e: InEvent = { type, perf: t0, out: outputTime(t0) };
    if (type.startsWith('input_audio_buffer.') || type.startsWith('response.')) {
      const f = JSON.parse(data) as Record<string, any>;
      if (type === 'input_audio_buffer.speech_stopped') {
        e.audioEndMs = f.audio_end_ms;
        const sample = (f.audio_end_ms * 16_000) / 1000;
        const hit = appends.find(([startAt], i) => startAt <= sample && (appends[i + 1]?.[0] ?? Infinity) > sample);
        if (hit) e.endSentPerf = hit[1];
      }
      const resp = f.response as Record<string, any> | undefined;
      e.responseId = f.response_id ?? resp?.id;
      if (type === 'response.done') {
        e.status = resp?.status;
        e.reason = resp?.status_details?.reason;
        const r = e.responseId ? responses.get(e.responseId) : undefined;
        if (r) {
          finished.push(r);
          responses.delete(r.responseId);
        }
      }
    }
    events.push(e);
  }
  overhead += performance.now() - started;
}

interface PortData {
  type?: string;
  frame?: number;
  id?: string;
}

/** A client frame sent at `at` (page clock). */
function clientFrame(data: string, at: number): void {
  const t0 = at;
  const type = TYPE.exec(data.slice(0, 120))?.[1] ?? '?';
  sent[type] = (sent[type] ?? 0) + 1;
  if (type === 'input_audio_buffer.append') {
    if (sent[type] === 1) appendedSamples = 0;
    const b64 = /"audio"\s*:\s*"([^"]*)"/.exec(data)?.[1] ?? '';
    appends.push([appendedSamples, t0]);
    if (appends.length > 2000) appends.splice(0, 500);
    appendedSamples += base64Samples(b64);
    const ctx = tap.context as AudioContext | undefined;
    // The render clock when it was sent (a worker's report arrives a little later).
    const sentAt = ctx ? ctx.currentTime - (performance.now() - at) / 1000 : 0;
    if (ctx && lastChunkFrame !== undefined) handoff.push(((sentAt * ctx.sampleRate - lastChunkFrame) / ctx.sampleRate) * 1000);
    lastChunkFrame = undefined;
  } else {
    events.push({ type: `sent:${type}`, perf: t0, out: outputTime(t0) });
  }
}

/** A message of a worklet's port: chunk hand-offs, and underruns on the context timeline. */
function portMessage(d: PortData | undefined, at: number): void {
  if (d && d.type === 'chunk' && typeof d.frame === 'number') lastChunkFrame = d.frame;
  // The playback worklet ran dry inside a response: where on the context timeline.
  if (d && d.type === 'underrun' && typeof d.frame === 'number') {
    const ctx = tap.context;
    events.push({ type: 'underrun', perf: at, responseId: d.id, frame: d.frame, frameTime: ctx ? d.frame / ctx.sampleRate : undefined });
  }
  if (d && d.type === 'started' && typeof d.frame === 'number') events.push({ type: 'started', perf: at, responseId: d.id, frame: d.frame });
}

if (!light) instrument();

function instrument(): void {
// --- WebSocket --------------------------------------------------------------------------
const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
Object.defineProperty(WebSocket.prototype, 'onmessage', {
  ...onmessage,
  set(this: WebSocket, fn: ((ev: MessageEvent) => unknown) | null) {
    onmessage.set!.call(this, fn && function (this: WebSocket, ev: MessageEvent) {
      onServerFrame(ev);
      return fn.call(this, ev);
    });
  },
});
const wsAdd = EventTarget.prototype.addEventListener;
WebSocket.prototype.addEventListener = function (this: WebSocket, type: string, listener: any, options?: any) {
  if (type === 'message' && listener) wsAdd.call(this, 'message', onServerFrame as EventListener, options);
  return wsAdd.call(this, type, listener, options);
};
const wsSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: any) {
  const t0 = performance.now();
  const result = wsSend.call(this, data);
  const t1 = performance.now();
  if (typeof data === 'string') clientFrame(data, t0);
  overhead += performance.now() - t1;
  return result;
};

// --- MessagePort: the capture worklet's chunk messages ------------------------------------
const portOnmessage = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage')!;
Object.defineProperty(MessagePort.prototype, 'onmessage', {
  ...portOnmessage,
  set(this: MessagePort, fn: ((ev: MessageEvent) => unknown) | null) {
    portOnmessage.set!.call(this, fn && function (this: MessagePort, ev: MessageEvent) {
      portMessage(ev.data as PortData | undefined, performance.now());
      return fn.call(this, ev);
    });
  },
});

// --- Worker: the element's engine (socket, worklet ports) runs in one ----------------------
installWorkerProbe(window, (rec) => {
  const t0 = performance.now();
  if (rec.k === 'in') serverFrame(rec.data, rec.t);
  else if (rec.k === 'out') clientFrame(rec.data, rec.t);
  else if (rec.k === 'post') chunks.posts.push({ id: rec.id, n: rec.n, t: rec.t });
  else if (rec.k === 'lag') chunks.workerLags.push({ ms: rec.ms, t: rec.t });
  else portMessage(rec, rec.t);
  overhead += performance.now() - t0;
});

// --- ScriptProcessor (only the tap uses one): time its callbacks as overhead -----------------
const spOn = Object.getOwnPropertyDescriptor(ScriptProcessorNode.prototype, 'onaudioprocess')!;
Object.defineProperty(ScriptProcessorNode.prototype, 'onaudioprocess', {
  ...spOn,
  set(this: ScriptProcessorNode, fn: ((ev: AudioProcessingEvent) => unknown) | null) {
    spOn.set!.call(this, fn && function (this: ScriptProcessorNode, ev: AudioProcessingEvent) {
      const t0 = performance.now();
      const r = fn.call(this, ev);
      overhead += performance.now() - t0;
      return r;
    });
  },
});

// --- audio nodes: created / alive ---------------------------------------------------------
const registry = new FinalizationRegistry<string>((type) => {
  collected++;
  byType[type] = (byType[type] ?? 1) - 1;
});
function track(node: object): void {
  const type = node.constructor.name;
  created++;
  byType[type] = (byType[type] ?? 0) + 1;
  registry.register(node, type);
}
for (const proto of [BaseAudioContext.prototype, AudioContext.prototype] as any[]) {
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (!name.startsWith('create') || name === 'createBuffer' || name === 'createPeriodicWave') continue;
    const original = proto[name] as (...a: unknown[]) => AudioNode;
    proto[name] = function (this: BaseAudioContext, ...args: unknown[]) {
      const node = original.apply(this, args);
      track(node);
      return node;
    };
  }
}
for (const name of Object.getOwnPropertyNames(window)) {
  if (!/Node$/.test(name) || name === 'AudioNode' || name === 'AudioScheduledSourceNode') continue;
  const Original = (window as any)[name];
  if (typeof Original !== 'function' || !(Original.prototype instanceof AudioNode)) continue;
  const Wrapped = class extends Original {
    constructor(...args: any[]) {
      super(...args);
      track(this);
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: name });
  // `x instanceof AudioDestinationNode` must stay true for nodes the browser made itself.
  Object.defineProperty(Wrapped, Symbol.hasInstance, { value: (x: unknown) => x instanceof Original });
  (window as any)[name] = Wrapped;
}
window.AudioContext = class extends OriginalAudioContext {
  constructor(options?: AudioContextOptions) {
    super(options);
    contexts++;
    this.addEventListener('statechange', () => this.state === 'closed' && contexts--);
  }
} as typeof AudioContext;
Object.defineProperty(window.AudioContext, Symbol.hasInstance, { value: (x: unknown) => x instanceof OriginalAudioContext });
Object.defineProperty(window.AudioContext, 'name', { value: 'AudioContext' });

}

// --- long tasks ----------------------------------------------------------------------------
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

window.__conv = {
  drain(): PageDrain {
    const out: PageDrain = {
      events: events.splice(0),
      blocks: tap.blocks.splice(0),
      responses: finished.splice(0),
      handoffMs: handoff.splice(0),
      longTasks: longTasks.splice(0),
      sent: { ...sent },
      overheadMs: overhead,
      sampleRate: tap.sampleRate,
      timeOrigin: performance.timeOrigin,
      chunks: { arrivals: chunks.arrivals.splice(0), posts: chunks.posts.splice(0), workerLags: chunks.workerLags.splice(0) },
      quanta: { frames: quanta.frames.splice(0), peaks: quanta.peaks.splice(0) },
    };
    overhead = 0;
    return out;
  },
  audioNodes: () => ({ created, alive: created - collected, byType: { ...byType }, contexts }),
  /**
   * Where the tap puts a known sample: a step at frame T0 of a fresh context, recorded by a
   * ScriptProcessor exactly like the tap's; returns (recorded time − T0) in seconds.
   */
  async calibrateTap(): Promise<number> {
    const ctx = new OriginalAudioContext();
    await ctx.resume();
    const rec = ctx.createScriptProcessor(256, 1, 1);
    const src = new ConstantSourceNode(ctx, { offset: 0 });
    let found: number | undefined;
    rec.onaudioprocess = (e) => {
      const x = e.inputBuffer.getChannelData(0);
      for (let i = 0; i < x.length && found === undefined; i++) if (x[i]! > 0.5) found = e.playbackTime + i / ctx.sampleRate;
    };
    src.connect(rec);
    rec.connect(ctx.destination);
    src.start();
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Math.ceil((ctx.currentTime + 0.1) * ctx.sampleRate) / ctx.sampleRate;
    src.offset.setValueAtTime(1, t0);
    while (found === undefined && ctx.currentTime < t0 + 1) await new Promise((r) => setTimeout(r, 20));
    await ctx.close();
    return found === undefined ? NaN : found - t0;
  },
  /**
   * The shipped capture worklet (dist/hydra-voice-worklets.js) in a fresh context: a step
   * at a known, random frame → the frame of the quantum that posts the chunk holding it
   * (as bench/audio.ts does with the source module). Returns per-run latencies in ms.
   */
  async captureLatency(workletUrl: string, runs = 20) {
    const ctx = new OriginalAudioContext();
    await ctx.resume();
    await ctx.audioWorklet.addModule(workletUrl);
    const src = new ConstantSourceNode(ctx, { offset: 0 });
    const node = new AudioWorkletNode(ctx, 'hydra-voice-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      processorOptions: {},
    });
    src.connect(node);
    src.start();
    const rate = ctx.sampleRate;
    const ms: number[] = [];
    let armed: { step: number; resolve: () => void } | undefined;
    node.port.addEventListener('message', (e: MessageEvent) => {
      const m = e.data as { type: string; pcm: Int16Array; frame: number };
      // Only chunks completed after the step (earlier chunks may still carry the last pulse).
      if (m.type !== 'chunk' || !armed || m.frame < armed.step) return;
      if (m.pcm.some((v) => v > 8192)) {
        ms.push(((m.frame - armed.step) / rate) * 1000);
        armed.resolve();
        armed = undefined;
      }
    });
    node.port.start();
    for (let k = 0; k < runs; k++) {
      const step = Math.round(ctx.currentTime * rate + rate * 0.1 + Math.random() * rate * 0.02);
      await new Promise<void>((resolve) => {
        armed = { step, resolve };
        src.offset.setValueAtTime(0.5, step / rate);
        src.offset.setValueAtTime(0, (step + rate * 0.05) / rate);
      });
      await new Promise((r) => setTimeout(r, 150));
    }
    node.port.postMessage({ type: 'stop' });
    await ctx.close();
    return { rate, ms };
  },
};
