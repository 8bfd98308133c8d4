// Svelte compiler settings shared by Vite and svelte-check.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Component styles go into the bundled CSS file, never into inline <style> tags (CSP).
    css: 'external',
  },
};
