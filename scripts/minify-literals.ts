// A build step (vite/rollup plugin) that minifies the CSS and HTML inside the element's
// css``, html`` and svg`` template literals, which the JavaScript minifier leaves untouched:
// indentation, newlines and comments are a tenth of the shipped script's CSS and markup.
//
// Only whitespace and comments go, by rules that are safe for how src/element writes them:
//   css``:  comments removed; whitespace collapsed; none around { } ; , > or after ':'
//           (selectors keep their descendant spaces; calc() keeps the spaces around + -);
//           attribute selector values that are identifiers lose their quotes; 0.5 → .5;
//           no space before !important.
//   html`` and svg``: a newline and its indentation disappear between tags (inside flex/grid
//           containers, where such text is not rendered) and before a tag's closing >
//           (not />: after an unquoted value the / would join it; no bare > in text), and
//           become one space elsewhere; a static attribute value that is one word loses its
//           quotes when a space or > follows (not /: it would join the value).
// Interpolations (${…}) are left exactly as they are.
import type { Plugin } from 'vite';

/** A ${…} interpolation with braces nested up to three deep (html`` inside html`` inside html``). */
const INTERPOLATION = String.raw`\$\{(?:[^{}]|\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*\}`;
const LITERAL = new RegExp(String.raw`\b(css|html|svg)\`((?:[^\`\\$]|\\.|\$(?!\{)|${INTERPOLATION})*)\``, 'g');

/**
 * Splits a literal body into static text, mapped by `fn`, and ${…} interpolations, kept as
 * they are except for the css``/html`` literals inside them (minified in turn).
 */
function mapStatic(body: string, fn: (text: string) => string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const start = body.indexOf('${', i);
    if (start === -1) {
      out += fn(body.slice(i));
      break;
    }
    out += fn(body.slice(i, start));
    let depth = 0;
    let j = start + 1;
    for (; j < body.length; j++) {
      if (body[j] === '{') depth++;
      else if (body[j] === '}' && --depth === 0) break;
    }
    out += minifyLiterals(body.slice(start, j + 1));
    i = j + 1;
  }
  return out;
}

export function minifyCss(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    .replace(/\[([\w-]+)([~^$*|]?=)'([a-z][\w-]*)'\]/g, '[$1$2$3]') // [part~='x'] → [part~=x], also ^= $= *= |=
    .replace(/\s+!important/g, '!important')
    .replace(/([\s:(,])0\.(\d)/g, '$1.$2'); // 0.25 → .25
}

export function minifyHtml(text: string): string {
  return text
    .replace(/\s*\n\s*>/g, '>')
    .replace(/>\s*\n\s*</g, '><')
    .replace(/>\s*\n\s*/g, '>')
    .replace(/\s*\n\s*</g, '<')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(\s[\w:-]+)="([\w.-]+)"(?=[\s>])/g, '$1=$2'); // class="icon" → class=icon (not before />)
}

export function minifyLiterals(code: string): string {
  return code.replace(LITERAL, (_all, tag: 'css' | 'html' | 'svg', body: string) => `${tag}\`${mapStatic(body, tag === 'css' ? minifyCss : minifyHtml)}\``);
}

/** The plugin: applies to src/element/*.ts only. */
export function minifyLiteralsPlugin(): Plugin {
  return {
    name: 'hydra-minify-literals',
    transform(code, id) {
      if (!/\/src\/element\/[^/]+\.ts$/.test(id) || !/\b(css|html|svg)`/.test(code)) return null;
      return { code: minifyLiterals(code), map: null };
    },
  };
}
