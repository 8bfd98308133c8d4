import { describe, expect, it } from 'vitest';
import type { FrequencyDto, PopulationDto, SampledItemDto } from './backend';
import {
  attributeOf,
  defaultWorkpaperPath,
  frequencyOption,
  frequencySize,
  identityText,
  isMonoRow,
  isWideRow,
  outcomeTone,
  populationOption,
  proposedSeed,
  sampleRequest,
  systemsText,
  workpaperName,
  type SampleForm,
} from './sample';

const FREQUENCIES: FrequencyDto[] = [
  { name: 'annual', size: 1 },
  { name: 'weekly', size: 5 },
  { name: 'daily', size: 25 },
];

const leavers: PopulationDto = {
  name: 'leavers',
  title: 'Leavers',
  definition: 'Every leaver event of a person effective in the period.',
  source: 'record.lifecycle_event',
  attributes: [{ id: 'removed', title: 'Access removed', checks: ['EV-LEAVER-NOT-REVOKED'] }],
  count: 1052,
  digest: 'ab'.repeat(32),
};

const item = (over: Partial<SampledItemDto> = {}): SampledItemDto => ({
  number: 1,
  rank: '0f'.repeat(32),
  key: '325',
  entry: 325,
  row: 0,
  kind: 'leaver',
  identity: 'E1062',
  system: null,
  account: null,
  entitlement: null,
  reference: null,
  at: '2025-05-14T22:00:00Z',
  systems: ['entra-id', 'okta'],
  stratum: null,
  attributes: [
    { id: 'removed', outcome: 'pass', evidence: [325, 1235], evidence_rows: [], note: 'no finding', failing_checks: [] },
    { id: 'no-use-after', outcome: 'fail', evidence: [343], evidence_rows: [], note: 'used after leaving', failing_checks: ['EV-X'] },
  ],
  ...over,
});

const form = (over: Partial<SampleForm> = {}): SampleForm => ({
  population: 'leavers',
  mode: 'fixed',
  size: '5',
  frequency: 'weekly',
  seed: 'audit-2025',
  stratify: '',
  ...over,
});

describe('the sample request', () => {
  it('takes a fixed size and leaves the frequency out', () => {
    expect(sampleRequest(form())).toEqual({
      request: {
        population: 'leavers',
        size: 5,
        frequency: null,
        seed: 'audit-2025',
        stratify: null,
        from: null,
        to: null,
      },
    });
  });

  it('takes a frequency and leaves the size out', () => {
    const r = sampleRequest(form({ mode: 'frequency', size: 'not read', stratify: 'system' }));
    expect(r).toMatchObject({ request: { size: null, frequency: 'weekly', stratify: 'system' } });
  });

  it('refuses a size that is not a whole number', () => {
    for (const size of ['', 'five', '2.5', '-1']) {
      expect(sampleRequest(form({ size }))).toHaveProperty('problem');
    }
  });

  it('leaves the seed, a zero size and the population size for the backend to judge', () => {
    expect(sampleRequest(form({ seed: '' }))).toMatchObject({ request: { seed: '' } });
    expect(sampleRequest(form({ size: '0' }))).toMatchObject({ request: { size: 0 } });
    expect(sampleRequest(form({ size: '100000' }))).toMatchObject({ request: { size: 100000 } });
  });

  it('keeps the seed exactly as typed: the seed text is what the sample is drawn from', () => {
    expect(sampleRequest(form({ seed: ' audit 2025 ' }))).toMatchObject({ request: { seed: ' audit 2025 ' } });
  });

  it('needs a population', () => {
    expect(sampleRequest(form({ population: '' }))).toEqual({ problem: 'Choose a population.' });
  });
});

describe('the form options', () => {
  it('lists a population with its count', () => {
    expect(populationOption(leavers)).toBe('Leavers (1,052)');
  });

  it('gives a frequency the size of the table the backend sent', () => {
    expect(frequencySize(FREQUENCIES, 'weekly')).toBe(5);
    expect(frequencySize(FREQUENCIES, 'hourly')).toBeNull();
    expect(frequencyOption({ name: 'annual', size: 1 })).toBe('annual — 1 item');
    expect(frequencyOption({ name: 'daily', size: 25 })).toBe('daily — 25 items');
  });

  it('proposes a seed from the date', () => {
    expect(proposedSeed(new Date('2025-06-30T12:00:00Z'))).toBe('sample-2025-06-30');
  });
});

describe('the workpaper file', () => {
  it('is named after the population, beside the workspace', () => {
    expect(workpaperName('leavers')).toBe('leavers-sample.xlsx');
    expect(workpaperName('a/b c')).toBe('a-b-c-sample.xlsx');
    expect(defaultWorkpaperPath('/audits/acme.evidentia', 'leavers')).toBe('/audits/leavers-sample.xlsx');
    expect(defaultWorkpaperPath('C:\\audits\\acme.evidentia', 'joiners')).toBe('C:\\audits\\joiners-sample.xlsx');
    expect(defaultWorkpaperPath('', 'leavers')).toBe('leavers-sample.xlsx');
    expect(defaultWorkpaperPath('postgres://alice@db/eng', 'leavers')).toBe('leavers-sample.xlsx');
  });
});

describe('an item', () => {
  it('finds its attributes by id', () => {
    expect(attributeOf(item(), 'no-use-after')?.outcome).toBe('fail');
    expect(attributeOf(item(), 'within-sla')).toBeNull();
  });

  it('gives each outcome its colour', () => {
    expect(outcomeTone('pass')).toBe('ok');
    expect(outcomeTone('fail')).toBe('bad');
    expect(outcomeTone('n/a')).toBe('');
  });

  it('names its systems and who it is about', () => {
    expect(systemsText(item())).toBe('entra-id, okta');
    expect(systemsText(item({ system: 'github' }))).toBe('github');
    expect(systemsText(item({ systems: [] }))).toBe('—');
    expect(identityText(item())).toBe('E1062');
    expect(identityText(item({ identity: null, account: 'svc-ci' }))).toBe('svc-ci');
    expect(identityText(item({ identity: null, reference: 'EX-7' }))).toBe('EX-7');
    expect(identityText(item({ identity: null }))).toBe('—');
  });

  it('sets hashes and the seed in a monospace face', () => {
    expect(isMonoRow('population digest')).toBe(true);
    expect(isMonoRow('definition')).toBe(false);
  });

  it('gives long method rows a line of their own', () => {
    expect(isWideRow({ label: 'population digest', value: 'ab'.repeat(32) })).toBe(true);
    expect(isWideRow({ label: 'sample size', value: '5' })).toBe(false);
  });
});
