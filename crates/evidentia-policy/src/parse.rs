//! Reads a policy file into a [`Policy`], checking every key against the format and every
//! cross-reference against `[systems]`.
//!
//! The walk is by hand over toml's spanned tree rather than through serde derive, because an
//! error must name the file, the line and the full dotted key (`systems.aws.revocation_sla`),
//! and all problems are collected rather than stopping at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::NaiveDate;
use evidentia_domain::{ApproverRole, IdentityId, IdentityKind, SystemId};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::model::{
    ANY, AccessProfile, CorrelationPolicy, Criticality, EmergencyPolicy, EntitlementRef,
    ExceptionPolicy, ExecutionMode, ExplicitAccount, IgnoreRule, MoverPolicy, NhiPolicy,
    Organisation, Policy, ReviewPolicy, SodRule, SystemPolicy, TierRule, Tiers,
};
use crate::{AccountPattern, Glob, POLICY_FORMAT, PolicyDuration, PolicyError, Problem};

type Value<'i> = Spanned<DeValue<'i>>;

const DURATION_HINT: &str = "use 4h, 30m, 3d, 60s";

impl Policy {
    /// Parses and checks a policy; `source_name` (a file name) prefixes every error.
    ///
    /// ```
    /// use evidentia_policy::Policy;
    /// let err = Policy::from_toml(
    ///     "format = \"evidentia-policy/1\"\n[organisation]\nname = \"Acme\"\n\
    ///      [systems.aws]\ncriticality = \"critical\"\nrevocation_sla = \"4x\"\n",
    ///     "policy.toml",
    /// )
    /// .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "policy.toml:6: systems.aws.revocation_sla: \"4x\" is not a duration (use 4h, 30m, 3d, 60s)"
    /// );
    /// ```
    pub fn from_toml(text: &str, source_name: &str) -> Result<Policy, PolicyError> {
        let root = DeTable::parse(text).map_err(|e| PolicyError::Syntax {
            source_name: source_name.to_owned(),
            line: e.span().map_or(1, |span| line_of(text, span.start)),
            message: e.message().trim().to_owned(),
        })?;
        let mut reader = Reader {
            text,
            problems: Vec::new(),
        };
        let policy = reader.policy(root.get_ref(), root.span());
        match policy {
            Some(policy) if reader.problems.is_empty() => Ok(policy),
            _ => {
                let mut problems = reader.problems;
                problems.sort_by(|a, b| a.line.cmp(&b.line).then(a.key.cmp(&b.key)));
                problems.dedup();
                Err(PolicyError::Invalid {
                    source_name: source_name.to_owned(),
                    problems,
                })
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Appends `key` to a dotted path, quoting it as TOML would when it is not a bare key.
fn join(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

struct Reader<'t> {
    text: &'t str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            line: line_of(self.text, span.start),
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// Reports every key of `table` not in `allowed`.
    fn known_keys(&mut self, table: &DeTable<'_>, path: &str, allowed: &[&str]) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                let message = format!("unknown key; expected one of: {}", allowed.join(", "));
                self.problem(&key.span(), &join(path, key.get_ref()), message);
            }
        }
    }

    fn table<'a, 'i>(
        &mut self,
        parent: &'a DeTable<'i>,
        path: &str,
        key: &str,
    ) -> Option<(&'a DeTable<'i>, Range<usize>)> {
        let value = parent.get(key)?;
        match value.get_ref() {
            DeValue::Table(t) => Some((t, value.span())),
            other => {
                let message = format!("must be a table, not a {}", other.type_str());
                self.problem(&value.span(), &join(path, key), message);
                None
            }
        }
    }

    fn string_value(&mut self, value: &Value<'_>, path: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.trim().to_owned()),
            other => {
                let message = format!("must be a string, not a {}", other.type_str());
                self.problem(&value.span(), path, message);
                None
            }
        }
    }

    fn string(
        &mut self,
        table: &DeTable<'_>,
        path: &str,
        key: &str,
    ) -> Option<(String, Range<usize>)> {
        let value = table.get(key)?;
        let path = join(path, key);
        let text = self.string_value(value, &path)?;
        if text.is_empty() {
            self.problem(&value.span(), &path, "must not be empty");
            return None;
        }
        Some((text, value.span()))
    }

    fn required_string(
        &mut self,
        table: &DeTable<'_>,
        span: &Range<usize>,
        path: &str,
        key: &str,
    ) -> Option<(String, Range<usize>)> {
        if table.get(key).is_none() {
            self.problem(span, &join(path, key), "is required");
            return None;
        }
        self.string(table, path, key)
    }

    fn bool(&mut self, table: &DeTable<'_>, path: &str, key: &str, default: bool) -> bool {
        let Some(value) = table.get(key) else {
            return default;
        };
        match value.get_ref() {
            DeValue::Boolean(b) => *b,
            other => {
                let message = format!("must be true or false, not a {}", other.type_str());
                self.problem(&value.span(), &join(path, key), message);
                default
            }
        }
    }

    fn duration_value(&mut self, value: &Value<'_>, path: &str) -> Option<PolicyDuration> {
        let text = match value.get_ref() {
            DeValue::String(s) => s.as_ref(),
            DeValue::Integer(i) => i.as_str(),
            DeValue::Float(f) => f.as_str(),
            other => {
                let message = format!(
                    "must be a duration string ({DURATION_HINT}), not a {}",
                    other.type_str()
                );
                self.problem(&value.span(), path, message);
                return None;
            }
        };
        let parsed = PolicyDuration::parse(text);
        if parsed.is_none() {
            let message = format!("{text:?} is not a duration ({DURATION_HINT})");
            self.problem(&value.span(), path, message);
        }
        parsed
    }

    fn duration(&mut self, table: &DeTable<'_>, path: &str, key: &str) -> Option<PolicyDuration> {
        let value = table.get(key)?;
        self.duration_value(value, &join(path, key))
    }

    /// A list of non-empty strings; a lone string is refused so that `aws = "ReadOnly"` is
    /// not quietly read as one entitlement when a list was meant.
    fn string_list(&mut self, value: &Value<'_>, path: &str) -> Vec<(String, Range<usize>)> {
        let DeValue::Array(items) = value.get_ref() else {
            let message = format!(
                "must be a list of strings, not a {}",
                value.get_ref().type_str()
            );
            self.problem(&value.span(), path, message);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if let Some(text) = self.string_value(item, &item_path) {
                if text.is_empty() {
                    self.problem(&item.span(), &item_path, "must not be empty");
                } else {
                    out.push((text, item.span()));
                }
            }
        }
        out
    }

    fn date(&mut self, table: &DeTable<'_>, path: &str, key: &str) -> Option<NaiveDate> {
        let value = table.get(key)?;
        let path = join(path, key);
        let text = match value.get_ref() {
            DeValue::String(s) => s.trim().to_owned(),
            DeValue::Datetime(d) => d.to_string(),
            other => {
                let message = format!("must be a date (2025-01-31), not a {}", other.type_str());
                self.problem(&value.span(), &path, message);
                return None;
            }
        };
        let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.problem(
                &value.span(),
                &path,
                format!("{text:?} is not a date (use 2025-01-31)"),
            );
        }
        parsed
    }

