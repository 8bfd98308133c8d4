// Type declarations for Vite's client features and .svelte imports.
/// <reference types="svelte" />
/// <reference types="vite/client" />
