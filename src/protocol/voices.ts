// Model → voice rosters. Rosters do not overlap across models, and Hydra rejects (or on
// one vendor page, silently replaces) a voice that is not on the model's roster, so the
// client validates before it connects.
import type { Model } from './schemas.ts';

export const DEFAULT_MODEL: Model = 'hydra-v1.1';
/** What Hydra applies when `voice` is omitted. */
export const SERVER_DEFAULT_VOICE = 'sterling';

export const VOICES: Readonly<Record<Model, readonly string[]>> = {
  'hydra-v1.1': ['zoe', 'maya', 'elena', 'ivy', 'grace', 'alex', 'aria', 'leo', 'sam', 'kai'],
  'hydra-v1.0': [
    'vaughn', 'brooks', 'cole', 'hayes', 'pierce', 'sterling', 'ellis',
    'lane', 'quinn', 'arden', 'rowan', 'blair', 'emery', 'sawyer',
  ],
  hydra: ['wren', 'sloane', 'marlowe', 'reed', 'knox', 'tate'],
};

export const DEPRECATED_MODELS: ReadonlySet<Model> = new Set<Model>(['hydra']);

export function isModel(value: string): value is Model {
  return Object.hasOwn(VOICES, value);
}

export type VoiceCheck = { ok: true } | { ok: false; message: string };

/** Checks a model name and an optional voice against that model's roster. */
export function checkVoice(model: string, voice: string | undefined): VoiceCheck {
  if (!isModel(model)) {
    return { ok: false, message: `Unknown model "${model}". Use one of: ${Object.keys(VOICES).join(', ')}.` };
  }
  if (voice === undefined || voice === '') return { ok: true };
  if (VOICES[model].includes(voice)) return { ok: true };
  const owner = (Object.keys(VOICES) as Model[]).find((m) => VOICES[m].includes(voice));
  const hint = owner ? ` "${voice}" belongs to ${owner}.` : '';
  return {
    ok: false,
    message: `Voice "${voice}" is not available on ${model}.${hint} Choose one of: ${VOICES[model].join(', ')}.`,
  };
}
