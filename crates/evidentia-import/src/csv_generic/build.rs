//! Turns one row's cells into one domain record through a profile, collecting every problem in the row.

use std::borrow::Cow;

use chrono::SecondsFormat;
use evidentia_domain::{
    ActivityChannel, Approval, ApprovalId, ApproverRole, CampaignId, Decision, EventId,
    ExceptionId, ExceptionRecord, Execution, Identity, IdentityId, IdentityKind,
    LifecycleAttributes, LifecycleEvent, LifecycleEventType, Outcome, ProvisioningAction,
    Reapproval, ReconciliationRecord, ReconciliationStatus, Record, ReviewCampaign, ReviewDecision,
    ReviewVerdict, SystemId, Tier, Timestamp,
};

use crate::Observation;
use crate::reviews::{CampaignLabels, CampaignRow, DecisionRow, StatedCampaign};

use crate::profile::RenewalField;
use crate::profile::fields::{self, Choice, FieldType};
use crate::profile::time::{Day, describe_formats, read_time, read_time_as};
use crate::profile::{InputKind, Profile, SKIP, accepted_values};

/// A row's cells, addressed by domain field; CSV rows and JSON records both provide it.
pub(crate) trait Cells {
    /// The field's value in this row, trimmed; `None` when the source has no column for it
    /// or the cell is empty.
    fn get(&self, field: &str) -> Option<Cow<'_, str>>;
    /// How diagnostics name where the field comes from: `column "Effective Date"`.
    fn label(&self, field: &str) -> Cow<'_, str>;
    /// Whether the source has a column (or key) for the field at all.
    fn has_column(&self, field: &str) -> bool;
}

/// What became of one row.
// Boxing the record would cost an allocation per row; a `Built` is matched once and dropped.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Built {
    Record(Record),
    /// Several records from one row (a roster row's joiner and leaver).
    Records(Vec<Record>),
    /// A use of an account (an `activity` row), for the file's activity summaries.
    Activity(Activity),
    /// An access-review campaign, checked against the file's other rows before it is kept.
    Campaign(Box<CampaignRow>),
    /// An access-review decision with the campaign columns its row states, checked against
    /// the file's other rows and the ledger's campaigns before it is kept.
    Decision(Box<DecisionRow>),
    /// The profile maps one of the row's values to `skip`; the value is counted.
    Skipped(String),
    /// The row is bad; the reason names every bad column and value.
    Bad(String),
}

/// What a last-used value map writes for "never used".
const NEVER: &str = "never";

/// The event type of an `activity` row that names none.
const SIGN_IN: &str = "sign-in";

/// One `activity` row, owned; [`Activity::observation`] lends it to the activity book.
#[derive(Debug)]
pub(crate) struct Activity {
    system: SystemId,
    account: String,
    channel: ActivityChannel,
    interactive: bool,
    outcome: Outcome,
    at: Timestamp,
    event_type: String,
    source_event_id: Option<String>,
    client: Option<String>,
}

impl Activity {
    pub(crate) fn observation(&self) -> Observation<'_> {
        Observation {
            credential: None,
            system: &self.system,
            account: &self.account,
            channel: self.channel,
            interactive: self.interactive,
            outcome: self.outcome,
            at: self.at,
            event_type: &self.event_type,
            source_event_id: self.source_event_id.as_deref(),
            client: self.client.as_deref(),
        }
    }
}

/// Builds the record a row describes for the profile's kind.
pub(crate) fn build(profile: &Profile, system: Option<&SystemId>, cells: &dyn Cells) -> Built {
    let mut row = Row {
        profile,
        system,
        cells,
        errors: Vec::new(),
        skip: None,
    };
    let built = match profile.kind {
        InputKind::Events => row.event().map(Built::Record),
        InputKind::Identities => row.identity().map(Built::Record),
        InputKind::Approvals => row.approval().map(Built::Record),
        InputKind::Provisioning => row.execution().map(Built::Record),
        InputKind::Reconciliation => row.reconciliation().map(Built::Records),
        InputKind::Exceptions => row.exception().map(Built::Record),
        InputKind::Activity => row.activity().map(Built::Activity),
        InputKind::Workers => row.worker().map(Built::Records),
        InputKind::ReviewCampaigns => row.campaign().map(|c| Built::Campaign(Box::new(c))),
        InputKind::ReviewDecisions => row.review_decision().map(|d| Built::Decision(Box::new(d))),
        InputKind::EmergencyUses => row.emergency_use().map(Built::Record),
    };
    // A skipped row is not imported, so its other problems do not matter.
    if let Some(value) = row.skip {
        return Built::Skipped(value);
    }
    match built {
        Some(built) if row.errors.is_empty() => built,
        _ if !row.errors.is_empty() => Built::Bad(row.errors.join("; ")),
        _ => Built::Bad("the row could not be read".to_owned()),
    }
}