    fn policy(&mut self, root: &DeTable<'_>, span: Range<usize>) -> Option<Policy> {
        self.known_keys(
            root,
            "",
            &[
                "format",
                "organisation",
                "systems",
                "profiles",
                "tiers",
                "separation_of_duties",
                "exceptions",
                "movers",
                "nhi",
                "reviews",
                "correlation",
                "emergency",
            ],
        );
        let start = span.start..span.start;
        if let Some((format, fspan)) = self.required_string(root, &start, "", "format") {
            if format != POLICY_FORMAT {
                self.problem(
                    &fspan,
                    "format",
                    format!("{format:?} is not supported; this version reads {POLICY_FORMAT:?}"),
                );
            }
        }
        let organisation = self.organisation(root, &start);
        let systems = self.systems(root, &start);
        let known: BTreeSet<SystemId> = systems.keys().cloned().collect();
        let profiles = self.profiles(root, &known);
        let tiers = self.tiers(root, &known);
        let separation_of_duties = self.sod(root, &known);
        let exceptions = self.exceptions(root);
        let movers = self.movers(root);
        let nhi = self.nhi(root, &known);
        let reviews = self.reviews(root);
        let correlation = self.correlation(root, &known);
        let emergency = self.emergency(root, &known);
        Some(Policy {
            format: POLICY_FORMAT.to_owned(),
            organisation: organisation?,
            systems,
            profiles,
            tiers,
            separation_of_duties,
            exceptions,
            movers,
            nhi,
            reviews,
            correlation,
            emergency,
        })
    }

