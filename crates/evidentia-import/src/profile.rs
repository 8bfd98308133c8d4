//! TOML mapping profiles: how a generic CSV or JSON export's columns become domain records.
//!
//! A profile names the kind of input, how the file is laid out, which column holds each
//! domain field, how source values map onto the domain's names, and how times are written.
//! It is checked completely when loaded, so a bad profile fails before any file is read,
//! with an error naming the profile file, the line and the key. The format is documented in
//! `docs/import-profiles.md`.
//!
//! ```
//! use evidentia_import::{InputKind, Profile};
//! let profile = Profile::from_toml(
//!     r#"
//!     name = "finance-app-log"
//!     kind = "provisioning"
//!     [columns]
//!     account = "User"
//!     action = "Action"
//!     at = "When"
//!     [defaults]
//!     system = "finance-app"
//!     outcome = "succeeded"
//!     "#,
//!     "finance-app-log.toml",
//! )
//! .expect("valid profile");
//! assert_eq!(profile.kind, InputKind::Provisioning);
//! assert!(Profile::builtin_names().contains(&"hr-extract"));
//! ```

pub(crate) mod fields;
pub(crate) mod time;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use fields::{Choice, FieldType};
use time::{TimeFormat, Zone};

/// The kind of input a generic file holds, which decides the records it yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    /// Lifecycle events from an authoritative source → `Record::LifecycleEvent`.
    Events,
    /// An identity roster (people or NHIs as they stand) → `Record::Identity`.
    Identities,
    /// Approval decisions → `Record::Approval`.
    Approvals,
    /// A system's provisioning log → `Record::Execution`.
    Provisioning,
    /// Reconciliation snapshots → `Record::Reconciliation`.
    Reconciliation,
    /// An exceptions register → `Record::Exception`.
    Exceptions,
    /// Sign-ins and other uses of accounts → folded into `Record::Activity` summaries.
    Activity,
    /// A roster of workers or NHIs with start and end dates (one row per identity) →
    /// a joiner (or NHI creation) and a leaver (or retirement) `Record::LifecycleEvent`.
    Workers,
    /// Access-review campaigns (one row per campaign) → `Record::ReviewCampaign`.
    ReviewCampaigns,
    /// Access-review decisions (one row per reviewer and item) → `Record::ReviewDecision`,
    /// and the campaign itself when the rows carry its start and due columns.
    ReviewDecisions,
    /// An emergency-access register (one row per JIT activation or break-glass sign-in, with
    /// its ticket and post-activation review) → `Record::EmergencyUse`.
    EmergencyUses,
}

impl InputKind {
    /// Every kind, in documentation order.
    pub const ALL: &'static [InputKind] = &[
        InputKind::Events,
        InputKind::Identities,
        InputKind::Approvals,
        InputKind::Provisioning,
        InputKind::Reconciliation,
        InputKind::Exceptions,
        InputKind::Activity,
        InputKind::Workers,
        InputKind::ReviewCampaigns,
        InputKind::ReviewDecisions,
        InputKind::EmergencyUses,
    ];

    /// The name used in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Events => "events",
            InputKind::Identities => "identities",
            InputKind::Approvals => "approvals",
            InputKind::Provisioning => "provisioning",
            InputKind::Reconciliation => "reconciliation",
            InputKind::Exceptions => "exceptions",
            InputKind::Activity => "activity",
            InputKind::Workers => "workers",
            InputKind::ReviewCampaigns => "review-campaigns",
            InputKind::ReviewDecisions => "review-decisions",
            InputKind::EmergencyUses => "emergency-uses",
        }
    }

    /// Parses a profile's `kind`.
    pub fn parse(text: &str) -> Option<InputKind> {
        let text = text.trim();
        InputKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(text))
    }
}

impl std::fmt::Display for InputKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A profile could not be found, read or understood.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The profile file could not be read.
    #[error("{path}: cannot read profile: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The profile is not valid; `line` and `key` point at the offending entry.
    #[error("{source_name}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        source_name: String,
        line: Option<usize>,
        key: Option<String>,
        message: String,
    },
    /// No built-in profile has this name (and no such file exists).
    #[error("no profile file or built-in profile named \"{name}\"; built-in profiles: {}", known.join(", "))]
    UnknownBuiltin { name: String, known: Vec<String> },
}

