// Browser tests in three engines from Debian packages, headless: Chromium, Firefox ESR and
// WebKitGTK (test/support/engines.ts). TypeScript through esbuild; the project's own
// WebSocket servers are mounted on the test server itself, so every test talks to a real
// socket on the same origin. Each engine's microphone and loudspeaker live in its own
// private PulseAudio server (test/support/pulse.ts), started here and stopped with the
// server; tests speak into it and switch its speakerphone (test/browser/support/room.ts).
//
// Engines run one after another (each runs its files one at a time): a 2-core machine
// shared with other jobs keeps real-time audio honest that way, and the e2e stack's
// counters and fault injection (/__e2e/*) stay per test.
//
// Environment: HV_ENGINES=chromium,firefox (a subset), HV_BROWSER_FILES=a,b (path filters,
// set by scripts/test.mjs), HV_RESULTS_DIR (where the counts go).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { testServersPlugin } from './test/support/wtr-servers.ts';
import { countingReporter } from './test/support/counting-reporter.ts';
import { prepareFixtures } from './test/support/fixtures.ts';
import { tokenRoutes } from './test/support/token-routes.ts';
import { pageRoutes } from './test/support/page-routes.ts';
import { e2eRoutes } from './test/support/e2e-stack.ts';
import { ENGINES, SPEAKERPHONE_ONLY, engineMissing, launcherFor } from './test/support/engines.ts';
import { startPulseRoom } from './test/support/pulse.ts';
import { roomPlugin } from './test/support/rig-plugin.ts';
import { browserTestFiles, SPEAKERPHONE_FILES } from './test/support/browser-files.mjs';

const fixtures = await prepareFixtures();
const log = (line) => process.env.HV_ENGINE_LOG && console.error(line);
const wanted = (process.env.HV_ENGINES ?? [...ENGINES, ...SPEAKERPHONE_ONLY].join(',')).split(',').filter(Boolean);
for (const engine of wanted) {
  const missing = engineMissing(engine);
  // .ci/run installs every engine; a machine without one must say so, not pass quietly.
  if (missing) throw new Error(`cannot run the browser tests in ${engine}: ${missing}`);
}
const rooms = new Map();
for (const engine of wanted) {
  const room = await startPulseRoom(engine, log);
  room.ambience(fixtures.roomToneWav);
  rooms.set(engine, room);
}
const launchers = Object.fromEntries(wanted.map((e) => [e, launcherFor(e, rooms.get(e), log)]));
const filters = (process.env.HV_BROWSER_FILES ?? '').split(',').filter(Boolean);
const everywhere = ENGINES.filter((e) => wanted.includes(e)).map((e) => launchers[e]);
const speakerphoneOnly = SPEAKERPHONE_ONLY.filter((e) => wanted.includes(e)).map((e) => launchers[e]);
const all = browserTestFiles(filters);
const speakerphoneFiles = all.filter((f) => SPEAKERPHONE_FILES.some((s) => f.startsWith(s)));

// The default group: every file in every engine; then the speakerphone-only engines.
const onlySpeakerphoneEngines = everywhere.length === 0;
export default {
  files: onlySpeakerphoneEngines ? speakerphoneFiles : all,
  browsers: onlySpeakerphoneEngines ? speakerphoneOnly : everywhere,
  groups:
    !onlySpeakerphoneEngines && speakerphoneOnly.length > 0 && speakerphoneFiles.length > 0
      ? [{ name: 'speakerphone-only', files: speakerphoneFiles, browsers: speakerphoneOnly }]
      : [],
  concurrentBrowsers: 1,
  nodeResolve: true,
  concurrency: 1,
  browserStartTimeout: 120_000,
  testsStartTimeout: 120_000,
  testsFinishTimeout: 600_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [
    tokenRoutes(),
    e2eRoutes(),
    pageRoutes(),
    // /dist/ answers like a public CDN (jsDelivr, unpkg): any origin may fetch its files
    // (the classic script's worklet file, loaded from beside it, across origins).
    (ctx, next) => {
      if (ctx.path.startsWith('/dist/')) ctx.set('Access-Control-Allow-Origin', '*');
      return next();
    },
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), testServersPlugin(), roomPlugin(rooms, fixtures)],
  reporters: [
    process.env.CI ? summaryReporter({ flatten: false }) : defaultReporter(),
    countingReporter(`${process.env.HV_RESULTS_DIR ?? '.test-results'}/browser.json`),
  ],
};
