// How playback gets the WebRTC echo route (webrtc-route.ts). The ES build bundles it. The
// classic script (dist/hydra-voice.js) leaves it out: only Chromiums without Chrome-wide
// echo cancellation ever use it, so it loads dist/hydra-voice-webrtc.js from beside itself
// (registered by classic.ts, with that script's CSP nonce, like the locale files) the first
// time the echo guard hears our own voice. A file that cannot load leaves playback on the
// context's output, with one console warning.
import * as bundled from './webrtc-route.ts';
import { addScript } from './csp.ts';

// Defined (true) by the classic script's build (vite.config.ts): the route is a file there.
declare const __HV_WORKLET_FILE__: boolean | undefined;
const fromFile = typeof __HV_WORKLET_FILE__ === 'boolean';

/** What dist/hydra-voice-webrtc.js puts on the global object (webrtc-route-file.ts). */
export type WebRtcRouteModule = Pick<typeof bundled, 'openWebRtcRoute'>;
const scope = globalThis as { HydraVoiceWebRtc?: WebRtcRouteModule };

/** True when this browser can build the route (checked before anything loads). */
export function webRtcRouteAvailable(): boolean {
  return typeof RTCPeerConnection === 'function' && typeof MediaStreamAudioDestinationNode === 'function' && typeof Audio === 'function';
}

/** dist/hydra-voice-webrtc.js beside the classic script and that script's nonce (set by classic.ts). */
let routeFile: { src: string; nonce: string } | undefined;
export const setWebRtcRouteFile = (src: string, nonce: string) => void (routeFile = { src, nonce });

let loading: Promise<WebRtcRouteModule> | undefined;

/** The route's code: bundled, or the file beside the classic script (loaded once; a failure is final: one warning). */
export function loadWebRtcRoute(): Promise<WebRtcRouteModule> {
  if (!fromFile) return Promise.resolve(bundled);
  return (loading ??= addScript(routeFile?.src ?? 'hydra-voice-webrtc.js', routeFile?.nonce ?? '', 'playback stays on the default output (no WebRTC echo route).').then(
    () => scope.HydraVoiceWebRtc!,
  ));
}
