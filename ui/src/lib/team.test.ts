// Unit tests of how team workspaces are named and how a refused open is explained.
import { describe, expect, it } from 'vitest';
import { BackendError } from './backend/ipc';
import { databaseName, isServerLocation, locationLabel, teamErrorText } from './team';

describe('locations', () => {
  it('shows a file by its name and a team workspace by its URL', () => {
    expect(locationLabel('/home/a/audit.evidentia')).toBe('audit.evidentia');
    expect(locationLabel('postgres://alice@db.example/eng')).toBe('postgres://alice@db.example/eng');
    expect(isServerLocation('POSTGRESQL://db/eng')).toBe(true);
    expect(isServerLocation('/tmp/postgres://x')).toBe(false);
  });
  it('names a team workspace by its database', () => {
    expect(databaseName('postgres://alice@db.example:5433/eng?sslmode=require')).toBe('eng');
    expect(databaseName('postgres://postgres@%2Ftmp%2Fpg/evidentia')).toBe('evidentia');
    expect(databaseName('postgres://db.example')).toBe('postgres://db.example');
  });
});

describe('teamErrorText', () => {
  it('says what to check for each refusal and keeps the shell message', () => {
    const text = (code: ConstructorParameters<typeof BackendError>[0]) =>
      teamErrorText(new BackendError(code, 'postgres://alice@db/eng: no'));
    expect(text('unreachable')).toMatch(/^The server could not be reached.*postgres:\/\/alice@db\/eng: no$/);
    expect(text('unauthorized')).toMatch(/refused the login/);
    expect(text('read_only')).toMatch(/may only read/);
    expect(text('busy')).toMatch(/try again/);
    expect(text('internal')).toBe('postgres://alice@db/eng: no');
    expect(teamErrorText(new Error('plain'))).toBe('plain');
  });
});
