// Two `npm start` processes behind one site, as a load balancer would run them: one Redis,
// one secret, one set of origins. A token used on one instance is refused on the other,
// and the token rate limit and the per-IP session limit add up across both. Also checks
// what the processes print: never the secret, a token, or the Redis password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mintToken } from '../../../src/server/token/index.ts';
import { RELAY_CLOSE } from '../../../src/server/relay/index.ts';
import { startRedis, type RedisServer } from '../store/redis-server.ts';
import { connect, http, json, type TestClient } from '../relay/helpers.ts';

const SITE = 'https://www.hotel.example';
const SECRET = randomBytes(32).toString('hex');
const REDIS_PASSWORD = 'redis-pass-0f3c9a';

interface Instance {
  port: number;
  output: () => string;
  stop(): Promise<void>;
}

/** `node src/server/dev-server.ts` (what `npm start` runs after building) with a deploy's env. */
function startInstance(redisUrl: string): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/dev-server.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        SMALLEST_API_KEY: '',
        HYDRA_RELAY_SECRET: SECRET,
        REDIS_URL: redisUrl,
        HYDRA_ALLOWED_ORIGINS: `${SITE}, https://shop.hotel.example/`,
        HYDRA_TOKEN_RATE_LIMIT: '5',
        HYDRA_MAX_SESSIONS_PER_IP: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = output.match(/open http:\/\/localhost:(\d+)\//)?.[1];
      // The last line of the start banner (HYDRA_ALLOWED_ORIGINS is set here).
      if (port && output.includes('extra allowed origins:') && output.endsWith('\n')) {
        resolve({
          port: Number(port),
          output: () => output,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`instance exited (${code}) before it was ready:\n${output}`)));
  });
}

const tokenRequest = (port: number, body = '{"agent":"concierge"}') =>
  http(`http://127.0.0.1:${port}/api/hydra-token`, { method: 'POST', headers: { origin: SITE, 'content-type': 'application/json' }, body });
const relayUrl = (port: number) => `ws://127.0.0.1:${port}/hydra`;
const agentToken = () => mintToken({ secret: SECRET, origin: SITE, agent: 'concierge' });

describe('two instances sharing one Redis', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  const open: TestClient[] = [];
  before(async () => {
    redis = await startRedis({ password: REDIS_PASSWORD });
    [a, b] = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
  });
  after(async () => {
    for (const c of open) c.ws.terminate();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('both report shared Redis state without its password', () => {
    for (const x of [a, b]) {
      assert.match(x.output(), /state: Redis at redis:\/\/127\.0\.0\.1:\d+ \(shared/);
      assert.match(x.output(), /agents: concierge/);
      assert.match(x.output(), /extra allowed origins: https:\/\/www\.hotel\.example, https:\/\/shop\.hotel\.example/);
    }
  });

  it('a token minted by A and used on A is refused on B with 4001 "already used"', async () => {
    const res = await tokenRequest(a.port);
    assert.equal(res.status, 200);
    const { token } = JSON.parse(res.body);
    const first = connect(relayUrl(a.port), { api_key: token, model: 'hydra-v1.1' }, SITE);
    open.push(first);
    assert.equal(json(await first.frame(1)).type, 'session.created', 'the session is live on A');
    const replay = connect(relayUrl(b.port), { api_key: token, model: 'hydra-v1.1' }, SITE);
    assert.match(json(await replay.frame(1)).error.message, /token was already used/);
    const closed = await replay.closed;
    assert.equal(closed.code, RELAY_CLOSE.UNAUTHORIZED);
    assert.match(closed.reason, /already used/);
  });

  it("B's session gets the concierge's configuration from the server (the page's persona ignored, the prompt not echoed)", async () => {
    const client = connect(relayUrl(b.port), { api_key: agentToken(), model: 'hydra-v1.1' }, SITE);
    open.push(client);
    assert.equal(json(await client.frame(1)).type, 'session.created');
    client.ws.send(JSON.stringify({ type: 'session.configure', session: { instructions: 'Be a general assistant', voice: 'zoe', tools: [] } }));
    let configured: Record<string, any> | undefined;
    for (let n = 2; !configured; n++) {
      const frame = json(await client.frame(n));
      if (frame.type === 'session.configured') configured = frame;
    }
    assert.equal(configured.session.voice, 'maya');
    assert.deepEqual(configured.session.tools.map((t: { name: string }) => t.name), ['check_availability']);
    assert.equal(configured.session.instructions, undefined);
  });

  it('concurrent sessions per IP add up across instances (limit 2: one on A, one on B, a third refused on either)', async () => {
    // Two sessions are open now (A from the replay test, B from the agent test).
    for (const port of [a.port, b.port]) {
      const third = connect(relayUrl(port), { api_key: agentToken(), model: 'hydra-v1.1' }, SITE);
      assert.match(json(await third.frame(1)).error.message, /too many concurrent sessions from this address \(limit 2\)/);
      assert.equal((await third.closed).code, RELAY_CLOSE.TOO_MANY_SESSIONS);
    }
    const leaving = open.pop()!;
    leaving.ws.close(1000);
    await leaving.closed;
    // The slot frees across instances once B has released it.
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt < 100, 'the freed slot never became available');
      const next = connect(relayUrl(a.port), { api_key: agentToken(), model: 'hydra-v1.1' }, SITE);
      const first = json(await next.frame(1));
      if (first.type === 'session.created') {
        open.push(next);
        break;
      }
      await next.closed;
    }
  });

  it('token requests per IP add up across instances (limit 5 per minute)', async () => {
    // One request went to A above; four more split over both reach the limit.
    for (const port of [a.port, b.port, a.port, b.port]) assert.equal((await tokenRequest(port)).status, 200);
    for (const port of [a.port, b.port]) {
      const refused = await tokenRequest(port);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.match(JSON.parse(refused.body).error, /limit 5 per 60 s/);
    }
  });

  it('nothing printed contains the secret, a token or the Redis password', () => {
    for (const x of [a, b]) {
      const out = x.output();
      assert.ok(!out.includes(SECRET), 'secret');
      assert.ok(!out.includes(REDIS_PASSWORD), 'redis password');
      assert.doesNotMatch(out, /hv1\.[A-Za-z0-9_-]{20,}/, 'token');
    }
  });
});
