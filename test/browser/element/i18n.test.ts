// Any language: every visible string and accessible label comes from one typed table,
// translated into es, fr, de, pt, hi, ja and zh; the element speaks its own `lang`, else
// the document's; a page can replace any string.
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/index.ts';
import '../../../src/locales.ts'; // every language registered (pages load them from dist/locales/)
import type { HydraVoiceElement } from '../../../src/index.ts';
import { LANGUAGES as LOADABLE } from '../../../src/element/language.ts';
import { TRANSLATIONS } from '../../../src/element/locales.ts';
import { EN, STRING_KEYS } from '../../../src/element/strings.ts';
import type { Puppet } from '../../support/puppet.ts';
import { connect, nextState, part, until, usePuppet } from './helpers.ts';

const LANGUAGES = ['es', 'fr', 'de', 'pt', 'hi', 'ja', 'zh'];

/** A script each language is written in (a translation left in English would fail). */
const SCRIPT: Record<string, RegExp> = {
  hi: /\p{Script=Devanagari}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  zh: /\p{Script=Han}/u,
};

describe('<hydra-voice> languages', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));
  const documentLang = document.documentElement.lang;
  afterEach(() => (document.documentElement.lang = documentLang));

  it('every built-in language has every key, none empty, in the order of the English table', () => {
    expect(Object.keys(TRANSLATIONS).sort()).to.deep.equal([...LANGUAGES].sort());
    expect([...LOADABLE].sort()).to.deep.equal([...LANGUAGES].sort());
    expect(STRING_KEYS).to.deep.equal(Object.keys(EN));
    for (const lang of LANGUAGES) {
      const list = TRANSLATIONS[lang]!;
      expect(list.length, `${lang}: ${list.length} strings for ${STRING_KEYS.length} keys`).to.equal(STRING_KEYS.length);
      list.forEach((text, i) => {
        expect(text.trim(), `${lang}.${STRING_KEYS[i]}`).to.not.equal('');
        if (SCRIPT[lang] && /[a-z]{3}/i.test(EN[STRING_KEYS[i]!])) expect(text, `${lang}.${STRING_KEYS[i]}`).to.match(SCRIPT[lang]!);
      });
      // Sentences end like their English original (a shifted list would break this).
      list.forEach((text, i) => {
        const en = EN[STRING_KEYS[i]!];
        expect(/[…]$/.test(text), `${lang}.${STRING_KEYS[i]}: "${text}" vs "${en}"`).to.equal(/[…]$/.test(en));
      });
    }
  });

  for (const lang of ['en', ...LANGUAGES]) {
    it(`lang="${lang}": the status region announces in that language, and the labels follow`, async () => {
      const el = await fixture<HydraVoiceElement>(html`<hydra-voice lang=${lang}></hydra-voice>`);
      const strings = lang === 'en' ? EN : Object.fromEntries(STRING_KEYS.map((k, i) => [k, TRANSLATIONS[lang]![i]!]));
      const status = part(el, 'status')!;
      expect(status.getAttribute('role')).to.equal('status');
      expect(status.textContent).to.equal(strings.statusIdle);
      expect(part(el, 'button')!.getAttribute('aria-label')).to.equal(strings.labelStart);
      await connect(el, puppet);
      await nextState(el, 'listening');
      await el.updateComplete;
      expect(status.textContent).to.equal(strings.statusListening);
      expect(part(el, 'button')!.getAttribute('aria-label')).to.equal(strings.labelEnd);
      expect(part(el, 'mute')!.getAttribute('aria-label')).to.equal(strings.mute);
      expect(part(el, 'volume')!.getAttribute('aria-label')).to.equal(strings.volume);
      await expect(el).shadowDom.to.be.accessible();
    });
  }

  it('without its own lang it follows the document’s, also when that changes; pt-BR is pt', async () => {
    document.documentElement.lang = 'de-AT';
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    expect(part(el, 'status')!.textContent).to.equal('Sprachchat starten');
    document.documentElement.lang = 'pt-BR';
    await until(() => part(el, 'status')!.textContent === 'Iniciar um chat de voz', 'Portuguese');
    el.lang = 'ja';
    await el.updateComplete;
    expect(el.getAttribute('lang')).to.equal('ja');
    expect(part(el, 'status')!.textContent).to.equal('音声チャットを開始');
    document.documentElement.lang = 'xx';
    el.removeAttribute('lang');
    await until(() => part(el, 'status')!.textContent === EN.statusIdle, 'English for an unknown language');
  });

  it('the strings property replaces any string, over the chosen language', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice lang="fr" layout="floating" open></hydra-voice>`);
    el.strings = { statusIdle: 'Parlez à Léa', title: 'Léa, votre concierge' };
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal('Parlez à Léa');
    expect(part(el, 'title')!.textContent).to.equal('Léa, votre concierge');
    expect(part(el, 'launcher')!.getAttribute('aria-label')).to.equal('Léa, votre concierge');
    expect(part(el, 'close')!.getAttribute('aria-label')).to.equal('Fermer');
  });

  describe('the built script', () => {
    /** A page with the built script and one element; console warnings recorded. */
    async function page(head: string, lang: string) {
      const frame = document.createElement('iframe');
      frame.srcdoc = `<!doctype html><html><head>${head}</head><body><hydra-voice lang="${lang}"></hydra-voice></body></html>`;
      document.body.append(frame);
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      const win = frame.contentWindow as Window & typeof globalThis;
      await win.customElements.whenDefined('hydra-voice');
      const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
      return { frame, win, el };
    }
    const loaded = (win: Window) =>
      win.performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/dist/locales/'));

    it('loads only the language the page needs, from beside the script, with the script’s nonce', async () => {
      const { frame, win, el } = await page(
        `<meta http-equiv="Content-Security-Policy" content="script-src 'nonce-t3st'"><script nonce="t3st" src="/dist/hydra-voice.js"></script>`,
        'fr',
      );
      try {
        await until(() => part(el, 'status')?.textContent === 'Démarrer un chat vocal', 'French from dist/locales/fr.js');
        expect(loaded(win)).to.deep.equal(['/dist/locales/fr.js']);
      } finally {
        frame.remove();
      }
    });

    it('English pages load no translations', async () => {
      const { frame, win, el } = await page('<script src="/dist/hydra-voice.js"></script>', 'en');
      await el.updateComplete;
      expect(part(el, 'status')!.textContent).to.equal(EN.statusIdle);
      expect(loaded(win)).to.deep.equal([]);
      frame.remove();
    });

    it('a language file the page’s CSP blocks leaves English and one console warning', async () => {
      const script = `${location.origin}/dist/hydra-voice.js`;
      const { frame, win, el } = await page(
        `<meta http-equiv="Content-Security-Policy" content="script-src ${script} 'nonce-w'"><script nonce="w">window.__w=[];const w=console.warn.bind(console);console.warn=(...a)=>{__w.push(a.join(' '));w(...a)}</script><script src="${script}"></script>`,
        'de',
      );
      try {
        const warnings = () => (win as unknown as { __w?: string[] }).__w ?? [];
        await until(() => warnings().length > 0, 'the warning');
        expect(warnings()).to.have.length(1);
        expect(warnings()[0]).to.contain('locales/de.js');
        expect(part(el, 'status')!.textContent).to.equal(EN.statusIdle);
      } finally {
        frame.remove();
      }
    });
  });
});
