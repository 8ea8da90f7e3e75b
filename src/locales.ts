// Every built-in translation, registered at import: for tests and for code bundled from
// src/. Pages get them from dist/locales/ (loaded by the element as needed) or import
// 'hydra-voice/locales' (dist/locales/all.js); both are written by scripts/write-locales.ts.
import { registerTranslations } from './element/language.ts';
import { TRANSLATIONS } from './element/locales.ts';

registerTranslations(TRANSLATIONS);
