/** Processor name of the capture worklet. */
export const CAPTURE_PROCESSOR = 'hydra-voice-capture';
/** Processor name of the playback worklet. */
export const PLAYBACK_PROCESSOR = 'hydra-voice-playback';
