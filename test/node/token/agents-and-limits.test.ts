// The token endpoint's server-held agents ({"agent": "<id>"} bodies) and its per-IP rate
// limit (429 + Retry-After), on a real node:http server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createTokenHandler, verifyToken, type TokenHandlerOptions } from '../../../src/server/token/index.ts';
import { createMemoryStore, createRedisStore } from '../../../src/server/store/index.ts';
import { startRedis } from '../store/redis-server.ts';
import { closeServer, http, listen } from '../relay/helpers.ts';

const secret = 'a-test-secret-that-is-long-enough-123';
const origin = 'https://shop.example';
const agents = { concierge: { instructions: 'Hotel concierge', voice: 'maya' } };

async function withEndpoint(
  options: Partial<TokenHandlerOptions>,
  run: (post: (body?: string, headers?: Record<string, string>, method?: string) => ReturnType<typeof http>) => Promise<void>,
  wrap?: (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => void,
) {
  const handler = createTokenHandler({ secret, allowedOrigins: [origin], clientIp: (req) => String(req.headers['x-test-ip'] ?? 'one'), ...options });
  const server = createServer(wrap ? wrap(handler) : handler);
  const url = `http://127.0.0.1:${await listen(server)}/api/hydra-token`;
  try {
    await run((body, headers = {}, method = 'POST') =>
      http(url, { method, headers: { origin, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body } : {}) }),
    );
  } finally {
    await closeServer(server);
  }
}

describe('token endpoint: server-held agents', () => {
  it('a token names the agent the request asked for', async () => {
    await withEndpoint({ agents }, async (post) => {
      const res = await post('{"agent":"concierge"}');
      assert.equal(res.status, 200);
      const v = verifyToken(JSON.parse(res.body).token, { secret, origin });
      assert.ok(v.ok);
      assert.equal(v.payload.agent, 'concierge');
    });
  });

  it('refuses, with a JSON reason and CORS so the page can read it: no agent, unknown agent, bad JSON, huge body', async () => {
    await withEndpoint({ agents }, async (post) => {
      const cases: [string | undefined, number, RegExp][] = [
        [undefined, 400, /serves server-held agents: send \{"agent": "<id>"\}/],
        ['{}', 400, /serves server-held agents/],
        ['{"agent":"nobody"}', 404, /unknown agent "nobody"/],
        ['{"agent":', 400, /must be JSON/],
        ['{"agent":7}', 400, /"agent" must be a non-empty string/],
        [JSON.stringify({ agent: 'concierge', pad: 'x'.repeat(5000) }), 413, /over 4096 bytes/],
      ];
      for (const [body, status, reason] of cases) {
        const res = await post(body);
        assert.equal(res.status, status, String(body).slice(0, 40));
        assert.match(JSON.parse(res.body).error, reason);
        assert.equal(res.headers['access-control-allow-origin'], origin);
        assert.doesNotMatch(res.body, /hv1\./);
      }
    });
  });

  it('without agents an agent request is refused (never a silently page-configured session); no body works as before', async () => {
    await withEndpoint({}, async (post) => {
      const asked = await post('{"agent":"concierge"}');
      assert.equal(asked.status, 400);
      assert.match(JSON.parse(asked.body).error, /has no server-held agents/);
      assert.equal((await post()).status, 200);
      assert.equal((await post('')).status, 200);
    });
  });

  it('allowPageSessions: requests naming no agent get a page-configured token', async () => {
    await withEndpoint({ agents, allowPageSessions: true }, async (post) => {
      const plain = await post();
      assert.equal(plain.status, 200);
      const v = verifyToken(JSON.parse(plain.body).token, { secret });
      assert.ok(v.ok && v.payload.agent === undefined);
      assert.equal((await post('{"agent":"nobody"}')).status, 404);
    });
  });

  it('works behind a body parser that already consumed the stream (req.body set, as express.json() does)', async () => {
    const parsed = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        (req as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        void handler(req, res);
      });
    };
    await withEndpoint({ agents }, async (post) => {
      const res = await post('{"agent":"concierge"}');
      assert.equal(res.status, 200);
      assert.equal(verifyToken(JSON.parse(res.body).token, { secret }).ok, true);
    }, parsed);
  });
});

describe('token endpoint: rate limit', () => {
  it('60 requests per minute per IP by default, then 429 with Retry-After and a reason; other IPs unaffected', async () => {
    await withEndpoint({}, async (post) => {
      for (let i = 0; i < 60; i++) assert.equal((await post()).status, 200, `request ${i + 1}`);
      const refused = await post();
      assert.equal(refused.status, 429);
      const retry = Number(refused.headers['retry-after']);
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${refused.headers['retry-after']}`);
      assert.match(JSON.parse(refused.body).error, /too many token requests from this address \(limit 60 per 60 s\); retry in \d+ s/);
      assert.equal(refused.headers['access-control-allow-origin'], origin);
      assert.match(String(refused.headers['access-control-expose-headers']), /retry-after/);
      assert.equal((await post(undefined, { 'x-test-ip': 'two' })).status, 200);
    });
  });

  it('configurable; the window reopens when it ends; preflights and refused origins do not count', async () => {
    let t = 1_700_000_000_000;
    const now = () => t;
    await withEndpoint({ rateLimit: { max: 2, windowSeconds: 10 }, now }, async (post) => {
      assert.equal((await post(undefined, { origin: 'https://evil.example' })).status, 403);
      for (let i = 0; i < 3; i++) assert.equal((await post(undefined, { 'access-control-request-method': 'POST' }, 'OPTIONS')).status, 204);
      assert.equal((await post()).status, 200);
      assert.equal((await post()).status, 200);
      const refused = await post();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['retry-after'], '10');
      t += 10_000;
      assert.equal((await post()).status, 200);
    });
    await withEndpoint({ rateLimit: false }, async (post) => {
      for (let i = 0; i < 80; i++) assert.equal((await post()).status, 200);
    });
  });

  it('two endpoints sharing a store share the count', async () => {
    const store = createMemoryStore();
    await withEndpoint({ rateLimit: { max: 3, windowSeconds: 60 }, store }, async (a) => {
      await withEndpoint({ rateLimit: { max: 3, windowSeconds: 60 }, store }, async (b) => {
        assert.equal((await a()).status, 200);
        assert.equal((await b()).status, 200);
        assert.equal((await a()).status, 200);
        assert.equal((await b()).status, 429);
        assert.equal((await a()).status, 429);
      });
    });
  });

  it('a store that fails answers 503 with Retry-After, never a token', async () => {
    const redis = await startRedis();
    const store = await createRedisStore({ url: redis.url });
    try {
      await withEndpoint({ store }, async (post) => {
        assert.equal((await post()).status, 200);
        await redis.stop();
        const res = await post();
        assert.equal(res.status, 503);
        assert.equal(res.headers['retry-after'], '5');
        assert.match(JSON.parse(res.body).error, /temporarily unavailable/);
      });
    } finally {
      await store.close();
    }
  });
});
