// Shared steps for end-to-end conversations: a plain page with the BUILT dist/hydra-voice.js
// in an iframe, the output tap installed on that page before anything starts, every
// hydra-* event recorded with the AudioContext time at which the page saw it, and the
// conversation started by clicking the element's own button (a real user gesture path).
// Nothing is stubbed: the microphone is the engine's real capture from a PulseAudio room into
// which the tests speak (test/browser/support/room.ts); the token endpoint, the relay and
// the simulator are the ones of test/support/e2e-stack.ts.
import type { HydraVoiceElement } from '../../../src/index.ts';

/** One render quantum of Web Audio, in frames. */
export const QUANTUM = 128;

export interface Recorded {
  type: string;
  detail: any;
  /** AudioContext time (s) when the page's listener ran; NaN before the context exists. */
  ctxTime: number;
  /** Index in the log (order of arrival). */
  seq: number;
}

export interface E2ePage {
  frame: HTMLIFrameElement;
  win: Window & typeof globalThis;
  el: HydraVoiceElement;
  tap: WorkletTap;
  log: Recorded[];
  /** The echo guard's verdicts as the playback worklet posted them (src/audio/worklet/echo-guard.ts). */
  echo: { ctxTime: number; state: string; delayMs: number; erlDb: number; gatedQuanta: number; match: number; leaks: number }[];
  /** RTCPeerConnections the page created (the WebRTC output route makes two). */
  peerConnections(): number;
  /** The element's AudioContext time now (NaN before start). */
  now(): number;
  /** Clicks the element's part=button (start/stop, as a user would). */
  clickButton(): void;
  /** Events of one type, in order. */
  events(type: string): Recorded[];
  /** Waits until `pick` returns something truthy (checked on every event and every 20 ms). */
  waitFor<T>(what: string, pick: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Waits for the n-th (1-based) event of `type` matching `match`, counting from log index `from`. */
  waitEvent(type: string, match?: (r: Recorded) => boolean, opts?: { from?: number; timeoutMs?: number; nth?: number }): Promise<Recorded>;
  close(): void;
}

const EVENTS = [
  'hydra-state',
  'hydra-session',
  'hydra-turn-start',
  'hydra-turn-end',
  'hydra-response-start',
  'hydra-response-end',
  'hydra-tool-call',
  'hydra-error',
  'hydra-frame',
];

/**
 * Fails, naming it, when the browser lacks something the conversation needs: these tests
 * must never pass by skipping a stage.
 */
function requireCapabilities(win: Window & typeof globalThis): void {
  const missing: string[] = [];
  if (!win.navigator.mediaDevices?.getUserMedia) missing.push('navigator.mediaDevices.getUserMedia (microphone)');
  if (typeof win.AudioContext !== 'function') missing.push('AudioContext (Web Audio)');
  if (typeof win.AudioWorkletNode !== 'function') missing.push('AudioWorkletNode (audio worklets)');
  if (typeof win.AudioContext === 'function' && typeof win.AudioContext.prototype.createScriptProcessor !== 'function')
    missing.push('ScriptProcessorNode (the output tap)');
  if (typeof win.WebSocket !== 'function') missing.push('WebSocket');
  if (!win.customElements) missing.push('customElements');
  if (missing.length > 0) throw new Error(`This browser lacks what an end-to-end conversation needs: ${missing.join(', ')}`);
}

/** Opens `page` (under test/browser/e2e/pages/) in an iframe with the tap installed and attributes set. */
export async function openPage(attrs: Record<string, string | boolean> = {}, page = 'embed.html'): Promise<E2ePage> {
  const frame = document.createElement('iframe');
  frame.src = `/test/browser/e2e/pages/${page}`;
  frame.allow = 'microphone; autoplay';
  document.body.append(frame);
  await new Promise((r) => frame.addEventListener('load', r, { once: true }));
  const win = frame.contentWindow as Window & typeof globalThis;
  requireCapabilities(win);
  // Before the element creates its AudioContext: every connection to a destination is tapped.
  const tap = installWorkletTap(win);
  const log: Recorded[] = [];
  // The guard's verdicts go into the log too (as 'echo-guard'), so failure traces show them.
  const echo = watchEchoReports(win, () => (tap.context ? tap.context.currentTime : NaN), (r) => log.push({ type: 'echo-guard', detail: r, ctxTime: r.ctxTime, seq: log.length }));
  const peers = countPeerConnections(win);
  await win.customElements.whenDefined('hydra-voice');
  const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
  if (!el) throw new Error(`${page} has no <hydra-voice>`);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : value);
  }
  let wake: (() => void)[] = [];
  const now = () => (tap.context ? tap.context.currentTime : NaN);
  for (const type of EVENTS) {
    el.addEventListener(type, (e) => {
      log.push({ type, detail: (e as CustomEvent).detail, ctxTime: now(), seq: log.length });
      const w = wake;
      wake = [];
      for (const f of w) f();
    });
  }
  const events = (type: string) => log.filter((r) => r.type === type);
  const waitFor = <T,>(what: string, pick: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        let v: T | undefined | null | false;
        try {
          v = pick();
        } catch (e) {
          finish();
          reject(e as Error);
          return true;
        }
        if (v) {
          finish();
          resolve(v);
          return true;
        }
        return false;
      };
      const poll = setInterval(check, 20);
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out waiting for ${what}. Events so far:\n${summarize(log)}`));
      }, timeoutMs);
      const onEvent = () => {
        if (!check()) wake.push(onEvent);
      };
      const finish = () => {
        clearInterval(poll);
        clearTimeout(timer);
        wake = wake.filter((f) => f !== onEvent);
      };
      if (!check()) wake.push(onEvent);
    });
  const waitEvent = (type: string, match: (r: Recorded) => boolean = () => true, opts: { from?: number; timeoutMs?: number; nth?: number } = {}) =>
    waitFor(`${opts.nth && opts.nth > 1 ? `#${opts.nth} ` : ''}${type}${match.toString().length > 12 ? ` matching ${match}` : ''}`, () => {
      const hits = log.filter((r) => r.seq >= (opts.from ?? 0) && r.type === type && match(r));
      return hits[(opts.nth ?? 1) - 1];
    }, opts.timeoutMs);
  return {
    frame,
    win,
    el,
    tap,
    log,
    echo,
    peerConnections: peers,
    now,
    clickButton: () => (el.shadowRoot!.querySelector('[part~=button]') as HTMLButtonElement).click(),
    events,
    waitFor,
    waitEvent,
    close: () => {
      try {
        el.stop();
      } finally {
        frame.remove();
      }
    },
  };
}

/** Records the playback worklet's echo-guard messages as the page receives them (observes only). */
export function watchEchoReports(win: Window & typeof globalThis, now: () => number, onChange: (r: E2ePage['echo'][number]) => void = () => undefined): E2ePage['echo'] {
  const reports: E2ePage['echo'] = [];
  const desc = Object.getOwnPropertyDescriptor(win.MessagePort.prototype, 'onmessage')!;
  Object.defineProperty(win.MessagePort.prototype, 'onmessage', {
    ...desc,
    set(this: MessagePort, fn: ((ev: MessageEvent) => unknown) | null) {
      desc.set!.call(
        this,
        fn &&
          function (this: MessagePort, ev: MessageEvent) {
            const d = ev.data as { type?: string; report?: Omit<E2ePage['echo'][number], 'ctxTime'> } | undefined;
            if (d && d.type === 'echo' && d.report) {
              const r = { ctxTime: now(), ...d.report };
              if (reports.at(-1)?.state !== r.state) onChange(r);
              reports.push(r);
            }
            return fn.call(this, ev);
          },
      );
    },
  });
  return reports;
}

/** Counts RTCPeerConnections created by the page (none where the browser has no WebRTC). */
export function countPeerConnections(win: Window & typeof globalThis): () => number {
  let n = 0;
  const Original = win.RTCPeerConnection;
  if (typeof Original !== 'function') return () => 0;
  win.RTCPeerConnection = new Proxy(Original, {
    construct(Target, args) {
      n++;
      return Reflect.construct(Target, args) as RTCPeerConnection;
    },
  });
  return () => n;
}

/** A compact, readable trace of the conversation for failure messages. */
export function summarize(log: Recorded[], max = 60): string {
  const lines = log
    .filter((r) => r.type !== 'hydra-frame' || r.detail?.frame?.item?.status === 'incomplete')
    .map((r) => {
      const d = r.detail ?? {};
      const extra =
        r.type === 'hydra-state' ? d.state
        : r.type === 'echo-guard' ? `${d.state}${d.state === 'echo' ? ` (loop ${d.delayMs} ms, ERL ${d.erlDb} dB, match ${d.match})` : ''}`
        : r.type === 'hydra-frame' ? `${d.direction} ${d.frame?.type ?? JSON.stringify(d.frame).slice(0, 80)}`
        : r.type === 'hydra-tool-call' ? `${d.name} ${JSON.stringify(d.arguments)}`
        : JSON.stringify({ ...d, session: undefined, usage: undefined }).slice(0, 160);
      return `  ${isNaN(r.ctxTime) ? '   -   ' : r.ctxTime.toFixed(3)} ${r.type} ${extra}`;
    });
  return (lines.length > max ? ['  …', ...lines.slice(-max)] : lines).join('\n');
}

/** Server-side counters of the e2e stack. */
export async function stackStats(): Promise<{ relayedSockets: number; simulatorSessions: number; upgrades: Record<string, number> }> {
  return (await fetch('/__e2e/stats')).json();
}

export async function post(path: string): Promise<unknown> {
  const res = await fetch(path, { method: 'POST' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/** Sleeps on the page's clock (only to let time pass for "nothing more happens" checks). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Outgoing / incoming wire frames of a type (needs the `wire-log` attribute). */
export function frames(page: E2ePage, direction: 'in' | 'out', type: string): Recorded[] {
  return page.log.filter((r) => r.type === 'hydra-frame' && r.detail.direction === direction && r.detail.frame?.type === type);
}


// ------------------------------------------------------------------ the output tap
//
// What reaches the speakers, recorded by an AudioWorklet on the element's own context:
// every AudioNode connected to the context's destination is also connected to the
// recorder, which sees each render quantum with its exact `currentFrame`. (The
// ScriptProcessor tap in test/support/output-tap.ts stamps blocks with a playbackTime
// whose offset from the render clock drifts by hundreds of frames, and loses blocks when
// the main thread is busy: fine for "did audio play", not for counting quanta.)

export interface WorkletTap {
  context?: AudioContext;
  sampleRate: number;
  /** Context frame of the first recorded sample (-1 until the recorder runs). */
  startFrame: number;
  /** Recorded mono mix, one sample per context frame from startFrame. */
  length: number;
  /** Quanta the recorder did not see (render thread starved); should stay 0. */
  missedQuanta: number;
  /** Sample at context frame `frame` (0 outside the recording). */
  at(frame: number): number;
  /** Context time of the last recorded frame (-Infinity before any). */
  head(): number;
}

const TAP_PROCESSOR = `
class HydraE2eTap extends AudioWorkletProcessor {
  constructor() { super(); this.frames = []; this.chunks = []; }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    this.frames.push(currentFrame);
    this.chunks.push(ch ? ch.slice() : new Float32Array(128));
    if (this.frames.length >= 8) {
      const data = new Float32Array(128 * this.chunks.length);
      this.chunks.forEach((c, i) => data.set(c, i * 128));
      this.port.postMessage({ frames: this.frames, data }, [data.buffer]);
      this.frames = []; this.chunks = [];
    }
    return true;
  }
}
registerProcessor('hydra-e2e-tap', HydraE2eTap);
`;

export function installWorkletTap(win: Window & typeof globalThis): WorkletTap {
  let store = new Float32Array(44_100 * 30);
  let nextFrame = -1;
  const tap: WorkletTap = {
    sampleRate: 0,
    startFrame: -1,
    length: 0,
    missedQuanta: 0,
    at: (frame) => {
      const i = frame - tap.startFrame;
      return tap.startFrame < 0 || i < 0 || i >= tap.length ? 0 : store[i]!;
    },
    head: () => (tap.startFrame < 0 ? -Infinity : (tap.startFrame + tap.length - 1) / tap.sampleRate),
  };
  const append = (frame: number, data: Float32Array) => {
    if (tap.startFrame < 0) tap.startFrame = nextFrame = frame;
    if (frame !== nextFrame) {
      // A hole (or overlap) in the recorder's quanta: keep the timeline exact.
      if (frame > nextFrame) tap.missedQuanta += Math.round((frame - nextFrame) / 128);
      else return;
    }
    const end = frame + data.length - tap.startFrame;
    if (end > store.length) {
      const bigger = new Float32Array(Math.max(end, store.length * 2));
      bigger.set(store);
      store = bigger;
    }
    store.set(data, frame - tap.startFrame);
    tap.length = end;
    nextFrame = frame + data.length;
  };
  const recorders = new WeakMap<BaseAudioContext, Promise<AudioWorkletNode>>();
  const tapped = new WeakSet<AudioNode>();
  const originalConnect = win.AudioNode.prototype.connect as (...args: unknown[]) => unknown;
  // The page's clock from the moment its context exists (events can arrive before anything
  // is connected to the destination: WebKit loads the worklets after the greeting started).
  // A Proxy, not a subclass: WebKit makes the nodes of a subclassed context (its
  // destination) in the subclass's realm, where `instanceof` the page's classes fails.
  win.AudioContext = new Proxy(win.AudioContext, {
    construct(Target, args) {
      const ctx = Reflect.construct(Target, args) as AudioContext;
      if (!tap.context) {
        tap.context = ctx;
        tap.sampleRate = ctx.sampleRate;
      }
      return ctx;
    },
  });
  let tapNode: AudioWorkletNode | undefined;
  /** The recorder of `ctx`; undefined for any context but the page's first (the tap follows one). */
  function recorderFor(ctx: AudioContext): Promise<AudioWorkletNode> | undefined {
    let rec = recorders.get(ctx);
    if (rec) return rec;
    if (!tap.context) {
      tap.context = ctx;
      tap.sampleRate = ctx.sampleRate;
    }
    if (tap.context !== ctx) return undefined;
    const url = win.URL.createObjectURL(new win.Blob([TAP_PROCESSOR], { type: 'text/javascript' }));
    rec = ctx.audioWorklet.addModule(url).then(() => {
      const node = new win.AudioWorkletNode(ctx, 'hydra-e2e-tap', {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        channelCount: 1,
        channelCountMode: 'explicit',
        channelInterpretation: 'speakers',
      });
      node.port.onmessage = (e: MessageEvent<{ frames: number[]; data: Float32Array }>) => {
        e.data.frames.forEach((f, i) => append(f, e.data.data.subarray(i * 128, (i + 1) * 128)));
      };
      // A silent output keeps the recorder pulled by the destination.
      originalConnect.call(node, ctx.destination);
      tapNode = node;
      return node;
    });
    return rec;
  }
  win.AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
    const result = originalConnect.apply(this, args);
    const target = args[0];
    // The context's output, or the WebRTC route to the loudspeaker (src/audio/webrtc-route.ts).
    const output = target === this.context.destination || (typeof win.MediaStreamAudioDestinationNode === 'function' && target instanceof win.MediaStreamAudioDestinationNode);
    if (output && this !== tapNode && !tapped.has(this)) {
      tapped.add(this);
      void recorderFor(this.context as AudioContext)?.then((node) => originalConnect.call(this, node));
    }
    return result;
  } as typeof AudioNode.prototype.connect;
  return tap;
}

/** Context times of the first and last sample louder than `threshold` in [from, to). */
export function soundSpan(tap: WorkletTap, from: number, to = Infinity, threshold = 0.001): { first: number; last: number } | undefined {
  if (tap.startFrame < 0) return undefined;
  const rate = tap.sampleRate;
  const a = Math.max(tap.startFrame, Math.ceil(from * rate));
  const b = Math.min(tap.startFrame + tap.length, to === Infinity ? Infinity : Math.ceil(to * rate));
  let first = -1;
  let last = -1;
  for (let f = a; f < b; f++) {
    if (Math.abs(tap.at(f)) > threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  return first < 0 ? undefined : { first: first / rate, last: last / rate };
}

/** Context time of the first sample louder than `threshold` at or after `from`. */
export function firstSound(tap: WorkletTap, from: number, threshold = 0.01): number | undefined {
  return soundSpan(tap, from, Infinity, threshold)?.first;
}

/** Loudest sample in [from, to) (0 when none recorded). */
export function peakBetween(tap: WorkletTap, from: number, to = Infinity): number {
  if (tap.startFrame < 0) return 0;
  const rate = tap.sampleRate;
  const a = Math.max(tap.startFrame, Math.ceil(from * rate));
  const b = Math.min(tap.startFrame + tap.length, to === Infinity ? Infinity : Math.ceil(to * rate));
  let peak = 0;
  for (let f = a; f < b; f++) peak = Math.max(peak, Math.abs(tap.at(f)));
  return peak;
}

/** Seconds of [from, to) in which the output was louder than `threshold` (10 ms windows). */
export function audibleSeconds(tap: WorkletTap, from: number, to: number, threshold = 0.01): number {
  let n = 0;
  for (let t = from; t < to; t += 0.01) if (peakBetween(tap, t, Math.min(t + 0.01, to)) > threshold) n++;
  return n / 100;
}

/** Waits until the tap has recorded up to context time `t` (it runs with the render clock). */
export async function tapReaches(page: E2ePage, t: number, timeoutMs = 5000): Promise<void> {
  await page.waitFor(`the output tap to reach context time ${t.toFixed(3)}`, () => page.tap.head() >= t, timeoutMs);
}