/// The field delimiter of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    /// Chosen from the header line: the most frequent of `,` `;` tab `|` outside quotes.
    Auto,
    Byte(u8),
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// What Excel on Windows writes for "CSV" (a superset of ISO 8859-1 printable characters).
    Windows1252,
    /// ISO 8859-1: each byte is the code point of the same number.
    Latin1,
}

/// How a JSON file holds its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonLayout {
    /// The dotted path of the array of records inside an envelope object (`data.items`);
    /// empty for a top-level array or JSON lines.
    pub(crate) records_path: Vec<String>,
}

/// How one source value maps onto a domain value (or marks the row as not to be imported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueMapping {
    /// The source value as the profile wrote it.
    pub(crate) source: String,
    /// The domain value, or [`SKIP`].
    pub(crate) target: String,
}

/// The value-map target that marks a row as deliberately not imported.
pub(crate) const SKIP: &str = "skip";

/// A mapping profile for generic CSV or JSON input, checked when loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub kind: InputKind,
    /// What the profile is for, in a sentence.
    pub description: Option<String>,
    /// Where the profile came from (a file path or `builtin:<name>`).
    pub source_name: String,
    pub(crate) delimiter: Delimiter,
    pub(crate) encoding: Encoding,
    pub(crate) has_header: bool,
    pub(crate) skip_rows: u64,
    pub(crate) json: Option<JsonLayout>,
    /// Domain field → source column names (alternatives, first present wins).
    pub(crate) columns: BTreeMap<String, Vec<String>>,
    /// Domain field → value mappings, matched ignoring ASCII case.
    pub(crate) values: BTreeMap<String, Vec<ValueMapping>>,
    /// Domain field → value used when the file has no column for it or the cell is empty.
    pub(crate) defaults: BTreeMap<String, String>,
    pub(crate) time_formats: Vec<TimeFormat>,
    /// The zone of local times (a fixed offset or an IANA zone with its DST rules).
    pub(crate) zone: Zone,
    pub(crate) list_separator: char,
    /// How one renewal in the renewal history is written; `None`: `approver@approved->expires`.
    pub(crate) renewal_format: Option<RenewalFormat>,
    /// Domain field → prefixes removed from its values before value maps apply (the type a
    /// report writes before a name: `User: jack`), matched ignoring ASCII case.
    pub(crate) strip_prefixes: BTreeMap<String, Vec<String>>,
}

/// A renewal entry's layout, from a template such as
/// `"{approved_at}: renewed by {approver} until {expires_at}"`: fixed text between the three
/// fields, each field running to the next fixed text (or the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RenewalFormat {
    parts: Vec<RenewalPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RenewalPart {
    Text(String),
    Field(RenewalField),
}

/// A field of a renewal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenewalField {
    Approver,
    ApprovedAt,
    ExpiresAt,
}

