// The room around the browser (test/support/pulse.ts, through test/support/rig-plugin.ts):
// the tests speak into the microphone with the user's voices, and switch the speakerphone
// (the page's playback into the room, where the mic hears it).
import { executeServerCommand } from '@web/test-runner-commands';

/** question: "What is the weather like in Paris today?"; interruption: another voice,
 *  "Sorry to interrupt, but what about tomorrow?"; prompt: "Go on." */
export type Voice = 'question' | 'interruption' | 'prompt';

/** The engine/variant the runner launched this page in (e.g. 'chromium-no-chrome-wide-aec'). */
export async function roomEngine(): Promise<string> {
  return ((await executeServerCommand('hv-room-info')) as { engine: string }).engine;
}

/**
 * Plays `voice` into the room; with `wait`, resolves when it has been played to the end.
 * The mic hears it after the room's own latency (up to ~1 s on a loaded machine): tests
 * wait for what the page hears, never for this call.
 */
export async function say(voice: Voice = 'question', opts: { wait?: boolean } = {}): Promise<void> {
  await executeServerCommand('hv-say', { voice, wait: opts.wait ?? false });
}

/** Stops every voice still playing. */
export async function hush(): Promise<void> {
  await executeServerCommand('hv-hush');
}

/** true: the page's playback reaches the mic (a laptop's loudspeaker); false: it does not. */
export async function speakerphone(on: boolean): Promise<void> {
  await executeServerCommand('hv-speakerphone', { on });
}

// Every test in a file that uses the room ends with the room quiet and the speakerphone off,
// so a failed test never talks into the next one.
afterEach(async () => {
  await hush();
  await speakerphone(false);
});