    /// `[emergency]`: `review_window`, `break_glass.<system>` (account globs),
    /// `activations.<system>` (event-type globs), `approval_required.<system>` (entitlement
    /// globs whose activations each need a request) and
    /// `jit.<system>.<entitlement glob>` (the longest one activation may last).
    fn emergency(&mut self, root: &DeTable<'_>, known: &BTreeSet<SystemId>) -> EmergencyPolicy {
        let mut policy = EmergencyPolicy::default();
        let Some((t, _)) = self.table(root, "", "emergency") else {
            return policy;
        };
        let path = "emergency";
        self.known_keys(
            t,
            path,
            &[
                "review_window",
                "same_use_within",
                "break_glass",
                "activations",
                "approval_required",
                "jit",
            ],
        );
        policy.review_window = self.duration(t, path, "review_window");
        policy.same_use_within = self.duration(t, path, "same_use_within");
        policy.break_glass = self.system_globs(t, "break_glass", known);
        policy.activations = self.system_globs(t, "activations", known);
        policy.approval_required = self.system_globs(t, "approval_required", known);
        if let Some((systems, _)) = self.table(t, path, "jit") {
            for (key, value) in systems.iter() {
                let system_path = join("emergency.jit", key.get_ref());
                if !self.system_ref(key.get_ref(), false, known, &key.span(), &system_path) {
                    continue;
                }
                let DeValue::Table(entitlements) = value.get_ref() else {
                    self.problem(
                        &value.span(),
                        &system_path,
                        "must be a table of entitlement = \"longest activation\"",
                    );
                    continue;
                };
                let mut jit = Vec::new();
                for (name, max) in entitlements.iter() {
                    let item_path = join(&system_path, name.get_ref());
                    if let Some(d) = self.duration_value(max, &item_path) {
                        jit.push((Glob::new(name.get_ref()), d));
                    }
                }
                policy
                    .jit
                    .insert(SystemId::new(key.get_ref().as_ref()), jit);
            }
        }
        policy
    }

    /// `[emergency.<name>]`: a list of globs per known system.
    fn system_globs(
        &mut self,
        t: &DeTable<'_>,
        name: &str,
        known: &BTreeSet<SystemId>,
    ) -> BTreeMap<SystemId, Vec<Glob>> {
        let mut out = BTreeMap::new();
        let Some((systems, _)) = self.table(t, "emergency", name) else {
            return out;
        };
        for (key, value) in systems.iter() {
            let item_path = join(&format!("emergency.{name}"), key.get_ref());
            if !self.system_ref(key.get_ref(), false, known, &key.span(), &item_path) {
                continue;
            }
            let globs = self
                .string_list(value, &item_path)
                .into_iter()
                .map(|(text, _)| Glob::new(&text))
                .collect();
            out.insert(SystemId::new(key.get_ref().as_ref()), globs);
        }
        out
    }

    fn organisation(&mut self, root: &DeTable<'_>, start: &Range<usize>) -> Option<Organisation> {
        let Some((table, span)) = self.table(root, "", "organisation") else {
            if root.get("organisation").is_none() {
                self.problem(
                    start,
                    "organisation",
                    "is required (at least `name`, shown on report covers)",
                );
            }
            return None;
        };
        let path = "organisation";
        self.known_keys(table, path, &["name", "period_start", "period_end"]);
        let name = self.required_string(table, &span, path, "name");
        let period_start = self.date(table, path, "period_start");
        let period_end = self.date(table, path, "period_end");
        if let (Some(s), Some(e)) = (period_start, period_end) {
            if e < s {
                let at = table.get("period_end").map_or(span.clone(), Spanned::span);
                self.problem(
                    &at,
                    "organisation.period_end",
                    format!("{e} is before period_start {s}"),
                );
            }
        }
        Some(Organisation {
            name: name?.0,
            period_start,
            period_end,
        })
    }

    fn systems(
        &mut self,
        root: &DeTable<'_>,
        start: &Range<usize>,
    ) -> BTreeMap<SystemId, SystemPolicy> {
        let mut systems = BTreeMap::new();
        let Some((table, span)) = self.table(root, "", "systems") else {
            if root.get("systems").is_none() {
                self.problem(
                    start,
                    "systems",
                    "is required: name at least one system in scope",
                );
            }
            return systems;
        };
        if table.is_empty() {
            self.problem(&span, "systems", "must name at least one system in scope");
        }
        for (key, value) in table.iter() {
            let id = key.get_ref().as_ref();
            let path = join("systems", id);
            if id.is_empty() || id == ANY || id.contains(':') || id.chars().any(char::is_whitespace)
            {
                self.problem(
                    &key.span(),
                    &path,
                    "a system id must be non-empty, not `*`, and contain no `:` or spaces",
                );
                continue;
            }
            let DeValue::Table(sys) = value.get_ref() else {
                self.problem(
                    &value.span(),
                    &path,
                    format!("must be a table, not a {}", value.get_ref().type_str()),
                );
                continue;
            };
            if let Some(system) = self.system(sys, &value.span(), &path, id) {
                systems.insert(SystemId::new(id), system);
            }
        }
        systems
    }

