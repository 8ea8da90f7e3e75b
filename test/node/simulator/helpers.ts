// Shared pieces for the simulator tests: a recording WebSocket client, audio fixtures made
// at test time with Flite, and PCM helpers. Everything runs on loopback with real sockets.
import WebSocket from 'ws';
import { base64ToPcm16, pcm16ToBase64 } from '../../../src/protocol/index.ts';
import { synthesizeSpeech } from '../../../src/server/tts/flite.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any> & { type: string };

export const SPEECH_TEXT = 'What is the weather like in Paris today?';
export const LEAD_MS = 1000;

/** A client that records every frame and lets tests wait for the ones they expect. */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private listeners = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { type: '(binary)' } : (JSON.parse(data.toString()) as Frame));
      for (const l of [...this.listeners]) l();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket; rejects with `{status}` when the upgrade is refused. `origin` sets the Origin header (as a page would). */
  static connect(base: string, query: Record<string, string | undefined> = {}, options: { origin?: string } = {}): Promise<TestClient> {
    const url = new URL(base);
    const q = { model: 'hydra-v1.1', api_key: 'test-key', ...query };
    for (const [k, v] of Object.entries(q)) if (v !== undefined) url.searchParams.set(k, v);
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(options.origin ? { origin: options.origin } : {}) });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
      });
      ws.once('error', (e) => reject(e));
    });
  }

  /** Connects, answers session.created with session.configure and waits for the echo. */
  static async configured(
    base: string,
    session: Record<string, unknown> = {},
    query: Record<string, string | undefined> = {},
    options: { origin?: string } = {},
  ): Promise<TestClient> {
    const c = await TestClient.connect(base, query, options);
    await c.waitFor('session.created');
    c.send({ type: 'session.configure', event_id: 'cl_configure', session });
    await c.waitFor('session.configured');
    return c;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends PCM16 16 kHz as `input_audio_buffer.append` frames of `chunkSamples` (faster than real time). */
  sendAudio(pcm: Int16Array, chunkSamples = 320): void {
    for (let i = 0; i < pcm.length; i += chunkSamples) {
      this.send({ type: 'input_audio_buffer.append', audio: pcm16ToBase64(pcm.subarray(i, i + chunkSamples)) });
    }
  }

  /** The first frame at index ≥ `from` matching, waiting up to `timeoutMs` for it. */
  waitFor(match: string | ((f: Frame) => boolean), options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    const pred = typeof match === 'string' ? (f: Frame) => f.type === match : match;
    const { from = 0, timeoutMs = 30_000 } = options;
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.frames.slice(from).find(pred);
        if (!hit) return false;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${typeof match === 'string' ? match : 'a frame'}; got ${this.types().join(', ')}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  /** Frame types so far, without audio deltas (they are many). */
  types(from = 0): string[] {
    return this.frames.slice(from).map((f) => f.type).filter((t) => t !== 'response.output_audio.delta');
  }

  /** Decoded 48 kHz audio of one response. */
  audioOf(responseId: string): Int16Array {
    const parts = this.frames
      .filter((f) => f.type === 'response.output_audio.delta' && f.response_id === responseId)
      .map((f) => base64ToPcm16(f.delta as string)!);
    return concat(...parts);
  }

  close(): void {
    this.ws.close();
  }
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const silence = (ms: number): Int16Array => new Int16Array(Math.round(ms * 16));

export function rms(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return pcm.length ? Math.sqrt(s / pcm.length) : 0;
}

/** A tone-plus-noise burst: loud, clearly "voiced" to a VAD, but as short as a cough. */
export function burst(ms: number, seed = 7): Int16Array {
  const n = Math.round(ms * 16);
  const out = new Int16Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(7000 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 2500 * ((x / 0x7fffffff) * 2 - 1));
  }
  return out;
}

export interface SpeechFixture {
  /** LEAD_MS of silence, the sentence, then `tailMs` of silence, 16 kHz. */
  pcm: Int16Array;
  speech: Int16Array;
  /** Where the speech is audible (RMS of 10 ms frames above 300), in ms of `pcm`. */
  onsetMs: number;
  offsetMs: number;
}

let speechPromise: Promise<Int16Array> | undefined;

/** The spoken-question fixture, synthesized once per process. */
export async function speechFixture(tailMs = 1500): Promise<SpeechFixture> {
  speechPromise ??= synthesizeSpeech(SPEECH_TEXT, { sampleRate: 16_000 });
  const speech = await speechPromise;
  let first = -1;
  let last = -1;
  for (let i = 0; i + 160 <= speech.length; i += 160) {
    if (rms(speech.subarray(i, i + 160)) > 300) {
      if (first < 0) first = i / 16;
      last = (i + 160) / 16;
    }
  }
  return { pcm: concat(silence(LEAD_MS), speech, silence(tailMs)), speech, onsetMs: LEAD_MS + first, offsetMs: LEAD_MS + last };
}

/** Fast, deterministic timings for protocol tests. */
export const FAST = { speed: 50, replyLatencyMs: 0, toolCallLatencyMs: 0, leadMs: 200 } as const;
