// One relayed session: the browser's socket (already accepted) piped to a fresh upstream
// socket. Frames are forwarded as the Buffers ws hands us, with their text/binary flag, so
// they stay byte-identical; nothing is parsed. Both sides close together.
import WebSocket from 'ws';
import { RELAY_CLOSE, WS_CLOSE, forwardCloseCode } from './close-codes.ts';
import { relayErrorFrame, type RelayErrorCode } from './error-frame.ts';
import type { PipeCounts, PipeEnd, UpstreamFailure } from './pipe-types.ts';

export type { PipeCounts, PipeEnd, UpstreamFailure } from './pipe-types.ts';

/** A browser frame as ws delivered it. */
export interface ClientFrame {
  data: Buffer;
  binary: boolean;
}

/** Rewrites or refuses frames of a server-held agent's session (agent-gate.ts). */
export interface FrameGate {
  up(data: Buffer): { send: string[] } | { refuse: string; param?: string };
  down(data: Buffer): string | undefined;
}

export interface PipeOptions {
  /** Full upstream URL including the real api_key. Never logged. */
  upstreamUrl: string;
  maxFrameBytes: number;
  maxSessionMs: number;
  connectTimeoutMs: number;
  /** Client frames held while upstream connects; beyond this the session closes 1009. */
  maxPendingBytes: number;
  /** Frames the browser sent before the pipe started (while the relay checked limits). */
  initialFrames?: ClientFrame[];
  /** Set for server-held agents: client frames are checked and rebuilt, not piped verbatim. */
  gate?: FrameGate;
}

/** ws error codes → the close code ws sends for them (oversized frame, invalid UTF-8). */
const PROTOCOL_ERROR_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: WS_CLOSE.MESSAGE_TOO_BIG,
  WS_ERR_INVALID_UTF8: 1007,
};

/** Above this much unsent data towards one side, stop reading from the other. */
const HIGH_WATER = 4 << 20;
const LOW_WATER = 1 << 20;

/** Close reasons are limited to 123 bytes by RFC 6455. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

/** Sends a relay `error` frame, then closes the browser socket with `code`. */
export function rejectClient(client: WebSocket, code: number, errorCode: RelayErrorCode, message: string, param?: string): void {
  if (client.readyState !== WebSocket.OPEN) return;
  client.send(relayErrorFrame(errorCode, message, param));
  client.close(code, closeReason(`relay: ${message}`));
}

/**
 * Starts piping; `onEnd` is called exactly once, when the browser side has closed.
 * Returns the session's live counters.
 */
