// web-test-runner BrowserLauncher for WebKitGTK's MiniBrowser (see webdriver.ts): one
// WebDriver session, test files one after another (concurrency 1), each file navigated to
// in the same window, then `about:blank` so nothing of it keeps running. Typed as
// 'webdriver' so @web/test-runner-commands' sendKeys reaches `sendKeys()` below.
//
// When a page's web process dies, the driver deletes the session and MiniBrowser stays up
// without a page. The runner fails that file (its socket closed), but every later file
// would wait out testsStartTimeout in a browser that can no longer navigate: so the
// launcher says so on stderr, names the file, and gives the next file a new MiniBrowser.
import { sessionGone, startWebKit, type WebKitOptions, type WebKitSession } from './webdriver.ts';

export class WebKitLauncher {
  readonly type = 'webdriver';
  readonly concurrency = 1;
  private session: Promise<WebKitSession> | undefined;
  private readonly urls = new Map<string, string>();
  /** How many times a MiniBrowser was replaced after its page crashed or hung. */
  restarts = 0;

  constructor(
    public name: string,
    private readonly options: WebKitOptions = {},
  ) {}

  private browser(): Promise<WebKitSession> {
    this.session ??= startWebKit(this.options);
    return this.session;
  }

  /** Ends a MiniBrowser whose session is gone; the next file starts a new one. */
  private async replace(browser: WebKitSession, why: string): Promise<void> {
    const current = this.session;
    if (!current || (await current.catch(() => undefined)) !== browser || this.session !== current) return; // replaced already
    this.session = undefined;
    this.restarts++;
    console.error(`[webkit] ${why}. The page crashed or hung; the next test file gets a new MiniBrowser.`);
    await browser.close();
  }

  /** The running MiniBrowser's process group (driver, browser, web processes), if one runs. */
  async processGroup(): Promise<number | undefined> {
    return (await this.session?.catch(() => undefined))?.processGroup;
  }

  async initialize(): Promise<void> {}

  async stop(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await (await s).close();
  }

  async startSession(sessionId: string, url: string): Promise<void> {
    const browser = await this.browser();
    this.urls.set(sessionId, url);
    // WebDriver's navigate waits for the load event; the runner then waits for the page's
    // own "tests started" ping, so do not hold the scheduler on it.
    void browser.navigate(url).catch(async (e: Error) => {
      this.options.log?.(`navigate ${url}: ${e.message}`);
      if (!sessionGone(e)) return;
      // The session was already gone (a crash after the last file's page was unloaded):
      // this file gets a new browser instead of waiting out testsStartTimeout.
      await this.replace(browser, `navigating to ${url}: ${e.message}`);
      if (this.urls.get(sessionId) !== url) return;
      const next = await this.browser();
      await next.navigate(url).catch((e2: Error) => this.options.log?.(`navigate ${url}: ${e2.message}`));
    });
  }

  isActive(sessionId: string): boolean {
    return this.urls.has(sessionId);
  }

  getBrowserUrl(sessionId: string): string | undefined {
    return this.urls.get(sessionId);
  }

  async stopSession(sessionId: string): Promise<{ errors: never[] }> {
    const url = this.urls.get(sessionId);
    this.urls.delete(sessionId);
    const browser = await this.browser();
    try {
      await browser.navigate('about:blank');
    } catch (e) {
      // Any failure here (gone or hung) leaves a browser the next file cannot trust.
      await this.replace(browser, `leaving ${url}: ${(e as Error).message}`);
      throw new Error(`WebKitGTK: the page of this file crashed or hung (${(e as Error).message})`);
    }
    return { errors: [] };
  }

  async startDebugSession(): Promise<void> {
    throw new Error('Debugging is not supported for WebKitGTK; run with a headed MiniBrowser by hand.');
  }

  /** For @web/test-runner-commands' sendKeys (press/type). */
  async sendKeys(_sessionId: string, keys: string[]): Promise<void> {
    await (await this.browser()).pressKeys(keys);
  }
}
