// Flexible auth: a server-held agent named in the token request, a tokenProvider used
// instead of the endpoint (bearer-auth apps), and the endpoint's own `{error}` reason in
// the token_failed message.
import { expect } from '@open-wc/testing';
import type { HydraError, HydraSession } from '../../../src/session/index.ts';
import type { TokenProvider } from '../../../src/session/token.ts';
import { describe, it, handshake, harness, puppetFixture } from './helpers.ts';

type Call = { input: string; init: RequestInit | undefined };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function recordingFetch(answer: () => Response) {
  const calls: Call[] = [];
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ input: String(input), init });
    return Promise.resolve(answer());
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('HydraSession: agents, tokenProvider, endpoint reasons', () => {
  const fx = puppetFixture();
  const make = (options: Parameters<typeof harness>[1]) => fx.make({ keepAliveMs: 60_000, ...options });
  const failure = (session: HydraSession) => session.start().then(() => undefined, (e: HydraError) => e);

  it('with an agent, the token request POSTs {"agent": "<id>"} as JSON', async () => {
    const { fetch, calls } = recordingFetch(() => json({ token: 't', url: fx.puppet.url }));
    const { session } = make({ tokenEndpoint: '/api/hydra-token', agent: 'concierge', fetch });
    const started = session.start();
    await handshake(fx.puppet, session);
    await started;
    expect(calls).to.have.length(1);
    expect(calls[0]!.init).to.include({ method: 'POST', credentials: 'same-origin', body: '{"agent":"concierge"}' });
    expect(calls[0]!.init!.headers).to.deep.include({ 'content-type': 'application/json' });
  });

  it('without an agent the request has no body, as before', async () => {
    const { fetch, calls } = recordingFetch(() => json({ token: 't', url: fx.puppet.url }));
    const { session } = make({ tokenEndpoint: '/api/hydra-token', fetch });
    void session.start();
    await fx.puppet.connection(0);
    expect(calls[0]!.init!.body).to.equal(undefined);
  });

  const reasons: [string, Response, RegExp][] = [
    ['403 origin', json({ error: 'origin https://evil.example is not allowed' }, 403), /answered HTTP 403: origin https:\/\/evil\.example is not allowed\.$/],
    ['404 agent', json({ error: 'unknown agent "x"' }, 404), /HTTP 404: unknown agent "x"\.$/],
    ['429 limit', json({ error: 'too many token requests; retry in 12 s' }, 429), /HTTP 429: too many token requests; retry in 12 s\.$/],
    ['a non-JSON error body', new Response('<html>502</html>', { status: 502 }), /answered HTTP 502\.$/],
  ];
  for (const [name, response, pattern] of reasons) {
    it(`the endpoint's own reason reaches the error message (${name})`, async () => {
      const { fetch } = recordingFetch(() => response.clone());
      const { session, of } = make({ tokenEndpoint: '/api/hydra-token', fetch });
      const error = await failure(session);
      expect(error?.code).to.equal('token_failed');
      expect(error?.message).to.match(pattern);
      expect(of('error')[0]).to.deep.equal({ code: 'token_failed', message: error!.message, fatal: true });
    });
  }

  it('a tokenProvider replaces the endpoint: it gets the agent and a signal, and its token and url are used', async () => {
    const { fetch, calls } = recordingFetch(() => json({ token: 'never' }));
    const seen: Parameters<TokenProvider>[0][] = [];
    const tokenProvider: TokenProvider = async (context) => {
      seen.push(context);
      return { token: 'bearer-minted', url: fx.puppet.url };
    };
    const { session } = make({ tokenEndpoint: '/api/hydra-token', tokenProvider, agent: 'concierge', url: 'ws://127.0.0.1:9/unused', fetch });
    const started = session.start();
    const open = (await fx.puppet.connection(0)) as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('api_key')).to.equal('bearer-minted');
    expect(calls).to.have.length(0);
    expect(seen).to.have.length(1);
    expect(seen[0]!.agent).to.equal('concierge');
    expect(seen[0]!.signal).to.be.instanceOf(AbortSignal);
    await handshake(fx.puppet, session);
    await started;
  });

  const providerFailures: [string, TokenProvider, RegExp][] = [
    ['throws', () => { throw new Error('not signed in'); }, /^The tokenProvider failed: not signed in\.$/],
    ['rejects', () => Promise.reject(new Error('HTTP 401')), /^The tokenProvider failed: HTTP 401\.$/],
    ['answers without a token', (() => Promise.resolve({ url: 'wss://x' })) as unknown as TokenProvider, /^The tokenProvider answered without a "token" string\.$/],
    ['answers a bad url', (() => ({ token: 't', url: 7 })) as unknown as TokenProvider, /"url" that is not a string/],
  ];
  for (const [name, tokenProvider, pattern] of providerFailures) {
    it(`a tokenProvider that ${name} fails like the endpoint would: token_failed, nothing connects`, async () => {
      const { session, timers, of } = make({ tokenProvider });
      const error = await failure(session);
      expect(error?.code).to.equal('token_failed');
      expect(error?.message).to.match(pattern);
      expect(of('error')).to.deep.equal([{ code: 'token_failed', message: error!.message, fatal: true }]);
      expect(timers.pending).to.equal(0);
      expect(fx.puppet.connections()).to.equal(0);
    });
  }

  it('a tokenProvider that never answers fails after tokenTimeoutMs and sees its signal abort; stop() aborts too', async () => {
    const signals: AbortSignal[] = [];
    const tokenProvider: TokenProvider = ({ signal }) => {
      signals.push(signal);
      return new Promise(() => undefined);
    };
    const { session, timers } = make({ tokenProvider, tokenTimeoutMs: 3000 });
    const started = failure(session);
    timers.advance(3000);
    const error = await started;
    expect(error?.message).to.match(/^The tokenProvider did not answer within 3000 ms\.$/);
    expect(signals[0]!.aborted).to.be.true;

    const second = make({ tokenProvider });
    const stopped = failure(second.session);
    second.session.stop();
    expect((await stopped)?.code).to.equal('stopped');
    expect(signals[1]!.aborted).to.be.true;
  });
});
