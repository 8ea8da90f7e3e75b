// A whole conversation in headless Chromium, driven from Node with puppeteer-core, for the
// e2e bench (bench/e2e.ts) and the soak test (test/node/soak/). Nothing is stubbed:
//
//   Chromium's fake mic (test/fixtures/generated/mic-speech-48k.wav: a question every ~6.5 s,
//   looped) → demo/index.html with the built dist/hydra-voice.js (a plain <script src>)
//   → POST /api/hydra-token → relay /hydra → the local simulator, all in this process
//   (src/server/dev-server.ts), so the simulator's own timings (onTiming/onTurn) share a
//   clock with nothing in the page but are read here directly.
//
// conversation-page.ts is injected before the page's scripts to observe the socket, the
// output (tap) and the audio graph. Replies follow a fixed plan by user turn (see
// replyPlan): short answers that finish before the next question, a long answer that the
// next question barges into, and a tool call answered by page code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer, { type Browser, type CDPSession, type Page } from 'puppeteer-core';
import { startDevServer, type DevServer } from '../../src/server/dev-server.ts';
import type { ResponseTiming, ToolPolicy, TurnRecord, ReplyContext } from '../../src/server/simulator/index.ts';
import { speak } from '../../src/server/simulator/speech.ts';
import { prepareFixtures } from './fixtures.ts';
import type { PageDrain } from './conversation-page.ts';
import type { TapBlock } from './output-tap.ts';

export type { PageDrain, InEvent, ResponseAudio } from './conversation-page.ts';

export const LONG_REPLY =
  'Here is a long answer, so that you have time to interrupt me. The weather in Paris is mild today, ' +
  'with a light breeze from the west and a few clouds in the afternoon. Tomorrow looks much the same, ' +
  'although there may be a short shower in the evening, so an umbrella would not hurt.';
export const SHORT_REPLY = 'Sure. Mild and sunny.';
export const TOOL_NARRATION = 'It is 18 degrees.';

export const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/**
 * What the simulator does on user turn n (1-based), cycling every 3 turns (a question
 * arrives every ~6.5 s, ~2.4 s after the previous reply started):
 *   n%3 = 1: a short reply (~2.3 s) that ends before the next question;
 *   n%3 = 2: a get_weather tool call; the page answers; a short narration plays;
 *   n%3 = 0: a long reply (~12 s); the next question barges in.
 */
export const replyPlan = {
  replyText: (c: ReplyContext) =>
    c.trigger === 'tool-narration' ? TOOL_NARRATION : c.turn % 3 === 0 ? LONG_REPLY : SHORT_REPLY,
  toolPolicy: ((c) => (c.turn % 3 === 2 ? ['get_weather'] : [])) as ToolPolicy,
};

export interface ConversationOptions {
  /** Extra Chromium flags. */
  args?: string[];
  /** No output tap, socket or audio-node instrumentation (main-thread figures only). */
  light?: boolean;
  /** Also record the output on the render clock (quantum-tap.ts): `collected.quanta`. */
  workletTap?: boolean;
  log?: (line: string) => void;
}

/** A reply chunk the simulator sent: `n` samples of response `id` at epoch ms `at`. */
export interface SimulatorSend {
  id: string;
  n: number;
  at: number;
}

export interface HeapSample {
  /** JS heap used after a full GC (Runtime.getHeapUsage). */
  heapUsedBytes: number;
  /** Memory.getDOMCounters after the GC. */
  domNodes: number;
  jsEventListeners: number;
  documents: number;
  /** Audio nodes created so far / still alive (FinalizationRegistry) / by type. */
  audioNodesCreated: number;
  audioNodesAlive: number;
  audioNodesByType: Record<string, number>;
  audioContexts: number;
}

export interface DebugStats {
  sessionState: string;
  droppedAudioChunks: number;
  droppedLateAudioChunks: number;
  mic: { chunks: number; lost: number; rebuilds: number };
  playback: { underruns: number; dropped: number };
}

