// Entry of dist/hydra-voice-webrtc.js: the WebRTC echo route as a classic script, which
// the classic hydra-voice.js loads from beside itself when it first needs the route
// (webrtc-route-load.ts) instead of carrying it.
import { openWebRtcRoute } from './webrtc-route.ts';
import type { WebRtcRouteModule } from './webrtc-route-load.ts';

(globalThis as { HydraVoiceWebRtc?: WebRtcRouteModule }).HydraVoiceWebRtc = { openWebRtcRoute };