impl RenewalFormat {
    /// Reads a template; `{approver}` and `{approved_at}` are required, `{expires_at}` optional,
    /// two fields may not touch, and nothing else may be in braces.
    pub(crate) fn parse(template: &str) -> Result<RenewalFormat, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| format!("\"{template}\" has a '{{' that is not closed"))?;
                    let field = match &rest[1..end] {
                        "approver" => RenewalField::Approver,
                        "approved_at" => RenewalField::ApprovedAt,
                        "expires_at" => RenewalField::ExpiresAt,
                        other => {
                            return Err(format!(
                                "{{{other}}} is not a renewal field: use {{approver}}, {{approved_at}} and {{expires_at}}"
                            ));
                        }
                    };
                    if matches!(parts.last(), Some(RenewalPart::Field(_))) {
                        return Err(format!(
                            "\"{template}\": two fields must be separated by some fixed text"
                        ));
                    }
                    parts.push(RenewalPart::Field(field));
                    rest = &rest[end + 1..];
                }
                Some(at) => {
                    parts.push(RenewalPart::Text(rest[..at].to_owned()));
                    rest = &rest[at..];
                }
                None => {
                    parts.push(RenewalPart::Text(rest.to_owned()));
                    rest = "";
                }
            }
        }
        let has = |f: RenewalField| parts.contains(&RenewalPart::Field(f));
        if !has(RenewalField::Approver) || !has(RenewalField::ApprovedAt) {
            return Err(format!(
                "\"{template}\" must hold {{approver}} and {{approved_at}}"
            ));
        }
        Ok(RenewalFormat { parts })
    }

    /// Splits one entry into its fields (trimmed), or `None` when it does not follow the layout.
    pub(crate) fn read<'t>(&self, entry: &'t str) -> Option<Vec<(RenewalField, &'t str)>> {
        let mut out = Vec::new();
        let mut rest = entry.trim();
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                RenewalPart::Text(text) => {
                    let text = text.trim();
                    rest = rest.trim_start();
                    if rest.len() < text.len() || !rest[..text.len()].eq_ignore_ascii_case(text) {
                        return None;
                    }
                    rest = &rest[text.len()..];
                }
                RenewalPart::Field(field) => {
                    let value = match parts.peek() {
                        Some(RenewalPart::Text(next)) => {
                            let next = next.trim();
                            let at = rest.to_ascii_lowercase().find(&next.to_ascii_lowercase())?;
                            let value = &rest[..at];
                            rest = &rest[at..];
                            value
                        }
                        _ => std::mem::take(&mut rest),
                    };
                    out.push((*field, value.trim()));
                }
            }
        }
        rest.trim().is_empty().then_some(out)
    }
}

/// Built-in profiles, embedded so the demo and common exports work with no files around.
const BUILTINS: &[(&str, &str)] = &[
    ("hr-extract", include_str!("../profiles/hr-extract.toml")),
    ("nhi-catalog", include_str!("../profiles/nhi-catalog.toml")),
    (
        "ticket-export",
        include_str!("../profiles/ticket-export.toml"),
    ),
    (
        "provisioning-csv",
        include_str!("../profiles/provisioning-csv.toml"),
    ),
    (
        "reconciliation-csv",
        include_str!("../profiles/reconciliation-csv.toml"),
    ),
    (
        "exceptions-register",
        include_str!("../profiles/exceptions-register.toml"),
    ),
    (
        "access-review",
        include_str!("../profiles/access-review.toml"),
    ),
    (
        "access-review-campaigns",
        include_str!("../profiles/access-review-campaigns.toml"),
    ),
    (
        "midpoint-certification",
        include_str!("../profiles/midpoint-certification.toml"),
    ),
    (
        "entra-review-history",
        include_str!("../profiles/entra-review-history.toml"),
    ),
];

/// The time formats a profile gets when it names none.
const DEFAULT_TIME_FORMATS: &[&str] = &[
    "rfc3339",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
];

impl Profile {
    /// Names of the built-in profiles, for `--profile` help and the import screen.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTINS.iter().map(|(name, _)| *name).collect()
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Option<Profile> {
        let (name, text) = BUILTINS.iter().find(|(n, _)| *n == name)?;
        // Built-ins are checked by a test, so a failure here is a bug caught before release.
        Profile::from_toml(text, &format!("builtin:{name}")).ok()
    }

