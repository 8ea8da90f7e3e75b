// `npm start`: one server for the demo, and a reference deployment. Serves demo/ at / and
// dist/ at /dist/, mints tokens at POST /api/hydra-token (server-held agent `concierge`
// included) and relays WebSocket /hydra to the real Hydra (SMALLEST_API_KEY set) or to the
// local simulator mounted at /hydra-sim on the same port.
//
// Env (docs/SERVER.md, Deploy): PORT (default 5173; the next free port if taken; 0 = any),
// HOST (default 127.0.0.1), SMALLEST_API_KEY, HYDRA_UPSTREAM_URL (override the real
// endpoint), HYDRA_RELAY_SECRET (shared by all instances), REDIS_URL (shared state for
// several instances), HYDRA_ALLOWED_ORIGINS (comma-separated, added to the server's own),
// HYDRA_TOKEN_RATE_LIMIT (token requests per IP per minute, default 60),
// HYDRA_MAX_SESSIONS_PER_IP (default 20), HYDRA_PAGE_SESSIONS=0 (serve server-held agents only).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sendJson } from './http/json.ts';
import { normalizeOrigin } from './http/origins.ts';
import { serveFile } from './http/static.ts';
import { createRelay, DEFAULT_UPSTREAM_URL, type Agents, type RelayLogEvent } from './relay/index.ts';
import { createSimulator, type SimulatorOptions } from './simulator/index.ts';
import { createMemoryStore, createRedisStore, type RelayStore } from './store/index.ts';
import { createTokenHandler } from './token/index.ts';

/**
 * The server-held agents `npm start` serves. The page names one (`<hydra-voice agent="concierge">`)
 * and cannot change its persona or tools; it still answers the tool calls.
 */
export const DEMO_AGENTS: Agents = {
  concierge: {
    model: 'hydra-v1.1',
    voice: 'maya',
    instructions:
      'You are the concierge of Hotel Hydra. Greet the guest, then help with rooms, dining and local tips. ' +
      'Call check_availability before promising a room. Keep every answer to one or two sentences.',
    speaksFirst: true,
    tools: [
      {
        type: 'function',
        name: 'check_availability',
        description: 'Rooms free on a date',
        parameters: {
          type: 'object',
          properties: { date: { type: 'string', description: 'ISO date, e.g. 2026-05-01' }, guests: { type: 'integer', minimum: 1 } },
          required: ['date'],
        },
      },
    ],
  },
};

export interface DevServerOptions {
  /** Port to try first; 0 picks any free port. Default PORT or 5173. */
  port?: number;
  /** When the port is taken: try the next ports, then any (default), or fail. */
  strictPort?: boolean;
  /** Interface to bind. Default HOST or 127.0.0.1 (loopback only). */
  host?: string;
  /**
   * 'auto' (default): real Hydra when an API key is available, else the simulator.
   * An object points the relay at any Hydra-compatible endpoint.
   */
  upstream?: 'auto' | 'hydra' | 'simulator' | { url: string; apiKey: string };
  /** Default SMALLEST_API_KEY. */
  apiKey?: string;
  /** Folder holding demo/ and dist/. Default: this repository. */
  root?: string;
  /** Token secret. Default HYDRA_RELAY_SECRET or random per start (tokens live 60 s anyway). */
  secret?: string;
  /**
   * Extra origins allowed to fetch tokens (the server's own loopback origins always are).
   * Default: HYDRA_ALLOWED_ORIGINS, comma-separated.
   */
  allowedOrigins?: string[];
  /** Server-held agents. Default DEMO_AGENTS (`concierge`). */
  agents?: Agents;
  /**
   * Also serve sessions the page configures itself (the playground does). Default true;
   * HYDRA_PAGE_SESSIONS=0 leaves only the server-held agents.
   */
  pageSessions?: boolean;
  /** Redis for state shared by several instances. Default REDIS_URL; without it, memory. */
  redisUrl?: string;
  /** Token requests per client IP per minute. Default HYDRA_TOKEN_RATE_LIMIT or 60. */
  tokenRateLimit?: number;
  /** Options for the local simulator. */
  simulator?: SimulatorOptions;
  /** Relay limits passed through (e.g. maxSessionMs). maxSessionsPerIp defaults to HYDRA_MAX_SESSIONS_PER_IP. */
  relay?: { maxSessionMs?: number; maxSessionsPerIp?: number; maxFrameBytes?: number; connectTimeoutMs?: number };
  /** Where status lines go; default silent (the CLI passes console.log). */
  log?: (line: string) => void;
}

