// Writing a table view to a CSV or XLSX file the user picks (beside the workspace by default),
// shared by the table toolbar and the Events page so every export is named, checked and reported alike.
import * as backend from './backend';
import { baseName } from './format';
import { app } from './state.svelte';
import { exportName, toCsv } from './table';

export type Matrix = { headers: string[]; rows: string[][] };

/**
 * Asks where to write `title` as `format`, then builds the cells (only once a file was chosen:
 * Events reads its matches from the backend here) and writes them; `busy` brackets the work.
 * The outcome is flashed and remembered among this session's outputs.
 */
export async function exportTable(
  title: string,
  format: 'csv' | 'xlsx',
  build: () => Matrix | Promise<Matrix>,
  busy: (on: boolean) => void,
): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  const dir = (app.workspace?.path ?? '').replace(/[^/\\]*$/, '');
  const out = await backend.pickOutput(
    dir + exportName(title, format, today),
    format === 'csv' ? 'CSV' : 'Excel workbook',
    format,
    `Export ${title}`,
  );
  if (!out) return;
  busy(true);
  try {
    const { headers, rows } = await build();
    const written = await backend.writeTableView({
      format,
      title,
      headers,
      rows,
      csv: format === 'csv' ? toCsv(headers, rows) : undefined,
      out,
    });
    app.wrote(`table-${format}`, written);
    app.flash('ok', `Wrote ${baseName(written.path)}: ${written.detail}.`);
  } catch (e) {
    app.flash('bad', e instanceof Error ? e.message : String(e));
  } finally {
    busy(false);
  }
}