/// Where a value came from, which decides how it is described and parsed.
enum Source {
    Cell,
    Caller,
    Default,
}

struct Row<'a> {
    profile: &'a Profile,
    system: Option<&'a SystemId>,
    cells: &'a dyn Cells,
    errors: Vec<String>,
    skip: Option<String>,
}

impl<'a> Row<'a> {
    /// The cell, else (for `system`) the caller's system, else the profile's default.
    fn raw(&self, field: &str) -> Option<(Cow<'a, str>, Source)> {
        if let Some(value) = self.cells.get(field) {
            // A list's prefixes are stripped from each item (`list`), not from the cell.
            let is_list =
                fields::field(self.profile.kind, field).is_some_and(|f| f.ty == FieldType::List);
            let value = if is_list {
                value.into_owned()
            } else {
                self.profile.strip_prefix(field, &value).to_owned()
            };
            return Some((Cow::Owned(value), Source::Cell));
        }
        if field == "system" {
            if let Some(system) = self.system {
                return Some((Cow::Borrowed(system.as_str()), Source::Caller));
            }
        }
        self.profile
            .defaults
            .get(field)
            .map(|d| (Cow::Borrowed(d.as_str()), Source::Default))
    }

    fn label(&self, field: &str, source: &Source) -> String {
        match source {
            Source::Cell => self.cells.label(field).into_owned(),
            Source::Caller => "the system given for the import".to_owned(),
            Source::Default => format!("the profile's default {field}"),
        }
    }

    fn missing(&mut self, field: &str) {
        let reason = if self.cells.has_column(field) {
            format!(
                "{} is empty but {field} is required",
                self.cells.label(field)
            )
        } else {
            format!("no value for the required field {field}")
        };
        self.errors.push(reason);
    }

    /// Marks the row skipped when the profile maps this value to `skip`.
    fn check_skip(&mut self, field: &str, value: &str) -> bool {
        if self.profile.mapped(field, value) == Some(SKIP) {
            self.skip.get_or_insert_with(|| value.to_owned());
            return true;
        }
        false
    }

    fn text(&mut self, field: &str) -> Option<String> {
        let (value, _) = self.raw(field)?;
        if self.check_skip(field, &value) {
            return None;
        }
        Some(
            self.profile
                .mapped(field, &value)
                .map_or_else(|| value.into_owned(), str::to_owned),
        )
    }

    fn req_text(&mut self, field: &str) -> Option<String> {
        let value = self.text(field);
        if value.is_none() && self.skip.is_none() {
            self.missing(field);
        }
        value
    }

    fn id(&mut self, field: &str) -> Option<IdentityId> {
        self.text(field).map(IdentityId::new)
    }

    /// A multi-valued cell: split on the list separator and line breaks, each item then
    /// passed through the field's value map (a map of the whole cell applies first; an item
    /// mapped to `skip` is dropped).
    fn list(&mut self, field: &str) -> Vec<String> {
        let separator = self.profile.list_separator;
        let profile = self.profile;
        // A list's value map is about its items: mapping one to `skip` never skips the row.
        let Some((raw, _)) = self.raw(field) else {
            return Vec::new();
        };
        let text = match profile.mapped(field, &raw) {
            Some(target) if !target.eq_ignore_ascii_case("skip") => target.to_owned(),
            _ => raw.into_owned(),
        };
        {
            text.split([separator, '\n'])
                .map(|item| profile.strip_prefix(field, item.trim()))
                .filter(|s| !s.is_empty())
                // An item mapped to "skip" is left out of the list.
                .filter_map(|item| match profile.mapped(field, item) {
                    Some(target) if target.eq_ignore_ascii_case("skip") => None,
                    Some(target) => Some(target.to_owned()),
                    None => Some(item.to_owned()),
                })
                .collect()
        }
    }

