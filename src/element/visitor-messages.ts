// What a visitor reads when something fails: one short line per kind of problem, with a
// way forward, in their language (strings.ts). Never the developer's detail (endpoints,
// HTTP codes, voice rosters): that goes to `hydra-error` and the console.
import type { HydraVoiceStringKey } from './strings.ts';

export interface VisitorMessage {
  message: HydraVoiceStringKey;
  /** A longer how-to, shown as a collapsed disclosure. */
  help?: HydraVoiceStringKey;
}

/** The visitor's message for a fatal error code. */
export function visitorMessage(code: string): VisitorMessage {
  switch (code) {
    case 'mic_denied':
      return { message: 'errorMicDenied', help: 'helpMicDenied' };
    case 'mic_unavailable':
      return { message: 'errorMicMissing' };
    case 'audio_failed':
      return { message: 'errorAudio' };
    case 'server_full':
      return { message: 'errorBusy' };
    case 'invalid_config':
      return { message: 'errorUnavailable' };
    case 'token_failed':
    case 'connection_failed':
    case 'connection_lost':
    case 'internal_error':
      return { message: 'errorConnect' };
    default:
      return { message: 'errorGeneric' };
  }
}

/** The notice shown (in the status line) while the element recovers from a non-fatal error. */
export function visitorNotice(code: string): HydraVoiceStringKey | undefined {
  return code === 'server_full' ? 'noticeBusy' : code === 'connection_lost' ? 'noticeReconnecting' : code === 'mic_silent' ? 'noticeMicSilent' : undefined;
}
