// Shared pieces for HydraSession tests against the puppet server: fake timers (no sleeps),
// a seeded PRNG, event capture, the handshake, and a barrier that proves the client has
// sent everything it was going to.
import { HydraSession } from '../../../src/session/index.ts';
import type { HydraSessionEventMap, HydraSessionOptions, SessionTimers } from '../../../src/session/index.ts';
import { Puppet } from '../../support/puppet.ts';

/** Manual clock: timers fire only inside advance(). */
export class FakeTimers implements SessionTimers {
  time = 0;
  /** Timers scheduled so far. */
  scheduled = 0;
  private seq = 0;
  private queue = new Map<number, { at: number; delay: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.scheduled++;
    this.queue.set(id, { at: this.time + Math.max(0, ms), delay: ms, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.queue.delete(handle as number);
  };

  now = (): number => this.time;

  /** Delays of the timers still pending, in scheduling order. */
  delays(): number[] {
    return [...this.queue.values()].map((t) => t.delay);
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Moves the clock forward, firing due timers in order (also ones scheduled meanwhile). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.queue) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.queue.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
}

/** mulberry32: small, seeded, reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let serverEventId = 0;
export const sv = () => `sv_s_${++serverEventId}`;

export const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

export interface Harness {
  session: HydraSession;
  timers: FakeTimers;
  events: { type: string; detail: any }[];
  of<K extends keyof HydraSessionEventMap>(type: K): HydraSessionEventMap[K]['detail'][];
}

const ALL_EVENTS: (keyof HydraSessionEventMap)[] = [
  'state', 'session', 'warning', 'turn-start', 'turn-end', 'turn-discarded', 'response-start', 'response-end', 'playback-end',
  'audio', 'audio-done', 'barge-in', 'tool-call', 'error', 'reconnecting', 'frame',
];

/** A session on fake timers and a fixed random, with every event recorded. */
export function harness(puppet: Puppet, options: Partial<HydraSessionOptions> = {}): Harness {
  const timers = new FakeTimers();
  const session = new HydraSession({ url: puppet.url, config: {}, timers, random: () => 0.5, wireLog: true, ...options });
  const events: { type: string; detail: any }[] = [];
  for (const type of ALL_EVENTS) session.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
  return {
    session,
    timers,
    events,
    of: (type) => events.filter((e) => e.type === type).map((e) => e.detail),
  };
}

/** A puppet server per test; sessions made with `make()` are stopped after it. */
export function puppetFixture(): { puppet: Puppet; make(options?: Partial<HydraSessionOptions>): Harness } {
  let sessions: HydraSession[] = [];
  const fx = {
    puppet: undefined as unknown as Puppet,
    make(options: Partial<HydraSessionOptions> = {}) {
      const h = harness(fx.puppet, options);
      sessions.push(h.session);
      return h;
    },
  };
  mocha.beforeEach(async () => {
    fx.puppet = await Puppet.create();
    sessions = [];
  });
  mocha.afterEach(() => {
    for (const s of sessions) s.stop();
    fx.puppet.dispose();
  });
  return fx;
}

/** Resolves with the next event of a type (optionally matching); rejects after a guard time. */
export function nextEvent<K extends keyof HydraSessionEventMap>(
  session: HydraSession,
  type: K,
  match: (detail: HydraSessionEventMap[K]['detail']) => boolean = () => true,
  guardMs = 5000,
): Promise<HydraSessionEventMap[K]['detail']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.removeEventListener(type, on);
      reject(new Error(`no ${type} event`));
    }, guardMs);
    const on = (e: HydraSessionEventMap[K]) => {
      if (!match(e.detail)) return;
      clearTimeout(timer);
      session.removeEventListener(type, on);
      resolve(e.detail);
    };
    session.addEventListener(type, on);
  });
}

/** Plays Hydra's side of the handshake on connection `conn`; returns the configure frame. */
export async function handshake(puppet: Puppet, session: HydraSession, conn = 0, echo?: Record<string, unknown>): Promise<any> {
  await puppet.connection(conn);
  const configured = nextEvent(session, 'session');
  puppet.send({ type: 'session.created', event_id: sv(), session_id: `sess_${conn}` }, conn);
  const configure = await frameOn(puppet, conn, 'session.configure');
  puppet.send({ type: 'session.configured', event_id: sv(), session: echo ?? configure.session }, conn);
  await configured;
  return configure;
}

/** The first frame of a type the client sent on connection `conn`, parsed. */
export async function frameOn(puppet: Puppet, conn: number, type: string): Promise<any> {
  const e = await puppet.waitFor((ev) => ev.ev === 'frame' && ev.conn === conn && JSON.parse(ev.data).type === type);
  return JSON.parse((e as { data: string }).data);
}

/**
 * Proves the puppet has everything the client sent so far: a response.cancel goes out last
 * on the same ordered socket, and arrives.
 */
export async function barrier(puppet: Puppet, session: HydraSession): Promise<void> {
  const n = puppet.sent('response.cancel').length;
  session.cancelResponse();
  await puppet.frame('response.cancel', n);
}

/** Proves the client has processed every frame sent so far: a warning round trip (no state effect). */
export async function serverBarrier(puppet: Puppet, session: HydraSession, conn?: number): Promise<void> {
  const code = `barrier_${++serverEventId}`;
  const seen = nextEvent(session, 'warning', (d) => d.code === code);
  puppet.send({ type: 'warning', event_id: sv(), code }, conn);
  await seen;
}

export function decodePcm(b64: string): Int16Array {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Int16Array(bytes.buffer);
}

export function encodePcm(pcm: Int16Array): string {
  let s = '';
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}

/** Settles pending promise callbacks (a tool handler's resolved value) without sleeping. */
export async function microtasks(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

// Mocha's globals, typed here: the project has no @types/mocha, and a global declaration
// in this folder would clash with it once it is added.
type Body = (this: unknown) => void | Promise<unknown>;
interface MochaGlobals {
  describe(title: string, body: () => void): void;
  it(title: string, body: Body): void;
  beforeEach(body: Body): void;
  afterEach(body: Body): void;
}
const mocha = globalThis as unknown as MochaGlobals;
export const describe = mocha.describe.bind(globalThis);
export const it = mocha.it.bind(globalThis);
export const beforeEach = mocha.beforeEach.bind(globalThis);
export const afterEach = mocha.afterEach.bind(globalThis);

/** Waits (event-loop turns, no fixed sleep) until a condition holds; rejects after a guard time. */
export async function until(condition: () => boolean, what = 'condition', guardMs = 5000): Promise<void> {
  const deadline = performance.now() + guardMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The client saw its socket open: the handshake deadline (handshakeTimeoutMs) is armed. */
export function clientOpened(timers: FakeTimers, handshakeTimeoutMs = 10_000): Promise<void> {
  return until(() => timers.delays().includes(handshakeTimeoutMs), 'the client socket to open');
}
