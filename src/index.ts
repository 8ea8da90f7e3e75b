// hydra-voice: the ES module entry (and, built as an IIFE, the classic script).
export * from './protocol/index.ts';
