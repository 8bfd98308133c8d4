//! Opening an existing workspace to show what it is (its id and ledger head, without writing),
//! and copying a whole workspace to another file or server.

use anyhow::Context;
use evidentia_store::EvidenceStore;

use crate::{Location, WorkspaceInfo, open_read};

/// Opens a workspace read-only and reports its id, head and whether this login may write; fails (with the store's error
/// inside, e.g. `StoreError::NotAWorkspace`) for anything that is not one.
pub async fn open_workspace(location: &Location) -> anyhow::Result<WorkspaceInfo> {
    let ws = open_read(location).await?;
    let result = async {
        Ok(WorkspaceInfo {
            path: location.to_string(),
            workspace_id: ws.workspace_id().await?,
            head: ws.head().await?,
            connection_user: ws.connection_user().map(str::to_owned),
            writable: ws.writable().await?,
        })
    }
    .await;
    ws.close().await;
    result
}

/// Copies the workspace at `from` to `to` (a file or a team workspace on a server, either way),
/// which must not exist yet: every entry, artifact and checkpoint byte for byte, verified on
/// both sides with the same head before the copy becomes visible (`evidentia migrate`).
pub async fn migrate_workspace(
    from: &Location,
    to: &Location,
) -> anyhow::Result<evidentia_store::CopyReport> {
    let source = crate::open_read(from).await?;
    let copied = evidentia_store::copy_workspace(&source, to).await;
    source.close().await;
    copied.with_context(|| format!("copying {from} to {to}"))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::init_workspace;

    #[tokio::test]
    async fn reports_what_init_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = Location::from(dir.path().join("w.evidentia"));
        let now = Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .expect("time");
        let created = init_workspace(&path, now).await.expect("init");
        assert_eq!(open_workspace(&path).await.expect("open"), created);
    }

    #[tokio::test]
    async fn a_file_the_user_may_not_write_is_reported_read_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("w.evidentia");
        let now = Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .expect("time");
        init_workspace(&path.as_path().into(), now)
            .await
            .expect("init");
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).expect("chmod");
        let info = open_workspace(&path.as_path().into()).await.expect("open");
        assert!(!info.writable);
    }

    #[tokio::test]
    async fn refuses_a_missing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = open_workspace(&dir.path().join("none.evidentia").into())
            .await
            .expect_err("missing");
        assert!(matches!(
            err.downcast_ref::<evidentia_store::StoreError>(),
            Some(evidentia_store::StoreError::NotFound(_))
        ));
    }
}