    fn system(
        &mut self,
        t: &DeTable<'_>,
        span: &Range<usize>,
        path: &str,
        id: &str,
    ) -> Option<SystemPolicy> {
        self.known_keys(
            t,
            path,
            &[
                "name",
                "criticality",
                "mode",
                "batch_interval",
                "revocation_sla",
                "privileged_revocation_sla",
                "provisioning_sla",
                "reconciled",
                "deny_entitlements",
            ],
        );
        let deny_entitlements: Vec<Glob> = t
            .get("deny_entitlements")
            .map(|v| {
                self.string_list(v, &join(path, "deny_entitlements"))
                    .into_iter()
                    .map(|(text, _)| Glob::new(&text))
                    .collect()
            })
            .unwrap_or_default();
        let name = self
            .string(t, path, "name")
            .map_or_else(|| id.to_owned(), |(n, _)| n);
        let criticality = match self.required_string(t, span, path, "criticality") {
            Some((text, at)) => {
                let parsed = Criticality::ALL
                    .iter()
                    .copied()
                    .find(|c| c.as_str() == text.to_ascii_lowercase());
                if parsed.is_none() {
                    self.problem(
                        &at,
                        &join(path, "criticality"),
                        format!("{text:?} is not one of critical, high, medium, low"),
                    );
                }
                parsed
            }
            None => None,
        };
        let mode = match self.string(t, path, "mode") {
            None => Some(ExecutionMode::EventDriven),
            Some((text, at)) => match text.to_ascii_lowercase().replace('_', "-").as_str() {
                "event-driven" => Some(ExecutionMode::EventDriven),
                "batch" => Some(ExecutionMode::Batch),
                _ => {
                    self.problem(
                        &at,
                        &join(path, "mode"),
                        format!("{text:?} is not one of event-driven, batch"),
                    );
                    None
                }
            },
        };
        let batch_interval = self.duration(t, path, "batch_interval");
        match (mode, t.get("batch_interval")) {
            (Some(ExecutionMode::Batch), None) => {
                self.problem(
                    span,
                    &join(path, "batch_interval"),
                    "is required when mode = \"batch\" (how far executions may trail requests)",
                );
            }
            (Some(ExecutionMode::EventDriven), Some(v)) => {
                self.problem(
                    &v.span(),
                    &join(path, "batch_interval"),
                    "only applies to mode = \"batch\"",
                );
            }
            _ => {}
        }
        let revocation_sla = self.duration(t, path, "revocation_sla");
        let privileged_revocation_sla = self.duration(t, path, "privileged_revocation_sla");
        let provisioning_sla = self.duration(t, path, "provisioning_sla");
        let reconciled = self.bool(t, path, "reconciled", false);
        let criticality = criticality?;
        let revocation_sla = match (revocation_sla, t.get("revocation_sla")) {
            (Some(sla), _) => sla,
            (None, None) => criticality.default_revocation_sla(),
            (None, Some(_)) => return None,
        };
        if let (Some(strict), Some(v)) = (
            privileged_revocation_sla,
            t.get("privileged_revocation_sla"),
        ) {
            if strict > revocation_sla {
                self.problem(&v.span(), &join(path, "privileged_revocation_sla"), format!("{strict} is longer than revocation_sla {revocation_sla}; it must be as strict or stricter"));
            }
        }
        Some(SystemPolicy {
            name,
            criticality,
            mode: mode?,
            batch_interval,
            revocation_sla,
            privileged_revocation_sla,
            provisioning_sla,
            reconciled,
            deny_entitlements,
        })
    }

    /// Checks that `id` names a system in `[systems]` (or `*` when `any_ok`).
    fn system_ref(
        &mut self,
        id: &str,
        any_ok: bool,
        known: &BTreeSet<SystemId>,
        span: &Range<usize>,
        path: &str,
    ) -> bool {
        if any_ok && id == ANY {
            return true;
        }
        if known.contains(&SystemId::new(id)) {
            return true;
        }
        let message = if known.is_empty() {
            format!("system {id:?} is not defined in [systems]")
        } else {
            let names: Vec<&str> = known.iter().map(SystemId::as_str).collect();
            format!(
                "system {id:?} is not defined in [systems] (defined: {})",
                names.join(", ")
            )
        };
        self.problem(span, path, message);
        false
    }

    /// A table of system id → entitlement globs.
    fn entitlement_map(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        known: &BTreeSet<SystemId>,
        any_ok: bool,
    ) -> BTreeMap<String, Vec<Glob>> {
        let mut out = BTreeMap::new();
        for (key, value) in t.iter() {
            let system = key.get_ref().as_ref();
            let item_path = join(path, system);
            let ok = self.system_ref(system, any_ok, known, &key.span(), &item_path);
            let globs: Vec<Glob> = self
                .string_list(value, &item_path)
                .into_iter()
                .map(|(text, _)| Glob::new(&text))
                .collect();
            if ok {
                out.insert(system.to_owned(), globs);
            }
        }
        out
    }

    fn profile(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        known: &BTreeSet<SystemId>,
    ) -> AccessProfile {
        let entitlements = self
            .entitlement_map(t, path, known, false)
            .into_iter()
            .map(|(system, globs)| (SystemId::new(system), globs))
            .collect();
        AccessProfile { entitlements }
    }

