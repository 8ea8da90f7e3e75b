// The token endpoint: POST with same-origin credentials, `{token, url?}` → the socket URL;
// every failure mode (status, not JSON, no token, network, timeout) is a clear fatal
// token_failed, never a hang. Mostly an injected fetch; a few against the test server's
// real /__token routes.
import { expect } from '@open-wc/testing';
import { Puppet } from '../../support/puppet.ts';
import type { HydraError, HydraSession } from '../../../src/session/index.ts';
import { afterEach, beforeEach, describe, it, handshake, harness, nextEvent } from './helpers.ts';

type Call = { input: string; init: RequestInit | undefined };

/** A fetch that answers from a queue of scripted behaviours and records its calls. */
function scriptedFetch(...answers: (() => Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ input: String(input), init });
    const next = answers.shift();
    if (!next) return Promise.reject(new Error('unexpected fetch'));
    return next();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}
const json = (body: unknown, status = 200) => () => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

describe('HydraSession token endpoint', () => {
  let puppet: Puppet;
  let sessions: HydraSession[];
  beforeEach(async () => {
    puppet = await Puppet.create();
    sessions = [];
  });
  afterEach(() => {
    for (const s of sessions) s.stop();
    puppet.dispose();
  });
  const make = (options: Parameters<typeof harness>[1]) => {
    const h = harness(puppet, { keepAliveMs: 60_000, ...options });
    sessions.push(h.session);
    return h;
  };

  it('POSTs with same-origin credentials and opens the answered url with model and api_key', async () => {
    const { fetch, calls } = scriptedFetch(json({ token: 'tok 1/+', url: puppet.url }));
    const { session } = make({ tokenEndpoint: '/api/hydra-token', url: 'ws://127.0.0.1:9/unused', fetch, model: 'hydra-v1.0' });
    const started = session.start();
    const open = (await puppet.connection(0)) as { url: string };
    expect(calls).to.have.length(1);
    expect(calls[0]!.input).to.equal('/api/hydra-token');
    expect(calls[0]!.init).to.include({ method: 'POST', credentials: 'same-origin' });
    const params = new URL(open.url, 'http://x').searchParams;
    expect(params.get('api_key')).to.equal('tok 1/+');
    expect(params.get('model')).to.equal('hydra-v1.0');
    expect(params.get('id')).to.equal(puppet.id);
    await handshake(puppet, session);
    await started;
  });

  it('without a url in the answer, connects to the configured url', async () => {
    const { fetch } = scriptedFetch(json({ token: 't' }));
    const { session } = make({ tokenEndpoint: '/t', url: puppet.url, fetch });
    void session.start();
    const open = (await puppet.connection(0)) as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('api_key')).to.equal('t');
  });

  const failures: [string, () => Promise<Response>, RegExp][] = [
    ['HTTP 500', json({ error: 'boom' }, 500), /HTTP 500/],
    ['HTTP 401', json({ error: 'no' }, 401), /HTTP 401/],
    ['a body that is not JSON', () => Promise.resolve(new Response('<html>oops</html>', { status: 200 })), /did not answer JSON/],
    ['JSON without a token', json({ url: 'wss://x' }), /without a "token"/],
    ['a token that is not a string', json({ token: 42 }), /without a "token"/],
    ['an empty token', json({ token: '' }), /without a "token"/],
    ['JSON that is not an object', json(['token']), /without a "token"/],
    ['a url that is not a string', json({ token: 't', url: 5 }), /"url" that is not a string/],
    ['a network failure', () => Promise.reject(new TypeError('Failed to fetch')), /could not be reached: Failed to fetch/],
  ];
  for (const [name, answer, pattern] of failures) {
    it(`${name}: start() rejects with a fatal token_failed and nothing connects`, async () => {
      const { fetch } = scriptedFetch(answer);
      const { session, timers, of } = make({ tokenEndpoint: '/api/token', fetch });
      const error = await session.start().then(() => undefined, (e: HydraError) => e);
      expect(error?.code).to.equal('token_failed');
      expect(error?.message).to.match(pattern).and.contain('/api/token');
      expect(of('error')).to.deep.equal([{ code: 'token_failed', message: error!.message, fatal: true }]);
      expect(session.state).to.equal('error');
      expect(timers.pending).to.equal(0);
      expect(puppet.connections()).to.equal(0);
    });
  }

  it('an endpoint that never answers fails after tokenTimeoutMs, and its request is aborted', async () => {
    let signal: AbortSignal | undefined;
    const fetch = ((_: unknown, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Promise<Response>(() => undefined); // ignores the signal on purpose
    }) as typeof globalThis.fetch;
    const { session, timers } = make({ tokenEndpoint: '/slow', fetch, tokenTimeoutMs: 4000 });
    let settled = false;
    const started = session.start().finally(() => (settled = true));
    timers.advance(3999);
    await Promise.resolve();
    expect(settled).to.be.false;
    timers.advance(1);
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('token_failed');
    expect(error?.message).to.match(/did not answer within 4000 ms/);
    expect(signal?.aborted).to.be.true;
  });

  it('stop() while the token is being fetched aborts it and rejects start() with stopped', async () => {
    let signal: AbortSignal | undefined;
    const fetch = ((_: unknown, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Promise<Response>(() => undefined);
    }) as typeof globalThis.fetch;
    const { session, timers, of } = make({ tokenEndpoint: '/slow', fetch });
    const started = session.start();
    session.stop();
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('stopped');
    expect(signal?.aborted).to.be.true;
    expect(timers.pending).to.equal(0);
    expect(of('error')).to.deep.equal([]);
    expect(session.state).to.equal('idle');
  });

  it('each reconnect asks for a fresh token; a flaky endpoint mid-conversation is retried', async () => {
    const { fetch, calls } = scriptedFetch(json({ token: 'first', url: puppet.url }), json({ error: 'busy' }, 503), json({ token: 'third', url: puppet.url }));
    const { session, timers, of } = make({ tokenEndpoint: '/t', fetch });
    void session.start();
    await handshake(puppet, session);
    puppet.drop();
    timers.advance((await nextEvent(session, 'reconnecting')).delayMs);
    const retry = await nextEvent(session, 'reconnecting', (d) => d.reason === 'token_failed');
    expect(retry.attempt).to.equal(2);
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['connection_lost', false], ['token_failed', false]]);
    timers.advance(retry.delayMs);
    const open = (await puppet.connection(1)) as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('api_key')).to.equal('third');
    expect(calls).to.have.length(3);
  });

  describe('against the test server’s /__token routes', () => {
    it('connects with the endpoint’s token and URL', async () => {
      const { session } = make({ tokenEndpoint: `/__token/ok?url=${encodeURIComponent(puppet.url)}` });
      void session.start();
      const open = (await puppet.connection(0)) as { url: string };
      expect(new URL(open.url, 'http://x').searchParams.get('api_key')).to.equal('test-token');
      await handshake(puppet, session);
    });

    it('HTTP 500 and a non-JSON body are token_failed', async () => {
      for (const [endpoint, pattern] of [['/__token/status?code=500', /HTTP 500/], ['/__token/garbage', /did not answer JSON/], ['/__token/no-token', /without a "token"/]] as const) {
        const { session } = make({ tokenEndpoint: endpoint });
        const error = await session.start().then(() => undefined, (e: HydraError) => e);
        expect(error?.code, endpoint).to.equal('token_failed');
        expect(error?.message).to.match(pattern);
      }
      expect(puppet.connections()).to.equal(0);
    });
  });

  it('a token URL that is not ws(s) is invalid_config', async () => {
    const { fetch } = scriptedFetch(json({ token: 't', url: 'ftp://example.com/x' }));
    const { session } = make({ tokenEndpoint: '/t', fetch });
    const error = await session.start().then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('invalid_config');
  });

  it('an http(s) or relative url becomes ws(s) on the page’s origin', async () => {
    const u = new URL(puppet.url);
    for (const [conn, url] of [[0, `${u.pathname}${u.search}`], [1, puppet.url.replace(/^ws/, 'http')]] as const) {
      const { session } = make({ url });
      void session.start();
      const open = (await puppet.connection(conn)) as { url: string };
      expect(new URL(open.url, 'http://x').searchParams.get('id')).to.equal(puppet.id);
      session.stop();
    }
  });
});
