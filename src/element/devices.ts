// Audio devices for the pickers. Browsers give device labels only after the page was
// allowed the microphone, so the pickers appear after permission, never before.

export interface DeviceLists {
  /** Labelled microphones (the system default is offered separately). */
  inputs: MediaDeviceInfo[];
  /** Labelled outputs, only where the audio can be sent to them (AudioContext.setSinkId). */
  outputs: MediaDeviceInfo[];
}

/** Chromium's AudioContext.setSinkId; Firefox and Safari play through the system output only. */
export const canPickOutput = (): boolean => typeof AudioContext === 'function' && 'setSinkId' in AudioContext.prototype;

export async function listDevices(): Promise<DeviceLists> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => undefined)) ?? [];
  // Chromium adds 'default' and 'communications' aliases of real devices: "System default" covers them.
  const real = (kind: MediaDeviceKind) =>
    all.filter((d) => d.kind === kind && d.label !== '' && d.deviceId !== 'default' && d.deviceId !== 'communications');
  return { inputs: real('audioinput'), outputs: canPickOutput() ? real('audiooutput') : [] };
}
