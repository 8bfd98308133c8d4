//! What a report, an export or an evidence pack is made from: one framework, one period, one
//! generation time, so the same workspace and options always give the same bytes.

use chrono::{DateTime, NaiveDate, Utc};

/// The choices behind one report, export or pack. `generated_at` is explicit (the CLI defaults
/// it to now, tests fix it) because it is printed in the output and must not vary by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// A catalog id: `nist-csf-2.0`, `owasp-nhi-2025`, or a loaded catalog's.
    pub framework: String,
    /// First day of the period (inclusive); default: the policy's period start.
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive); default: the policy's period end.
    pub to: Option<NaiveDate>,
    pub generated_at: DateTime<Utc>,
}
