// The page's tokenProvider as the engine sees it. A function cannot cross to a worker, so
// each token step becomes a `token-request` to the page, which runs the provider (with the
// same deadline and checks as the token endpoint, session/token.ts) and sends back only
// the outcome in a `token-reply`.
import { HydraError } from '../protocol/errors.ts';
import type { GetToken, TokenAnswer } from '../session/token.ts';
import type { FromEngine, TokenReply } from './messages.ts';

interface Pending {
  resolve: (answer: TokenAnswer) => void;
  reject: (error: HydraError) => void;
}

export class PageTokens {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  readonly #post: (message: FromEngine) => void;
  readonly #agent: string | undefined;

  constructor(
    post: (message: FromEngine) => void,
    agent: string | undefined,
  ) {
    this.#post = post;
    this.#agent = agent;
  }

  /** The transport's token step. stop() aborts it: the page is told to drop the request. */
  readonly getToken: GetToken = (signal) =>
    new Promise<TokenAnswer>((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      signal.addEventListener(
        'abort',
        () => {
          if (!this.#pending.delete(id)) return;
          this.#post({ type: 'token-abort', id });
          reject(new HydraError('stopped', 'stopped'));
        },
        { once: true },
      );
      this.#post({ type: 'token-request', id, agent: this.#agent });
    });

  /** The page's answer to request `id` (ignored once aborted). */
  reply(id: number, reply: TokenReply): void {
    const request = this.#pending.get(id);
    if (!request) return;
    this.#pending.delete(id);
    if (reply.ok) request.resolve(reply.answer);
    else request.reject(new HydraError('token_failed', reply.message, { retryable: reply.retryable }));
  }
}