    /// A profile file (a path ending in `.toml`, or any existing path) or else a built-in name.
    pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
        let path = Path::new(name_or_path);
        if name_or_path.ends_with(".toml") || path.exists() {
            let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
                path: name_or_path.to_owned(),
                source,
            })?;
            return Profile::from_toml(&text, name_or_path);
        }
        Profile::builtin(name_or_path).ok_or_else(|| ProfileError::UnknownBuiltin {
            name: name_or_path.to_owned(),
            known: Profile::builtin_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
    }

    /// Parses and checks a profile; `source_name` names it in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Profile, ProfileError> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| ProfileError::Invalid {
            source_name: source_name.to_owned(),
            line: e.span().map(|span| line_of(text, span.start)),
            key: None,
            message: e.message().trim().to_owned(),
        })?;
        Checker { text, source_name }.check(raw)
    }

    /// The source column names mapped to a domain field (alternatives in order).
    pub fn columns_for(&self, field: &str) -> &[String] {
        self.columns.get(field).map_or(&[], Vec::as_slice)
    }

    /// Whether the profile reads JSON records rather than delimited text.
    pub fn is_json(&self) -> bool {
        self.json.is_some()
    }

    /// The value without the first of the field's `strip_prefixes` it starts with (ignoring
    /// ASCII case), trimmed; the value itself when none matches or nothing would remain.
    pub(crate) fn strip_prefix<'v>(&self, field: &str, value: &'v str) -> &'v str {
        let Some(prefixes) = self.strip_prefixes.get(field) else {
            return value;
        };
        prefixes
            .iter()
            .find_map(|prefix| {
                let head = value.get(..prefix.len())?;
                head.eq_ignore_ascii_case(prefix)
                    .then(|| value[prefix.len()..].trim())
                    .filter(|rest| !rest.is_empty())
            })
            .unwrap_or(value)
    }

    /// Whether the profile maps this cell to `""`: a placeholder (`(practice)`, `n/a`) that
    /// reads as an empty cell, so a column list falls back to its next column, then to the
    /// default. Compared as written and with the field's prefix stripped, as maps are. Asked
    /// of every cell read, so a field whose map writes no `""` is answered at once.
    pub(crate) fn maps_to_nothing(&self, field: &str, cell: &str) -> bool {
        let Some(maps) = self.values.get(field) else {
            return false;
        };
        if !maps.iter().any(|m| m.target.is_empty()) {
            return false;
        }
        // The first mapping of the value decides, as in `mapped`.
        let nothing = |value: &str| {
            maps.iter()
                .find(|m| m.source.eq_ignore_ascii_case(value))
                .is_some_and(|m| m.target.is_empty())
        };
        nothing(cell) || nothing(self.strip_prefix(field, cell))
    }

    /// The field's mapped value for a source value, matched ignoring ASCII case.
    pub(crate) fn mapped<'a>(&'a self, field: &str, source: &str) -> Option<&'a str> {
        self.values
            .get(field)?
            .iter()
            .find(|m| m.source.eq_ignore_ascii_case(source))
            .map(|m| m.target.as_str())
    }
}

/// The profile as written, before checking; spans locate errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    kind: Spanned<String>,
    description: Option<String>,
    delimiter: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    has_header: Option<Spanned<bool>>,
    skip_rows: Option<Spanned<u32>>,
    json: Option<Spanned<bool>>,
    json_records: Option<Spanned<String>>,
    time_formats: Option<Vec<Spanned<String>>>,
    timezone: Option<Spanned<String>>,
    list_separator: Option<Spanned<String>>,
    renewal_format: Option<Spanned<String>>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<RawColumn>>,
    #[serde(default)]
    values: BTreeMap<String, Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(default)]
    defaults: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    strip_prefixes: BTreeMap<String, Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawColumn {
    One(String),
    Alternatives(Vec<String>),
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |head| head.matches('\n').count() + 1)
}

struct Checker<'a> {
    text: &'a str,
    source_name: &'a str,
}

