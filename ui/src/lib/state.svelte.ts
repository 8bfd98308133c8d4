// The window's shared state: the open workspace, the last verification and the current page;
// pages read it and call the backend, nothing else holds session data.
import * as backend from './backend';
import type { OutputDto, SessionDto, VerifyDto, VerifyProgressDto } from './backend';
import { emptyView, type TableView } from './table';
import { missingNames, withName } from './names';
import type { EventFilterForm } from './events';
import { blockedWrite, isReadOnlyRefusal, readOnlyReason, writeErrorText, type WriteAction } from './access';

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

/** Below this window width the sidebar folds and tables drop their lower-priority columns. */
export const NARROW = 1100;

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

  /** Whether the *Open team workspace…* dialog is shown (File menu, or the start's error). */
  teamDialog = $state(false);

  /** The ledger entry shown in the entry viewer beside any page (any entry number opens it);
   * `row` ≥ 1 is one row of a set entry, 0 the entry as a whole. */
  viewing = $state<{ seq: number; row: number; label: string | null } | null>(null);
  /** Each table's search, filters and sort, by table id: kept when the page is left. */
  tables = $state<Record<string, TableView>>({});
  /** Files written this session (reports, packs, exports), newest first: kept across pages. */
  outputs = $state<(OutputDto & { kind: string; at: string })[]>([]);
  /** Selections pages keep across visits (a control, a check, a campaign…), by page and key. */
  selected = $state<Record<string, string | null>>({});
  /** The Events page's filters, kept when the page is left. */
  eventsFilter = $state<EventFilterForm | null>(null);
  /** The window's width (App.svelte keeps it); below NARROW pages drop low-priority columns. */
  width = $state(typeof window === 'undefined' ? 1280 : window.innerWidth);
  get narrow() {
    return this.width < NARROW;
  }
  /** Whether the sidebar is folded to icons (narrow windows fold it by default). */
  sidebarFolded = $state<boolean | null>(null);

  /** Identity id → recorded display name, filled as pages ask (`needNames`). */
  names = $state<Record<string, string>>({});
  private namesAsked = false;

  /**
   * Fetches every identity's name the first time a page shows an id without one: one verified
   * read of the ledger serves all pages (asking per page would verify and scan the ledger again
   * for each). A change to the ledger or another workspace asks again.
   */
  needNames(ids: Iterable<string | null | undefined>) {
    if (this.namesAsked || missingNames(ids, this.names, new Set()).length === 0) return;
    this.namesAsked = true;
    void backend.identityNames([]).then(
      (found) => {
        this.names = found;
      },
      () => {
        this.namesAsked = false;
      },
    );
  }

  /** "Ada Lovelace (E1001)" when the name is known, else the id. */
  who(id: string | null | undefined): string {
    return withName(id, this.names);
  }

  /** Opens the entry viewer on entry `seq`, or on its `row` when it is a set entry. */
  viewEntry(seq: number, label: string | null = null, row = 0) {
    this.viewing = { seq, row, label };
  }

  /** The toolbar state of table `id`, created empty on first use (call outside derivations). */
  table(id: string): TableView {
    if (!this.tables[id]) this.tables[id] = emptyView();
    return this.tables[id];
  }

  /** Remembers a written file for the pages that list this session's outputs. */
  wrote(kind: string, output: OutputDto) {
    this.outputs = [{ ...output, kind, at: new Date().toISOString() }, ...this.outputs].slice(0, 50);
  }

  /** Shows one event's evidence chain on the Events page. */
  openEvent(seq: number) {
    this.eventToOpen = seq;
    this.page = 'events';
  }

  get workspace() {
    return this.session?.workspace ?? null;
  }

  /** Why this login may not write to the open workspace (the header's chip), or null. */
  get readOnly(): string | null {
    return readOnlyReason(this.workspace);
  }

  /** The tooltip of a write action disabled for a read-only login, or null when it is open. */
  blocked(action: WriteAction): string | null {
    return blockedWrite(this.workspace, action);
  }

  /**
   * A write failed: the words to show. A read-only refusal means the login lost (or never had)
   * the writer role since the session was read, so the session is read again and the header
   * and the write actions say read-only from now on.
   */
  writeFailed(e: unknown): string {
    const text = writeErrorText(e, this.workspace);
    if (isReadOnlyRefusal(e)) void this.refreshWorkspace();
    return text;
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
      this.viewing = null;
      this.tables = {};
      this.selected = {};
      this.eventsFilter = null;
      this.names = {};
      this.namesAsked = false;
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

  /** A change arrived while verifying: verify again when that run ends. */
  private verifyAgain = false;

  async verify() {
    if (this.verification.status === 'running') {
      this.verifyAgain = true;
      return;
    }
    this.verifyAgain = false;
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
    if (this.verifyAgain) void this.verify();
  }

  /**
   * The ledger grew (an import, a checkpoint, a policy, an analysis): the last verification no
   * longer covers its head, so the badge verifies again rather than vouch for an older head.
   */
  ledgerChanged() {
    this.verification = { status: 'idle' };
    // An import may name identities: the next page that needs names reads them again.
    this.namesAsked = false;
    void this.refreshWorkspace().then(() => this.verify());
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
