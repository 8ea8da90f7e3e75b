// Screenshots of <hydra-voice> for the README: each layout, light and dark, 375 px wide
// (a phone), in headless Chromium, with a real conversation behind them (the built
// dist/hydra-voice.js, Chromium's fake microphone asking a question every ~6.5 s, the
// token endpoint, relay and simulator of `npm start`). Writes docs/screenshots/*.png.
//
//   npm run build && node --import tsx scripts/screenshots.ts
import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { WEATHER_TOOL, openConversation } from '../test/support/conversation-driver.ts';

const OUT = 'docs/screenshots';
const WIDTH = 375;
const HEIGHT = 720;

/** A plain page around the element, like a site that embeds it. */
const page = (element: string) => `
  <main style="font: 16px/1.5 system-ui, sans-serif; padding: 16px; color: var(--fg)">
    <h1 style="font-size: 1.4rem; margin: 0 0 .5rem">Hotel Hydra</h1>
    <p style="margin: 0 0 1rem">Questions about your stay? Ask our assistant.</p>
    ${element}
  </main>
  <style>
    :root { color-scheme: light dark; --fg: #1f2937; background: #f8fafc; }
    @media (prefers-color-scheme: dark) { :root { --fg: #f3f4f6; background: #0f172a; } }
    body { margin: 0; min-height: ${HEIGHT}px; }
  </style>`;

interface Shot {
  name: string;
  element: string;
  /** What to do before the screenshots (after the page is ready). */
  prepare?: (page: Page) => Promise<void>;
}

const SHOTS: Shot[] = [
  { name: 'inline-idle', element: '<hydra-voice voice="maya"></hydra-voice>' },
  { name: 'inline-call', element: '<hydra-voice voice="maya" timeline></hydra-voice>', prepare: (p) => converse(p, '[part~=button]') },
  { name: 'floating-closed', element: '<hydra-voice voice="maya" layout="floating"></hydra-voice>' },
  {
    name: 'floating-call',
    element: '<hydra-voice voice="maya" layout="floating"></hydra-voice>',
    prepare: async (p) => {
      await click(p, '[part~=launcher]');
      await converse(p, '[part~=button]');
    },
  },
  {
    name: 'floating-error',
    element: '<hydra-voice voice="nobody" layout="floating" open lang="fr"></hydra-voice>',
    prepare: async (p) => {
      await click(p, '[part~=button]');
      await p.waitForFunction(() => document.querySelector('hydra-voice')!.getAttribute('state') === 'error');
    },
  },
];

async function click(p: Page, selector: string): Promise<void> {
  await p.locator(`hydra-voice >>> ${selector}`).click();
}

/** Starts the call and waits for a tool call, its narration and the next question's reply. */
async function converse(p: Page, selector: string): Promise<void> {
  await click(p, selector);
  await p.waitForFunction(
    () => {
      const h = (document.querySelector('hydra-voice') as any).history as { kind: string; durationMs?: number }[];
      return h.some((e) => e.kind === 'tool') && h.filter((e) => e.kind === 'agent' && e.durationMs !== undefined).length >= 2;
    },
    { timeout: 60_000, polling: 500 },
  );
  // Mid-reply and loud, so the halo and the "Speaking" status show.
  await p.waitForFunction(
    () => {
      const el = document.querySelector('hydra-voice')!;
      const halo = el.shadowRoot!.querySelector<HTMLElement>('[part~=visualizer]');
      return el.getAttribute('state') === 'speaking' && /scale\(1\.[2-9]/.test(halo?.style.transform ?? '');
    },
    { timeout: 30_000, polling: 50 },
  );
}

async function main(): Promise<void> {
  // The e2e bench's stack (dev server with the simulator, Chromium with the fake mic); the
  // shots are taken in pages of its browser.
  const c = await openConversation({ light: true, log: (l) => console.error(l) });
  mkdirSync(OUT, { recursive: true });
  try {
    for (const shot of SHOTS) {
      const p = await c.page.browser().newPage();
      await p.setViewport({ width: WIDTH, height: HEIGHT, deviceScaleFactor: 1 });
      await p.goto(`${c.server.url}index.html`);
      await p.evaluate(
        (html, tool) => {
          document.body.innerHTML = html;
          const el = document.querySelector('hydra-voice') as any;
          el.tokenEndpoint = '/api/hydra-token';
          el.tools = [tool];
          el.addEventListener('hydra-tool-call', (e: any) => e.detail.respond({ temperature: 18, unit: 'celsius', sky: 'clear' }));
        },
        page(shot.element),
        WEATHER_TOOL,
      );
      await shot.prepare?.(p);
      for (const scheme of ['light', 'dark'] as const) {
        await p.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
        const path = `${OUT}/${shot.name}-${scheme}.png`;
        await p.screenshot({ path: path as `${string}.png` });
        console.log(`wrote ${path}`);
      }
      await p.evaluate(() => (document.querySelector('hydra-voice') as any).stop());
      await p.close();
    }
  } finally {
    await c.close();
  }
}

await main();
