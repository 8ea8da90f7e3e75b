// Browser tests: real headless Chromium (Debian's /usr/bin/chromium, never a downloaded one),
// TypeScript through esbuild, and the project's own WebSocket servers mounted on the
// test server itself so every test talks to a real socket on the same origin.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { testServersPlugin } from './test/support/wtr-servers.ts';
import { countingReporter } from './test/support/counting-reporter.ts';
import { prepareFixtures } from './test/support/fixtures.ts';
import { tokenRoutes } from './test/support/token-routes.ts';
import { e2eRoutes } from './test/support/e2e-stack.ts';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
const fixtures = await prepareFixtures();

/** Flags every browser gets: headless, no sandbox (CI runs as root), no background traffic. */
const baseArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--autoplay-policy=no-user-gesture-required',
  // Keep audio and timers running at full speed in a background/headless tab.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** A Chromium whose microphone is the given WAV file (looped by Chromium). */
export function chromiumWithMic(wavPath) {
  return chromeLauncher({
    launchOptions: {
      executablePath,
      headless: true,
      args: [
        ...baseArgs,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wavPath}`,
      ],
    },
  });
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 20_000 } },
  middleware: [
    tokenRoutes(),
    e2eRoutes(),
    // /dist/ answers like a public CDN (jsDelivr, unpkg): any origin may fetch its files
    // (the classic script's worklet file, loaded from beside it, across origins).
    (ctx, next) => {
      if (ctx.path.startsWith('/dist/')) ctx.set('Access-Control-Allow-Origin', '*');
      return next();
    },
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), testServersPlugin()],
  browsers: [chromiumWithMic(fixtures.micSpeechWav)],
  reporters: [process.env.CI ? summaryReporter({ flatten: false }) : defaultReporter(), countingReporter(`${process.env.HV_RESULTS_DIR ?? '.test-results'}/browser.json`)],
};