    fn choice<T>(&mut self, field: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let (value, source) = self.raw(field)?;
        if self.check_skip(field, &value) {
            return None;
        }
        let Some(FieldType::Choice(choice)) = fields::field(self.profile.kind, field).map(|f| f.ty)
        else {
            return None;
        };
        let canonical = match self.profile.mapped(field, &value) {
            Some(target) => Some(target),
            None => choice.canonical(&value),
        };
        match canonical.and_then(parse) {
            Some(parsed) => Some(parsed),
            None => {
                let label = self.label(field, &source);
                let accepted = accepted_values(self.profile, field, choice);
                self.errors.push(format!(
                    "{label}: \"{value}\" is not a known {field}; accepted: {accepted}"
                ));
                None
            }
        }
    }

    fn req_choice<T>(&mut self, field: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let had_value = self.raw(field).is_some();
        let value = self.choice(field, parse);
        if !had_value {
            self.missing(field);
        }
        value
    }

    fn flag(&mut self, field: &str) -> bool {
        self.flag_or(field, false)
    }

    /// A yes/no field; `default` when the row and the profile give no value.
    fn flag_or(&mut self, field: &str, default: bool) -> bool {
        self.choice(field, |s| Choice::Flag.canonical(s).map(|c| c == "true"))
            .unwrap_or(default)
    }

    fn parse_time(&mut self, field: &str, value: &str, source: &Source) -> Option<Timestamp> {
        // An expiry written as a bare date lasts through that day.
        let day = if matches!(field, "expires_at" | "reapproved_expires") {
            Day::End
        } else {
            Day::Start
        };
        self.parse_time_as(field, value, source, day)
    }

    fn parse_time_as(
        &mut self,
        field: &str,
        value: &str,
        source: &Source,
        day: Day,
    ) -> Option<Timestamp> {
        let profile = self.profile;
        let parsed = read_time_as(value, &profile.time_formats, profile.zone, day).or_else(|| {
            match source {
                // Defaults may be written as TOML dates, which read as RFC 3339.
                Source::Default => read_time(
                    value,
                    &[crate::profile::time::TimeFormat::Rfc3339],
                    profile.zone,
                ),
                _ => None,
            }
        });
        if parsed.is_none() {
            let label = self.label(field, source);
            self.errors.push(format!(
                "{label}: \"{value}\" is not {}",
                describe_formats(&profile.time_formats)
            ));
        }
        parsed
    }

    /// A time field: its value maps apply first (`"n/a" = ""` reads as no time).
    fn time(&mut self, field: &str) -> Option<Timestamp> {
        let (value, source) = self.raw(field)?;
        let value = match self.profile.mapped(field, &value) {
            Some(mapped) => Cow::Owned(mapped.to_owned()),
            None => value,
        };
        if value.trim().is_empty() {
            return None;
        }
        self.parse_time(field, &value, &source)
    }

    /// A field's value after its value map, without parsing it.
    fn mapped_text(&self, field: &str) -> Option<String> {
        let (value, _) = self.raw(field)?;
        Some(
            self.profile
                .mapped(field, &value)
                .map_or_else(|| value.into_owned(), str::to_owned),
        )
    }

    fn req_time(&mut self, field: &str) -> Option<Timestamp> {
        let had_value = self.raw(field).is_some();
        let value = self.time(field);
        if !had_value {
            self.missing(field);
        }
        value
    }

