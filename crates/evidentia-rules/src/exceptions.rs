//! Exception aging: how old each exception is, in the buckets security leads review.

use evidentia_domain::{ExceptionId, IdentityId, SystemId, Timestamp};

use crate::{Cite, Context};

/// The aging buckets of the exceptions register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgingBucket {
    Days0To30,
    Days31To60,
    Days61To90,
    Over90,
    Expired,
}

impl AgingBucket {
    /// Every bucket, in display order.
    pub const ALL: [AgingBucket; 5] = [
        AgingBucket::Days0To30,
        AgingBucket::Days31To60,
        AgingBucket::Days61To90,
        AgingBucket::Over90,
        AgingBucket::Expired,
    ];

    /// The label reports and exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            AgingBucket::Days0To30 => "0-30",
            AgingBucket::Days31To60 => "31-60",
            AgingBucket::Days61To90 => "61-90",
            AgingBucket::Over90 => ">90",
            AgingBucket::Expired => "expired",
        }
    }

    /// The bucket of an exception granted `age_days` ago, or expired.
    pub fn of(age_days: i64, expired: bool) -> AgingBucket {
        match (expired, age_days) {
            (true, _) => AgingBucket::Expired,
            (false, ..=30) => AgingBucket::Days0To30,
            (false, 31..=60) => AgingBucket::Days31To60,
            (false, 61..=90) => AgingBucket::Days61To90,
            (false, _) => AgingBucket::Over90,
        }
    }
}

/// One exception as of the analysis time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionAging {
    pub id: ExceptionId,
    /// The exception's entry, and its row when it came from a set entry (0 otherwise).
    pub seq: u64,
    pub row: u32,
    pub subject: Option<IdentityId>,
    pub system: Option<SystemId>,
    pub entitlement: Option<String>,
    pub owner: Option<IdentityId>,
    pub granted_at: Timestamp,
    /// The expiry in force after re-approvals.
    pub expires_at: Option<Timestamp>,
    pub age_days: i64,
    pub bucket: AgingBucket,
    /// Expires within the policy's warning window.
    pub expiring_soon: bool,
}

impl ExceptionAging {
    /// The citation of the exception's record.
    pub fn cite(&self) -> Cite {
        Cite::set_row(self.seq, self.row)
    }
}

pub(crate) fn aging(ctx: &Context<'_>) -> Vec<ExceptionAging> {
    let warning = ctx.policy.exceptions.warning_window.as_delta();
    let mut list: Vec<ExceptionAging> = ctx
        .evidence
        .exceptions
        .iter()
        .map(|stored| {
            let e = &stored.record;
            let expires_at = e.effective_expiry();
            let expired = expires_at.is_some_and(|t| t < ctx.as_of);
            let age_days = (ctx.as_of - e.granted_at).num_days().max(0);
            ExceptionAging {
                id: e.id.clone(),
                seq: stored.seq,
                row: stored.row,
                subject: e.subject.clone(),
                system: e.system.clone(),
                entitlement: e.entitlement.clone(),
                owner: e.owner.clone(),
                granted_at: e.granted_at,
                expires_at,
                age_days,
                bucket: AgingBucket::of(age_days, expired),
                expiring_soon: !expired && expires_at.is_some_and(|t| t - ctx.as_of <= warning),
            }
        })
        .collect();
    list.sort_by(|a, b| {
        (a.bucket, std::cmp::Reverse(a.age_days), &a.id).cmp(&(
            b.bucket,
            std::cmp::Reverse(b.age_days),
            &b.id,
        ))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::AgingBucket;

    #[test]
    fn bucket_boundaries() {
        for (age, expired, bucket) in [
            (0, false, AgingBucket::Days0To30),
            (30, false, AgingBucket::Days0To30),
            (31, false, AgingBucket::Days31To60),
            (60, false, AgingBucket::Days31To60),
            (61, false, AgingBucket::Days61To90),
            (90, false, AgingBucket::Days61To90),
            (91, false, AgingBucket::Over90),
            (5, true, AgingBucket::Expired),
        ] {
            assert_eq!(
                AgingBucket::of(age, expired),
                bucket,
                "age {age}, expired {expired}"
            );
        }
    }
}
