// The Sample page's pure logic: the request the form makes, the size a frequency gives (from the
// table the backend sends), a proposed seed, outcome badges and an item's description.
import { isServerLocation } from './team';
import type {
  FrequencyDto,
  ItemAttributeDto,
  MethodRowDto,
  PopulationDto,
  SampledItemDto,
  SampleRequestDto,
} from './backend';

export type SizeMode = 'fixed' | 'frequency';
export type StratifyChoice = '' | 'system' | 'kind';
export type Tone = 'ok' | 'bad' | '';

/** What the form holds, before it becomes a request. */
export interface SampleForm {
  population: string;
  mode: SizeMode;
  /** The number typed, as text (an input may hold anything). */
  size: string;
  frequency: string;
  seed: string;
  stratify: StratifyChoice;
}

/** `Leavers (12)`: a population as the select lists it. */
export function populationOption(p: PopulationDto): string {
  return `${p.title} (${p.count.toLocaleString('en-US')})`;
}

/** `weekly — 5 items`: a frequency with the size the table gives it. */
export function frequencyOption(f: FrequencyDto): string {
  return `${f.name} — ${f.size} ${f.size === 1 ? 'item' : 'items'}`;
}

/** The size the table gives a frequency; null for a frequency it does not list. */
export function frequencySize(frequencies: readonly FrequencyDto[], name: string): number | null {
  return frequencies.find((f) => f.name === name)?.size ?? null;
}

/**
 * The request the form makes, or why the form cannot make one (a size that is not a whole
 * number). Everything else, an empty seed included, is the backend's to judge: it refuses an
 * empty population, a size larger than it or an empty seed in one line, which the page shows.
 */
export function sampleRequest(form: SampleForm): { request: SampleRequestDto } | { problem: string } {
  if (!form.population) return { problem: 'Choose a population.' };
  let size: number | null = null;
  let frequency: string | null = null;
  if (form.mode === 'fixed') {
    const text = form.size.trim();
    if (!/^\d+$/.test(text)) return { problem: `The size is a whole number of items, not "${text}".` };
    size = Number(text);
  } else {
    if (!form.frequency) return { problem: 'Choose a control frequency.' };
    frequency = form.frequency;
  }
  return {
    request: {
      population: form.population,
      size,
      frequency,
      seed: form.seed,
      stratify: form.stratify === '' ? null : form.stratify,
      from: null,
      to: null,
    },
  };
}

/** A seed to propose: the day's date, `sample-2025-06-30`, which the auditor may keep or change. */
export function proposedSeed(now: Date): string {
  return `sample-${now.toISOString().slice(0, 10)}`;
}

/** `leavers-sample.xlsx`, the file the save dialog proposes. */
export function workpaperName(population: string): string {
  const safe = population.replace(/[^A-Za-z0-9._-]+/g, '-') || 'population';
  return `${safe}-sample.xlsx`;
}

/** The file proposed beside the workspace, as the Reports page proposes its outputs. */
export function defaultWorkpaperPath(workspacePath: string, population: string): string {
  if (isServerLocation(workspacePath)) return workpaperName(population);
  const cut = Math.max(workspacePath.lastIndexOf('/'), workspacePath.lastIndexOf('\\'));
  const dir = cut >= 0 ? workspacePath.slice(0, cut + 1) : '';
  return `${dir}${workpaperName(population)}`;
}

/** An outcome's badge colour: pass green, fail red, n/a plain. */
export function outcomeTone(outcome: string): Tone {
  if (outcome === 'pass') return 'ok';
  if (outcome === 'fail') return 'bad';
  return '';
}

/** The attribute `id` of an item, if tested. */
export function attributeOf(item: SampledItemDto, id: string): ItemAttributeDto | null {
  return item.attributes.find((a) => a.id === id) ?? null;
}

/** The systems an item is about: its one system, else the list, else a dash. */
export function systemsText(item: SampledItemDto): string {
  if (item.system) return item.system;
  return item.systems.length > 0 ? item.systems.join(', ') : '—';
}

/** Who or what the item is: the identity, else the account, else its reference. */
export function identityText(item: SampledItemDto): string {
  return item.identity ?? item.account ?? item.reference ?? '—';
}

/** A method row too long to share a line with another: it spans the block. */
export function isWideRow(row: MethodRowDto): boolean {
  return row.value.length > 48;
}

/** Method rows whose value is a long hash or the algorithm: shown in a monospace face. */
export function isMonoRow(label: string): boolean {
  return ['ledger head', 'population digest', 'seed', 'algorithm'].includes(label);
}
