// hydra-voice/react, /vue and /svelte carry only type declarations (JSX and template
// typings for <hydra-voice>); importing them at run time does nothing.
export {};
