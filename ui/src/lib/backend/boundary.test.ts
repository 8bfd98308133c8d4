// Keeps the boundary ARCHITECTURE.md states: only ui/src/lib/backend talks to Tauri.
import { describe, expect, it } from 'vitest';

const sources = import.meta.glob<string>('/src/**/*.{ts,svelte}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('the backend boundary', () => {
  it('sees the sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it('is the only place that imports Tauri or calls invoke', () => {
    const offenders = Object.entries(sources)
      .filter(([path]) => !path.startsWith('/src/lib/backend/'))
      .filter(([, text]) => /@tauri-apps\/|__TAURI|\binvoke\s*\(/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