/** Everything drained from the page so far, concatenated. */
export interface Collected extends Omit<PageDrain, 'overheadMs' | 'sent'> {
  overheadMs: number;
  sent: Record<string, number>;
  errors: { code: string; message: string; fatal: boolean }[];
}

export interface Conversation {
  page: Page;
  cdp: CDPSession;
  server: DevServer;
  /** Simulator records (Node's performance.now()). */
  timings: ResponseTiming[];
  turns: TurnRecord[];
  /** Every reply chunk as the simulator sent it (Node's clock as epoch ms). */
  simulatorSends: SimulatorSend[];
  collected: Collected;
  /** (tap time − true time) of a sample, seconds (calibrated before the start). */
  tapOffsetS: number;
  /** Presses the button; resolves at `hydra-session` with the drop count at that moment. */
  start(): Promise<{ droppedAtConfigured: number }>;
  /** Pulls the page's records into `collected` (the page keeps nothing). */
  drain(): Promise<void>;
  /** Full GC, then heap, DOM counters and audio nodes. */
  heapSample(): Promise<HeapSample>;
  /** CDP Performance metrics (ms): TaskDuration and ScriptDuration, cumulative. */
  mainThread(): Promise<{ taskMs: number; scriptMs: number }>;
  debugStats(): Promise<DebugStats | undefined>;
  toolCallsAnswered(): Promise<number>;
  /** Waits `ms`, draining every few seconds. */
  run(ms: number, onTick?: () => Promise<void> | void): Promise<void>;
  close(): Promise<void>;
}

