// `cem analyze` (run by `npm run build`) → dist/custom-elements.json, the machine-readable
// API reference generated from the element's JSDoc (@attr, @fires, @csspart, @cssprop).
export default {
  globs: ['src/element/hydra-voice.ts', 'src/element/events.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [
    {
      // Lit's internal reactive state (`_error`, `_state`) is not public API.
      name: 'hide-private-state',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const decl of mod.declarations ?? []) {
            decl.attributes = decl.attributes?.filter((a) => !a.name.startsWith('_'));
            decl.members = decl.members?.filter((m) => !m.name.startsWith('_') && m.privacy !== 'private');
          }
        }
      },
    },
  ],
};
