// Loopback fixtures for relay tests: a relay on a real http server, a scriptable upstream
// ws server standing in for Hydra, and a browser-like client that records everything.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { createRelay, type Relay, type RelayOptions } from '../../../src/server/relay/index.ts';

export const SECRET = 'test-secret-0123456789abcdef-0123456789';
export const API_KEY = 'sk-real-upstream-key';
export const ORIGIN = 'https://shop.example';

export function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface UpstreamConnection {
  ws: WebSocket;
  url: URL;
  frames: { data: Buffer; binary: boolean }[];
  closed: Promise<{ code: number; reason: string }>;
}

export interface FakeUpstream {
  url: string;
  connections: UpstreamConnection[];
  /** Resolves with the next accepted connection. */
  next(): Promise<UpstreamConnection>;
  /** Called for every upgrade before accepting: return an HTTP status to refuse it. */
  gate: (req: IncomingMessage) => number | undefined | Promise<number | undefined>;
  upgrades: number;
  close(): Promise<void>;
}

/** A stand-in for Hydra: accepts `api_key=API_KEY` (HTTP 401 otherwise), records frames. */
export async function startUpstream(): Promise<FakeUpstream> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const waiters: ((c: UpstreamConnection) => void)[] = [];
  const upstream: FakeUpstream = {
    url: '',
    connections: [],
    upgrades: 0,
    gate: (req) => (new URL(req.url!, 'http://x').searchParams.get('api_key') === API_KEY ? undefined : 401),
    next: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await closeServer(server);
    },
  };
  server.on('upgrade', async (req, socket: Duplex, head) => {
    upstream.upgrades++;
    const status = await upstream.gate(req);
    if (status !== undefined) {
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const frames: UpstreamConnection['frames'] = [];
      ws.on('message', (data: Buffer, binary: boolean) => frames.push({ data, binary }));
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      const conn = { ws, url: new URL(req.url!, 'http://upstream'), frames, closed };
      upstream.connections.push(conn);
      waiters.shift()?.(conn);
    });
  });
  const port = await listen(server);
  upstream.url = `ws://127.0.0.1:${port}/s2s`;
  return upstream;
}

export interface RelayFixture {
  relay: Relay;
  /** ws://127.0.0.1:<port>/relay */
  url: string;
  close(): Promise<void>;
}

/** A relay mounted at /relay on its own http server. */
export async function startRelay(options: Partial<RelayOptions> & { upstreamUrl: string }): Promise<RelayFixture> {
  const relay = createRelay({ secret: SECRET, apiKey: API_KEY, ...options });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url!, 'http://x').pathname === '/relay') relay.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  const port = await listen(server);
  return {
    relay,
    url: `ws://127.0.0.1:${port}/relay`,
    close: async () => {
      await relay.close();
      await closeServer(server);
    },
  };
}

export interface TestClient {
  ws: WebSocket;
  frames: { data: Buffer; binary: boolean }[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the n-th (1-based) frame received. */
  frame(n: number): Promise<{ data: Buffer; binary: boolean }>;
}

/** A browser-like client: sends Origin like a page would (omit with origin: null). */
export function connect(url: string, query: Record<string, string>, origin: string | null = ORIGIN): TestClient {
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  const ws = new WebSocket(u, { perMessageDeflate: false, ...(origin ? { origin } : {}) });
  const frames: TestClient['frames'] = [];
  const frameWaiters = new Map<number, (f: { data: Buffer; binary: boolean }) => void>();
  ws.on('message', (data: Buffer, binary: boolean) => {
    frames.push({ data, binary });
    frameWaiters.get(frames.length)?.(frames[frames.length - 1]!);
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {}); // only tests that await it care
  return {
    ws,
    frames,
    opened,
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    frame: (n) =>
      frames.length >= n ? Promise.resolve(frames[n - 1]!) : new Promise((resolve) => frameWaiters.set(n, resolve)),
  };
}

/** Parses a frame the relay itself produced. */
export function json(frame: { data: Buffer }): Record<string, any> {
  return JSON.parse(frame.data.toString('utf8'));
}

export interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Plain http.request so tests control every header (Origin included). */
export function http(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A port with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}
