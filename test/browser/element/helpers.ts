// Shared steps for element tests: drive a <hydra-voice> against the scripted puppet server.
import { oneEvent } from '@open-wc/testing';
import { Puppet } from '../../support/puppet.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';

/**
 * For every test of the calling describe block: a fresh puppet server (handed to `use`),
 * and afterwards every <hydra-voice> stopped and the puppet closed.
 */
export function usePuppet(use: (puppet: Puppet) => void): void {
  let puppet: Puppet | undefined;
  beforeEach(async () => use((puppet = await Puppet.create())));
  afterEach(() => {
    for (const el of document.querySelectorAll('hydra-voice')) el.stop();
    puppet?.dispose();
  });
}

let serverEventId = 0;
export const sv = () => `sv_test_${++serverEventId}`;

/** Starts the element against the puppet and completes Hydra's handshake; returns the configure frame. */
export async function connect(el: HydraVoiceElement, puppet: Puppet, conn = 0): Promise<any> {
  el.url = puppet.url;
  const configured = oneEvent(el, 'hydra-session');
  void el.start();
  await puppet.connection(conn);
  puppet.send({ type: 'session.created', event_id: sv(), session_id: `sess_${conn}` }, conn);
  const configure = await puppet.frame('session.configure', conn);
  puppet.send({ type: 'session.configured', event_id: sv(), session: configure.session }, conn);
  await configured;
  return configure;
}

/** A 20 ms chunk of a 440 Hz tone at 48 kHz, base64 PCM16, for output_audio.delta. */
export function toneDelta(ms = 20, amplitude = 8000): string {
  const n = (48_000 * ms) / 1000;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 48_000));
  let s = '';
  const bytes = new Uint8Array(pcm.buffer);
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}

export function nextState(el: HydraVoiceElement, state: string, timeoutMs = 5000): Promise<void> {
  if (el.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state ${state} not reached (now ${el.state})`)), timeoutMs);
    const on = (e: Event) => {
      if ((e as CustomEvent).detail.state === state) {
        clearTimeout(timer);
        el.removeEventListener('hydra-state', on);
        resolve();
      }
    };
    el.addEventListener('hydra-state', on);
  });
}

export function part(el: HydraVoiceElement, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector(`[part~="${name}"]`);
}

/** Waits until `test()` holds, checking on every animation frame (behaviour, not time). */
export async function until(test: () => unknown, what: string, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The element's shadow root, queried for every match of a selector. */
export function all(el: HydraVoiceElement, selector: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

/**
 * One exchange on the puppet: the user speaks (item `u<n>`, `ms` long), the agent answers
 * with `chunks` × 20 ms of tone (response `r<n>`); resolves when the response.done is sent.
 */
export function exchange(puppet: Puppet, n: number, opts: { ms?: number; chunks?: number; status?: string; reason?: string } = {}): void {
  const start = 1000 * n;
  puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), item_id: `u${n}`, audio_start_ms: start });
  puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), item_id: `u${n}`, audio_end_ms: start + (opts.ms ?? 700) });
  puppet.send({ type: 'response.created', event_id: sv(), response: { id: `r${n}`, status: 'in_progress' } });
  for (let i = 0; i < (opts.chunks ?? 10); i++) {
    puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: `r${n}`, item_id: `a${n}`, output_index: 0, content_index: 0, delta: toneDelta() });
  }
  puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: `r${n}`, item_id: `a${n}`, output_index: 0, content_index: 0 });
  const status = opts.status ?? 'completed';
  puppet.send({ type: 'response.done', event_id: sv(), response: { id: `r${n}`, status, status_details: opts.reason ? { type: status, reason: opts.reason } : null, output: [] } });
}
