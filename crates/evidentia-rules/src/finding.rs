//! A finding: one check's verdict about one identity's access, with the evidence behind it.

use evidentia_domain::{CampaignId, ExceptionId, IdentityId, SystemId};
use sha2::{Digest, Sha256};

use crate::Cite;

/// (check, identity, system, account, entitlement, exception, campaign): what makes a
/// finding itself.
pub type FindingKey<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// One failed check. Its identity is (check, identity, system, account, entitlement,
/// exception, campaign): two findings with the same key are the same finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The stable check id, e.g. `EV-LEAVER-NOT-REVOKED`.
    pub check: &'static str,
    pub identity: Option<IdentityId>,
    pub system: Option<SystemId>,
    pub account: Option<String>,
    pub entitlement: Option<String>,
    pub exception: Option<ExceptionId>,
    /// The access-review campaign, for the review checks.
    pub campaign: Option<CampaignId>,
    /// One sentence an auditor can read without the rest of the report.
    pub summary: String,
    /// The entries (or rows of set entries) it rests on, ascending.
    pub evidence: Vec<Cite>,
}

impl Finding {
    /// A finding for `check`, filled in with the builder methods below.
    pub fn new(check: &'static str, summary: impl Into<String>) -> Self {
        Finding {
            check,
            identity: None,
            system: None,
            account: None,
            entitlement: None,
            exception: None,
            campaign: None,
            summary: summary.into(),
            evidence: Vec::new(),
        }
    }

    pub fn identity(mut self, identity: Option<&IdentityId>) -> Self {
        self.identity = identity.cloned();
        self
    }

    pub fn system(mut self, system: Option<&SystemId>) -> Self {
        self.system = system.cloned();
        self
    }

    pub fn account(mut self, account: Option<&str>) -> Self {
        self.account = account.map(str::to_owned);
        self
    }

    pub fn entitlement(mut self, entitlement: Option<&str>) -> Self {
        self.entitlement = entitlement.map(str::to_owned);
        self
    }

    pub fn exception(mut self, exception: &ExceptionId) -> Self {
        self.exception = Some(exception.clone());
        self
    }

    pub fn campaign(mut self, campaign: &CampaignId) -> Self {
        self.campaign = Some(campaign.clone());
        self
    }

    /// Adds the evidence the finding rests on (kept sorted and unique).
    pub fn evidence(mut self, cites: impl IntoIterator<Item = Cite>) -> Self {
        self.evidence.extend(cites);
        self.evidence.sort_unstable();
        self.evidence.dedup();
        self
    }

    /// The key findings are ordered and deduplicated by.
    pub fn sort_key(&self) -> FindingKey<'_> {
        (
            self.check,
            self.identity.as_ref().map(|i| i.as_str()),
            self.system.as_ref().map(|s| s.as_str()),
            self.account.as_deref(),
            self.entitlement.as_deref(),
            self.exception.as_ref().map(|e| e.as_str()),
            self.campaign.as_ref().map(|c| c.as_str()),
        )
    }

    /// The finding's stable id: `F-` and the first 12 hex digits of SHA-256 over the seven
    /// key fields, each written as a presence byte (0 absent, 1 present), its UTF-8 bytes and
    /// 0x1F (docs/ledger-format.md, "Finding ids"). It depends on the key alone, so the same
    /// finding has the same id in every analysis that lists it; the presence byte keeps an
    /// absent field and an empty one apart.
    pub fn id(&self) -> String {
        finding_id(self.sort_key())
    }
}

/// The id of the finding with this key (see [`Finding::id`]).
pub fn finding_id(key: FindingKey<'_>) -> String {
    let (check, identity, system, account, entitlement, exception, campaign) = key;
    let mut hasher = Sha256::new();
    for field in [
        Some(check),
        identity,
        system,
        account,
        entitlement,
        exception,
        campaign,
    ] {
        match field {
            Some(text) => {
                hasher.update([1u8]);
                hasher.update(text.as_bytes());
            }
            None => hasher.update([0u8]),
        }
        hasher.update([0x1Fu8]);
    }
    let digest = hasher.finalize();
    format!("F-{}", &hex::encode(digest)[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaver() -> Finding {
        Finding::new("EV-LEAVER-NOT-REVOKED", "still active")
            .identity(Some(&IdentityId::new("E1001")))
            .system(Some(&SystemId::new("aws")))
            .account(Some("alice"))
    }

    #[test]
    fn the_same_key_gives_the_same_id_whatever_the_summary_and_evidence() {
        let a = leaver();
        let b = Finding::new("EV-LEAVER-NOT-REVOKED", "another sentence")
            .identity(Some(&IdentityId::new("E1001")))
            .system(Some(&SystemId::new("aws")))
            .account(Some("alice"))
            .evidence([Cite::entry(7), Cite::entry(3)]);
        assert_eq!(a.id(), b.id());
        let id = a.id();
        assert_eq!(id.len(), 14, "{id}");
        assert!(id.starts_with("F-"), "{id}");
        assert!(
            id[2..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
            "{id}"
        );
    }

    #[test]
    fn every_key_field_changes_the_id() {
        let base = leaver().id();
        assert_ne!(leaver().entitlement(Some("admin")).id(), base);
        assert_ne!(leaver().account(Some("alice2")).id(), base);
        assert_ne!(leaver().exception(&ExceptionId::new("EXC-1")).id(), base);
        assert_ne!(leaver().campaign(&CampaignId::new("Q1")).id(), base);
        let mut other_check = leaver();
        other_check.check = "EV-MOVER-RETAINED-ACCESS";
        assert_ne!(other_check.id(), base);
    }

    #[test]
    fn absent_and_empty_differ_and_fields_do_not_run_together() {
        assert_ne!(leaver().entitlement(Some("")).id(), leaver().id());
        // "ab" + None and "a" + "b" in neighbouring fields must not collide.
        let joined = Finding::new("C", "").account(Some("ab"));
        let split = Finding::new("C", "")
            .account(Some("a"))
            .entitlement(Some("b"));
        assert_ne!(joined.id(), split.id());
    }

    #[test]
    fn pinned_id_of_a_documented_key() {
        // docs/ledger-format.md's worked example, computed there with Python's hashlib.
        assert_eq!(leaver().id(), "F-ac74663f4306");
    }
}
