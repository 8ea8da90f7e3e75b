// The build step that shrinks the element's css`` and html`` literals: only whitespace,
// comments, quotes and leading zeros go, never anything a browser reads differently.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { minifyCss, minifyHtml, minifyLiterals } from '../../../scripts/minify-literals.ts';

describe('minify-literals', () => {
  it('css: comments and whitespace go, descendant spaces and calc() operators stay', () => {
    const css = `
      /* a comment */
      :host([state='idle']) [part~='button'] {
        width: calc(100% - 2 * var(--_gap));
        margin: 0 0 0 2rem;
      }`;
    assert.equal(minifyCss(css), ' :host([state=idle]) [part~=button]{width:calc(100% - 2 * var(--_gap));margin:0 0 0 2rem}');
  });

  it('css: 0.x loses its zero only where a number starts', () => {
    assert.equal(minifyCss('a { opacity: 0.3; font: 0.92em/1.3 x; transform: scale(0.96); b: 10.5px 0 0.25s }'), 'a{opacity:.3;font:.92em/1.3 x;transform:scale(.96);b:10.5px 0 .25s}');
    assert.equal(minifyCss('a { color: #0004; width: 20.05px }'), 'a{color:#0004;width:20.05px}');
  });

  it('html: newlines and indentation between tags go, text keeps one space', () => {
    assert.equal(minifyHtml('<div>\n  <span>a</span>\n  b\n  <i></i>\n</div>'), '<div><span>a</span>b<i></i></div>');
    assert.equal(minifyHtml('<b>You</b>\n  text\n  more'), '<b>You</b>text more');
    assert.equal(minifyHtml('<button\n  a=${x}\n  >\n  b\n</button><input a=${y}\n  />'), '<button a=${x}>b</button><input a=${y} />');
  });

  it('html: one-word static attribute values lose their quotes, except before /> and when empty', () => {
    assert.equal(minifyHtml('<i class="icon" part="a-b" x="9"/><p role="status">'), '<i class=icon part=a-b x="9"/><p role=status>');
    assert.equal(minifyHtml('<circle cx="6" cy="12" r="1.5"/><rect rx="1.5" ry="2">'), '<circle cx=6 cy=12 r="1.5"/><rect rx=1.5 ry=2>');
    assert.equal(minifyHtml('<input value="" title="two words" a=${x} b="${y}">'), '<input value="" title="two words" a=${x} b="${y}">');
  });

  it('minifies html`` literals nested three deep, and the literal around them', () => {
    const code = 'html`\n  <b>x</b>\n  ${a ? nothing : html`${b ? html`<i>\n  ${c}\n</i>` : nothing}\n  <u>${d}</u>`}\n`';
    assert.equal(minifyLiterals(code), 'html`<b>x</b>${a ? nothing : html`${b ? html`<i>${c}</i>` : nothing}<u>${d}</u>`} `');
  });

  it('leaves interpolations exactly as they are', () => {
    const code = 'const s = css`a { b: ${x ? "0.5" : `1  2`} }`;';
    assert.equal(minifyLiterals(code), 'const s = css`a{b:${x ? "0.5" : `1  2`}}`;');
  });
});