    fn event(&mut self) -> Option<Record> {
        let identity = self.req_text("identity");
        let identity_kind = self.req_choice("identity_kind", IdentityKind::parse);
        let event_type = self.req_choice("event_type", LifecycleEventType::parse);
        let effective_at = self.req_time("effective_at");
        let attributes = LifecycleAttributes {
            aliases: self.list("aliases"),
            credential_issued_at: self.time("credential_issued_at"),
            credential_id: self.text("credential_id"),
            display_name: self.text("display_name"),
            email: self.text("email"),
            role: self.text("role"),
            previous_role: self.text("previous_role"),
            department: self.text("department"),
            manager: self.id("manager"),
            location: self.text("location"),
            employment_class: self.text("employment_class"),
            owner: self.id("owner"),
            ends_at: self.time("ends_at"),
            entitlements: self.list("entitlements"),
        };
        let reason = self.text("reason");
        let id = self.text("id");
        let (identity, identity_kind, event_type, effective_at) =
            (identity?, identity_kind?, event_type?, effective_at?);
        // Sources without event ids get one derived from the content, so re-importing the
        // same file yields the same ids.
        let id = id.unwrap_or_else(|| {
            format!(
                "{identity}:{event_type}:{}",
                effective_at.to_rfc3339_opts(SecondsFormat::Secs, true)
            )
        });
        Some(Record::LifecycleEvent(LifecycleEvent {
            id: EventId::new(id),
            identity: IdentityId::new(identity),
            identity_kind,
            event_type,
            effective_at,
            attributes,
            reason,
        }))
    }

    /// A roster row: the identity's start as a joiner (an NHI's as its creation) and, when it
    /// has one, its end as a leaver (retirement), both with the row's attributes; a row with
    /// neither date is the identity as it stands.
    fn worker(&mut self) -> Option<Vec<Record>> {
        let identity = self.req_text("identity");
        let identity_kind = self.req_choice("identity_kind", IdentityKind::parse);
        let started = self.time("started_at");
        let ended = self.time("ended_at");
        let attributes = LifecycleAttributes {
            aliases: self.list("aliases"),
            credential_issued_at: self.time("credential_issued_at"),
            credential_id: self.text("credential_id"),
            display_name: self.text("display_name"),
            email: self.text("email"),
            role: self.text("role"),
            previous_role: None,
            department: self.text("department"),
            manager: self.id("manager"),
            location: self.text("location"),
            employment_class: self.text("employment_class"),
            owner: self.id("owner"),
            ends_at: None,
            entitlements: self.list("entitlements"),
        };
        let reason = self.text("reason");
        let (identity, kind) = (identity?, identity_kind?);
        if let (Some(s), Some(e)) = (started, ended)
            && e < s
        {
            self.errors
                .push("the end date is before the start date".to_owned());
            return None;
        }
        let event = |event_type: LifecycleEventType, at: Timestamp, reason: Option<String>| {
            Record::LifecycleEvent(LifecycleEvent {
                id: EventId::new(format!(
                    "{identity}:{event_type}:{}",
                    at.to_rfc3339_opts(SecondsFormat::Secs, true)
                )),
                identity: IdentityId::new(identity.as_str()),
                identity_kind: kind,
                event_type,
                effective_at: at,
                attributes: attributes.clone(),
                reason,
            })
        };
        let (start_type, end_type) = if kind.is_human() {
            (LifecycleEventType::Joiner, LifecycleEventType::Leaver)
        } else {
            (
                LifecycleEventType::NhiCreated,
                LifecycleEventType::NhiRetired,
            )
        };
        let mut out = Vec::new();
        if let Some(at) = started {
            out.push(event(start_type, at, None));
        }
        if let Some(at) = ended {
            out.push(event(end_type, at, reason.clone()));
        }
        if out.is_empty() {
            out.push(Record::Identity(Identity {
                id: IdentityId::new(identity.as_str()),
                kind,
                display_name: attributes.display_name.clone(),
                email: attributes.email.clone(),
                owner: attributes.owner.clone(),
                manager: attributes.manager.clone(),
                department: attributes.department.clone(),
                role: attributes.role.clone(),
                ends_at: None,
                aliases: attributes.aliases.clone(),
            }));
        }
        Some(out)
    }

