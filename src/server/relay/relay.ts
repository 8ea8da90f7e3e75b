// The relay: a WebSocket endpoint that lets a browser talk to Hydra without ever holding
// the API key. The browser presents a short-lived token (see ../token/); the relay checks
// it, opens its own upstream socket with the real key, and pipes frames unchanged.
//
// Rejections are reported after accepting the upgrade: a browser cannot read an HTTP
// status on a failed WebSocket upgrade (it only sees close 1006), so the relay sends a
// Hydra-shaped `error` frame and closes with an application code (close-codes.ts).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import WebSocket, { WebSocketServer } from 'ws';
import { DEFAULT_MAX_FRAME_BYTES } from '../../protocol/index.ts';
import { originMatcher, requestOrigin, type AllowedOrigins } from '../http/origins.ts';
import { assertSecret, verifyToken, type Secret } from '../token/tokens.ts';
import { RELAY_CLOSE, WS_CLOSE } from './close-codes.ts';
import { ConcurrencyCounter } from './limits.ts';
import { rejectClient, startPipe, type PipeCounts, type PipeEnd } from './pipe.ts';

export const DEFAULT_UPSTREAM_URL = 'wss://api.smallest.ai/waves/v1/s2s';

export interface RelayOptions {
  /** The token endpoint's secret. */
  secret: Secret;
  /** Hydra's WebSocket URL (or a simulator's). Default wss://api.smallest.ai/waves/v1/s2s. */
  upstreamUrl?: string;
  /** The real API key, sent only upstream. Default process.env.SMALLEST_API_KEY. */
  apiKey?: string;
  /** Extra check on the upgrade's Origin, on top of the token's origin binding. */
  allowedOrigins?: AllowedOrigins;
  /** Largest frame in either direction; larger closes with 1009. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Session length cap; then close 4008. Default 30 min. */
  maxSessionMs?: number;
  /** Concurrent sessions per token. Default 1. */
  maxSessionsPerToken?: number;
  /** Concurrent sessions per client IP. Default 20. */
  maxSessionsPerIp?: number;
  /** Upstream upgrade deadline; then close 4504. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Client IP for the per-IP limit. Default: the socket's address (set this behind a proxy). */
  clientIp?: (req: IncomingMessage) => string;
  /** Structured events for logging. Never contains the API key or tokens. */
  log?: (event: RelayLogEvent) => void;
  /** Clock in ms for token expiry, for tests. */
  now?: () => number;
}

export type RelayLogEvent =
  | { type: 'rejected'; id: string; ip: string; origin?: string; code: number; reason: string }
  | { type: 'session-start'; id: string; ip: string; origin: string; model?: string }
  | ({ type: 'session-end'; id: string; ip: string; durationMs: number } & PipeEnd);

export interface RelayStats {
  /** Sessions whose browser socket is still open (connecting upstream or piping). */
  active: number;
  accepted: number;
  rejected: number;
  upstreamFailures: number;
  framesUp: number;
  framesDown: number;
  bytesUp: number;
  bytesDown: number;
}

export interface Relay {
  /** Mount on `server.on('upgrade')` for the relay's path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every session (1001 to both sides) and stops accepting. */
  close(): Promise<void>;
  stats(): RelayStats;
}

/**
 * Creates the relay. Browsers connect to `<relay>?model=<model>&api_key=<token>`; the
 * relay connects to `<upstreamUrl>?model=<model>&api_key=<real key>`.
 */
