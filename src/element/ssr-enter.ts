// Server-side rendering (Next.js, Nuxt, SvelteKit, Astro) imports `hydra-voice` in Node,
// where there is no DOM. The bundled Lit would then throw while evaluating
// (`class extends HTMLElement`, `const d = document` at module level). Lit's own Node
// build swaps in a shim; ours is the browser build, so this module lends the two globals
// for the length of the module's evaluation and ssr-leave.ts takes them back: after the
// import nothing is left defined, and no element is registered (define.ts).
// It must be the first import of src/index.ts.
const scope = globalThis as { HTMLElement?: unknown; document?: unknown; __hydraVoiceLent?: string[] };
const lent: string[] = [];
if (typeof scope.HTMLElement === 'undefined') {
  scope.HTMLElement = class {};
  lent.push('HTMLElement');
}
if (typeof scope.document === 'undefined') {
  // lit-html creates its template walker at load time; it is never used without a DOM.
  scope.document = { createTreeWalker: () => ({}), createComment: () => ({}) };
  lent.push('document');
}
if (lent.length > 0) scope.__hydraVoiceLent = lent;
export {};