    fn identity(&mut self) -> Option<Record> {
        let id = self.req_text("id");
        let kind = self.req_choice("kind", IdentityKind::parse);
        let record = Identity {
            id: IdentityId::new(String::new()),
            kind: IdentityKind::Employee,
            display_name: self.text("display_name"),
            email: self.text("email"),
            owner: self.id("owner"),
            manager: self.id("manager"),
            department: self.text("department"),
            role: self.text("role"),
            ends_at: self.time("ends_at"),
            aliases: self.list("aliases"),
        };
        Some(Record::Identity(Identity {
            id: IdentityId::new(id?),
            kind: kind?,
            ..record
        }))
    }

    fn approval(&mut self) -> Option<Record> {
        let id = self.req_text("id");
        let subject = self.req_text("subject");
        let entitlement = self.req_text("entitlement");
        let system = self.req_text("system");
        let requester = self.id("requester");
        let approver = self.req_text("approver");
        let approver_role = self.req_choice("approver_role", ApproverRole::parse);
        let decision = self.req_choice("decision", Decision::parse);
        let decided_at = self.req_time("decided_at");
        let tier = self.req_choice("tier", Tier::parse);
        let justification = self.text("justification");
        let expires_at = self.time("expires_at");
        let exception = self.flag("exception");
        let removal = self.flag("removal");
        Some(Record::Approval(Approval {
            id: ApprovalId::new(id?),
            subject: IdentityId::new(subject?),
            entitlement: entitlement?.into(),
            system: SystemId::new(system?),
            requester,
            approver: IdentityId::new(approver?),
            approver_role: approver_role?,
            decision: decision?,
            decided_at: decided_at?,
            tier: tier?,
            justification,
            expires_at,
            exception,
            removal,
        }))
    }

    fn execution(&mut self) -> Option<Record> {
        let system = self.req_text("system");
        let account = self.req_text("account");
        let action = self.req_choice("action", ProvisioningAction::parse);
        let entitlement = self.text("entitlement");
        let actor = self.text("actor");
        let at = self.req_time("at");
        let outcome = self.req_choice("outcome", Outcome::parse);
        let failure_reason = self.text("failure_reason");
        let request_ref = self.text("request_ref");
        let source_event_id = self.text("source_event_id");
        // Without a column of its own, the source's event type is its action as written.
        let source_event_type = self
            .text("source_event_type")
            .or_else(|| self.cells.get("action").map(Cow::into_owned));
        Some(Record::Execution(Execution {
            system: SystemId::new(system?),
            account: account?.into(),
            action: action?,
            entitlement: entitlement.map(Into::into),
            actor: actor.map(Into::into),
            at: at?,
            outcome: outcome?,
            failure_reason: failure_reason.map(Into::into),
            request_ref: request_ref.map(Into::into),
            source_event_id: source_event_id.map(Into::into),
            source_event_type: source_event_type.map(Into::into),
        }))
    }

    fn activity(&mut self) -> Option<Activity> {
        let system = self.req_text("system");
        let account = self.req_text("account");
        let at = self.req_time("at");
        let event_type = self.text("event_type");
        // A login report that only lists logins has no outcome column: each row happened.
        let outcome = self.choice("outcome", Outcome::parse);
        let interactive = self.flag_or("interactive", true);
        let client = self.text("client");
        let source_event_id = self.text("source_event_id");
        let channel = self.choice("channel", ActivityChannel::parse);
        Some(Activity {
            system: SystemId::new(system?),
            account: account?,
            channel: channel.unwrap_or(ActivityChannel::SignIn),
            interactive,
            outcome: outcome.unwrap_or(Outcome::Succeeded),
            at: at?,
            event_type: event_type.unwrap_or_else(|| SIGN_IN.to_owned()),
            source_event_id,
            client,
        })
    }