let pageScript: Promise<string> | undefined;
function bundlePageScript(): Promise<string> {
  return (pageScript ??= build({
    entryPoints: [fileURLToPath(new URL('./conversation-page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text));
}

export async function openConversation(options: ConversationOptions = {}): Promise<Conversation> {
  const log = options.log ?? (() => {});
  const dist = fileURLToPath(new URL('../../dist/hydra-voice.js', import.meta.url));
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first`);
  const fixtures = await prepareFixtures();
  // Flite blocks Node's event loop while it synthesizes a new sentence (~0.1 s per second
  // of speech), which would stall the reply streams: fill the simulator's cache first so
  // the run measures the client, not a cold cache. The demo page's voice is maya.
  for (const text of [SHORT_REPLY, LONG_REPLY, TOOL_NARRATION]) await speak(text, 'maya');
  const timings: ResponseTiming[] = [];
  const turns: TurnRecord[] = [];
  const simulatorSends: SimulatorSend[] = [];
  const onFrame = (f: { direction: string; data: string }) => {
    if (f.direction !== 'sent' || !f.data.startsWith('{"type":"response.output_audio.delta"')) return;
    const { response_id, delta } = JSON.parse(f.data) as { response_id: string; delta: string };
    const pad = delta.endsWith('==') ? 2 : delta.endsWith('=') ? 1 : 0;
    simulatorSends.push({ id: response_id, n: ((delta.length / 4) * 3 - pad) / 2, at: performance.timeOrigin + performance.now() });
  };
  const server = await startDevServer({
    port: 0,
    upstream: 'simulator',
    simulator: { ...replyPlan, onTiming: (t) => timings.push(t), onTurn: (t) => turns.push(t), onFrame },
  });
  let browser: Browser | undefined;
  try {
    const script = await bundlePageScript();
    browser = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--autoplay-policy=no-user-gesture-required',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${fixtures.micSpeechWav}`,
        '--disable-background-timer-throttling',
        '--disable-renderer-backgrounding',
        '--disable-backgrounding-occluded-windows',
        ...(options.args ?? []),
      ],
    });
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => {
      pageErrors.push(String(e));
      log(`page error: ${String(e)}`);
    });
    if (options.light) await page.evaluateOnNewDocument('window.__convLight = true;');
    if (options.workletTap) await page.evaluateOnNewDocument('window.__convWorkletTap = true;');
    await page.evaluateOnNewDocument(script);
    const cdp = await page.createCDPSession();
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(`${server.url}index.html`);
    await page.waitForFunction(() => customElements.get('hydra-voice') !== undefined && document.querySelector('hydra-voice') !== null);
    // Page code, as a site owner writes it: declare the tool and answer its calls.
    await page.evaluate((tool) => {
      const el = document.querySelector('hydra-voice') as HTMLElement & Record<string, any>;
      el.tools = [tool];
      const w = window as any;
      w.__errors = [];
      w.__toolAnswers = 0;
      el.addEventListener('hydra-tool-call', (e: any) => {
        w.__toolAnswers++;
        e.detail.respond(new Promise((r) => setTimeout(() => r({ temperature: 18, unit: 'celsius' }), 50)));
      });
      el.addEventListener('hydra-error', (e: any) => w.__errors.push(e.detail));
    }, WEATHER_TOOL);
    const tapOffsetS = options.light ? NaN : await page.evaluate(() => window.__conv.calibrateTap());

    const collected: Collected = {
      events: [], blocks: [], responses: [], handoffMs: [], longTasks: [], sent: {}, overheadMs: 0, sampleRate: 0, errors: [],
      timeOrigin: 0, chunks: { arrivals: [], posts: [], workerLags: [] }, quanta: { frames: [], peaks: [] },
    };
    const drain = async () => {
      const d = await page.evaluate(() => {
        const w = window as any;
        return { ...window.__conv.drain(), errors: w.__errors.splice(0) };
      });
      collected.events.push(...d.events);
      for (const b of d.blocks) collected.blocks.push(b as TapBlock);
      collected.responses.push(...d.responses);
      collected.handoffMs.push(...d.handoffMs);
      collected.longTasks.push(...d.longTasks);
      collected.errors.push(...d.errors);
      collected.timeOrigin = d.timeOrigin;
      for (const k of ['arrivals', 'posts', 'workerLags'] as const) (collected.chunks[k] as unknown[]).push(...d.chunks[k]);
      for (const f of d.quanta.frames) collected.quanta.frames.push(f);
      for (const p of d.quanta.peaks) collected.quanta.peaks.push(p);
      collected.sent = d.sent;
      collected.overheadMs += d.overheadMs;
      if (d.sampleRate) collected.sampleRate = d.sampleRate;
    };

    const conversation: Conversation = {
      page,
      cdp,
      server,
      timings,
      turns,
      simulatorSends,
      collected,
      tapOffsetS,
      async start() {
        const configured = page.evaluate(
          () =>
            new Promise<number>((resolve, reject) => {
              const el = document.querySelector('hydra-voice') as any;
              el.addEventListener('hydra-session', () => resolve(el.debugStats?.droppedAudioChunks ?? NaN), { once: true });
              el.addEventListener('hydra-error', (e: any) => e.detail.fatal && reject(new Error(`${e.detail.code}: ${e.detail.message}`)));
            }),
        );
        await page.locator('hydra-voice >>> [part~=button]').click();
        return { droppedAtConfigured: await configured };
      },
      drain,
      async heapSample() {
        await cdp.send('HeapProfiler.collectGarbage');
        // Let FinalizationRegistry callbacks run, then collect what they released.
        await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
        await cdp.send('HeapProfiler.collectGarbage');
        await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
        const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
        const dom = (await cdp.send('Memory.getDOMCounters')) as { documents: number; nodes: number; jsEventListeners: number };
        const audio = await page.evaluate(() => window.__conv.audioNodes());
        return {
          heapUsedBytes: heap.usedSize,
          domNodes: dom.nodes,
          jsEventListeners: dom.jsEventListeners,
          documents: dom.documents,
          audioNodesCreated: audio.created,
          audioNodesAlive: audio.alive,
          audioNodesByType: audio.byType,
          audioContexts: audio.contexts,
        };
      },
      async mainThread() {
        const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
        const get = (n: string) => (metrics.find((m) => m.name === n)?.value ?? NaN) * 1000;
        return { taskMs: get('TaskDuration'), scriptMs: get('ScriptDuration') };
      },
      debugStats: () => page.evaluate(() => (document.querySelector('hydra-voice') as any).debugStats),
      toolCallsAnswered: () => page.evaluate(() => (window as any).__toolAnswers as number),
      async run(ms, onTick) {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, end - Date.now()))));
          await drain();
          await onTick?.();
        }
      },
      async close() {
        await page.evaluate(() => (document.querySelector('hydra-voice') as any)?.stop()).catch(() => undefined);
        await browser?.close();
        await server.close();
      },
    };
    return conversation;
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}

