import { describe, expect, it } from 'vitest';
import { missingNames, withName } from './names';

describe('withName', () => {
  const names = { E1001: 'Ada Lovelace', E1002: 'E1002' };
  it('puts the recorded name first and keeps the id', () => {
    expect(withName('E1001', names)).toBe('Ada Lovelace (E1001)');
  });
  it('shows the bare id when no name is recorded, or the name is the id', () => {
    expect(withName('E9999', names)).toBe('E9999');
    expect(withName('E1002', names)).toBe('E1002');
    expect(withName(null, names)).toBe('');
  });
});

describe('missingNames', () => {
  it('asks once for each unknown id', () => {
    expect(missingNames(['E2', 'E1', null, 'E2', 'E3'], { E1: 'A' }, new Set(['E3']))).toEqual(['E2']);
  });
});
