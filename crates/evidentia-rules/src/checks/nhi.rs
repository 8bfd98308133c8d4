//! Non-human identity governance: every NHI has an accountable owner who is still here.

use crate::{Context, Finding};

pub(crate) const WITHOUT_OWNER: &str = "EV-NHI-WITHOUT-OWNER";
pub(crate) const OWNER_LEFT: &str = "EV-NHI-OWNER-LEFT";

pub(crate) fn run(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (id, info) in &ctx.identities {
        if info.kind.is_human() || info.left.is_some() {
            continue;
        }
        // Ownership is about the identity (named with the system it lives in), not an account.
        let system = info.home_system.as_ref();
        match &info.owner {
            None => out.push(
                Finding::new(
                    WITHOUT_OWNER,
                    format!("{} {id} has no accountable owner", info.kind.as_str()),
                )
                .identity(Some(id))
                .system(system)
                .evidence(info.events.iter().copied()),
            ),
            Some(owner) => {
                let Some((left_at, left_seq)) = ctx.identities.get(owner).and_then(|o| o.left)
                else {
                    continue;
                };
                // Handed over before the owner left: the current owner was set after them.
                let owner_set_at = info.owner_since.map(|(t, _)| t);
                if owner_set_at.is_some_and(|t| t > left_at) {
                    continue;
                }
                out.push(
                    Finding::new(
                        OWNER_LEFT,
                        format!(
                            "owner {owner} left on {}; no new owner named",
                            left_at.format("%Y-%m-%d")
                        ),
                    )
                    .identity(Some(id))
                    .system(system)
                    .evidence(info.events.iter().copied())
                    .evidence([left_seq]),
                );
            }
        }
    }
}
