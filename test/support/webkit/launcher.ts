// web-test-runner BrowserLauncher for WebKitGTK's MiniBrowser (see webdriver.ts): one
// WebDriver session, test files one after another (concurrency 1), each file navigated to
// in the same window, then `about:blank` so nothing of it keeps running. Typed as
// 'webdriver' so @web/test-runner-commands' sendKeys reaches `sendKeys()` below.
import { startWebKit, type WebKitOptions, type WebKitSession } from './webdriver.ts';

export class WebKitLauncher {
  readonly type = 'webdriver';
  readonly concurrency = 1;
  private session: Promise<WebKitSession> | undefined;
  private readonly urls = new Map<string, string>();

  constructor(
    public name: string,
    private readonly options: WebKitOptions = {},
  ) {}

  private browser(): Promise<WebKitSession> {
    this.session ??= startWebKit(this.options);
    return this.session;
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
    void browser.navigate(url).catch((e: Error) => this.options.log?.(`navigate ${url}: ${e.message}`));
  }

  isActive(sessionId: string): boolean {
    return this.urls.has(sessionId);
  }

  getBrowserUrl(sessionId: string): string | undefined {
    return this.urls.get(sessionId);
  }

  async stopSession(sessionId: string): Promise<{ errors: never[] }> {
    const browser = await this.browser();
    await browser.navigate('about:blank');
    this.urls.delete(sessionId);
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
