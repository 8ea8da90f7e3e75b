// The three browser engines the suite runs in, all from Debian packages (nothing is
// downloaded), headless, each with its microphone and loudspeaker on its own private
// PulseAudio server (pulse.ts), so a test can speak into the mic and, in speakerphone mode,
// the page hears its own playback:
//
//   chromium  /usr/bin/chromium       puppeteer-core over CDP (@web/test-runner-chrome)
//   firefox   /usr/bin/firefox-esr    puppeteer-core over WebDriver BiDi (same launcher)
//   webkit    MiniBrowser (WebKitGTK) WebKitWebDriver on Xvfb (webkit/launcher.ts)
//
// plus `chromium-no-chrome-wide-aec`: Chromium with --disable-features=ChromeWideEchoCancellation,
// i.e. what Chrome did before Chrome-wide echo cancellation (and still does where it is
// off): its canceller only hears WebRTC playback, not Web Audio. Only the speakerphone
// tests run there.
import { existsSync } from 'node:fs';
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteerCore from 'puppeteer-core';
import { WebKitLauncher } from './webkit/launcher.ts';
import { webkitAvailable } from './webkit/webdriver.ts';
import type { PulseRoom } from './pulse.ts';

export type EngineName = 'chromium' | 'firefox' | 'webkit' | 'chromium-no-chrome-wide-aec';

/** The engines every browser test file runs in, in order. */
export const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
/** Extra engines that run only the speakerphone tests. */
export const SPEAKERPHONE_ONLY = ['chromium-no-chrome-wide-aec'] as const;

export const CHROMIUM = process.env.CHROME_PATH || '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** Flags every Chromium gets: headless, no sandbox (CI runs as root), no background traffic. */
export const CHROMIUM_ARGS = [
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
  // Grant the microphone without a prompt; the device itself is the PulseAudio one.
  '--use-fake-ui-for-media-stream',
];

/**
 * Firefox prefs for headless runs with a PulseAudio mic: no permission prompt (else
 * getUserMedia waits forever), the real capture device (not the fake 1 kHz tone), audio
 * allowed to start without a gesture.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.permission.disabled': true,
  'media.navigator.streams.fake': false,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  'media.autoplay.blocking_policy': 0,
  // Quieter and faster: no telemetry, updates or first-run pages.
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.disabledForTesting': true,
  'browser.shell.checkDefaultBrowser': false,
};

/** Why an engine cannot run on this machine, or undefined when it can. */
export function engineMissing(engine: EngineName): string | undefined {
  if (engine === 'chromium' || engine === 'chromium-no-chrome-wide-aec') return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;
  if (engine === 'firefox') return existsSync(FIREFOX) ? undefined : `${FIREFOX} is missing (apt-get install firefox-esr)`;
  return webkitAvailable();
}

/** A web-test-runner launcher for `engine`, with its audio on `room`. */
export function launcherFor(engine: EngineName, room: PulseRoom, log: (line: string) => void = () => undefined) {
  const env = { ...process.env, PULSE_SERVER: room.server } as Record<string, string>;
  if (engine === 'webkit') return new WebKitLauncher(engine, { env: { PULSE_SERVER: room.server }, log });
  const launcher =
    engine === 'firefox'
      ? chromeLauncher({
          puppeteer: puppeteerCore as never,
          launchOptions: { browser: 'firefox', executablePath: FIREFOX, headless: true, env, extraPrefsFirefox: FIREFOX_PREFS },
        })
      : chromeLauncher({
          launchOptions: {
            executablePath: CHROMIUM,
            headless: true,
            env,
            // puppeteer mutes headless Chromium; the speakerphone needs its playback.
            ignoreDefaultArgs: ['--mute-audio'],
            args: engine === 'chromium' ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, '--disable-features=ChromeWideEchoCancellation'],
          },
        });
  (launcher as { name: string }).name = engine;
  return launcher;
}
