// Pages a browser test writes on the fly, served as real documents by the test server:
//   GET /__page?html=<the document, URI-encoded>   → 200 text/html, no caching
// A test page under a <meta> Content-Security-Policy must be a real document, not a srcdoc
// iframe: Firefox and WebKit resolve 'self' differently in a srcdoc document (Firefox blocks
// the page's own same-origin scripts and workers there; WebKit refuses its worklet modules),
// something no site serving its own page meets.
import type { Context, Next } from 'koa';

export function pageRoutes() {
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/__page') return next();
    const html = ctx.query.html;
    if (typeof html !== 'string') {
      ctx.status = 400;
      ctx.body = 'html query parameter missing';
      return;
    }
    ctx.set('cache-control', 'no-store');
    ctx.type = 'text/html';
    ctx.body = html;
  };
}

