// Which language the element speaks: its own `lang` attribute, else the document's
// (<html lang>), matched by primary subtag (`pt-BR` → pt); English otherwise.
//
// English is built into the script. The other built-in languages (locales.ts) ship as one
// small file each, dist/locales/<lang>.js, fetched the first time an element needs one,
// from beside the script that defined the element (with its CSP nonce): pages in English
// download no translations. A file that cannot load (a CSP without the script's directory,
// an offline copy) leaves English and one console warning. Bundler users import
// 'hydra-voice/locales' (dist/locales/all.js, every language; scripts/write-locales.ts).
import { addScript } from '../audio/csp.ts';
import { EN, STRING_KEYS } from './strings.ts';
import type { HydraVoiceStrings } from './strings.ts';

/** Built-in languages besides English (their lists are in locales.ts). */
export const LANGUAGES = ['es', 'fr', 'de', 'pt', 'hi', 'ja', 'zh'];

/** Translations registered so far, by language: a global, so the locale files can reach it. */
type Registry = Record<string, readonly string[]>;
const scope = globalThis as typeof globalThis & { HydraVoiceLocales?: Registry };
const registry = (): Registry => (scope.HydraVoiceLocales ??= {});

/**
 * The script that defined the element: the locale files sit beside it. The classic script
 * says which it is while it runs (document.currentScript, see classic.ts); otherwise (an
 * ES module from a CDN) the first script whose URL names hydra-voice.
 */
let script: HTMLScriptElement | null | undefined;
export const setLocaleScript = (s: HTMLScriptElement | null) => void (script = s && s.src ? s : null);

/** The primary language subtag a locale resolves to: `pt-BR` → `pt`, anything unknown → `en`. */
export function languageOf(lang: string | null | undefined): string {
  const primary = (lang ?? '').toLowerCase().split(/[-_]/)[0]!;
  return LANGUAGES.includes(primary) ? primary : 'en';
}

const built = new Map<string, HydraVoiceStrings>([['en', EN]]);
const requested = new Set<string>();

/**
 * The built-in strings of a language: English while its file loads (or if it cannot), and
 * for any entry its list lacks.
 */
export function builtInStrings(language: string): HydraVoiceStrings {
  let strings = built.get(language);
  if (strings) return strings;
  const list = registry()[language];
  if (!list) {
    load(language);
    return EN;
  }
  strings = { ...EN };
  STRING_KEYS.forEach((key, i) => {
    if (list[i]) strings![key] = list[i]!;
  });
  built.set(language, strings);
  return strings;
}

/** Adds translations (from the locale files or 'hydra-voice/locales') and re-renders. */
export function registerTranslations(lists: Registry): void {
  Object.assign(registry(), lists);
  followers.forEach((f) => f.requestUpdate());
}

function load(language: string): void {
  if (script === undefined) setLocaleScript(document.querySelector('script[src*="hydra-voice"]'));
  if (requested.has(language) || !script) return;
  requested.add(language);
  addScript(new URL(`locales/${language}.js`, script.src).href, script.nonce ?? '', 'English shown; or set strings.').catch(() => undefined);
}

/** Connected elements: re-rendered when <html lang> changes or a language arrives. */
const followers = new Set<{ requestUpdate(): void }>();
if (typeof addEventListener === 'function') addEventListener('hydra-voice-locales', () => followers.forEach((f) => f.requestUpdate()));
let observer: MutationObserver | undefined;

/** Re-renders `el` when <html lang> changes or translations arrive, until unfollowLanguage. */
export function followLanguage(el: { requestUpdate(): void }): void {
  followers.add(el);
  if (!observer) {
    observer = new MutationObserver(() => followers.forEach((f) => f.requestUpdate()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
}

export function unfollowLanguage(el: { requestUpdate(): void }): void {
  followers.delete(el);
  if (followers.size === 0) {
    observer?.disconnect();
    observer = undefined;
  }
}
