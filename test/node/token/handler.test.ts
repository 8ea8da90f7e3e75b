import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createTokenHandler, verifyToken, type TokenHandlerOptions } from '../../../src/server/token/index.ts';
import { closeServer, http, listen } from '../relay/helpers.ts';

const secret = 'a-test-secret-that-is-long-enough-123';
const origin = 'https://shop.example';

async function serve(options: Partial<TokenHandlerOptions> = {}): Promise<{ url: string; server: Server }> {
  const handler = createTokenHandler({ secret, allowedOrigins: [origin, 'https://other.example/'], ...options });
  const server = createServer(handler);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/api/hydra-token`, server };
}

describe('token endpoint', () => {
  let url: string;
  let server: Server;
  before(async () => ({ url, server } = await serve({ relayUrl: 'wss://relay.example/hydra' })));
  after(() => closeServer(server));

  it('POST from an allowed origin → 200 {token, url}, JSON, no-store, CORS for that origin', async () => {
    const res = await http(url, { method: 'POST', headers: { origin } });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.match(String(res.headers.vary), /Origin/);
    const body = JSON.parse(res.body);
    assert.deepEqual(Object.keys(body).sort(), ['token', 'url']);
    assert.equal(body.url, 'wss://relay.example/hydra');
    const v = verifyToken(body.token, { secret, origin });
    assert.ok(v.ok, 'token verifies for the requesting origin');
    assert.equal(verifyToken(body.token, { secret, origin: 'https://other.example' }).ok, false);
  });

  it('binds each token to the origin that asked (list entries normalized)', async () => {
    const res = await http(url, { method: 'POST', headers: { origin: 'https://other.example' } });
    assert.equal(res.status, 200);
    const v = verifyToken(JSON.parse(res.body).token, { secret });
    assert.ok(v.ok);
    assert.equal(v.payload.origin, 'https://other.example');
  });

  it('405 for other methods, with Allow', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await http(url, { method, headers: { origin } });
      assert.equal(res.status, 405, method);
      assert.match(res.headers.allow ?? '', /POST/);
      assert.equal(typeof JSON.parse(res.body).error, 'string');
    }
  });

  it('403 JSON error for a missing, foreign, opaque or malformed Origin', async () => {
    for (const headers of [{} as Record<string, string>, { origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'not a url' }, { origin: 'file://x' }]) {
      const res = await http(url, { method: 'POST', headers });
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(typeof JSON.parse(res.body).error, 'string');
      assert.doesNotMatch(res.body, /hv1\./);
    }
  });

  it('answers a CORS preflight for allowed origins only', async () => {
    const ok = await http(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], origin);
    assert.match(ok.headers['access-control-allow-methods'] ?? '', /POST/);
    assert.equal(ok.body, '');
    const no = await http(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    assert.equal(no.status, 403);
  });
});

describe('token endpoint options', () => {
  it('predicate origins, relayUrl from the request, model binding, ttl', async () => {
    const now = () => 1_700_000_000_000;
    const { url, server } = await serve({
      allowedOrigins: (o, req) => o.endsWith('.example') && req.headers['x-test'] === 'yes',
      relayUrl: (req) => `ws://${req.headers.host}/hydra`,
      model: 'hydra-v1.0',
      ttlSeconds: 10,
      now,
    });
    try {
      const denied = await http(url, { method: 'POST', headers: { origin } });
      assert.equal(denied.status, 403);
      const res = await http(url, { method: 'POST', headers: { origin, 'x-test': 'yes' } });
      assert.equal(res.status, 200);
      const body = JSON.parse(res.body);
      assert.equal(body.url, `ws://${new URL(url).host}/hydra`);
      const v = verifyToken(body.token, { secret, origin, now });
      assert.ok(v.ok);
      assert.equal(v.payload.model, 'hydra-v1.0');
      assert.equal(v.payload.exp, now() / 1000 + 10);
    } finally {
      await closeServer(server);
    }
  });

  it('defaults url to /hydra and refuses bad setup', async () => {
    const { url, server } = await serve();
    try {
      const res = await http(url, { method: 'POST', headers: { origin } });
      assert.equal(JSON.parse(res.body).url, '/hydra');
    } finally {
      await closeServer(server);
    }
    assert.throws(() => createTokenHandler({ secret: 'short', allowedOrigins: [origin] }), RangeError);
    assert.throws(() => createTokenHandler({ secret, allowedOrigins: ['not an origin'] }), TypeError);
  });
});
