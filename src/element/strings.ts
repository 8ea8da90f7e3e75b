// Every word the element shows or speaks to assistive technology, in English. Pages
// replace any of them through the `strings` property; locales.ts has the built-in
// translations, in this key order. No string here mentions tapping or clicking (desktop,
// touch and keyboard users all read them), URLs, codes or voice names: those are for
// developers, in `hydra-error` and the console.

export const EN = {
  /** Status while idle. */
  statusIdle: 'Start a voice chat',
  statusConnecting: 'Connecting…',
  statusListening: 'Listening',
  /** The user is speaking. */
  statusHearing: 'Hearing you',
  statusThinking: 'Thinking…',
  statusSpeaking: 'Speaking',
  /** Listening while the microphone is muted. */
  statusMuted: 'Muted',
  /** Reconnecting because the service is full. */
  noticeBusy: 'The service is busy. Trying again soon…',
  /** Reconnecting after the connection dropped. */
  noticeReconnecting: 'Connection lost. Reconnecting…',
  /** The microphone delivers only silence. */
  noticeMicSilent: 'We can’t hear your microphone. Is it muted?',

  /** Main button, idle or after an error. */
  labelStart: 'Start voice conversation',
  /** Main button during a conversation. */
  labelEnd: 'End voice conversation',
  /** Closes the floating panel (the conversation goes on). */
  labelClose: 'Close',
  /** Heading of the floating panel. */
  title: 'Voice assistant',
  /** The explicit end-of-call button. */
  endCall: 'End call',
  /** Accessible name of the call timer. */
  callTime: 'Call time',
  /** Microphone mute toggle. */
  mute: 'Mute microphone',
  /** Speaker (output) mute toggle. */
  muteSpeaker: 'Mute speaker',
  volume: 'Volume',
  /** Push-to-talk button. */
  talk: 'Hold to talk',
  /** Toggles the device pickers. */
  settings: 'Audio settings',
  microphone: 'Microphone',
  speaker: 'Speaker',
  /** The device option that follows the system's choice. */
  systemDefault: 'System default',
  retry: 'Try again',
  /** Summary of the help disclosure shown with some errors. */
  help: 'How to fix this',

  /** Accessible name of the timeline. */
  timeline: 'Conversation',
  /** A user turn in the timeline. */
  you: 'You',
  /** An agent reply in the timeline. */
  agent: 'Agent',
  /** A reply the user talked over. */
  interrupted: 'interrupted',
  /** A tool call the page never answered (or declined). */
  toolNoAnswer: 'no answer',

  errorMicDenied: 'Microphone access is blocked.',
  helpMicDenied: 'Allow the microphone in your browser’s site settings (the icon beside the address), then try again.',
  errorMicMissing: 'No microphone found. Connect one and try again.',
  errorAudio: 'Audio could not start. Reload the page and try again.',
  errorConnect: 'Can’t connect right now. Please try again.',
  errorBusy: 'The assistant is busy. Please try again in a minute.',
  /** The page's configuration is wrong: nothing the visitor can fix. */
  errorUnavailable: 'Voice chat is not available right now.',
  errorGeneric: 'Something went wrong. Please try again.',
};

/** Every visible string and accessible label of `<hydra-voice>`, by key. */
export type HydraVoiceStrings = { [K in keyof typeof EN]: string };
export type HydraVoiceStringKey = keyof HydraVoiceStrings;

/** The keys in order: locales.ts lists each translation in this order. */
export const STRING_KEYS = Object.keys(EN) as HydraVoiceStringKey[];
