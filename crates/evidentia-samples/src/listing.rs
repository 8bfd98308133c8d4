//! What the reconciliation tool lists at a moment: the baseline holds, out-of-band appearances and successful executions replayed in time order.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::*;
use crate::world::{Exec, Hold, Op, Outcome, World};

/// One account as the system holds it.
#[derive(Debug, Default)]
pub struct Acct {
    pub active: bool,
    pub ents: BTreeSet<String>,
    /// When it first existed (the baseline predates the period).
    pub first: Option<Ts>,
}

enum Step<'w> {
    Exec(&'w Exec),
    Hold(&'w Hold),
}

/// The world's access replayed forward; the snapshots and the review populations both read
/// it, so a campaign's population is exactly what the snapshot file lists.
pub struct Replay<'w> {
    steps: Vec<(Ts, usize, Step<'w>)>,
    next: usize,
    pub state: BTreeMap<(Sys, String), Acct>,
}

impl<'w> Replay<'w> {
    /// The baseline (end of 2024), before any step.
    pub fn new(w: &'w World) -> Self {
        let mut state: BTreeMap<(Sys, String), Acct> = BTreeMap::new();
        let start = snapshot_times()[0];
        let mut steps: Vec<(Ts, usize, Step)> = Vec::new();
        for h in &w.holds {
            match h.from {
                None => {
                    let a = state.entry((h.sys, h.account.clone())).or_default();
                    a.active = true;
                    a.ents.insert(h.ent.clone());
                    a.first.get_or_insert(start - days(400));
                }
                Some(t) => steps.push((t, steps.len(), Step::Hold(h))),
            }
        }
        for x in &w.execs {
            if x.outcome == Outcome::Ok {
                steps.push((x.at, steps.len(), Step::Exec(x)));
            }
        }
        steps.sort_by_key(|i| (i.0, i.1));
        Replay {
            steps,
            next: 0,
            state,
        }
    }

    /// Applies every step at or before `as_of` (call with increasing times).
    pub fn advance(&mut self, as_of: Ts) {
        while self.next < self.steps.len() && self.steps[self.next].0 <= as_of {
            match &self.steps[self.next].2 {
                Step::Hold(h) => {
                    let a = self.state.entry((h.sys, h.account.clone())).or_default();
                    a.active = true;
                    a.ents.insert(h.ent.clone());
                    a.first.get_or_insert(h.from.unwrap_or(as_of));
                }
                Step::Exec(x) => {
                    let a = self.state.entry((x.sys, x.account.clone())).or_default();
                    a.first.get_or_insert(x.at);
                    match x.op {
                        Op::Create | Op::Enable | Op::Grant | Op::CredCreate => {
                            a.active = true;
                            if let Some(e) = &x.ent {
                                a.ents.insert(e.clone());
                            }
                        }
                        Op::Revoke | Op::CredDelete | Op::CredDeactivate => {
                            if let Some(e) = &x.ent {
                                a.ents.remove(e);
                            }
                        }
                        Op::Disable => a.active = false,
                        Op::Delete => {
                            a.active = false;
                            a.ents.clear();
                        }
                        Op::Invite | Op::CredRotate | Op::Password => {}
                    }
                }
            }
            self.next += 1;
        }
    }

    /// The (system, account, entitlement) rows a snapshot lists as present now: active
    /// accounts' entitlements (an account with none is not listed).
    pub fn present(&self) -> BTreeSet<(Sys, String, String)> {
        let mut out = BTreeSet::new();
        for ((sys, account), a) in &self.state {
            if a.active {
                for e in &a.ents {
                    out.insert((*sys, account.clone(), e.clone()));
                }
            }
        }
        out
    }
}

/// What the snapshot taken at `as_of` lists as present.
pub fn present_at(w: &World, as_of: Ts) -> BTreeSet<(Sys, String, String)> {
    let mut r = Replay::new(w);
    r.advance(as_of);
    r.present()
}
