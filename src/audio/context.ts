// The AudioContext: created and resumed synchronously inside the user's gesture (autoplay
// policies only honour resume() there), at the device's own rate: a forced 16 kHz context
// breaks mic input in Firefox and is ignored by Safari; the worklets resample instead.

interface AudioSessionLike {
  type: string;
}

/**
 * Creates an AudioContext at the device rate and resumes it. Call it synchronously from
 * the user's gesture (click/keydown handler) before awaiting anything.
 *
 * - Sets `navigator.audioSession.type = 'play-and-record'` where present (Safari 16.4+), so
 *   iOS routes playback and mic as a call (echo cancellation, no ringer-switch mute).
 * - Recovers from Safari's `interrupted` state (phone call, Siri, another app took audio):
 *   resumes when the interruption ends, or on the next tap/key/visibility change.
 */
export function createAudioContext(): AudioContext {
  const w = globalThis as unknown as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
  const Ctor = w.AudioContext ?? w.webkitAudioContext;
  if (!Ctor) throw new Error('this browser has no AudioContext');
  const session = (navigator as Navigator & { audioSession?: AudioSessionLike }).audioSession;
  if (session) {
    try {
      session.type = 'play-and-record';
    } catch {
      // Read-only or unsupported value: the default session still works, with less echo help.
    }
  }
  const ctx = new Ctor({ latencyHint: 'interactive' });
  void ctx.resume().catch(() => undefined);
  keepRunning(ctx);
  return ctx;
}

/** Resumes `ctx` after Safari interruptions or a suspension we did not ask for. */
function keepRunning(ctx: AudioContext): void {
  const retry = () => {
    if ((ctx.state as string) !== 'running' && ctx.state !== 'closed') void ctx.resume().catch(() => undefined);
  };
  // Retries on the next tap, key or visibility change while armed. Adding a listener that is
  // already there, or removing one that is not, does nothing: no flag to keep.
  const arm = (on: boolean) => {
    if (typeof document === 'undefined') return;
    for (const t of ['pointerdown', 'keydown', 'visibilitychange']) {
      if (on) document.addEventListener(t, retry, true);
      else document.removeEventListener(t, retry, true);
    }
  };
  ctx.addEventListener('statechange', () => {
    const state = ctx.state as string;
    if (state === 'closed' || state === 'running') arm(false);
    // 'interrupted' (WebKit) or 'suspended' after one: try at once (allowed after an
    // interruption on iOS), and again on the next user interaction if that is refused.
    else if (state === 'interrupted' || state === 'suspended') {
      retry();
      arm(true);
    }
  });
}