    /// A snapshot row; with `entitlements` mapped (several in one cell, as some inventories
    /// list a user's roles), one record per entitlement, or the account row when it is empty.
    fn reconciliation(&mut self) -> Option<Vec<Record>> {
        let system = self.req_text("system");
        let as_of = self.req_time("as_of");
        let account = self.req_text("account");
        let identity = self.id("identity");
        let entitlement = self.text("entitlement");
        let many = self.list("entitlements");
        let status = self.req_choice("status", ReconciliationStatus::parse);
        // A last-used column may say the credential was never used (`[values.last_used_at]
        // "Never" = "never"`): last-used information, not an empty cell.
        let never_used = self.mapped_text("last_used_at").as_deref() == Some(NEVER);
        let last_used_at = if never_used {
            None
        } else {
            self.time("last_used_at")
        };
        let created_at = self.time("created_at");
        let revoked_at = self.time("revoked_at");
        let credential = self.flag_or("credential", false);
        // A listing whose profile does not say which rows are credentials cannot show one
        // gone: it covers accounts and entitlements only (a credential revoked or not is then
        // judged from the log, or not at all).
        let coverage = (!self.cells.has_column("credential")
            && !self.profile.defaults.contains_key("credential"))
        .then(|| {
            std::sync::Arc::new(evidentia_domain::Coverage {
                credentials: false,
                ..evidentia_domain::Coverage::full()
            })
        });
        let (system, as_of, account, status) = (SystemId::new(system?), as_of?, account?, status?);
        let entitlements: Vec<Option<String>> = if many.is_empty() {
            vec![entitlement]
        } else {
            entitlement.into_iter().chain(many).map(Some).collect()
        };
        Some(
            entitlements
                .into_iter()
                .map(|entitlement| {
                    Record::Reconciliation(ReconciliationRecord {
                        system: system.clone(),
                        as_of,
                        account: account.as_str().into(),
                        credential,
                        identity: identity.clone(),
                        entitlement: entitlement.map(Into::into),
                        status,
                        last_used_at,
                        coverage: coverage.clone(),
                        created_at,
                        never_used,
                        revoked_at,
                    })
                })
                .collect(),
        )
    }

    fn exception(&mut self) -> Option<Record> {
        let id = self.req_text("id");
        let subject = self.id("subject");
        let system = self.text("system").map(SystemId::new);
        let entitlement = self.text("entitlement");
        let tier = self.req_choice("tier", Tier::parse);
        let owner = self.id("owner");
        let approver = self.id("approver");
        let granted_at = self.req_time("granted_at");
        let expires_at = self.time("expires_at");
        let reason = self.text("reason");
        let mut reapprovals = self.reapprovals();
        if let Some(last) = self.single_reapproval() {
            // A register may keep both a history and "last renewed" columns; count a renewal once.
            if !reapprovals
                .iter()
                .any(|r| r.approved_by == last.approved_by && r.approved_at == last.approved_at)
            {
                reapprovals.push(last);
            }
        }
        reapprovals.sort_by_key(|r| r.approved_at);
        Some(Record::Exception(ExceptionRecord {
            id: ExceptionId::new(id?),
            subject,
            system,
            entitlement,
            tier: tier?,
            owner,
            approver,
            granted_at: granted_at?,
            expires_at,
            reason,
            reapprovals,
        }))
    }

    /// An emergency-access register row.
    fn emergency_use(&mut self) -> Option<Record> {
        let id = self.req_text("id");
        let system = self.req_text("system");
        let account = self.req_text("account");
        let activated_at = self.req_time("activated_at");
        let entitlement = self.text("entitlement");
        let ticket = self.text("ticket");
        let request_id = self.text("request_id");
        let used_by = self.id("used_by");
        let reviewer = self.id("reviewer");
        let review_decision = self.text("review_decision");
        let reviewed_at = self.time("reviewed_at");
        Some(Record::EmergencyUse(evidentia_domain::EmergencyUse {
            account: account?,
            activated_at: activated_at?,
            entitlement,
            id: id?,
            request_id,
            review_decision,
            reviewed_at,
            reviewer,
            system: SystemId::new(system?),
            ticket,
            used_by,
        }))
    }

