// Credentials: POST to the page's token endpoint. Every failure is a
// HydraError('token_failed'), and a timeout bounds the wait: never a hang.
import { HydraError } from '../protocol/errors.ts';
import type { SessionTimers } from './timers.ts';

export interface TokenAnswer {
  token: string;
  /** WebSocket base URL to use instead of the configured one. */
  url?: string;
}

/**
 * The transport's token step, when it is not a POST to a token endpoint (e.g. a page's own
 * async function). Rejections should be HydraErrors (`retryable` for transient failures);
 * anything else is reported as a non-retryable `token_failed`.
 */
export type GetToken = (signal: AbortSignal) => Promise<TokenAnswer>;

export interface TokenRequest {
  fetch: typeof fetch;
  timers: SessionTimers;
  timeoutMs: number;
  /** Aborted by stop(): the promise rejects with code `stopped`. */
  signal: AbortSignal;
  /** A server-held agent: the endpoint gets `{"agent": "<id>"}` as a JSON body. */
  agent?: string | undefined;
}

/**
 * The page's own way to get credentials (bearer-auth apps, a page's own backend): used
 * instead of the token endpoint. Abort work when `signal` fires (the user stopped).
 */
export type TokenProvider = (context: { agent?: string | undefined; signal: AbortSignal }) => Promise<TokenAnswer> | TokenAnswer;

type Fail = (message: string, retryable?: boolean) => HydraError;

/** POSTs to the endpoint (same-origin credentials) and validates `{token, url?}`. */
export function fetchToken(endpoint: string, request: TokenRequest): Promise<TokenAnswer> {
  return withDeadline(`The token endpoint ${endpoint}`, request, (signal, fail) => postForToken(endpoint, request, signal, fail));
}

/** Calls a tokenProvider under the same deadline, stop and validation rules as the endpoint. */
export function provideToken(provider: TokenProvider, request: TokenRequest): Promise<TokenAnswer> {
  const source = 'The tokenProvider';
  return withDeadline(source, request, async (signal, fail) => {
    let answer: unknown;
    try {
      answer = await provider({ agent: request.agent, signal });
    } catch (e) {
      // Like an unreachable endpoint: worth retrying when a conversation reconnects.
      throw fail(`${source} failed: ${(e as Error)?.message ?? String(e)}.`, true);
    }
    return validateAnswer(source, answer, fail);
  });
}

/** Runs `work` with a deadline and stop(): every failure a HydraError('token_failed'), never a hang. */
function withDeadline(
  source: string,
  request: TokenRequest,
  work: (signal: AbortSignal, fail: Fail) => Promise<TokenAnswer>,
): Promise<TokenAnswer> {
  const fail: Fail = (message, retryable = false) => new HydraError('token_failed', message, { retryable });
  const controller = new AbortController();
  return new Promise<TokenAnswer>((resolve, reject) => {
    let settled = false;
    let timer: unknown;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      request.timers.clearTimeout(timer);
      request.signal.removeEventListener('abort', onStop);
      settle();
    };
    const onStop = () => {
      controller.abort();
      finish(() => reject(new HydraError('stopped', 'The session was stopped while fetching a token.')));
    };
    if (request.signal.aborted) return onStop();
    request.signal.addEventListener('abort', onStop);
    // The deadline settles the promise itself: an injected fetch may ignore the abort signal.
    timer = request.timers.setTimeout(() => {
      controller.abort();
      finish(() => reject(fail(`${source} did not answer within ${request.timeoutMs} ms.`, true)));
    }, request.timeoutMs);
    work(controller.signal, fail).then(
      (answer) => finish(() => resolve(answer)),
      (e) => finish(() => reject(e)),
    );
  });
}

async function postForToken(endpoint: string, request: TokenRequest, signal: AbortSignal, fail: Fail): Promise<TokenAnswer> {
  const source = `The token endpoint ${endpoint}`;
  const init: RequestInit = { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' }, signal };
  if (request.agent !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify({ agent: request.agent });
  }
  let response: Response;
  try {
    response = await request.fetch(endpoint, init);
  } catch (e) {
    throw fail(`${source} could not be reached: ${(e as Error)?.message ?? String(e)}.`, true);
  }
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429;
    // The endpoint's own reason (`{"error": "origin … is not allowed"}`) tells the developer what to fix.
    const reason = await errorReason(response);
    throw fail(`${source} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${reason ? `: ${reason}` : '.'}`, retryable);
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw fail(`${source} did not answer JSON.`);
  }
  return validateAnswer(source, body, fail);
}

/** `{error}` from a JSON error body, trimmed; undefined for anything else. */
async function errorReason(response: Response): Promise<string | undefined> {
  try {
    const body = JSON.parse(await response.text()) as { error?: unknown } | null;
    const reason = typeof body?.error === 'string' ? body.error.trim() : '';
    if (!reason) return undefined;
    const short = reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
    return /[.!?…]$/.test(short) ? short : `${short}.`;
  } catch {
    return undefined;
  }
}

/** Checks `{token, url?}` from an endpoint or a tokenProvider. */
function validateAnswer(source: string, body: unknown, fail: Fail): TokenAnswer {
  const answer = body as { token?: unknown; url?: unknown } | null;
  if (typeof answer !== 'object' || answer === null || typeof answer.token !== 'string' || answer.token === '') {
    throw fail(`${source} answered without a "token" string.`);
  }
  if (answer.url !== undefined && answer.url !== null && typeof answer.url !== 'string') {
    throw fail(`${source} answered a "url" that is not a string.`);
  }
  return typeof answer.url === 'string' && answer.url !== '' ? { token: answer.token, url: answer.url } : { token: answer.token };
}