// --- analysis (shared by the bench and the soak) ------------------------------------------

export const median = (xs: number[]) => quantile(xs, 0.5);
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Index of the first element of ascending `xs` that is ≥ `x` (xs.length if none). */
export function firstAtOrAbove(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const BLOCK_S = (b: TapBlock[], rate: number) => (rate ? 256 / rate : 0.00533);

export interface ResponseAnalysis {
  responseId: string;
  status?: string;
  reason?: string;
  /** First delta on the socket → its first audible sample at the output (ms). */
  deltaToOutputMs?: number;
  /** Audible span at the output minus the audible span of the audio received (ms): > 0 means a gap. */
  extraMs?: number;
  /** Longest run of exactly-silent blocks between the first and last audible block (ms). */
  longestSilenceMs?: number;
  /** Longest run of exact zeros between audible samples in the audio received (ms). */
  sourcePauseMs?: number;
  /** Output silent longer than the source's own pauses (+2 blocks), or longer than sent (+20 ms). */
  gap?: boolean;
  /** Playback underruns of this response before its last audible block (audible gaps). */
  underrunsInside: number;
  /** Underruns after its last audible sample (the stream's end arrived after the audio ran out: inaudible). */
  underrunsAfter: number;
  bargedIn: boolean;
  /** speech_started on the socket → output silent (ms), for barged-in responses. */
  bargeToSilenceMs?: number;
  firstDeltaPerf?: number;
}

/**
 * Pairs each response's socket events with what the tap recorded. The output timeline is
 * the context's (tap block times corrected by the tap calibration); socket arrivals are
 * placed on it with getOutputTimestamp() (the frame being heard at that instant).
 */
export function analyzeResponses(c: Collected, tapOffsetS: number): ResponseAnalysis[] {
  const rate = c.sampleRate || 48_000;
  const blockS = BLOCK_S(c.blocks, rate);
  const blocks = c.blocks.map((b) => ({ time: b.time - tapOffsetS, peak: b.peak }));
  const times = blocks.map((b) => b.time);
  const firstIndexAtOrAfter = (t: number) => firstAtOrAbove(times, t);
  const ev = c.events;
  const out: ResponseAnalysis[] = [];
  const firsts = ev.filter((e) => e.type === 'first-delta' && e.out !== undefined);
  for (let k = 0; k < firsts.length; k++) {
    const f = firsts[k]!;
    const rid = f.responseId!;
    const audio = c.responses.find((r) => r.responseId === rid);
    const done = ev.find((e) => e.type === 'response.done' && e.responseId === rid);
    // The window of this response at the output: until the next response's first delta.
    const nextFirst = firsts[k + 1];
    // A barge-in: speech_started between this first delta and response.done(cancelled).
    const barge = done?.status === 'cancelled'
      ? ev.find((e) => e.type === 'input_audio_buffer.speech_started' && e.perf > f.perf && e.perf <= done.perf && e.out !== undefined)
      : undefined;
    const windowEnd = barge?.out ?? nextFirst?.out ?? Infinity;
    const a: ResponseAnalysis = { responseId: rid, status: done?.status, reason: done?.reason, bargedIn: Boolean(barge), firstDeltaPerf: f.perf, underrunsInside: 0, underrunsAfter: 0 };
    const from = firstIndexAtOrAfter(f.out!);
    let first = -1;
    let last = -1;
    for (let i = from; i < blocks.length && blocks[i]!.time < windowEnd; i++) {
      if (blocks[i]!.peak > 0.001) {
        if (first < 0) first = i;
        last = i;
      }
    }
    for (const u of ev) {
      if (u.type !== 'underrun' || u.responseId !== rid) continue;
      if (first >= 0 && u.frameTime !== undefined && u.frameTime >= blocks[last]!.time) a.underrunsAfter++;
      else a.underrunsInside++;
    }
    if (a.underrunsInside > 0) a.gap = true;
    if (first >= 0 && audio) {
      const leadS = audio.lead / 48_000;
      a.deltaToOutputMs = (blocks[first]!.time - leadS - f.out!) * 1000;
      let run = 0;
      let longest = 0;
      for (let i = first; i <= last; i++) {
        if (blocks[i]!.peak === 0) longest = Math.max(longest, ++run);
        else run = 0;
      }
      a.longestSilenceMs = longest * blockS * 1000;
      a.sourcePauseMs = (audio.longestZeroRun / 48_000) * 1000;
      a.gap ||= a.longestSilenceMs > a.sourcePauseMs + 2 * blockS * 1000;
      if (!barge && done?.status === 'completed' && audio.samples > audio.lead) {
        const heard = blocks[last]!.time + blockS - blocks[first]!.time;
        const sent = (audio.samples - audio.lead - audio.trail) / 48_000;
        a.extraMs = (heard - sent) * 1000;
        if (a.extraMs > 20) a.gap = true;
      }
    }
    if (barge) {
      // First block after the barge-in from which the output stays silent (until the next response).
      let i = firstIndexAtOrAfter(barge.out!);
      let silentAt: number | undefined;
      for (; i < blocks.length && blocks[i]!.time < (nextFirst?.out ?? Infinity); i++) {
        if (blocks[i]!.peak > 0.001) silentAt = undefined;
        else silentAt ??= blocks[i]!.time;
      }
      if (silentAt !== undefined) a.bargeToSilenceMs = (silentAt - barge.out!) * 1000;
    }
    out.push(a);
  }
  return out;
}

export interface VoiceToVoice {
  responseId: string;
  /** End of the user's speech, on the socket → first reply audio heard (ms, output clock). */
  socketToHeardMs: number;
  /** End-of-speech chunk on the socket → speech_stopped arrives (page clock): server end-of-turn detection + relay. */
  endOfTurnMs: number;
  /** The simulator's own speech_stopped → first delta (its clock, onTiming). */
  simulatorMs: number;
  /** First delta on the socket → first audible sample heard. */
  deltaToHeardMs: number;
}

/**
 * Per user turn answered by speech (trigger 'turn'): from the uplink chunk holding
 * audio_end_ms leaving on the socket to the reply's first audible sample at the output.
 * The mic → socket part is added by the caller (it is measured per chunk, not per turn).
 */
export function analyzeVoiceToVoice(c: Collected, timings: ResponseTiming[], responses: ResponseAnalysis[]): VoiceToVoice[] {
  const out: VoiceToVoice[] = [];
  for (const t of timings) {
    if (t.trigger !== 'turn' || t.firstDeltaAt === undefined || t.speechStoppedAt === undefined) continue;
    const first = c.events.find((e) => e.type === 'first-delta' && e.responseId === t.responseId);
    const r = responses.find((x) => x.responseId === t.responseId);
    if (!first || !r || r.deltaToOutputMs === undefined || first.out === undefined) continue;
    const stopped = c.events.filter((e) => e.type === 'input_audio_buffer.speech_stopped' && e.perf < first.perf && e.endSentPerf !== undefined).at(-1);
    if (!stopped || stopped.out === undefined) continue;
    const endSentOut = stopped.out - (stopped.perf - stopped.endSentPerf!) / 1000;
    const heard = first.out + r.deltaToOutputMs / 1000;
    out.push({
      responseId: t.responseId,
      socketToHeardMs: (heard - endSentOut) * 1000,
      endOfTurnMs: stopped.perf - stopped.endSentPerf!,
      simulatorMs: t.firstDeltaAt - t.speechStoppedAt,
      deltaToHeardMs: r.deltaToOutputMs,
    });
  }
  return out;
}