    /// A campaigns row. A campaign due, or closed, before it started is refused: its
    /// population moment and its deadlines could not both be right.
    fn campaign(&mut self) -> Option<CampaignRow> {
        let id = self.req_text("id");
        let name = self.text("name");
        let systems = self.list("systems");
        let entitlements = self.list("entitlements");
        let started_at = self.req_time("started_at");
        let due_at = self.req_time("due_at");
        let closed_at = self.time("closed_at");
        let (id, started_at, due_at) = (id?, started_at?, due_at?);
        self.check_campaign_times(started_at, Some(due_at), closed_at, ("due_at", "closed_at"));
        let label = |row: &Self, field: &str| row.cells.label(field).into_owned();
        let labels = CampaignLabels {
            name: label(self, "name"),
            systems: label(self, "systems"),
            entitlements: label(self, "entitlements"),
            started_at: label(self, "started_at"),
            due_at: label(self, "due_at"),
            closed_at: label(self, "closed_at"),
            start_column: None,
            due_column: None,
        };
        Some(CampaignRow {
            campaign: ReviewCampaign {
                closed_at,
                due_at,
                entitlements,
                id: CampaignId::new(id),
                name,
                started_at,
                systems: systems.into_iter().map(SystemId::new).collect(),
            },
            labels,
        })
    }

    /// Refuses a campaign due or closed before it started, naming the due or closing column.
    fn check_campaign_times(
        &mut self,
        started_at: Timestamp,
        due_at: Option<Timestamp>,
        closed_at: Option<Timestamp>,
        (due_field, closed_field): (&str, &str),
    ) {
        let at = |t: Timestamp| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        if let Some(due) = due_at.filter(|d| *d < started_at) {
            let label = self.cells.label(due_field).into_owned();
            self.errors.push(format!(
                "{label}: the campaign is due ({}) before it starts ({})",
                at(due),
                at(started_at)
            ));
        }
        if let Some(closed) = closed_at.filter(|c| *c < started_at) {
            let label = self.cells.label(closed_field).into_owned();
            self.errors.push(format!(
                "{label}: the campaign closed ({}) before it started ({})",
                at(closed),
                at(started_at)
            ));
        }
    }

    /// A list field as a row states it: `None` when the cell is empty.
    fn stated_list(&mut self, field: &str) -> Option<Vec<String>> {
        self.raw(field)?;
        Some(self.list(field))
    }

    /// A decisions row, with the campaign columns it states. A keep, revoke or modify needs
    /// its decision time; a delegation needs the reviewer it went to.
    fn review_decision(&mut self) -> Option<DecisionRow> {
        let campaign = self.req_text("campaign");
        let stated = StatedCampaign {
            name: self.text("campaign_name"),
            systems: self
                .stated_list("campaign_systems")
                .map(|s| s.into_iter().map(SystemId::new).collect()),
            entitlements: self.stated_list("campaign_entitlements"),
            started_at: self.time("campaign_started_at"),
            due_at: self.time("campaign_due_at"),
            closed_at: self.time("campaign_closed_at"),
        };
        let item = self.text("item");
        let reviewer = self.id("reviewer");
        let reviewer_role = self.choice("reviewer_role", ApproverRole::parse);
        let subject = self.id("subject");
        let system = self.req_text("system");
        let account = self.req_text("account");
        let entitlement = self.text("entitlement");
        let decision = self.req_choice("decision", ReviewVerdict::parse);
        let decided_at = self.time("decided_at");
        let delegated_to = self.id("delegated_to");
        let assigned_to = self.id("assigned_to");
        let comment = self.text("comment");
        if let Some(started_at) = stated.started_at {
            self.check_campaign_times(
                started_at,
                stated.due_at,
                stated.closed_at,
                ("campaign_due_at", "campaign_closed_at"),
            );
        }
        let (campaign, system, account, decision) = (campaign?, system?, account?, decision?);
        if decision.decides() && decided_at.is_none() && self.raw("decided_at").is_none() {
            let label = self.absent("decided_at");
            self.errors.push(format!(
                "{label}: a {decision} decision needs the time it was made"
            ));
        }
        if decision == ReviewVerdict::Delegated && delegated_to.is_none() {
            let label = self.absent("delegated_to");
            self.errors.push(format!(
                "{label}: a delegated decision needs the reviewer it was delegated to"
            ));
        }
        let label = |row: &Self, field: &str| row.cells.label(field).into_owned();
        let column = |row: &Self, field: &str| row.profile.columns_for(field).first().cloned();
        let labels = CampaignLabels {
            name: label(self, "campaign_name"),
            systems: label(self, "campaign_systems"),
            entitlements: label(self, "campaign_entitlements"),
            started_at: label(self, "campaign_started_at"),
            due_at: label(self, "campaign_due_at"),
            closed_at: label(self, "campaign_closed_at"),
            start_column: column(self, "campaign_started_at"),
            due_column: column(self, "campaign_due_at"),
        };
        Some(DecisionRow {
            decision: ReviewDecision {
                account,
                assigned_to,
                campaign: CampaignId::new(campaign),
                comment,
                decided_at,
                decision,
                delegated_to,
                entitlement,
                item,
                reviewer,
                reviewer_role,
                subject,
                system: SystemId::new(system),
            },
            stated,
            labels,
            decided_at_label: label(self, "decided_at"),
        })
    }

