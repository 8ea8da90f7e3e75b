// The demo page's server-held concierge, end to end in headless Chromium: the built
// dist/hydra-voice.js on demo/index.html, <hydra-voice agent="concierge"> → POST
// {"agent":"concierge"} → relay → simulator. The session runs on the server's definition
// (voice maya, its tool, the agent greets first) and the page never sees the prompt.
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startDevServer, type DevServer } from '../../../src/server/dev-server.ts';
import { prepareFixtures } from '../../support/fixtures.ts';

describe('demo: the server-held concierge', () => {
  let dev: DevServer;
  let browser: Browser;
  before(async () => {
    assert.ok(existsSync('dist/hydra-voice.js'), 'dist/hydra-voice.js is missing: run npm run build (npm test builds first)');
    const fixtures = await prepareFixtures();
    dev = await startDevServer({ port: 0, upstream: 'simulator' });
    browser = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${fixtures.micSilenceWav}`],
    });
  });
  after(async () => {
    await browser?.close();
    await dev?.close();
  });

  it('greets with the server-defined voice and tools; the page cannot see or change the persona', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/hydra-token')) requests.push(r.postData() ?? '');
    });
    await page.goto(`${dev.url}index.html`);
    await page.waitForFunction(() => customElements.get('hydra-voice') !== undefined);
    const result = await page.evaluate(
      () =>
        new Promise<{ session: any; errors: unknown[] }>((resolve) => {
          const el = document.getElementById('concierge') as HTMLElement & { start(): Promise<void>; persona: string };
          el.persona = 'You are a free general-purpose assistant.'; // what a visitor would try
          const errors: unknown[] = [];
          el.addEventListener('hydra-error', (e) => errors.push((e as CustomEvent).detail));
          el.addEventListener('hydra-session', (e) => {
            const session = (e as CustomEvent).detail.session;
            // The concierge speaks first: wait for its greeting to start.
            el.addEventListener('hydra-response-start', () => resolve({ session, errors }), { once: true });
          });
          void el.start();
        }),
    );
    assert.deepEqual(requests, ['{"agent":"concierge"}']);
    assert.deepEqual(result.errors, []);
    assert.equal(result.session.voice, 'maya');
    assert.deepEqual(result.session.tools.map((t: { name: string }) => t.name), ['check_availability']);
    assert.equal(result.session.instructions, undefined, 'the prompt stays on the server');
    await page.close();
  });
});