export function startPipe(client: WebSocket, options: PipeOptions, onEnd: (end: PipeEnd) => void): PipeCounts {
  const counts: PipeCounts = { framesUp: 0, framesDown: 0, bytesUp: 0, bytesDown: 0 };
  const pending: { data: Buffer; binary: boolean }[] = [];
  let pendingBytes = 0;
  let failure: Pick<PipeEnd, 'upstreamFailure' | 'upstreamStatus'> = {};
  /** Set once the relay decided how the session ends; later events only clean up. */
  let ending = false;
  /** A code the relay chose for the browser from an upstream error (e.g. 1009). */
  let upstreamErrorCode: number | undefined;
  let opened = false;

  const upstream = new WebSocket(options.upstreamUrl, {
    // No compression upstream: each deflate context costs ~hundreds of kB per session and
    // adds CPU per frame; base64 audio barely compresses anyway.
    perMessageDeflate: false,
    maxPayload: options.maxFrameBytes,
  });

  const connectTimer = setTimeout(() => {
    failUpstream('timeout', RELAY_CLOSE.UPSTREAM_TIMEOUT, `upstream did not answer within ${options.connectTimeoutMs} ms`);
  }, options.connectTimeoutMs);
  const sessionTimer = setTimeout(() => {
    if (ending) return;
    ending = true;
    const reason = `relay: session time limit reached (${Math.round(options.maxSessionMs / 1000)} s)`;
    closeUpstream(WS_CLOSE.NORMAL, reason);
    client.close(RELAY_CLOSE.SESSION_TIME_LIMIT, closeReason(reason));
  }, options.maxSessionMs);

  function closeUpstream(code: number, reason: string): void {
    if (upstream.readyState === WebSocket.OPEN) upstream.close(code, closeReason(reason));
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  }

  function failUpstream(kind: UpstreamFailure, code: number, message: string, status?: number): void {
    clearTimeout(connectTimer);
    if (ending) return;
    ending = true;
    failure = { upstreamFailure: kind, ...(status !== undefined ? { upstreamStatus: status } : {}) };
    pending.length = 0;
    closeUpstream(WS_CLOSE.GOING_AWAY, 'relay: giving up');
    const errorCode: RelayErrorCode = kind === 'auth' || kind === 'rejected' ? 'invalid_request_error' : 'internal_error';
    rejectClient(client, code, errorCode, message);
  }

  function forward(from: WebSocket, to: WebSocket, data: Buffer, binary: boolean): void {
    to.send(data, { binary }, () => {
      if (from.isPaused && to.bufferedAmount < LOW_WATER) from.resume();
    });
    // Backpressure: a slow browser must not make the relay buffer upstream audio forever.
    if (to.bufferedAmount > HIGH_WATER && !from.isPaused) from.pause();
  }

  /** Towards upstream: now when open, else queued in order until it opens. */
  function sendUp(data: Buffer, binary: boolean): void {
    if (upstream.readyState === WebSocket.OPEN) {
      forward(client, upstream, data, binary);
    } else if (upstream.readyState === WebSocket.CONNECTING) {
      // The browser sees "open" at once and sends session.configure right away: keep it,
      // in order, until upstream opens.
      pendingBytes += data.length;
      if (pendingBytes > options.maxPendingBytes) {
        ending = true;
        pending.length = 0;
        closeUpstream(WS_CLOSE.GOING_AWAY, 'relay: client sent too much before upstream opened');
        client.close(WS_CLOSE.MESSAGE_TOO_BIG, 'relay: too much data before upstream opened');
        return;
      }
      pending.push({ data, binary });
    }
  }

  function onClientFrame(data: Buffer, binary: boolean): void {
    if (ending) return;
    counts.framesUp++;
    counts.bytesUp += data.length;
    if (!options.gate) return sendUp(data, binary);
    const verdict = options.gate.up(data);
    if ('refuse' in verdict) {
      // Like Hydra's own errors: reported, and the session goes on.
      if (client.readyState === WebSocket.OPEN) client.send(relayErrorFrame('invalid_request_error', verdict.refuse, verdict.param));
      return;
    }
    for (const text of verdict.send) sendUp(Buffer.from(text), false);
  }

  client.on('message', onClientFrame);
  for (const frame of options.initialFrames ?? []) onClientFrame(frame.data, frame.binary);

  upstream.on('open', () => {
    opened = true;
    clearTimeout(connectTimer);
    if (ending) return void upstream.close(WS_CLOSE.GOING_AWAY);
    for (const frame of pending) upstream.send(frame.data, { binary: frame.binary });
    pending.length = 0;
    pendingBytes = 0;
  });

  upstream.on('message', (data: Buffer, binary: boolean) => {
    if (ending || client.readyState !== WebSocket.OPEN) return;
    counts.framesDown++;
    counts.bytesDown += data.length;
    const replaced = options.gate?.down(data);
    if (replaced !== undefined) forward(upstream, client, Buffer.from(replaced), false);
    else forward(upstream, client, data, binary);
  });

  // Hydra answers a bad api_key with HTTP 401 instead of 101: the one case the browser
  // could never see on its own.
  upstream.on('unexpected-response', (_req, res) => {
    const status = res.statusCode ?? 0;
    res.resume();
    if (status === 401 || status === 403) {
      failUpstream('auth', RELAY_CLOSE.UPSTREAM_AUTH, `upstream rejected the relay's API key (HTTP ${status})`, status);
    } else if (status >= 400 && status < 500 && status !== 429) {
      failUpstream('rejected', RELAY_CLOSE.UPSTREAM_BAD_REQUEST, `upstream rejected the request (HTTP ${status}); check the model`, status);
    } else {
      failUpstream('unreachable', RELAY_CLOSE.UPSTREAM_UNREACHABLE, `upstream refused the connection (HTTP ${status})`, status);
    }
  });

  upstream.on('error', (err: Error & { code?: string }) => {
    if (!opened) {
      // Only the error code: messages can carry addresses (never the key), keep it terse.
      failUpstream('unreachable', RELAY_CLOSE.UPSTREAM_UNREACHABLE, `upstream unreachable${err.code ? ` (${err.code})` : ''}`);
      return;
    }
    upstreamErrorCode = PROTOCOL_ERROR_CODES[err.code ?? ''];
  });

  upstream.on('close', (code: number, reason: Buffer) => {
    clearTimeout(connectTimer);
    if (!opened) return failUpstream('unreachable', RELAY_CLOSE.UPSTREAM_UNREACHABLE, 'upstream closed before the session opened');
    if (ending) return;
    ending = true;
    const towards = upstreamErrorCode ?? forwardCloseCode(code, 'client');
    const text = reason.length > 0 ? reason.toString('utf8') : code === WS_CLOSE.ABNORMAL ? 'relay: upstream connection lost' : '';
    if (client.readyState === WebSocket.OPEN) client.close(towards, closeReason(text));
  });

  /** A code ws sent the browser after a protocol error, to pass on upstream. */
  let clientErrorCode: number | undefined;
  client.on('error', (err: Error & { code?: string }) => {
    // ws closes the browser socket itself on protocol errors but then reports 1006 for it
    // (it stops reading); remember what it sent so upstream gets the same code.
    clientErrorCode = PROTOCOL_ERROR_CODES[err.code ?? ''];
  });

  client.on('close', (code: number, reason: Buffer) => {
    clearTimeout(connectTimer);
    clearTimeout(sessionTimer);
    if (!ending) {
      ending = true;
      closeUpstream(clientErrorCode ?? forwardCloseCode(code, 'upstream'), reason.toString('utf8'));
    } else if (upstream.readyState === WebSocket.CONNECTING) {
      upstream.terminate();
    }
    pending.length = 0;
    onEnd({ code, reason: reason.toString('utf8'), ...failure, ...counts });
  });
  return counts;
}