    fn profiles(
        &mut self,
        root: &DeTable<'_>,
        known: &BTreeSet<SystemId>,
    ) -> BTreeMap<String, AccessProfile> {
        let mut out = BTreeMap::new();
        let Some((table, _)) = self.table(root, "", "profiles") else {
            return out;
        };
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (key, value) in table.iter() {
            let role = key.get_ref().trim();
            let path = join("profiles", role);
            if role.is_empty() {
                self.problem(&key.span(), &path, "a role or job code must not be empty");
                continue;
            }
            // Roles are looked up ignoring case, so two keys differing only in case would be
            // a silent tie.
            if let Some(first) = seen.insert(role.to_ascii_lowercase(), role.to_owned()) {
                self.problem(
                    &key.span(),
                    &path,
                    format!("same role as {first:?} (roles are compared ignoring case)"),
                );
                continue;
            }
            let DeValue::Table(t) = value.get_ref() else {
                self.problem(
                    &value.span(),
                    &path,
                    format!(
                        "must be a table of system = [entitlements], not a {}",
                        value.get_ref().type_str()
                    ),
                );
                continue;
            };
            let profile = self.profile(t, &path, known);
            out.insert(role.to_owned(), profile);
        }
        out
    }

    /// A list of approver roles under `key` (a tier's `approvers`, the reviews'
    /// `privileged_reviewer_roles`), each named once.
    fn approver_roles(
        &mut self,
        t: &DeTable<'_>,
        path: &str,
        key: &str,
        default: &[ApproverRole],
    ) -> Vec<ApproverRole> {
        let Some(value) = t.get(key) else {
            return default.to_vec();
        };
        let path = join(path, key);
        let listed = self.string_list(value, &path);
        if listed.is_empty() && matches!(value.get_ref(), DeValue::Array(_)) {
            self.problem(&value.span(), &path, "must list at least one approver role");
        }
        let mut roles = Vec::new();
        for (text, span) in listed {
            match ApproverRole::parse(&text) {
                Some(ApproverRole::Other) | None => {
                    self.problem(
                        &span,
                        &path,
                        format!(
                            "{text:?} is not one of manager, security, system_owner, risk_owner"
                        ),
                    );
                }
                Some(role) if roles.contains(&role) => {
                    self.problem(&span, &path, format!("{text:?} is listed twice"));
                }
                Some(role) => roles.push(role),
            }
        }
        roles
    }

    fn tiers(&mut self, root: &DeTable<'_>, known: &BTreeSet<SystemId>) -> Tiers {
        use ApproverRole::{Manager, Security, SystemOwner};
        let defaults: [(&str, &[ApproverRole]); 3] = [
            ("standard", &[Manager]),
            ("elevated", &[Manager, SystemOwner]),
            ("privileged", &[Manager, Security]),
        ];
        let table = self.table(root, "", "tiers").map(|(t, _)| t);
        if let Some(t) = table {
            self.known_keys(t, "tiers", &["standard", "elevated", "privileged"]);
        }
        let mut rules = defaults.map(|(name, approvers)| {
            let rule = TierRule {
                approvers: approvers.to_vec(),
                entitlements: BTreeMap::new(),
            };
            (name, rule)
        });
        if let Some(t) = table {
            for (name, rule) in &mut rules {
                let path = join("tiers", name);
                let Some((tier, _)) = self.table(t, "tiers", name) else {
                    continue;
                };
                let allowed: &[&str] = if *name == "standard" {
                    &["approvers"]
                } else {
                    &["approvers", "entitlements"]
                };
                self.known_keys(tier, &path, allowed);
                rule.approvers = self.approver_roles(tier, &path, "approvers", &rule.approvers);
                if *name != "standard" {
                    if let Some((ents, _)) = self.table(tier, &path, "entitlements") {
                        rule.entitlements =
                            self.entitlement_map(ents, &join(&path, "entitlements"), known, true);
                    }
                }
            }
        }
        let [(_, standard), (_, elevated), (_, privileged)] = rules;
        Tiers {
            standard,
            elevated,
            privileged,
        }
    }

    fn entitlement_ref(
        &mut self,
        t: &DeTable<'_>,
        span: &Range<usize>,
        path: &str,
        key: &str,
        known: &BTreeSet<SystemId>,
    ) -> Option<EntitlementRef> {
        let (text, at) = self.required_string(t, span, path, key)?;
        let key_path = join(path, key);
        let Some((system, entitlement)) = text.split_once(':') else {
            self.problem(
                &at,
                &key_path,
                format!("{text:?} must be written system:entitlement"),
            );
            return None;
        };
        let (system, entitlement) = (system.trim(), entitlement.trim());
        if entitlement.is_empty() {
            self.problem(
                &at,
                &key_path,
                format!("{text:?} names no entitlement after the `:`"),
            );
            return None;
        }
        if !self.system_ref(system, false, known, &at, &key_path) {
            return None;
        }
        Some(EntitlementRef {
            system: SystemId::new(system),
            entitlement: Glob::new(entitlement),
        })
    }

