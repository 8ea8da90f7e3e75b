// Any language: every visible string and accessible label comes from one typed table,
// translated into es, fr, de, pt, hi, ja and zh; the element speaks its own `lang`, else
// the document's; a page can replace any string.
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import { TRANSLATIONS } from '../../../src/element/locales.ts';
import { EN, STRING_KEYS } from '../../../src/element/strings.ts';
import { Puppet } from '../../support/puppet.ts';
import { connect, nextState, part, until } from './helpers.ts';

const LANGUAGES = ['es', 'fr', 'de', 'pt', 'hi', 'ja', 'zh'];

/** A script each language is written in (a translation left in English would fail). */
const SCRIPT: Record<string, RegExp> = {
  hi: /\p{Script=Devanagari}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  zh: /\p{Script=Han}/u,
};

describe('<hydra-voice> languages', () => {
  let puppet: Puppet;
  const documentLang = document.documentElement.lang;
  beforeEach(async () => {
    puppet = await Puppet.create();
  });
  afterEach(() => {
    for (const el of document.querySelectorAll('hydra-voice')) el.stop();
    puppet.dispose();
    document.documentElement.lang = documentLang;
  });

  it('every built-in language has every key, none empty, in the order of the English table', () => {
    expect(Object.keys(TRANSLATIONS).sort()).to.deep.equal([...LANGUAGES].sort());
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
});
