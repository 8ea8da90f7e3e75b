// Pages for the worker tests: a plain page in an iframe (optionally under a CSP, optionally
// loading the script from the other loopback origin, like a CDN), its console warnings,
// and a puppet server per test (the element helpers do the handshake).
import type { HydraVoiceElement } from '../../../src/index.ts';
import { Puppet } from '../../support/puppet.ts';
import { afterEach, beforeEach } from '../session/helpers.ts';


export interface TestPage {
  frame: HTMLIFrameElement;
  win: Window & typeof globalThis & { __warnings: string[] };
  el: HydraVoiceElement;
  close(): void;
}

/** The test server's origin under its other loopback name (localhost ↔ 127.0.0.1): a cross-origin "CDN". */
export function otherOrigin(): string {
  const other = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  return `${location.protocol}//${other}:${location.port}`;
}

/** The test server's URL for a page with this document (test/support/page-routes.ts). */
export function pageUrl(html: string): string {
  return `/__page?html=${encodeURIComponent(html)}`;
}

/** An iframe with `head` (scripts, a CSP meta) and `body`, console.warn recorded. */
export async function openPage(head: string, body = '<hydra-voice></hydra-voice>'): Promise<TestPage> {
  const frame = document.createElement('iframe');
  frame.allow = 'microphone; autoplay';
  // A real document, not srcdoc: 'self' in a CSP means the page's origin in every engine
  // (test/support/page-routes.ts).
  frame.src = pageUrl(`<!doctype html><html><head>${head}<script>
    window.__warnings = [];
    const warn = console.warn.bind(console);
    console.warn = (...a) => { window.__warnings.push(a.join(' ')); warn(...a); };
  </script></head><body>${body}</body></html>`);
  document.body.append(frame);
  await new Promise((r) => frame.addEventListener('load', r, { once: true }));
  const win = frame.contentWindow as TestPage['win'];
  await win.customElements.whenDefined('hydra-voice');
  const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
  await el.updateComplete;
  return {
    frame,
    win,
    el,
    close: () => {
      try {
        el.stop();
      } finally {
        frame.remove();
      }
    },
  };
}

/** A puppet server per test and the page under test, closed after each test. */
export function puppetAndPage(): { puppet: Puppet; page: TestPage | undefined } {
  const ctx = { page: undefined } as { puppet: Puppet; page: TestPage | undefined };
  beforeEach(async () => {
    ctx.puppet = await Puppet.create();
  });
  afterEach(() => {
    ctx.page?.close();
    ctx.page = undefined;
    ctx.puppet.dispose();
  });
  return ctx;
}

export { connect, sv, toneDelta } from '../element/helpers.ts';
