// Devices, volume and push-to-talk: a microphone picker once the microphone is allowed
// (switching keeps the stream going), a speaker picker only where the browser can route
// audio (AudioContext.setSinkId), output volume and speaker mute at the real output, and
// push-to-talk that streams silence unless the button (or Space on it) is held.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import { Playback } from '../../../src/audio/playback.ts';
import type { Puppet } from '../../support/puppet.ts';
import { engine } from '../support/engine.ts';
import { connect, nextState, part, until, usePuppet } from './helpers.ts';

const isSilence = (frame: { audio: string }) => [...atob(frame.audio)].every((c) => c === '\0');

/** Waits for `n` more mic frames after the ones sent so far; returns them. */
async function nextFrames(puppet: Puppet, n: number): Promise<{ audio: string }[]> {
  const from = puppet.sent('input_audio_buffer.append').length;
  // Twice real time (20 ms a frame), at least 10 s: Firefox's audio clock runs slow, and
  // slower still on a loaded machine (350 frames took over 10 s there once).
  await puppet.frame('input_audio_buffer.append', from + n - 1, Math.max(10_000, n * 40));
  return puppet.sent('input_audio_buffer.append').slice(from, from + n);
}

/** RMS of a rendered buffer after `skip` frames. */
function rms(x: Float32Array, skip = 0): number {
  let sum = 0;
  for (let i = skip; i < x.length; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / (x.length - skip));
}

/**
 * Space held or released on the focused element: real key input where the runner can hold a
 * key (Chromium over CDP, Firefox over WebDriver BiDi, whose keyboard knows the space bar as
 * ' ', not 'Space'); WebKitGTK's WebDriver can only press or type, so there the same
 * keydown/keyup reach the element as synthesized events (no default action).
 */
async function holdSpace(target: HTMLElement, edge: 'down' | 'up'): Promise<void> {
  if (engine !== 'webkit') {
    await sendKeys(edge === 'down' ? { down: ' ' } : { up: ' ' });
    return;
  }
  const type = edge === 'down' ? 'keydown' : 'keyup';
  target.dispatchEvent(new KeyboardEvent(type, { key: ' ', code: 'Space', bubbles: true, composed: true, cancelable: true }));
}

