// Which language the element speaks: its own `lang` attribute, else the document's
// (<html lang>), matched by primary subtag (`pt-BR` → pt); English otherwise.
import { TRANSLATIONS } from './locales.ts';
import { EN, STRING_KEYS } from './strings.ts';
import type { HydraVoiceStrings } from './strings.ts';

/** The primary language subtag a locale resolves to: `pt-BR` → `pt`, anything unknown → `en`. */
export function languageOf(lang: string | null | undefined): string {
  const primary = (lang ?? '').toLowerCase().split(/[-_]/)[0]!;
  return Object.hasOwn(TRANSLATIONS, primary) ? primary : 'en';
}

const built = new Map<string, HydraVoiceStrings>([['en', EN]]);

/** The built-in strings of a language (English for any entry its list lacks). */
export function builtInStrings(language: string): HydraVoiceStrings {
  let strings = built.get(language);
  if (!strings) {
    const list = TRANSLATIONS[language] ?? [];
    strings = { ...EN };
    STRING_KEYS.forEach((key, i) => {
      if (list[i]) strings![key] = list[i]!;
    });
    built.set(language, strings);
  }
  return strings;
}

/** Elements that follow the document's language; one observer for all of them. */
const followers = new Set<{ requestUpdate(): void }>();
let observer: MutationObserver | undefined;

/** Re-renders `el` when <html lang> changes, until unfollowDocumentLanguage. */
export function followDocumentLanguage(el: { requestUpdate(): void }): void {
  followers.add(el);
  if (!observer) {
    observer = new MutationObserver(() => followers.forEach((f) => f.requestUpdate()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
}

export function unfollowDocumentLanguage(el: { requestUpdate(): void }): void {
  followers.delete(el);
  if (followers.size === 0) {
    observer?.disconnect();
    observer = undefined;
  }
}
