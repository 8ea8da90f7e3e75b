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
import { originMatcher, requestOrigin, type AllowedOrigins } from '../http/origins.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { RelayStore } from '../store/types.ts';
import { assertSecret, verifyToken, type Secret } from '../token/tokens.ts';
import { AgentGate } from './agent-gate.ts';
import { validateAgents, type Agents } from './agents.ts';
import { RELAY_CLOSE, WS_CLOSE } from './close-codes.ts';
import { rejectClient, startPipe, type ClientFrame } from './pipe.ts';
import type { PipeCounts, PipeEnd } from './pipe-types.ts';

export const DEFAULT_UPSTREAM_URL = 'wss://api.smallest.ai/waves/v1/s2s';
/** The protocol's frame cap (src/protocol/parse.ts), repeated so the server needs no zod. */
const DEFAULT_MAX_FRAME_BYTES = 1 << 20;
/**
 * Session slots are leases that lapse unless renewed, so the slots of an instance that
 * crashed free themselves within this time; live sessions renew every third of it.
 */
const LEASE_TTL_MS = 60_000;
/** Claims of used tokens outlive the token itself by this much (clock differences between instances). */
const CLAIM_MARGIN_MS = 60_000;

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
  /**
   * Each token opens one session, ever: the relay claims its id on first use and closes a
   * replay with 4001. Default true. With false, `maxSessionsPerToken` bounds reuse instead.
   */
  singleUseTokens?: boolean;
  /** Concurrent sessions per token (matters with singleUseTokens: false). Default 1. */
  maxSessionsPerToken?: number;
  /** Concurrent sessions per client IP, across all instances sharing the store. Default 20. */
  maxSessionsPerIp?: number;
  /**
   * Where used tokens and session slots are kept. Default: this process's memory. Give every
   * instance the same Redis store (createRedisStore) when several run behind one site.
   */
  store?: RelayStore;
  /**
   * Server-held agents (the token handler's `agents`). When set, every session must use a
   * token that names one of them, and the relay sends Hydra the agent's configuration.
   */
  agents?: Agents;
  /** With `agents`: also serve sessions the page configures (tokens naming no agent). Default false. */
  allowPageSessions?: boolean;
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
  | { type: 'session-start'; id: string; ip: string; origin: string; model?: string; agent?: string }
  | { type: 'store-error'; id: string; error: string }
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
  /** Browser frames held before upstream opens; beyond this the session closes 1009. */
  const maxPendingBytes = Math.max(2 << 20, 2 * maxFrameBytes);
  const maxPerToken = options.maxSessionsPerToken ?? 1;
  const maxPerIp = options.maxSessionsPerIp ?? 20;
  if (!(maxPerToken >= 1) || !(maxPerIp >= 1)) throw new RangeError('createRelay: session limits must be >= 1');
  const singleUse = options.singleUseTokens ?? true;
  const store = options.store ?? createMemoryStore();
  const agents = options.agents ? validateAgents(options.agents, 'createRelay') : undefined;
  const originAllowed = options.allowedOrigins ? originMatcher(options.allowedOrigins) : undefined;
  const clientIp = options.clientIp ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;

  // maxPayload makes ws close an oversized client frame with 1009 before it is buffered.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, perMessageDeflate: false, clientTracking: true });
  const totals = { accepted: 0, rejected: 0, upstreamFailures: 0, framesUp: 0, framesDown: 0, bytesUp: 0, bytesDown: 0 };
  /** Counters of sessions still open; folded into `totals` when each ends. */
  const live = new Set<PipeCounts>();
  /** Session slots this instance holds (store key → lease id), renewed while they live. */
  const leases = new Map<string, Set<string>>();
  let closed = false;

  const storeFailed = (id: string, e: unknown) => log({ type: 'store-error', id, error: (e as Error)?.message ?? String(e) });
  function holdLease(key: string, id: string): void {
    const held = leases.get(key) ?? new Set<string>();
    held.add(id);
    leases.set(key, held);
  }
  function dropLease(key: string, id: string): void {
    const held = leases.get(key);
    held?.delete(id);
    if (held?.size === 0) leases.delete(key);
    store.releaseLease(key, id).catch((e) => storeFailed(id, e)); // unreleased, it lapses
  }
  const renewal = setInterval(() => {
    for (const [key, ids] of leases) for (const id of ids) store.renewLease(key, id, LEASE_TTL_MS).catch((e) => storeFailed(id, e));
  }, LEASE_TTL_MS / 3);
  renewal.unref();

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
    let model = query.get('model');
    if (originAllowed && (!origin || !originAllowed(origin, req))) {
      return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', origin ? `origin ${origin} is not allowed` : 'missing Origin header');
    }
    // Signature, purpose and expiry first (4001), then the binding to this page (4003).
    const verdict = verifyToken(query.get('api_key'), { secret: options.secret, now });
    if (!verdict.ok) return reject(RELAY_CLOSE.UNAUTHORIZED, 'invalid_request_error', verdict.message, 'api_key');
    const token = verdict.payload;
    if (origin !== token.origin) {
      return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', 'token was minted for another origin', 'api_key');
    }
    if (token.model !== undefined && model !== token.model) {
      return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', `token is only valid for model ${token.model}`, 'model');
    }
    let gate: AgentGate | undefined;
    if (token.agent !== undefined || (agents && !options.allowPageSessions)) {
      const agent = token.agent === undefined ? undefined : agents?.get(token.agent);
      if (!agent) {
        const message = token.agent === undefined ? 'this relay only serves server-held agents; the token names none' : `unknown agent "${token.agent}"`;
        return reject(RELAY_CLOSE.FORBIDDEN, 'invalid_request_error', message, 'api_key');
      }
      gate = new AgentGate(token.agent!, agent);
      if (agent.model) model = agent.model; // the agent's model wins over the page's ?model=
    }

    // Frames the browser sends while the store answers are kept for the pipe, in order.
    const early: ClientFrame[] = [];
    let earlyBytes = 0;
    const collect = (data: Buffer, binary: boolean) => {
      earlyBytes += data.length;
      if (earlyBytes > maxPendingBytes) client.close(WS_CLOSE.MESSAGE_TOO_BIG, 'relay: too much data before the session started');
      else early.push({ data, binary });
    };
    client.on('message', collect);
    const held: [key: string, leaseId: string][] = [];
    const releaseAll = () => held.splice(0).forEach(([key]) => dropLease(key, id));

    (async () => {
      if (singleUse && !(await store.claimOnce(`token:${token.jti}`, token.exp * 1000 - now() + CLAIM_MARGIN_MS))) {
        return reject(RELAY_CLOSE.UNAUTHORIZED, 'invalid_request_error', 'token was already used; fetch a new token for every connection', 'api_key');
      }
      if (!(await store.acquireLease(`sessions:ip:${ip}`, id, maxPerIp, LEASE_TTL_MS))) {
        return reject(RELAY_CLOSE.TOO_MANY_SESSIONS, 'server_full', `too many concurrent sessions from this address (limit ${maxPerIp})`);
      }
      held.push([`sessions:ip:${ip}`, id]);
      holdLease(`sessions:ip:${ip}`, id);
      // A single-use token opens one session ever, so only reusable tokens need this slot.
      if (!singleUse) {
        if (!(await store.acquireLease(`sessions:token:${token.jti}`, id, maxPerToken, LEASE_TTL_MS))) {
          releaseAll();
          return reject(RELAY_CLOSE.TOO_MANY_SESSIONS, 'invalid_request_error', `too many sessions for this token (limit ${maxPerToken}); fetch a new token`, 'api_key');
        }
        held.push([`sessions:token:${token.jti}`, id]);
        holdLease(`sessions:token:${token.jti}`, id);
      }
      client.off('message', collect);
      if (client.readyState !== WebSocket.OPEN || closed) {
        releaseAll();
        if (closed) reject(WS_CLOSE.GOING_AWAY, 'server_full', 'shutting down');
        return;
      }
      startSession(client, { id, ip, origin: origin!, model, gate, early, releaseAll });
    })().catch((e: unknown) => {
      // Limits that cannot be checked refuse the session (fail closed); the client retries later.
      storeFailed(id, e);
      client.off('message', collect);
      releaseAll();
      reject(WS_CLOSE.TRY_AGAIN_LATER, 'server_full', 'session limits are unavailable; try again shortly');
    });
  }

  interface Admitted {
    id: string;
    ip: string;
    origin: string;
    model: string | null;
    gate: AgentGate | undefined;
    early: ClientFrame[];
    releaseAll: () => void;
  }

  function startSession(client: WebSocket, s: Admitted): void {
    totals.accepted++;
    const startedAt = Date.now();
    log({ type: 'session-start', id: s.id, ip: s.ip, origin: s.origin, ...(s.model ? { model: s.model } : {}), ...(s.gate ? { agent: s.gate.agentId } : {}) });
    const counts = startPipe(
      client,
      {
        upstreamUrl: upstreamUrlFor(s.model),
        maxFrameBytes,
        maxSessionMs,
        connectTimeoutMs,
        maxPendingBytes,
        initialFrames: s.early,
        ...(s.gate ? { gate: s.gate } : {}),
      },
      (end) => {
        live.delete(counts);
        s.releaseAll();
        if (end.upstreamFailure) totals.upstreamFailures++;
        totals.framesUp += end.framesUp;
        totals.framesDown += end.framesDown;
        totals.bytesUp += end.bytesUp;
        totals.bytesDown += end.bytesDown;
        log({ type: 'session-end', id: s.id, ip: s.ip, durationMs: Date.now() - startedAt, ...end });
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
      clearInterval(renewal);
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
