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
}

/** POSTs to the endpoint (same-origin credentials) and validates `{token, url?}`. */
export function fetchToken(endpoint: string, request: TokenRequest): Promise<TokenAnswer> {
  const fail = (message: string, retryable = false) => new HydraError('token_failed', message, { retryable });
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
      finish(() => reject(fail(`The token endpoint ${endpoint} did not answer within ${request.timeoutMs} ms.`, true)));
    }, request.timeoutMs);
    postForToken(endpoint, request.fetch, controller.signal, fail).then(
      (answer) => finish(() => resolve(answer)),
      (e) => finish(() => reject(e)),
    );
  });
}

async function postForToken(
  endpoint: string,
  fetchFn: typeof fetch,
  signal: AbortSignal,
  fail: (message: string, retryable?: boolean) => HydraError,
): Promise<TokenAnswer> {
  let response: Response;
  try {
    response = await fetchFn(endpoint, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' }, signal });
  } catch (e) {
    throw fail(`The token endpoint ${endpoint} could not be reached: ${(e as Error)?.message ?? String(e)}.`, true);
  }
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429;
    throw fail(`The token endpoint ${endpoint} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`, retryable);
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw fail(`The token endpoint ${endpoint} did not answer JSON.`);
  }
  const answer = body as { token?: unknown; url?: unknown } | null;
  if (typeof answer !== 'object' || answer === null || typeof answer.token !== 'string' || answer.token === '') {
    throw fail(`The token endpoint ${endpoint} answered without a "token" string.`);
  }
  if (answer.url !== undefined && answer.url !== null && typeof answer.url !== 'string') {
    throw fail(`The token endpoint ${endpoint} answered a "url" that is not a string.`);
  }
  return typeof answer.url === 'string' && answer.url !== '' ? { token: answer.token, url: answer.url } : { token: answer.token };
}
