// The window's shared state: the open workspace, the last verification and the current page;
// pages read it and call the backend, nothing else holds session data.
import * as backend from './backend';
import type { SessionDto, VerifyDto, VerifyProgressDto } from './backend';

export type PageId =
  | 'overview'
  | 'import'
  | 'integrity'
  | 'accounts'
  | 'events'
  | 'findings'
  | 'exceptions'
  | 'reviews'
  | 'sample'
  | 'reports';

export type Verification =
  | { status: 'idle' }
  | { status: 'running'; progress: VerifyProgressDto | null }
  | { status: 'done'; result: VerifyDto }
  | { status: 'error'; message: string };

class AppState {
  session = $state<SessionDto | null>(null);
  loadError = $state<string | null>(null);
  page = $state<PageId>('overview');
  verification = $state<Verification>({ status: 'idle' });
  /** Bumped after anything that changes the ledger, so pages reload what they show. */
  revision = $state(0);
  notice = $state<{ kind: 'ok' | 'bad'; text: string } | null>(null);
  /** An event whose chain the Events page should open (set by a finding's link). */
  eventToOpen = $state<number | null>(null);

  /** Shows one event's evidence chain on the Events page. */
  openEvent(seq: number) {
    this.eventToOpen = seq;
    this.page = 'events';
  }

  get workspace() {
    return this.session?.workspace ?? null;
  }

  async load() {
    try {
      this.adopt(await backend.currentWorkspace());
    } catch (e) {
      this.loadError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Takes a new session (after open, new, demo) and verifies it right away. */
  adopt(session: SessionDto) {
    const changed = session.workspace?.path !== this.session?.workspace?.path;
    this.session = session;
    this.loadError = null;
    this.revision += 1;
    if (changed && session.workspace) {
      this.verification = { status: 'idle' };
      void this.verify();
    }
  }

  async refreshWorkspace() {
    try {
      this.session = await backend.currentWorkspace();
      this.revision += 1;
    } catch (e) {
      this.flash('bad', e instanceof Error ? e.message : String(e));
    }
  }

  async verify() {
    if (this.verification.status === 'running') return;
    this.verification = { status: 'running', progress: null };
    try {
      const result = await backend.verifyLedger((progress) => {
        if (this.verification.status === 'running') {
          this.verification = { status: 'running', progress };
        }
      });
      this.verification = { status: 'done', result };
    } catch (e) {
      this.verification = { status: 'error', message: e instanceof Error ? e.message : String(e) };
    }
  }

  /** The ledger grew: the last verification no longer covers its head. */
  ledgerChanged() {
    this.verification = { status: 'idle' };
    void this.refreshWorkspace();
  }

  flash(kind: 'ok' | 'bad', text: string) {
    this.notice = { kind, text };
    const shown = this.notice;
    setTimeout(() => {
      if (this.notice === shown) this.notice = null;
    }, 6000);
  }
}

export const app = new AppState();