impl Checker<'_> {
    fn invalid(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> ProfileError {
        ProfileError::Invalid {
            source_name: self.source_name.to_owned(),
            line: span.map(|s| line_of(self.text, s.start)),
            key: Some(key.to_owned()),
            message: format!("{key}: {}", message.into()),
        }
    }

    fn err<T>(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> Result<T, ProfileError> {
        Err(self.invalid(span, key, message))
    }

    fn check(&self, raw: RawProfile) -> Result<Profile, ProfileError> {
        let name = raw.name.get_ref().trim().to_owned();
        if name.is_empty() {
            return self.err(Some(raw.name.span()), "name", "must not be empty");
        }
        let kind = match InputKind::parse(raw.kind.get_ref()) {
            Some(kind) => kind,
            None => {
                let known: Vec<&str> = InputKind::ALL.iter().map(|k| k.as_str()).collect();
                return self.err(
                    Some(raw.kind.span()),
                    "kind",
                    format!(
                        "\"{}\" is not a kind of input; use one of {}",
                        raw.kind.get_ref(),
                        known.join(", ")
                    ),
                );
            }
        };

        let json = match (&raw.json, &raw.json_records) {
            (Some(json), records) if *json.get_ref() => {
                for (set, key) in [
                    (raw.delimiter.as_ref().map(Spanned::span), "delimiter"),
                    (raw.has_header.as_ref().map(Spanned::span), "has_header"),
                    (raw.skip_rows.as_ref().map(Spanned::span), "skip_rows"),
                ] {
                    if set.is_some() {
                        return self.err(set, key, "has no meaning with json = true");
                    }
                }
                let records_path = records.as_ref().map_or_else(Vec::new, |r| {
                    r.get_ref()
                        .split('.')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                });
                Some(JsonLayout { records_path })
            }
            (_, Some(records)) => {
                return self.err(Some(records.span()), "json_records", "needs json = true");
            }
            _ => None,
        };

        let delimiter = match &raw.delimiter {
            None => Delimiter::Byte(b','),
            Some(d) => match d.get_ref().as_str() {
                "auto" => Delimiter::Auto,
                "\t" | "tab" | "\\t" => Delimiter::Byte(b'\t'),
                one if one.len() == 1
                    && one.as_bytes()[0].is_ascii_punctuation()
                    && one != "\"" =>
                {
                    Delimiter::Byte(one.as_bytes()[0])
                }
                other => {
                    return self.err(
                        Some(d.span()),
                        "delimiter",
                        format!("\"{other}\" is not a delimiter; use \",\", \";\", \"\\t\", \"|\" or \"auto\""),
                    );
                }
            },
        };

        let encoding = match &raw.encoding {
            None => Encoding::Utf8,
            Some(e) => match e.get_ref().to_ascii_lowercase().replace('_', "-").as_str() {
                "utf-8" | "utf8" | "utf-8-sig" => Encoding::Utf8,
                "windows-1252" | "cp1252" => Encoding::Windows1252,
                "latin1" | "latin-1" | "iso-8859-1" => Encoding::Latin1,
                other => {
                    return self.err(
                        Some(e.span()),
                        "encoding",
                        format!("\"{other}\" is not supported; use utf-8, windows-1252 or latin1 (convert other encodings to UTF-8 first)"),
                    );
                }
            },
        };

        let has_header = raw.has_header.as_ref().is_none_or(|h| *h.get_ref());
        let skip_rows = raw
            .skip_rows
            .as_ref()
            .map_or(0, |s| u64::from(*s.get_ref()));

        let mut time_formats = Vec::new();
        match &raw.time_formats {
            None => {
                for text in DEFAULT_TIME_FORMATS {
                    time_formats.push(
                        TimeFormat::parse(text)
                            .map_err(|m| self.invalid(None, "time_formats", m))?,
                    );
                }
            }
            Some(list) if list.is_empty() => {
                return self.err(None, "time_formats", "must list at least one format");
            }
            Some(list) => {
                for entry in list {
                    match TimeFormat::parse(entry.get_ref()) {
                        Ok(format) => time_formats.push(format),
                        Err(message) => {
                            return self.err(Some(entry.span()), "time_formats", message);
                        }
                    }
                }
            }
        }

        let zone = match &raw.timezone {
            None => Zone::utc(),
            Some(tz) => match Zone::parse(tz.get_ref()) {
                Ok(zone) => zone,
                Err(message) => return self.err(Some(tz.span()), "timezone", message),
            },
        };

        let list_separator = match &raw.list_separator {
            None => ';',
            Some(sep) => {
                let mut chars = sep.get_ref().chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => c,
                    _ => {
                        return self.err(
                            Some(sep.span()),
                            "list_separator",
                            "must be a single character",
                        );
                    }
                }
            }
        };

        let renewal_format = match &raw.renewal_format {
            None => None,
            Some(template) => match RenewalFormat::parse(template.get_ref()) {
                Ok(format) => Some(format),
                Err(message) => return self.err(Some(template.span()), "renewal_format", message),
            },
        };

        let mut columns = BTreeMap::new();
        for (field, spec) in &raw.columns {
            let key = format!("columns.{field}");
            if fields::field(kind, field).is_none() {
                return self.err(Some(spec.span()), &key, self.unknown_field(kind, field));
            }
            let names: Vec<String> = match spec.get_ref() {
                RawColumn::One(name) => vec![name.trim().to_owned()],
                RawColumn::Alternatives(names) => {
                    names.iter().map(|n| n.trim().to_owned()).collect()
                }
            };
            if names.is_empty() || names.iter().any(String::is_empty) {
                return self.err(Some(spec.span()), &key, "a column name must not be empty");
            }
            if !has_header && json.is_none() {
                if let Some(bad) = names
                    .iter()
                    .find(|n| n.parse::<usize>().map_or(true, |i| i == 0))
                {
                    return self.err(
                        Some(spec.span()),
                        &key,
                        format!("\"{bad}\" is not a column number; with has_header = false columns are numbered from \"1\""),
                    );
                }
            }
            columns.insert(field.clone(), names);
        }

        let mut values = BTreeMap::new();
        for (field, map) in &raw.values {
            let key = format!("values.{field}");
            let Some(spec) = fields::field(kind, field) else {
                return self.err(Some(map.span()), &key, self.unknown_field(kind, field));
            };
            let mut mappings = Vec::new();
            for (source, target) in map.get_ref() {
                let entry_key = format!("{key}.\"{source}\"");
                let target_text = target.get_ref().trim();
                let canonical = match spec.ty {
                    _ if target_text.eq_ignore_ascii_case(SKIP) => SKIP.to_owned(),
                    FieldType::Choice(choice) => match choice.canonical(target_text) {
                        Some(name) => name.to_owned(),
                        None => {
                            return self.err(
                                Some(target.span()),
                                &entry_key,
                                format!(
                                    "\"{target_text}\" is not a {field}; use one of {} or \"skip\"",
                                    choice.names().join(", ")
                                ),
                            );
                        }
                    },
                    FieldType::Text | FieldType::List => target_text.to_owned(),
                    // A time column's words: "" reads as no time ("n/a"), and a last-used
                    // column's "never" as never used (last-used information, not a gap).
                    FieldType::Time
                        if target_text.is_empty()
                            || (field == "last_used_at"
                                && target_text.eq_ignore_ascii_case("never")) =>
                    {
                        target_text.to_lowercase()
                    }
                    FieldType::Time => {
                        let also = if field == "last_used_at" {
                            " or \"never\""
                        } else {
                            ""
                        };
                        return self.err(
                            Some(target.span()),
                            &entry_key,
                            format!("a time field's value map writes \"\" (no time){also}"),
                        );
                    }
                    FieldType::Reapprovals => {
                        return self.err(
                            Some(target.span()),
                            &entry_key,
                            "value maps apply to text and choice fields only",
                        );
                    }
                };
                mappings.push(ValueMapping {
                    source: source.trim().to_owned(),
                    target: canonical,
                });
            }
            values.insert(field.clone(), mappings);
        }

        let mut defaults = BTreeMap::new();
        for (field, value) in &raw.defaults {
            let key = format!("defaults.{field}");
            let Some(spec) = fields::field(kind, field) else {
                return self.err(Some(value.span()), &key, self.unknown_field(kind, field));
            };
            let text = match value.get_ref() {
                toml::Value::String(s) => s.trim().to_owned(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Datetime(d) => d.to_string(),
                _ => {
                    return self.err(
                        Some(value.span()),
                        &key,
                        "must be a string, number, boolean or date",
                    );
                }
            };
            let valid = match spec.ty {
                FieldType::Choice(choice) => {
                    let mapped = values
                        .get(field.as_str())
                        .and_then(|m: &Vec<ValueMapping>| {
                            m.iter().find(|v| v.source.eq_ignore_ascii_case(&text))
                        });
                    match mapped {
                        Some(m) if m.target != SKIP => Ok(m.target.clone()),
                        _ => choice.canonical(&text).map(str::to_owned).ok_or_else(|| {
                            format!(
                                "\"{text}\" is not a {field}; use one of {}",
                                choice.names().join(", ")
                            )
                        }),
                    }
                }
                FieldType::Time => {
                    let mut formats = time_formats.clone();
                    formats.push(TimeFormat::Rfc3339);
                    match time::read_time(&text, &formats, zone) {
                        Some(_) => Ok(text),
                        None => Err(format!(
                            "\"{text}\" is not {}",
                            time::describe_formats(&time_formats)
                        )),
                    }
                }
                FieldType::Reapprovals => {
                    Err("a register's renewals cannot have a default".to_owned())
                }
                FieldType::Text | FieldType::List => Ok(text),
            };
            match valid {
                Ok(text) => {
                    defaults.insert(field.clone(), text);
                }
                Err(message) => return self.err(Some(value.span()), &key, message),
            }
        }

        let mut strip_prefixes = BTreeMap::new();
        for (field, list) in &raw.strip_prefixes {
            let key = format!("strip_prefixes.{field}");
            if fields::field(kind, field).is_none() {
                return self.err(Some(list.span()), &key, self.unknown_field(kind, field));
            }
            if list.get_ref().is_empty() || list.get_ref().iter().any(|p| p.trim().is_empty()) {
                return self.err(
                    Some(list.span()),
                    &key,
                    "list at least one prefix, none of them empty",
                );
            }
            strip_prefixes.insert(field.clone(), list.get_ref().clone());
        }

        for spec in fields::fields(kind) {
            // `system` may come from the caller (`--system`) for a one-system log.
            if spec.required
                && spec.name != "system"
                && !columns.contains_key(spec.name)
                && !defaults.contains_key(spec.name)
            {
                return self.err(
                    None,
                    "columns",
                    format!(
                        "a {} profile must map `{}` to a column in [columns] or give it in [defaults]",
                        kind.as_str(),
                        spec.name
                    ),
                );
            }
        }
        if columns.contains_key("reapproved_by") != columns.contains_key("reapproved_at") {
            return self.err(
                None,
                "columns",
                "reapproved_by and reapproved_at go together: map both or neither",
            );
        }

        Ok(Profile {
            name,
            kind,
            description: raw.description.map(|d| d.trim().to_owned()),
            source_name: self.source_name.to_owned(),
            delimiter,
            encoding,
            has_header,
            skip_rows,
            json,
            columns,
            values,
            defaults,
            time_formats,
            zone,
            list_separator,
            renewal_format,
            strip_prefixes,
        })
    }

    fn unknown_field(&self, kind: InputKind, field: &str) -> String {
        let known: Vec<&str> = fields::fields(kind).iter().map(|s| s.name).collect();
        format!(
            "\"{field}\" is not a field of {} input; its fields are {}",
            kind.as_str(),
            known.join(", ")
        )
    }
}

/// What a choice field accepts, for diagnostics: the profile's source values, then the canonical names.
pub(crate) fn accepted_values(profile: &Profile, field: &str, choice: Choice) -> String {
    let mut parts: Vec<String> = profile
        .values
        .get(field)
        .map(|m| m.iter().map(|v| format!("\"{}\"", v.source)).collect())
        .unwrap_or_default();
    parts.extend(choice.names().into_iter().map(str::to_owned));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_loads() {
        for (name, text) in BUILTINS {
            let profile = Profile::from_toml(text, name);
            assert!(
                profile.is_ok(),
                "{name}: {}",
                profile.err().map(|e| e.to_string()).unwrap_or_default()
            );
            assert_eq!(profile.map(|p| p.name).unwrap_or_default(), *name);
        }
    }

    #[test]
    fn input_kinds_round_trip() {
        for kind in InputKind::ALL {
            assert_eq!(InputKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(InputKind::parse("Approvals"), Some(InputKind::Approvals));
        assert_eq!(InputKind::parse("tickets"), None);
    }
}
