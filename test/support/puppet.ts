// Browser side of the puppet server (see puppet-server.ts): script a real WebSocket server
// from a test, and await what the client under test sends.
import type { PuppetCommand, PuppetEvent } from './puppet-protocol.ts';

type Waiter = { match: (e: PuppetEvent) => boolean; resolve: (e: PuppetEvent) => void };

export class Puppet {
  /** Everything seen so far, in order. */
  readonly events: PuppetEvent[] = [];
  private waiters: Waiter[] = [];

  private constructor(
    readonly id: string,
    private control: WebSocket,
  ) {
    control.onmessage = (m) => {
      const event = JSON.parse(String(m.data)) as PuppetEvent;
      this.events.push(event);
      this.waiters = this.waiters.filter((w) => (w.match(event) ? (w.resolve(event), false) : true));
    };
  }

  static async create(): Promise<Puppet> {
    const id = Math.random().toString(36).slice(2);
    const control = new WebSocket(`${wsOrigin()}/__puppet/control?id=${id}`);
    await new Promise((resolve, reject) => {
      control.onopen = resolve;
      control.onerror = () => reject(new Error('puppet control socket failed'));
    });
    return new Puppet(id, control);
  }

  /** WebSocket base URL for the client under test (it appends ?model=&api_key=). */
  get url(): string {
    return `${wsOrigin()}/__puppet/ws?id=${this.id}`;
  }

  /** Frames the client sent, parsed, optionally of one type. */
  sent(type?: string): any[] {
    return this.events
      .filter((e): e is Extract<PuppetEvent, { ev: 'frame' }> => e.ev === 'frame')
      .map((e) => JSON.parse(e.data))
      .filter((f) => type === undefined || f.type === type);
  }

  /** Resolves with the next event (past or future, counting from `after`) that matches. */
  waitFor(match: (e: PuppetEvent) => boolean, timeoutMs = 5000, after = 0): Promise<PuppetEvent> {
    const seen = this.events.slice(after).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`puppet: timed out after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  /** Waits for the n-th (0-based) client frame of the given type and returns it parsed. */
  async frame(type: string, nth = 0, timeoutMs = 5000): Promise<any> {
    let count = 0;
    const e = await this.waitFor(
      (ev) => ev.ev === 'frame' && JSON.parse(ev.data).type === type && count++ === nth,
      timeoutMs,
    );
    return JSON.parse((e as { data: string }).data);
  }

  connection(n = 0, timeoutMs = 5000): Promise<PuppetEvent> {
    return this.waitFor((e) => e.ev === 'open' && e.conn === n, timeoutMs);
  }

  connections(): number {
    return this.events.filter((e) => e.ev === 'open').length;
  }

  command(cmd: PuppetCommand): void {
    this.control.send(JSON.stringify(cmd));
  }

  send(frame: unknown, conn?: number): void {
    this.command({ op: 'send', frame, ...(conn === undefined ? {} : { conn }) });
  }

  sendRaw(raw: string): void {
    this.command({ op: 'send', raw });
  }

  close(code = 1000, reason = ''): void {
    this.command({ op: 'close', code, reason });
  }

  drop(): void {
    this.command({ op: 'drop' });
  }

  /** Streams frames paced in real time (frame k at k·intervalMs), up to leadMs ahead. */
  stream(frames: unknown[], intervalMs: number, leadMs = 0, conn?: number): void {
    this.command({ op: 'stream', frames, intervalMs, leadMs, ...(conn === undefined ? {} : { conn }) });
  }

  rejectNext(status: number, count = 1): void {
    this.command({ op: 'reject-next', status, count });
  }

  dispose(): void {
    this.control.close();
  }
}

function wsOrigin(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}
