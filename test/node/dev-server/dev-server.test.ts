// The `npm start` server: static demo + dist, token endpoint, relay → simulator, on one port.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startDevServer, type DevServer } from '../../../src/server/dev-server.ts';
import { connect, http, json } from '../relay/helpers.ts';

const SECRET_TEXT = 'TOP-SECRET-CONTENT';

function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'hv-dev-'));
  const site = join(root, 'site');
  mkdirSync(join(site, 'demo', 'sub'), { recursive: true });
  mkdirSync(join(site, 'dist'), { recursive: true });
  writeFileSync(join(site, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(site, 'demo', 'app.css'), 'body{}');
  writeFileSync(join(site, 'demo', 'sub', 'index.html'), '<p>sub</p>');
  writeFileSync(join(site, 'demo', '.env'), SECRET_TEXT);
  writeFileSync(join(site, 'dist', 'hydra-voice.js'), 'console.log(1)');
  writeFileSync(join(site, 'dist', 'x.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(site, 'secret.txt'), SECRET_TEXT);
  writeFileSync(join(root, 'secret.txt'), SECRET_TEXT);
  return root;
}

describe('dev server', () => {
  let root: string;
  let dev: DevServer;
  let base: string;
  before(async () => {
    root = makeRoot();
    dev = await startDevServer({ port: 0, root: join(root, 'site'), upstream: 'simulator' });
    base = `http://127.0.0.1:${dev.port}`;
  });
  after(async () => {
    await dev.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports its URL and upstream', () => {
    assert.equal(dev.url, `http://localhost:${dev.port}/`);
    assert.equal(dev.upstream, 'simulator');
    assert.match(dev.upstreamUrl, /\/hydra-sim$/);
  });

  it('serves demo/ at / and dist/ at /dist/ with MIME types', async () => {
    const cases: [string, RegExp, string][] = [
      ['/', /^text\/html/, '<!doctype html><title>demo</title>'],
      ['/index.html', /^text\/html/, '<!doctype html><title>demo</title>'],
      ['/app.css', /^text\/css/, 'body{}'],
      ['/sub/', /^text\/html/, '<p>sub</p>'],
      ['/dist/hydra-voice.js', /^text\/javascript/, 'console.log(1)'],
      ['/app.css?v=2', /^text\/css/, 'body{}'],
    ];
    for (const [path, type, body] of cases) {
      const res = await http(base + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers['content-type'] ?? '', type, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.body, body, path);
    }
    const wasm = await http(`${base}/dist/x.wasm`);
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    const head = await http(`${base}/app.css`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '6');
    assert.equal(head.body, '');
  });

  it('404s missing files (with a build hint under /dist) and 405s non-GET static requests', async () => {
    assert.equal((await http(`${base}/nope.html`)).status, 404);
    const dist = await http(`${base}/dist/hydra-voice.mjs`);
    assert.equal(dist.status, 404);
    assert.match(dist.body, /npm run build/);
    assert.equal((await http(`${base}/index.html`, { method: 'POST' })).status, 405);
  });

  it('refuses path traversal and dotfiles, raw or encoded', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2e%2e/secret.txt',
      '/dist/../secret.txt',
      '/dist/..%2f..%2fsecret.txt',
      '/dist/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/.env',
      '/%2eenv',
      '/app.css%00.html',
      '/%E0%A4%A',
    ];
    for (const path of attempts) {
      const res = await http(base + path);
      assert.ok(res.status === 403 || res.status === 404 || res.status === 400, `${path} → ${res.status}`);
      assert.ok(!res.body.includes(SECRET_TEXT), `${path} leaked`);
    }
  });

  it('mints tokens for its own origins only, pointing at its relay', async () => {
    for (const origin of [`http://localhost:${dev.port}`, `http://127.0.0.1:${dev.port}`]) {
      const res = await http(`${base}/api/hydra-token`, { method: 'POST', headers: { origin } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = JSON.parse(res.body);
      assert.equal(typeof body.token, 'string');
      assert.equal(body.url, `${origin.replace('http', 'ws')}/hydra`);
    }
    assert.equal((await http(`${base}/api/hydra-token`, { method: 'POST', headers: { origin: 'https://evil.example' } })).status, 403);
    assert.equal((await http(`${base}/api/hydra-token`, { method: 'POST', headers: { origin: `http://localhost:${dev.port + 1}` } })).status, 403);
    assert.equal((await http(`${base}/api/hydra-token`, { headers: { origin: `http://localhost:${dev.port}` } })).status, 405);
  });

  it('relays a Hydra handshake to the local simulator', async () => {
    const origin = `http://127.0.0.1:${dev.port}`;
    const { token, url } = JSON.parse((await http(`${base}/api/hydra-token`, { method: 'POST', headers: { origin } })).body);
    const client = connect(url, { model: 'hydra-v1.1', api_key: token }, origin);
    const created = json(await client.frame(1));
    assert.equal(created.type, 'session.created');
    assert.equal(typeof created.session_id, 'string');
    client.ws.send(JSON.stringify({ type: 'session.configure', session: { voice: 'zoe', instructions: 'Be brief.' } }));
    const configured = json(await client.frame(2));
    assert.equal(configured.type, 'session.configured');
    assert.equal(configured.session.voice, 'zoe');
    client.ws.close(1000);
    assert.equal((await client.closed).code, 1000);
  });

  it('relays the deprecation warning before session.created for model=hydra', async () => {
    const origin = `http://localhost:${dev.port}`;
    const { token, url } = JSON.parse((await http(`${base}/api/hydra-token`, { method: 'POST', headers: { origin } })).body);
    const client = connect(url.replace('localhost', '127.0.0.1'), { model: 'hydra', api_key: token }, origin);
    const warning = json(await client.frame(1));
    assert.equal(warning.type, 'warning');
    assert.equal(warning.code, 'model_deprecated');
    assert.equal(json(await client.frame(2)).type, 'session.created');
    client.ws.close(1000);
    await client.closed;
  });

  it('rejects a relay connection without a valid token readably', async () => {
    const client = connect(`ws://127.0.0.1:${dev.port}/hydra`, { api_key: 'nope' }, `http://localhost:${dev.port}`);
    assert.equal(json(await client.frame(1)).type, 'error');
    assert.equal((await client.closed).code, 4001);
  });

  it('keeps the simulator behind its internal key and 404s unknown upgrade paths', async () => {
    const statusOf = (path: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${dev.port}${path}`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.terminate();
        });
        ws.on('error', () => {});
      });
    assert.equal(await statusOf('/hydra-sim?model=hydra-v1.1&api_key=guess'), 401);
    assert.equal(await statusOf('/elsewhere'), 404);
  });
});

describe('dev server setup', () => {
  it('falls back to another port when the requested one is taken', async () => {
    const root = makeRoot();
    const first = await startDevServer({ port: 0, root: join(root, 'site'), upstream: 'simulator' });
    try {
      const lines: string[] = [];
      const second = await startDevServer({ port: first.port, root: join(root, 'site'), upstream: 'simulator', log: (l) => lines.push(l) });
      try {
        assert.notEqual(second.port, first.port);
        assert.ok(lines.some((l) => l.includes(`port ${first.port} is taken`)));
        assert.ok(lines.some((l) => l.includes(second.url)));
        assert.ok(lines.some((l) => /simulator/.test(l)));
      } finally {
        await second.close();
      }
      await assert.rejects(startDevServer({ port: first.port, strictPort: true, root: join(root, 'site'), upstream: 'simulator' }), /EADDRINUSE/);
    } finally {
      await first.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('uses real Hydra only with a key, never printing it', async () => {
    await assert.rejects(startDevServer({ port: 0, upstream: 'hydra', apiKey: '' }), /SMALLEST_API_KEY/);
    const lines: string[] = [];
    const dev = await startDevServer({ port: 0, upstream: 'auto', apiKey: 'sk-secret-key-xyz', log: (l) => lines.push(l) });
    try {
      assert.equal(dev.upstream, 'hydra');
      assert.ok(lines.some((l) => l.includes('real Hydra')));
      assert.ok(!lines.join('\n').includes('sk-secret-key-xyz'));
    } finally {
      await dev.close();
    }
  });

  it('close() ends relayed sessions with 1001', async () => {
    const root = makeRoot();
    const dev = await startDevServer({ port: 0, root: join(root, 'site'), upstream: 'simulator' });
    const origin = `http://127.0.0.1:${dev.port}`;
    const { token, url } = JSON.parse((await http(`http://127.0.0.1:${dev.port}/api/hydra-token`, { method: 'POST', headers: { origin } })).body);
    const client = connect(url, { api_key: token }, origin);
    await client.frame(1);
    await dev.close();
    assert.equal((await client.closed).code, 1001);
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the concierge agent: its token opens a session configured by the server', async () => {
    const dev = await startDevServer({ port: 0, upstream: 'simulator' });
    const origin = `http://127.0.0.1:${dev.port}`;
    try {
      const res = await http(`http://127.0.0.1:${dev.port}/api/hydra-token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: '{"agent":"concierge"}',
      });
      assert.equal(res.status, 200);
      const { token, url } = JSON.parse(res.body);
      const client = connect(url, { model: 'hydra-v1.1', api_key: token }, origin);
      assert.equal(json(await client.frame(1)).type, 'session.created');
      client.ws.send('{"type":"session.configure","session":{"voice":"zoe"}}');
      const configured = json(await client.frame(2));
      assert.equal(configured.type, 'session.configured');
      assert.equal(configured.session.voice, 'maya');
      client.ws.close();
      await client.closed;
    } finally {
      await dev.close();
    }
  });

  it('reads HYDRA_ALLOWED_ORIGINS and the limit variables, refusing malformed values clearly', async () => {
    const saved = { ...process.env };
    try {
      process.env.HYDRA_ALLOWED_ORIGINS = 'https://a.example, https://B.example:443/';
      process.env.HYDRA_TOKEN_RATE_LIMIT = '2';
      const dev = await startDevServer({ port: 0, upstream: 'simulator' });
      try {
        const post = (origin: string) => http(`http://127.0.0.1:${dev.port}/api/hydra-token`, { method: 'POST', headers: { origin } });
        assert.equal((await post('https://a.example')).status, 200);
        assert.equal((await post('https://b.example')).status, 200, 'entries are normalized');
        assert.equal((await post('https://a.example')).status, 429, 'HYDRA_TOKEN_RATE_LIMIT=2');
      } finally {
        await dev.close();
      }
      process.env.HYDRA_ALLOWED_ORIGINS = 'www.example.com';
      await assert.rejects(startDevServer({ port: 0, upstream: 'simulator' }), /HYDRA_ALLOWED_ORIGINS: "www.example.com" is not an http\(s\) origin/);
      process.env.HYDRA_ALLOWED_ORIGINS = '';
      process.env.HYDRA_TOKEN_RATE_LIMIT = 'lots';
      await assert.rejects(startDevServer({ port: 0, upstream: 'simulator' }), /HYDRA_TOKEN_RATE_LIMIT must be a positive integer \(got "lots"\)/);
      process.env.HYDRA_TOKEN_RATE_LIMIT = '';
      process.env.REDIS_URL = 'redis://:pw-xyz@127.0.0.1:1';
      await assert.rejects(startDevServer({ port: 0, upstream: 'simulator' }), (e: Error) => /cannot connect to Redis/.test(e.message) && !e.message.includes('pw-xyz'));
    } finally {
      for (const k of ['HYDRA_ALLOWED_ORIGINS', 'HYDRA_TOKEN_RATE_LIMIT', 'REDIS_URL']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