export interface DevServer {
  /** http://localhost:<port>/ */
  url: string;
  port: number;
  upstream: 'hydra' | 'simulator' | 'custom';
  /** Upstream WebSocket URL, without credentials. */
  upstreamUrl: string;
  server: Server;
  close(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOKEN_PATH = '/api/hydra-token';
export const RELAY_PATH = '/hydra';
export const SIMULATOR_PATH = '/hydra-sim';

function listenOnce(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Listens on `port`, else the next 10 ports, else any free port (unless strict). */
async function listenWithFallback(server: Server, port: number, host: string, strict: boolean): Promise<number> {
  const candidates = port === 0 || strict ? [port] : [...Array.from({ length: 10 }, (_, i) => port + i), 0];
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      return await listenOnce(server, candidate, host);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      lastError = e;
    }
  }
  throw lastError;
}

/** Loopback names a browser may use for this server, as origins. */
function ownOrigins(port: number, host: string): Set<string> {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  if (!['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(host)) names.push(host.includes(':') ? `[${host}]` : host);
  return new Set(names.map((n) => `http://${n}:${port}`));
}

function describeRelayEvent(e: RelayLogEvent): string {
  switch (e.type) {
    case 'session-start':
      return `relay: session ${e.id} opened from ${e.origin}${e.agent ? ` for agent ${e.agent}` : ''}${e.model ? ` (model ${e.model})` : ''}`;
    case 'session-end':
      return `relay: session ${e.id} closed ${e.code}${e.reason ? ` "${e.reason}"` : ''} after ${(e.durationMs / 1000).toFixed(1)} s, ${e.framesUp} frames up, ${e.framesDown} down`;
    case 'rejected':
      return `relay: rejected a connection (${e.code}: ${e.reason})`;
    case 'store-error':
      return `relay: state store failed (${e.error})`;
  }
}

/** A positive integer from the environment, or a clear error naming the variable. */
function envCount(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

/** HYDRA_ALLOWED_ORIGINS (or the option), normalized; a malformed entry fails the start. */
function extraOrigins(list: string[] | undefined): Set<string> {
  const entries = list ?? (process.env.HYDRA_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  return new Set(
    entries.map((entry) => {
      const origin = normalizeOrigin(entry);
      if (!origin) throw new Error(`HYDRA_ALLOWED_ORIGINS: "${entry}" is not an http(s) origin like https://www.example.com`);
      return origin;
    }),
  );
}

/** redis://host:port for logs: never the user name or password. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Starts the dev server; see the module comment. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => {});
  const root = resolve(options.root ?? REPO_ROOT);
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  const apiKey = options.apiKey ?? process.env.SMALLEST_API_KEY;
  const wanted = options.upstream ?? 'auto';
  const kind: DevServer['upstream'] =
    typeof wanted === 'object' ? 'custom' : wanted === 'auto' ? (apiKey ? 'hydra' : 'simulator') : wanted;
  if (kind === 'hydra' && !apiKey) throw new Error('upstream "hydra" needs SMALLEST_API_KEY (or the apiKey option)');
  const secret = options.secret ?? process.env.HYDRA_RELAY_SECRET ?? randomBytes(32).toString('hex');
  const extra = extraOrigins(options.allowedOrigins);
  const tokenRateLimit = options.tokenRateLimit ?? envCount('HYDRA_TOKEN_RATE_LIMIT') ?? 60;
  const maxSessionsPerIp = options.relay?.maxSessionsPerIp ?? envCount('HYDRA_MAX_SESSIONS_PER_IP');
  const pageSessions = options.pageSessions ?? process.env.HYDRA_PAGE_SESSIONS !== '0';
  const agents = options.agents ?? DEMO_AGENTS;
  const redisUrl = options.redisUrl ?? (process.env.REDIS_URL || undefined);
  if (redisUrl && !options.secret && !process.env.HYDRA_RELAY_SECRET) {
    log('  warning: REDIS_URL without HYDRA_RELAY_SECRET: every instance needs the same secret to accept the others\' tokens');
  }
  const store: RelayStore = redisUrl
    ? await createRedisStore({ url: redisUrl, onError: (e) => log(`  redis: ${e.message}`) })
    : createMemoryStore();

  const server = createServer();
  // The port is known only after listening; handlers read it lazily.
  let origins = new Set<string>();
  const isOwnOrigin = (origin: string) => origins.has(origin) || extra.has(origin);

  const simulatorKey = randomBytes(24).toString('hex');
  const simulator = kind === 'simulator' ? createSimulator({ ...options.simulator, apiKeys: [simulatorKey] }) : undefined;
  const loopback = host.includes(':') ? '[::1]' : '127.0.0.1';
  const port = await listenWithFallback(server, options.port ?? Number(process.env.PORT ?? 5173), host, options.strictPort ?? false).catch(
    async (e: unknown) => {
      await store.close();
      throw e;
    },
  );
  origins = ownOrigins(port, host);

  const upstreamUrl =
    typeof wanted === 'object'
      ? wanted.url
      : kind === 'simulator'
        ? `ws://${host === '0.0.0.0' || host === '::' ? loopback : host.includes(':') ? `[${host}]` : host}:${port}${SIMULATOR_PATH}`
        : (process.env.HYDRA_UPSTREAM_URL ?? DEFAULT_UPSTREAM_URL);
  const relay = createRelay({
    secret,
    upstreamUrl,
    apiKey: typeof wanted === 'object' ? wanted.apiKey : kind === 'simulator' ? simulatorKey : apiKey!,
    allowedOrigins: (origin) => isOwnOrigin(origin),
    ...options.relay,
    ...(maxSessionsPerIp ? { maxSessionsPerIp } : {}),
    store,
    agents,
    allowPageSessions: pageSessions,
    log: (e) => log(describeRelayEvent(e)),
  });
  const tokens = createTokenHandler({
    secret,
    allowedOrigins: (origin) => isOwnOrigin(origin),
    store,
    agents,
    allowPageSessions: pageSessions,
    rateLimit: { max: tokenRateLimit, windowSeconds: 60 },
    // Same host as the page, so the socket's Origin matches what the token was minted for.
    relayUrl: (req) => `${String(req.headers.origin).replace(/^http/, 'ws')}${RELAY_PATH}`,
  });

  const distHint = 'dist/hydra-voice.js is missing: run `npm run build` (npm start builds first)';
  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === TOKEN_PATH) return tokens(req, res);
    if (path.startsWith('/api/')) return sendJson(res, 404, { error: 'not found' });
    const served = path.startsWith('/dist/')
      ? serveFile(req, res, resolve(root, 'dist'), path.slice('/dist'.length), distHint)
      : serveFile(req, res, resolve(root, 'demo'), path);
    served.catch(() => res.headersSent ? res.destroy() : sendJson(res, 500, { error: 'internal error' }));
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === RELAY_PATH) return relay.handleUpgrade(req, socket, head);
    if (path === SIMULATOR_PATH && simulator) return simulator.handleUpgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const url = `http://localhost:${port}/`;
  const requested = options.port ?? Number(process.env.PORT ?? 5173);
  if (requested !== 0 && requested !== port) log(`port ${requested} is taken; using ${port}`);
  log(`hydra-voice dev server: open ${url}`);
  log(
    kind === 'simulator'
      ? `  upstream: local Hydra simulator at ${SIMULATOR_PATH} (set SMALLEST_API_KEY to use the real Hydra)`
      : `  upstream: ${kind === 'hydra' ? 'real Hydra' : 'custom'} at ${upstreamUrl}`,
  );
  log(`  token endpoint: POST ${TOKEN_PATH}   relay: ws://localhost:${port}${RELAY_PATH}`);
  log(`  agents: ${Object.keys(agents).join(', ') || 'none'}${pageSessions ? ' (page-configured sessions too)' : ' only'}`);
  log(`  state: ${redisUrl ? `Redis at ${redactUrl(redisUrl)} (shared by every instance using it)` : 'in memory (this process only)'}`);
  if (extra.size > 0) log(`  extra allowed origins: ${[...extra].join(', ')}`);
  if (!existsSync(resolve(root, 'dist/hydra-voice.js'))) log(`  note: ${distHint}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    upstream: kind,
    upstreamUrl,
    server,
    close: () =>
      (closing ??= (async () => {
        await relay.close();
        await simulator?.close();
        await store.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      })()),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const dev = await startDevServer({ log: (line) => console.log(line) }).catch((e: Error) => {
    console.error(`hydra-voice dev server: ${e.message}`);
    process.exit(1);
  });
  const stop = (signal: string) => {
    console.log(`\n${signal}: closing sessions…`);
    // A second signal while closing forces the exit.
    process.once(signal as NodeJS.Signals, () => process.exit(130));
    dev.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
