// Opens a page in any of the engines (test/support/engines.ts), its audio on a PulseAudio
// room, and runs scripts in it: the engine-agnostic driver the per-engine benchmarks use
// (bench/engines.ts). Chromium and Firefox through puppeteer-core (CDP / WebDriver BiDi),
// WebKitGTK through WebKitWebDriver (webkit/webdriver.ts).
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS, FIREFOX, FIREFOX_PREFS, type EngineName } from './engines.ts';
import type { PulseRoom } from './pulse.ts';
import { startWebKit } from './webkit/webdriver.ts';

export interface EnginePage {
  engine: EngineName;
  /** Evaluates a JavaScript expression in the page and resolves with its (awaited, JSON) value. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Launches `engine` with its audio on `room` and opens `url`. */
export async function openEnginePage(engine: EngineName, url: string, room: PulseRoom, log: (line: string) => void = () => undefined): Promise<EnginePage> {
  if (engine === 'webkit') {
    const wk = await startWebKit({ env: { PULSE_SERVER: room.server }, log, scriptTimeoutMs: 600_000 });
    try {
      await wk.navigate(url);
    } catch (e) {
      await wk.close();
      throw e;
    }
    return {
      engine,
      async evaluate<T>(expression: string) {
        const r = await wk.executeAsync<{ ok?: T; error?: string }>(
          `const done = arguments[arguments.length - 1];
           Promise.resolve().then(() => (${expression})).then((ok) => done({ ok }), (e) => done({ error: String((e && e.stack) || e) }));`,
        );
        if (r.error !== undefined) throw new Error(`in WebKit: ${r.error}`);
        return r.ok as T;
      },
      close: () => wk.close(),
    };
  }
  const env = { ...process.env, PULSE_SERVER: room.server };
  const browser =
    engine === 'firefox'
      ? await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, env, extraPrefsFirefox: FIREFOX_PREFS })
      : await puppeteer.launch({
          executablePath: CHROMIUM,
          headless: true,
          env,
          ignoreDefaultArgs: ['--mute-audio'],
          args: engine === 'chromium' ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, '--disable-features=ChromeWideEchoCancellation'],
        });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(600_000);
    page.on('pageerror', (e) => log(`[${engine}] page error: ${String(e)}`));
    page.on('console', (m) => log(`[${engine}] ${m.text()}`));
    await page.goto(url);
    return {
      engine,
      evaluate: <T>(expression: string) =>
        (page.evaluate(expression) as Promise<T>).catch((e: Error) => {
          throw new Error(`${e.message} (evaluating ${expression.slice(0, 80)})`);
        }),
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
