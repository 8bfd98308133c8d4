//! A finding: one check's verdict about one identity's access, with the evidence behind it.

use evidentia_domain::{CampaignId, ExceptionId, IdentityId, SystemId};

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
    /// Ledger sequence numbers of the entries it rests on, ascending.
    pub evidence: Vec<u64>,
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

    /// Adds the ledger entries the finding rests on (kept sorted and unique).
    pub fn evidence(mut self, seqs: impl IntoIterator<Item = u64>) -> Self {
        self.evidence.extend(seqs);
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
}
