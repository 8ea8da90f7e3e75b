// Takes back the globals ssr-enter.ts lent while the module evaluated without a DOM.
// It must be the last import of src/index.ts.
const scope = globalThis as unknown as Record<string, unknown> & { __hydraVoiceLent?: string[] };
for (const name of scope.__hydraVoiceLent ?? []) delete scope[name];
delete scope.__hydraVoiceLent;
export {};