    /// How a diagnostic names an empty optional field: its empty column, or the field.
    fn absent(&self, field: &str) -> String {
        if self.cells.has_column(field) {
            format!("{} is empty", self.cells.label(field))
        } else {
            format!("no value for {field}")
        }
    }

    /// Reads the renewal history: entries `approver@approved_at->expires_at` separated by `;`
    /// or line breaks; the approver is split at the last `@` so e-mail addresses work, and
    /// `->expires_at` may be left out for a renewal without an end.
    fn reapprovals(&mut self) -> Vec<Reapproval> {
        let Some((text, source)) = self.raw("reapprovals") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in text
            .split([';', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let parsed = match &self.profile.renewal_format {
                Some(format) => format.read(entry).map(|fields| {
                    let get = |f: RenewalField| {
                        fields
                            .iter()
                            .find(|(g, _)| *g == f)
                            .map(|(_, v)| *v)
                            .filter(|v| !v.is_empty())
                    };
                    (
                        get(RenewalField::Approver),
                        get(RenewalField::ApprovedAt),
                        get(RenewalField::ExpiresAt),
                    )
                }),
                None => {
                    let (head, expires) = match entry.split_once("->") {
                        Some((head, expires)) => {
                            (head.trim(), Some(expires.trim()).filter(|e| !e.is_empty()))
                        }
                        None => (entry, None),
                    };
                    head.rsplit_once('@')
                        .map(|(b, a)| (Some(b.trim()), Some(a.trim()), expires))
                }
            };
            let Some((Some(by), Some(at), expires)) = parsed.filter(|(b, a, _)| {
                b.is_some_and(|b| !b.is_empty()) && a.is_some_and(|a| !a.is_empty())
            }) else {
                let label = self.label("reapprovals", &source);
                let layout = match &self.profile.renewal_format {
                    Some(_) => "the profile's renewal_format".to_owned(),
                    None => "approver@approved_at->expires_at".to_owned(),
                };
                self.errors.push(format!(
                    "{label}: renewal \"{entry}\" is not written {layout}"
                ));
                continue;
            };
            // Renewal approvers are people as the register names them: the approver map applies.
            let by = self.profile.mapped("approver", by).unwrap_or(by);
            let approved_at = self.parse_time("reapprovals", at, &source);
            let expires_at =
                expires.and_then(|e| self.parse_time_as("reapprovals", e, &source, Day::End));
            if let Some(approved_at) = approved_at {
                if expires.is_none() || expires_at.is_some() {
                    out.push(Reapproval {
                        approved_by: IdentityId::new(by),
                        approved_at,
                        expires_at,
                    });
                }
            }
        }
        out
    }

    /// Reads the single-renewal columns (`reapproved_by`, `reapproved_at`, `reapproved_expires`).
    fn single_reapproval(&mut self) -> Option<Reapproval> {
        let by = self.id("reapproved_by");
        let has_at = self.raw("reapproved_at").is_some();
        let at = self.time("reapproved_at");
        let expires_at = self.time("reapproved_expires");
        match (by, has_at) {
            (Some(by), _) => match at {
                Some(approved_at) => Some(Reapproval {
                    approved_by: by,
                    approved_at,
                    expires_at,
                }),
                None => {
                    if !has_at {
                        self.missing("reapproved_at");
                    }
                    None
                }
            },
            (None, true) => {
                self.missing("reapproved_by");
                None
            }
            (None, false) => None,
        }
    }
}