    fn sod(&mut self, root: &DeTable<'_>, known: &BTreeSet<SystemId>) -> Vec<SodRule> {
        let mut out: Vec<SodRule> = Vec::new();
        let Some(value) = root.get("separation_of_duties") else {
            return out;
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.problem(
                &value.span(),
                "separation_of_duties",
                "must be an array of tables ([[separation_of_duties]])",
            );
            return out;
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("separation_of_duties[{i}]");
            let DeValue::Table(t) = item.get_ref() else {
                self.problem(&item.span(), &path, "must be a table with a, b and reason");
                continue;
            };
            self.known_keys(t, &path, &["id", "a", "b", "reason"]);
            let span = item.span();
            let a = self.entitlement_ref(t, &span, &path, "a", known);
            let b = self.entitlement_ref(t, &span, &path, "b", known);
            let reason = self.required_string(t, &span, &path, "reason");
            let id = self.string(t, &path, "id");
            let (Some(a), Some(b), Some((reason, _))) = (a, b, reason) else {
                continue;
            };
            if a.system == b.system
                && a.entitlement
                    .as_str()
                    .eq_ignore_ascii_case(b.entitlement.as_str())
            {
                let at = t.get("b").map_or(span.clone(), Spanned::span);
                self.problem(&at, &join(&path, "b"), "is the same entitlement as a");
                continue;
            }
            let (id, id_span) = id.unwrap_or_else(|| {
                let written = format!(
                    "{}:{} / {}:{}",
                    a.system,
                    a.entitlement.as_str(),
                    b.system,
                    b.entitlement.as_str()
                );
                (written, span.clone())
            });
            if out.iter().any(|r| r.id == id) {
                self.problem(
                    &id_span,
                    &join(&path, "id"),
                    format!("{id:?} is already used by another rule; give each rule its own id"),
                );
                continue;
            }
            out.push(SodRule { id, a, b, reason });
        }
        out
    }

    fn exceptions(&mut self, root: &DeTable<'_>) -> ExceptionPolicy {
        let mut policy = ExceptionPolicy {
            max_duration_standard: PolicyDuration::days(180),
            max_duration_elevated: PolicyDuration::days(90),
            max_duration_privileged: PolicyDuration::days(30),
            warning_window: PolicyDuration::days(14),
        };
        let Some((t, _)) = self.table(root, "", "exceptions") else {
            return policy;
        };
        self.known_keys(t, "exceptions", &["max_duration", "warning_window"]);
        if let Some(d) = self.duration(t, "exceptions", "warning_window") {
            policy.warning_window = d;
        }
        if let Some((max, _)) = self.table(t, "exceptions", "max_duration") {
            let path = "exceptions.max_duration";
            self.known_keys(max, path, &["standard", "elevated", "privileged"]);
            for (key, slot) in [
                ("standard", &mut policy.max_duration_standard),
                ("elevated", &mut policy.max_duration_elevated),
                ("privileged", &mut policy.max_duration_privileged),
            ] {
                if let Some(d) = self.duration(max, path, key) {
                    *slot = d;
                }
            }
        }
        policy
    }

    fn movers(&mut self, root: &DeTable<'_>) -> MoverPolicy {
        let mut policy = MoverPolicy {
            transition_window: PolicyDuration::days(14),
        };
        if let Some((t, _)) = self.table(root, "", "movers") {
            self.known_keys(t, "movers", &["transition_window"]);
            if let Some(d) = self.duration(t, "movers", "transition_window") {
                policy.transition_window = d;
            }
        }
        policy
    }

    /// A key naming a non-human identity kind.
    fn nhi_kind(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        path: &str,
    ) -> Option<IdentityKind> {
        match IdentityKind::parse(key.get_ref()) {
            Some(kind) if !kind.is_human() => Some(kind),
            _ => {
                let kinds: Vec<&str> = IdentityKind::ALL
                    .iter()
                    .filter(|k| !k.is_human())
                    .map(|k| k.as_str())
                    .collect();
                self.problem(
                    &key.span(),
                    path,
                    format!(
                        "{:?} is not a non-human identity kind ({})",
                        key.get_ref(),
                        kinds.join(", ")
                    ),
                );
                None
            }
        }
    }