export function createRelay(options: RelayOptions): Relay {
  assertSecret(options.secret);
  const apiKey = options.apiKey ?? process.env.SMALLEST_API_KEY;
  if (!apiKey) throw new Error('createRelay: no API key (pass apiKey or set SMALLEST_API_KEY)');
  const upstreamBase = new URL(options.upstreamUrl ?? DEFAULT_UPSTREAM_URL);
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxSessionMs = options.maxSessionMs ?? 30 * 60_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const perToken = new ConcurrencyCounter(options.maxSessionsPerToken ?? 1);
  const perIp = new ConcurrencyCounter(options.maxSessionsPerIp ?? 20);
  const originAllowed = options.allowedOrigins ? originMatcher(options.allowedOrigins) : undefined;
  const clientIp = options.clientIp ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const log = options.log ?? (() => {});

  // maxPayload makes ws close an oversized client frame with 1009 before it is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, perMessageDeflate: false, clientTracking: true });
  const totals = { accepted: 0, rejected: 0, upstreamFailures: 0, framesUp: 0, framesDown: 0, bytesUp: 0, bytesDown: 0 };
  /** Counters of sessions still open; folded into `totals` when each ends. */
  const live = new Set<PipeCounts>();
  let closed = false;

  function upstreamUrlFor(model: string | null): string {
    const url = new URL(upstreamBase);
    if (model) url.searchParams.set('model', model);
    url.searchParams.set('api_key', apiKey!);
    return url.toString();
  }

  function onConnection(client: WebSocket, req: IncomingMessage): void {
    const id = randomBytes(6).toString('hex');
    const ip = clientIp(req);
    const origin = requestOrigin(req);
    const reject = (code: number, errorCode: 'invalid_request_error' | 'server_full', message: string, param?: string) => {
      totals.rejected++;
      log({ type: 'rejected', id, ip, ...(origin ? { origin } : {}), code, reason: message });
      rejectClient(client, code, errorCode, message, param);
    };
    if (closed) return reject(WS_CLOSE.GOING_AWAY, 'server_full', 'shutting down');

    const query = new URL(req.url ?? '/', 'http://relay.invalid').searchParams;
    const model = query.get('model');
    if (originAllowed && (!origin || !originAllowed(origin, req))) {
      return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', origin ? `origin ${origin} is not allowed` : 'missing Origin header');
    }
    // Signature, purpose and expiry first (4001), then the binding to this page (4003).
    const verdict = verifyToken(query.get('api_key'), { secret: options.secret, now: options.now });
    if (!verdict.ok) return reject(RELAY_CLOSE.UNAUTHORIZED, 'invalid_request_error', verdict.message, 'api_key');
    const token = verdict.payload;
    if (origin !== token.origin) {
      return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', 'token was minted for another origin', 'api_key');
    }
    if (token.model !== undefined && model !== token.model) {
      return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', `token is only valid for model ${token.model}`, 'model');
    }
    if (!perToken.tryAcquire(token.jti)) {
      return reject(RELAY_CLOSE.TOO_MANY_SESSIONS, 'invalid_request_error', `too many sessions for this token (limit ${perToken.limit}); fetch a new token`, 'api_key');
    }
    if (!perIp.tryAcquire(ip)) {
      perToken.release(token.jti);
      return reject(RELAY_CLOSE.TOO_MANY_SESSIONS, 'server_full', `too many concurrent sessions from this address (limit ${perIp.limit})`);
    }

    totals.accepted++;
    const startedAt = Date.now();
    log({ type: 'session-start', id, ip, origin, ...(model ? { model } : {}) });
    const counts = startPipe(
      client,
      {
        upstreamUrl: upstreamUrlFor(model),
        maxFrameBytes,
        maxSessionMs,
        connectTimeoutMs,
        maxPendingBytes: Math.max(2 << 20, 2 * maxFrameBytes),
      },
      (end) => {
        live.delete(counts);
        perToken.release(token.jti);
        perIp.release(ip);
        if (end.upstreamFailure) totals.upstreamFailures++;
        totals.framesUp += end.framesUp;
        totals.framesDown += end.framesDown;
        totals.bytesUp += end.bytesUp;
        totals.bytesDown += end.bytesDown;
        log({ type: 'session-end', id, ip, durationMs: Date.now() - startedAt, ...end });
      },
    );
    live.add(counts);
  }

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (client) => onConnection(client, req));
    },
    stats() {
      const sum = { ...totals };
      for (const c of live) {
        sum.framesUp += c.framesUp;
        sum.framesDown += c.framesDown;
        sum.bytesUp += c.bytesUp;
        sum.bytesDown += c.bytesDown;
      }
      return { active: live.size, ...sum };
    },
    async close() {
      closed = true;
      const clients = [...wss.clients];
      await Promise.all(
        clients.map(
          (client) =>
            new Promise<void>((resolve) => {
              if (client.readyState === WebSocket.CLOSED) return resolve();
              client.once('close', () => resolve());
              client.close(WS_CLOSE.GOING_AWAY, 'relay: shutting down');
              // A peer that never answers the close frame must not hold shutdown up.
              setTimeout(() => client.terminate(), 2000).unref();
            }),
        ),
      );
      // wss stays usable (noServer: it owns no port) so late upgrades still get a readable
      // 1001 instead of a bare HTTP error.
    },
  };
}