describe('<hydra-voice> devices, volume, push-to-talk', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));

  it('offers a microphone picker after permission; choosing one switches the live capture', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice layout="floating" open></hydra-voice>`);
    expect(part(el, 'mic-select')).to.equal(null);
    await connect(el, puppet);
    await until(() => part(el, 'settings-toggle') !== null, 'the settings toggle (devices known)');
    const toggle = part(el, 'settings-toggle')!;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(part(el, 'settings')!.hidden).to.equal(true);
    toggle.click();
    await el.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    const select = part(el, 'mic-select') as HTMLSelectElement;
    expect(select.options[0]!.value).to.equal('');
    expect(select.options[0]!.textContent).to.equal('System default');
    const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput' && d.label && d.deviceId !== 'default');
    expect(select.options.length).to.equal(devices.length + 1);
    await expect(el).shadowDom.to.be.accessible();

    const other = devices.at(-1)!;
    const rebuilds = el.debugStats!.mic.rebuilds;
    select.value = other.deviceId;
    select.dispatchEvent(new Event('change'));
    expect(el.micDevice).to.equal(other.deviceId);
    expect(el.getAttribute('mic-device'), 'a property, like voice, not reflected').to.equal(null);
    await until(() => el.debugStats!.mic.rebuilds === rebuilds + 1, 'the capture to switch device');
    // The stream goes on; choosing the same device again does not reopen it.
    await nextFrames(puppet, 5);
    el.micDevice = other.deviceId;
    await el.updateComplete;
    await nextFrames(puppet, 5);
    expect(el.debugStats!.mic.rebuilds).to.equal(rebuilds + 1);
  });

  it('follows devicechange: a microphone plugged in mid-call joins the picker', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    await until(() => part(el, 'settings-toggle') !== null, 'devices');
    // Headless browsers have no hardware to plug in: the device list gains one entry, and
    // the browser's devicechange event is sent as the system would. The entry is added when
    // enumerateDevices answers, as real hardware would show: the listing that opening the
    // settings starts can answer after the devicechange one (Firefox, loaded machine), and
    // the element keeps whichever lands last (a known race: README, "Status").
    const media = navigator.mediaDevices;
    const enumerate = media.enumerateDevices;
    const usb = { kind: 'audioinput', deviceId: 'usb-mic', groupId: 'usb', label: 'USB microphone', toJSON: () => ({}) } as MediaDeviceInfo;
    let plugged = false;
    media.enumerateDevices = async () => {
      const real = await enumerate.call(media);
      return plugged ? [...real, usb] : real;
    };
    try {
      part(el, 'settings-toggle')!.click();
      await el.updateComplete;
      const options = () => [...(part(el, 'mic-select') as HTMLSelectElement).options].map((o) => o.textContent);
      expect(options()).to.not.include('USB microphone');
      plugged = true;
      media.dispatchEvent(new Event('devicechange'));
      await until(() => options().includes('USB microphone'), 'the new microphone in the picker');
    } finally {
      media.enumerateDevices = enumerate;
    }
  });

  it('a speaker picker exactly where the browser can route audio to a device', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    await until(() => part(el, 'settings-toggle') !== null, 'devices');
    part(el, 'settings-toggle')!.click();
    await el.updateComplete;
    const outputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput' && d.label && d.deviceId !== 'default');
    const routable = typeof AudioContext === 'function' && 'setSinkId' in AudioContext.prototype;
    const select = part(el, 'speaker-select') as HTMLSelectElement | null;
    if (routable && outputs.length > 0) {
      expect(select!.options.length).to.equal(outputs.length + 1);
      select!.value = outputs[0]!.deviceId;
      select!.dispatchEvent(new Event('change'));
      expect(el.outputDevice).to.equal(outputs[0]!.deviceId);
    } else {
      expect(select).to.equal(null);
    }
  });

  it('Playback volume scales the output and 0 silences it (the real worklet, rendered offline)', async () => {
    const render = async (volume: number | undefined) => {
      const ctx = new OfflineAudioContext(1, 48_000, 48_000);
      const pb = new Playback(ctx);
      await pb.ready();
      if (volume !== undefined) pb.setVolume(volume);
      const pcm = new Int16Array(48_000);
      for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(12_000 * Math.sin((2 * Math.PI * 440 * i) / 48_000));
      pb.enqueue('r', pcm);
      pb.end('r');
      await pb.sync();
      return (await ctx.startRendering()).getChannelData(0);
    };
    const full = rms(await render(undefined), 4800);
    const half = rms(await render(0.5), 4800);
    const none = rms(await render(0), 4800);
    expect(full).to.be.greaterThan(0.2);
    expect(half / full).to.be.closeTo(0.5, 0.01);
    expect(none).to.be.lessThan(1e-4);
  });

  it('volume and speaker-muted are attributes and controls; the slider and toggle follow them', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice volume="0.4"></hydra-voice>`);
    expect(el.volume).to.equal(0.4);
    await connect(el, puppet);
    await el.updateComplete;
    const slider = part(el, 'volume') as HTMLInputElement;
    expect(slider.type).to.equal('range');
    expect(Number(slider.value)).to.equal(0.4);
    const speaker = part(el, 'speaker-mute')!;
    speaker.click();
    await el.updateComplete;
    expect(el.speakerMuted).to.equal(true);
    expect(el.hasAttribute('speaker-muted')).to.equal(true);
    expect(speaker.getAttribute('aria-pressed')).to.equal('true');
    // Raising the volume unmutes, as on any media player.
    slider.value = '0.8';
    slider.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(el.volume).to.equal(0.8);
    expect(el.speakerMuted).to.equal(false);
  });

  it('push-to-talk streams silence unless the button is held (pointer or Space); the session stays alive', async function () {
    // The fake microphone loops a question and ~4 s of silence (~6.5 s): a window of 350
    // frames (7 s) always holds speech, so "all silent" means muted, not a quiet moment.
    this.timeout(60_000);
    const LOOP_FRAMES = 350;
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice mode="push-to-talk"></hydra-voice>`);
    await connect(el, puppet);
    await nextState(el, 'listening');
    await el.updateComplete;
    const button = part(el, 'button')!;
    expect(button.getAttribute('aria-label')).to.equal('Hold to talk');
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    expect(part(el, 'status')!.textContent).to.equal('Hold to talk');
    expect((await nextFrames(puppet, LOOP_FRAMES)).every(isSilence), 'not held: silence').to.equal(true);

    // Space held on the focused button: the microphone's speech goes out.
    button.focus();
    await holdSpace(button, 'down');
    await until(() => button.getAttribute('aria-pressed') === 'true', 'held');
    const heldFrom = puppet.sent('input_audio_buffer.append').length;
    await until(() => puppet.sent('input_audio_buffer.append').slice(heldFrom).some((f) => !isSilence(f)), 'speech while held', 10_000);
    await holdSpace(button, 'up');
    await until(() => button.getAttribute('aria-pressed') === 'false', 'released');
    await nextFrames(puppet, 3); // frames already on their way
    expect((await nextFrames(puppet, LOOP_FRAMES)).every(isSilence), 'released: silence again').to.equal(true);
    expect(el.state, 'a release is not a click: the call goes on').to.equal('listening');

    // The pointer, the same way.
    button.dispatchEvent(new PointerEvent('pointerdown', { button: 0, pointerId: 1, bubbles: true }));
    await until(() => button.getAttribute('aria-pressed') === 'true', 'held by the pointer');
    button.dispatchEvent(new PointerEvent('pointerup', { button: 0, pointerId: 1, bubbles: true }));
    button.click(); // the click a real pointer sends after pointerup
    await until(() => button.getAttribute('aria-pressed') === 'false', 'released by the pointer');
    expect(el.state).to.equal('listening');
    expect(puppet.events.some((e) => e.ev === 'close'), 'the session stayed alive').to.equal(false);

    // End call ends it.
    part(el, 'end')!.click();
    expect(el.state).to.equal('idle');
  });
});
