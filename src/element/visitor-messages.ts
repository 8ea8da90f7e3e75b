// What a visitor reads when something fails: one short line per kind of problem, with a
// way forward, in their language (strings.ts). Never the developer's detail (endpoints,
// HTTP codes, voice rosters): that goes to `hydra-error` and the console.
import type { HydraVoiceStringKey } from './strings.ts';

export interface VisitorMessage {
  message: HydraVoiceStringKey;
  /** A longer how-to, shown as a collapsed disclosure. */
  help?: HydraVoiceStringKey;
}

const connect: VisitorMessage = { message: 'errorConnect' };

/** Fatal error codes and what the visitor reads for each (others: errorGeneric). */
const MESSAGES: Record<string, VisitorMessage> = {
  mic_denied: { message: 'errorMicDenied', help: 'helpMicDenied' },
  mic_unavailable: { message: 'errorMicMissing' },
  audio_failed: { message: 'errorAudio' },
  server_full: { message: 'errorBusy' },
  invalid_config: { message: 'errorUnavailable' },
  token_failed: connect,
  connection_failed: connect,
  connection_lost: connect,
  internal_error: connect,
};

/** The visitor's message for a fatal error code. */
export const visitorMessage = (code: string): VisitorMessage => (Object.hasOwn(MESSAGES, code) && MESSAGES[code]) || { message: 'errorGeneric' };

/** The notice shown (in the status line) while the element recovers from a non-fatal error. */
export function visitorNotice(code: string): HydraVoiceStringKey | undefined {
  return code === 'server_full' ? 'noticeBusy' : code === 'connection_lost' ? 'noticeReconnecting' : code === 'mic_silent' ? 'noticeMicSilent' : undefined;
}
