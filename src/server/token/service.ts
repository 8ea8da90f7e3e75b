// The token endpoint's decisions, independent of the HTTP API it is mounted on: the
// node:http handler (handler.ts) and the web-standard Request → Response one
// (fetch-handler.ts) both translate a request into a TokenCall and the answer back.
import { validateAgents, type Agents } from '../relay/agents.ts';
import { originMatcher, type AllowedOrigins } from '../http/origins.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { RelayStore } from '../store/types.ts';
import { assertSecret, mintToken, type Secret } from './tokens.ts';

export interface TokenOptions<Req> {
  /** HMAC secret shared with the relay (32 random bytes recommended). */
  secret: Secret;
  /** Origins allowed to obtain tokens. The token is bound to the requesting origin. */
  allowedOrigins: AllowedOrigins<Req>;
  /** Token lifetime; it only has to cover the gap between fetch and connect. Default 60. */
  ttlSeconds?: number;
  /**
   * The relay's WebSocket URL returned as `url` (absolute ws(s):// or a path such as
   * "/hydra", which the widget resolves against the page). Default "/hydra".
   */
  relayUrl?: string | ((req: Req) => string);
  /** Bind tokens to one model (the relay then refuses other `?model=` values). */
  model?: string | ((req: Req) => string | undefined);
  /**
   * Server-held agents (the relay needs the same definitions). The element's request then
   * names one (`{"agent": "<id>"}`) and the token opens only that agent.
   */
  agents?: Agents;
  /** With `agents`: also mint tokens for page-configured sessions (requests naming no agent). Default false. */
  allowPageSessions?: boolean;
  /** Token requests per client IP: `max` per `windowSeconds`, or false for none. Default 60 per 60 s. */
  rateLimit?: { max: number; windowSeconds: number } | false;
  /** Where the rate windows are counted. Default: this process's memory; share a Redis store across instances. */
  store?: RelayStore;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** One request, as the adapters see it. */
export interface TokenCall {
  method: string;
  /** The normalized Origin header, or undefined when missing or not an http(s) origin. */
  origin: string | undefined;
  /** For the per-IP limit; undefined skips it. */
  ip: string | undefined;
  /** The body as text, or a TooLarge marker past MAX_BODY_BYTES. */
  readBody(): Promise<string | typeof BODY_TOO_LARGE>;
}

export const BODY_TOO_LARGE = Symbol('body too large');
/** `{"agent": "<id>"}` needs far less; anything bigger is not from the widget. */
export const MAX_BODY_BYTES = 4096;

/** The answer, for the adapter to write. `body` undefined means no body (204). */
export interface TokenAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Record<string, string>;
}

/** Headers a CORS preflight may ask for; anything else is not needed to fetch a token. */
const ALLOWED_REQUEST_HEADERS = 'content-type, accept, authorization';

export function createTokenService<Req>(options: TokenOptions<Req>, where: string): (req: Req, call: TokenCall) => Promise<TokenAnswer> {
  assertSecret(options.secret);
  const ttlSeconds = options.ttlSeconds ?? 60;
  if (!(ttlSeconds > 0)) throw new RangeError('ttlSeconds must be > 0');
  const isAllowed = originMatcher(options.allowedOrigins);
  const relayUrl = options.relayUrl ?? '/hydra';
  const agents = options.agents ? validateAgents(options.agents, where) : undefined;
  const rate = options.rateLimit === false ? undefined : (options.rateLimit ?? { max: 60, windowSeconds: 60 });
  if (rate && !(rate.max >= 1 && rate.windowSeconds > 0)) throw new RangeError(`${where}: rateLimit needs max >= 1 and windowSeconds > 0`);
  const store = options.store ?? createMemoryStore(options.now ? { now: options.now } : {});

  return async (req, call) => {
    const method = call.method.toUpperCase();
    if (method !== 'POST' && method !== 'OPTIONS') {
      return json(405, { error: 'method not allowed: POST a request to obtain a token' }, { allow: 'POST, OPTIONS' });
    }
    const origin = call.origin;
    // Browsers send Origin on every POST and preflight; its absence means a non-browser
    // client, which has no business holding a browser token.
    if (!origin || !isAllowed(origin, req)) {
      return json(403, { error: origin ? `origin ${origin} is not allowed` : 'missing or invalid Origin header' }, { vary: 'Origin' });
    }
    const cors = { 'access-control-allow-origin': origin, vary: 'Origin' };
    if (method === 'OPTIONS') {
      return {
        status: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': ALLOWED_REQUEST_HEADERS,
          'access-control-max-age': '600',
          'cache-control': 'no-store',
        },
      };
    }
    if (rate && call.ip !== undefined) {
      let verdict;
      try {
        verdict = await store.hit(`tokens:ip:${call.ip}`, rate.max, rate.windowSeconds * 1000);
      } catch {
        return json(503, { error: 'token service temporarily unavailable; try again shortly' }, { ...cors, 'retry-after': '5', 'access-control-expose-headers': 'retry-after' });
      }
      if (!verdict.allowed) {
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        return json(429, { error: `too many token requests from this address (limit ${rate.max} per ${rate.windowSeconds} s); retry in ${seconds} s` }, {
          ...cors,
          'retry-after': String(seconds),
          'access-control-expose-headers': 'retry-after',
        });
      }
    }
    const body = await call.readBody();
    if (body === BODY_TOO_LARGE) return json(413, { error: `request body over ${MAX_BODY_BYTES} bytes` }, cors);
    const requested = agentOf(body);
    if ('error' in requested) return json(400, { error: requested.error }, cors);
    const agent = requested.agent;
    if (agents && agent === undefined && !options.allowPageSessions) return json(400, { error: 'this endpoint serves server-held agents: send {"agent": "<id>"}' }, cors);
    if (agent !== undefined && !agents) return json(400, { error: `this endpoint has no server-held agents (asked for "${agent}")` }, cors);
    if (agent !== undefined && !agents!.has(agent)) return json(404, { error: `unknown agent "${agent.slice(0, 64)}"` }, cors);
    try {
      const model = typeof options.model === 'function' ? options.model(req) : options.model;
      const token = mintToken({ secret: options.secret, origin, ttlSeconds, model, agent, now: options.now });
      const url = typeof relayUrl === 'function' ? relayUrl(req) : relayUrl;
      return json(200, { token, url }, cors);
    } catch {
      return json(500, { error: 'could not mint a token' }, cors);
    }
  };
}

function json(status: number, body: Record<string, string>, headers: Record<string, string> = {}): TokenAnswer {
  return { status, headers, body };
}

/** The agent the body names: an empty body names none; anything else must be `{"agent": string}`. */
function agentOf(body: string): { agent: string | undefined } | { error: string } {
  if (body.trim() === '') return { agent: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: 'request body must be JSON, e.g. {"agent": "<id>"}' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'request body must be a JSON object' };
  const agent = (parsed as { agent?: unknown }).agent;
  if (agent === undefined || agent === null) return { agent: undefined };
  if (typeof agent !== 'string' || agent === '') return { error: '"agent" must be a non-empty string' };
  return { agent };
}