    fn nhi(&mut self, root: &DeTable<'_>, known: &BTreeSet<SystemId>) -> NhiPolicy {
        let mut policy = NhiPolicy {
            credential_max_age: PolicyDuration::days(90),
            credential_max_idle: PolicyDuration::days(90),
            credential_max_age_by_kind: BTreeMap::new(),
            interactive_events: vec!["ConsoleLogin".to_owned(), "user.session.start".to_owned()],
            profiles: BTreeMap::new(),
            owner_handover: None,
        };
        let Some((t, _)) = self.table(root, "", "nhi") else {
            return policy;
        };
        let path = "nhi";
        self.known_keys(
            t,
            path,
            &[
                "credential_max_age",
                "credential_max_idle",
                "credential_max_age_by_kind",
                "interactive_events",
                "profiles",
                "owner_handover",
            ],
        );
        if let Some(d) = self.duration(t, path, "credential_max_age") {
            policy.credential_max_age = d;
        }
        if let Some(d) = self.duration(t, path, "credential_max_idle") {
            if d.as_delta() < chrono::TimeDelta::days(1) {
                // Last-used dates are days in most inventories: a shorter limit would call
                // every credential used this morning stale by tonight.
                if let Some(value) = t.get("credential_max_idle") {
                    self.problem(
                        &value.span(),
                        "nhi.credential_max_idle",
                        format!("{d} is shorter than a day; last-used dates are kept to the day"),
                    );
                }
            } else {
                policy.credential_max_idle = d;
            }
        }
        policy.owner_handover = self.duration(t, path, "owner_handover");
        if let Some((by_kind, _)) = self.table(t, path, "credential_max_age_by_kind") {
            for (key, value) in by_kind.iter() {
                let item_path = join("nhi.credential_max_age_by_kind", key.get_ref());
                let kind = self.nhi_kind(key, &item_path);
                let age = self.duration_value(value, &item_path);
                if let (Some(kind), Some(age)) = (kind, age) {
                    policy.credential_max_age_by_kind.insert(kind, age);
                }
            }
        }
        if let Some(value) = t.get("interactive_events") {
            policy.interactive_events = self
                .string_list(value, "nhi.interactive_events")
                .into_iter()
                .map(|(text, _)| text)
                .collect();
        }
        if let Some((profiles, _)) = self.table(t, path, "profiles") {
            for (key, value) in profiles.iter() {
                let item_path = join("nhi.profiles", key.get_ref());
                let kind = self.nhi_kind(key, &item_path);
                let DeValue::Table(pt) = value.get_ref() else {
                    self.problem(
                        &value.span(),
                        &item_path,
                        "must be a table of system = [entitlements]",
                    );
                    continue;
                };
                let profile = self.profile(pt, &item_path, known);
                if let Some(kind) = kind {
                    policy.profiles.insert(kind, profile);
                }
            }
        }
        policy
    }

    fn reviews(&mut self, root: &DeTable<'_>) -> ReviewPolicy {
        let mut policy = ReviewPolicy::default();
        let Some((t, _)) = self.table(root, "", "reviews") else {
            return policy;
        };
        let path = "reviews";
        self.known_keys(
            t,
            path,
            &[
                "revoke_sla",
                "rubber_stamp_decisions",
                "rubber_stamp_window",
                "privileged_reviewer_roles",
                "reviewer_roles",
            ],
        );
        if let Some(d) = self.duration(t, path, "revoke_sla") {
            policy.revoke_sla = d;
        }
        if let Some(d) = self.duration(t, path, "rubber_stamp_window") {
            policy.rubber_stamp_window = d;
        }
        if let Some(value) = t.get("rubber_stamp_decisions") {
            let key = join(path, "rubber_stamp_decisions");
            match value.get_ref() {
                DeValue::Integer(i) => match i.as_str().parse::<u32>() {
                    Ok(n) if n >= 2 => policy.rubber_stamp_decisions = n,
                    _ => self.problem(
                        &value.span(),
                        &key,
                        format!("{} is not a count of at least 2", i.as_str()),
                    ),
                },
                other => {
                    let message = format!("must be a whole number, not a {}", other.type_str());
                    self.problem(&value.span(), &key, message);
                }
            }
        }
        policy.privileged_reviewer_roles = self.approver_roles(
            t,
            path,
            "privileged_reviewer_roles",
            &policy.privileged_reviewer_roles,
        );
        if let Some((roles, _)) = self.table(t, path, "reviewer_roles") {
            for (key, value) in roles.iter() {
                let item_path = join("reviews.reviewer_roles", key.get_ref());
                let role = ApproverRole::parse(key.get_ref());
                if role.is_none() {
                    self.problem(
                        &key.span(),
                        &item_path,
                        format!(
                            "{:?} is not one of manager, security, system_owner, risk_owner, other",
                            key.get_ref()
                        ),
                    );
                }
                let people: Vec<IdentityId> = self
                    .string_list(value, &item_path)
                    .into_iter()
                    .map(|(name, _)| IdentityId::new(name))
                    .collect();
                if let Some(role) = role {
                    policy.reviewer_roles.insert(role, people);
                }
            }
        }
        policy
    }

