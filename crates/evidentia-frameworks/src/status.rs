//! The rule that turns a control's evidence and findings into the status a report shows.

/// A control's status for a reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlStatus {
    /// At least one piece of evidence and no findings.
    Met,
    /// At least one finding, whatever the evidence.
    Findings,
    /// No evidence and no findings: nothing says the control worked, so we do not claim it did.
    NotAssessed,
}

impl ControlStatus {
    /// The spelling used in reports and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Met => "met",
            ControlStatus::Findings => "findings",
            ControlStatus::NotAssessed => "not-assessed",
        }
    }
}

/// What a period holds for one control: evidence items that exercise it and findings against it.
///
/// Named fields rather than two positional counts, because swapping them would silently turn
/// failures into passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ControlCounts {
    /// Evidence items (linked events, reconciliations…) mapped to the control in the period.
    pub evidence: usize,
    /// Findings mapped to the control in the period.
    pub findings: usize,
}

impl ControlCounts {
    /// The status rule: any finding wins; otherwise evidence makes it met; otherwise it was not
    /// assessed. A control is never `Met` without evidence.
    ///
    /// ```
    /// use evidentia_frameworks::{ControlCounts, ControlStatus};
    /// assert_eq!(ControlCounts { evidence: 12, findings: 0 }.status(), ControlStatus::Met);
    /// assert_eq!(ControlCounts { evidence: 0, findings: 0 }.status(), ControlStatus::NotAssessed);
    /// ```
    pub fn status(self) -> ControlStatus {
        if self.findings > 0 {
            ControlStatus::Findings
        } else if self.evidence > 0 {
            ControlStatus::Met
        } else {
            ControlStatus::NotAssessed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(evidence: usize, findings: usize, expected: ControlStatus) {
        assert_eq!(
            ControlCounts { evidence, findings }.status(),
            expected,
            "{evidence}/{findings}"
        );
    }

    #[test]
    fn status_rule() {
        check(0, 0, ControlStatus::NotAssessed);
        check(1, 0, ControlStatus::Met);
        check(500, 0, ControlStatus::Met);
        check(1, 1, ControlStatus::Findings);
        check(40, 3, ControlStatus::Findings);
        // A finding is itself evidence the control was looked at, and it failed.
        check(0, 1, ControlStatus::Findings);
    }

    #[test]
    fn never_met_without_evidence() {
        for findings in 0..5 {
            assert_ne!(
                ControlCounts {
                    evidence: 0,
                    findings
                }
                .status(),
                ControlStatus::Met
            );
        }
    }
}
