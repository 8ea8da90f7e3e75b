// Token-endpoint behaviours for browser tests, as Koa middleware on the test server:
//   POST /__token/ok?url=<ws url>   → 200 {"token":"test-token","url":<ws url>}
//   POST /__token/status?code=500   → that status with a JSON error body
//   POST /__token/garbage           → 200 with a body that is not JSON
//   POST /__token/no-token          → 200 {"url": "..."} without a token
// Each request is counted so tests can assert retries.
import type { Context, Next } from 'koa';

const hits = new Map<string, number>();

export function tokenRoutes() {
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/__token/')) return next();
    if (ctx.path === '/__token/hits') {
      ctx.body = JSON.stringify(Object.fromEntries(hits));
      ctx.type = 'json';
      return;
    }
    hits.set(ctx.path, (hits.get(ctx.path) ?? 0) + 1);
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      return;
    }
    ctx.set('cache-control', 'no-store');
    switch (ctx.path) {
      case '/__token/ok':
        ctx.type = 'json';
        ctx.body = JSON.stringify({ token: 'test-token', url: ctx.query.url });
        return;
      case '/__token/status':
        ctx.status = Number(ctx.query.code ?? 500);
        ctx.type = 'json';
        ctx.body = JSON.stringify({ error: 'token endpoint failure (test)' });
        return;
      case '/__token/garbage':
        ctx.type = 'text/html';
        ctx.body = '<html>not json</html>';
        return;
      case '/__token/no-token':
        ctx.type = 'json';
        ctx.body = JSON.stringify({ url: 'ws://127.0.0.1:9/none' });
        return;
    }
    ctx.status = 404;
  };
}