    fn correlation(&mut self, root: &DeTable<'_>, known: &BTreeSet<SystemId>) -> CorrelationPolicy {
        let mut policy = CorrelationPolicy {
            by_email: true,
            by_employee_id: true,
            by_alias: true,
            by_email_local_part: false,
            patterns: BTreeMap::new(),
            accounts: BTreeMap::new(),
            ignore: Vec::new(),
        };
        let Some((t, _)) = self.table(root, "", "correlation") else {
            return policy;
        };
        let path = "correlation";
        self.known_keys(
            t,
            path,
            &[
                "by_email",
                "by_employee_id",
                "by_alias",
                "by_email_local_part",
                "patterns",
                "accounts",
                "ignore",
            ],
        );
        policy.by_email = self.bool(t, path, "by_email", true);
        policy.by_employee_id = self.bool(t, path, "by_employee_id", true);
        policy.by_alias = self.bool(t, path, "by_alias", true);
        policy.by_email_local_part = self.bool(t, path, "by_email_local_part", false);
        if let Some((patterns, _)) = self.table(t, path, "patterns") {
            for (key, value) in patterns.iter() {
                let system = key.get_ref().as_ref();
                let item_path = join("correlation.patterns", system);
                let ok = self.system_ref(system, true, known, &key.span(), &item_path);
                let mut compiled = Vec::new();
                for (text, span) in self.string_list(value, &item_path) {
                    match AccountPattern::new(&text) {
                        Ok(p) => compiled.push(p),
                        Err(message) => self.problem(&span, &item_path, message),
                    }
                }
                if ok {
                    policy.patterns.insert(system.to_owned(), compiled);
                }
            }
        }
        if let Some((accounts, _)) = self.table(t, path, "accounts") {
            let mut seen = BTreeSet::new();
            for (key, value) in accounts.iter() {
                let written = key.get_ref().as_ref();
                let item_path = join("correlation.accounts", written);
                let identity = self.string_value(value, &item_path);
                let Some((system, account)) = written.split_once(':') else {
                    self.problem(
                        &key.span(),
                        &item_path,
                        format!("{written:?} must be written \"system:account\""),
                    );
                    continue;
                };
                let (system, account) = (system.trim(), account.trim());
                if account.is_empty() {
                    self.problem(&key.span(), &item_path, "names no account after the `:`");
                    continue;
                }
                if !self.system_ref(system, false, known, &key.span(), &item_path) {
                    continue;
                }
                // Accounts are compared ignoring case, so two keys that differ only in case
                // would leave it to chance which identity wins.
                if !seen.insert((system.to_owned(), account.to_lowercase())) {
                    self.problem(
                        &key.span(),
                        &item_path,
                        "the same account is mapped twice (accounts are compared ignoring case)",
                    );
                    continue;
                }
                match identity {
                    Some(id) if !id.is_empty() => {
                        policy.accounts.insert(
                            written.to_owned(),
                            ExplicitAccount {
                                system: SystemId::new(system),
                                account: account.to_owned(),
                                identity: IdentityId::new(id),
                            },
                        );
                    }
                    Some(_) => self.problem(&value.span(), &item_path, "must name an identity id"),
                    None => {}
                }
            }
        }
        if let Some(value) = t.get("ignore") {
            let DeValue::Array(items) = value.get_ref() else {
                self.problem(
                    &value.span(),
                    "correlation.ignore",
                    "must be an array of tables ([[correlation.ignore]])",
                );
                return policy;
            };
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("correlation.ignore[{i}]");
                let DeValue::Table(it) = item.get_ref() else {
                    self.problem(
                        &item.span(),
                        &item_path,
                        "must be a table with account and reason",
                    );
                    continue;
                };
                self.known_keys(it, &item_path, &["account", "reason"]);
                let span = item.span();
                let account = self.required_string(it, &span, &item_path, "account");
                let reason = self.required_string(it, &span, &item_path, "reason");
                let (Some((written, at)), Some((reason, _))) = (account, reason) else {
                    continue;
                };
                let key_path = join(&item_path, "account");
                let Some((system, pattern)) = written.split_once(':') else {
                    self.problem(
                        &at,
                        &key_path,
                        format!("{written:?} must be written system:account (system may be *)"),
                    );
                    continue;
                };
                let (system, pattern) = (system.trim(), pattern.trim());
                if pattern.is_empty() {
                    self.problem(&at, &key_path, "names no account after the `:`");
                    continue;
                }
                if !self.system_ref(system, true, known, &at, &key_path) {
                    continue;
                }
                policy.ignore.push(IgnoreRule {
                    system: (system != ANY).then(|| SystemId::new(system)),
                    account: Glob::new(pattern),
                    reason,
                });
            }
        }
        policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_paths() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
        assert_eq!(join("", "systems"), "systems");
        assert_eq!(join("systems", "finance-app"), "systems.finance-app");
        assert_eq!(
            join("correlation.accounts", "github:octocat"),
            "correlation.accounts.\"github:octocat\""
        );
    }
}
