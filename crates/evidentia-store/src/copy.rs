//! Copying a workspace to a fresh location on either backend, row for row (`evidentia migrate
//! --from X --to Y`): the same entries, artifact bytes and checkpoints, so the copy has the same
//! head, tree root and checkpoint list, which is checked before the copy becomes visible.

use std::path::Path;

use evidentia_ledger::{Entry, Hash};
use sqlx::Sqlite;

use crate::append::{insert_artifact, insert_chunk, insert_entries};
use crate::verify::artifact_commitment;
use crate::{
    ARTIFACT_ENTRY_KIND, Backend, Checkpoint, EvidenceStore, Head, Location, StoreError,
    VerifyReport, Workspace,
};

/// What a copy moved, and the heads that prove it complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// The source's verified head, which the copy reproduces.
    pub source: Head,
    /// The copy's head, verified after writing (equal to `source`).
    pub destination: Head,
    /// The Merkle tree root over all entries, equal on both.
    pub tree_root: Hash,
    pub entries: u64,
    pub artifacts: u64,
    pub artifact_bytes: u64,
    pub checkpoints: u64,
}

/// Entries are read from the source and written to the copy this many at a time.
const PAGE: u64 = 8192;

/// What was read from the source before copying: its verification and what it vouches for.
pub(crate) struct Source {
    pub verified: VerifyReport,
    pub checkpoints: Vec<Checkpoint>,
    pub workspace_id: String,
    pub created_at: String,
    pub created_by: String,
}

/// Where the rows go: an open transaction on the new workspace.
pub(crate) trait Destination {
    async fn entries(&mut self, entries: &[Entry]) -> Result<(), StoreError>;
    async fn chunk(&mut self, sha: &Hash, idx: u64, data: &[u8]) -> Result<(), StoreError>;
    async fn artifact(&mut self, sha: &Hash, size: u64, chunks: u64) -> Result<(), StoreError>;
    async fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError>;
}

/// Copies `from` to `to`, which must not hold anything yet. The source is verified first (an
/// altered one is refused: a copy must not launder an alteration); the copy is written in one
/// transaction (a file under a temporary name, renamed into place at the end), verified and
/// compared with the source before it commits, so on any failure nothing is left at `to`.
/// Entries past the source's verified head (appended meanwhile) are not copied, nor is the
/// event-chain projection (a cache; the next analysis rebuilds it).
pub async fn copy_workspace(
    from: &Workspace,
    to: impl Into<Location>,
) -> Result<CopyReport, StoreError> {
    let to = to.into();
    let verified = from.verify(|_| {}).await?;
    if let Some(failure) = verified.failure {
        return Err(StoreError::Altered(failure));
    }
    let checkpoints = from
        .checkpoints()
        .await?
        .into_iter()
        .filter(|c| c.entry_count <= verified.entries)
        .collect();
    let meta = |key: &'static str| async move {
        Ok::<_, StoreError>(from.meta(key).await?.unwrap_or_default())
    };
    let source = Source {
        verified,
        checkpoints,
        workspace_id: meta("workspace_id").await?,
        created_at: meta("created_at").await?,
        created_by: meta("created_by").await?,
    };
    let (report, artifacts) = match &to {
        Location::File(path) => copy_to_file(from, &source, path, &to).await?,
        Location::Server(url) => crate::postgres::copy_to_server(from, &source, url, &to).await?,
    };
    Ok(CopyReport {
        source: Head {
            count: source.verified.entries,
            hash: source.verified.head,
        },
        destination: Head {
            count: report.entries,
            hash: report.head,
        },
        tree_root: report.tree_root,
        entries: report.entries,
        artifacts,
        artifact_bytes: report.artifact_bytes,
        checkpoints: report.checkpoints,
    })
}

/// Writes the source's verified entries, the artifacts they commit to and its checkpoints.
/// Returns how many artifacts were copied.
pub(crate) async fn fill(
    from: &Workspace,
    source: &Source,
    to: &mut impl Destination,
) -> Result<u64, StoreError> {
    let upto = source.verified.entries;
    let mut committed: Vec<(Hash, u64)> = Vec::new();
    let mut next = 1;
    while next <= upto {
        let page = from.entries(next, PAGE.min(upto + 1 - next)).await?;
        if page.first().map(|e| e.seq) != Some(next) {
            return Err(StoreError::Corrupt(format!(
                "entry {next} could not be read from the source"
            )));
        }
        committed.extend(
            page.iter()
                .filter(|e| e.kind == ARTIFACT_ENTRY_KIND)
                .filter_map(|e| artifact_commitment(&e.payload)),
        );
        next += page.len() as u64;
        to.entries(&page).await?;
    }
    for (sha, size) in &committed {
        let mut idx = 0;
        while let Some(data) = from.artifact_chunk(sha, idx).await? {
            to.chunk(sha, idx, &data).await?;
            idx += 1;
        }
        to.artifact(sha, *size, idx).await?;
    }
    for checkpoint in &source.checkpoints {
        to.checkpoint(checkpoint).await?;
    }
    Ok(committed.len() as u64)
}

/// The copy, verified in the transaction that wrote it, must be the source again.
pub(crate) fn check_copy(
    source: &Source,
    artifacts: u64,
    copy: &VerifyReport,
    checkpoints: &[Checkpoint],
) -> Result<(), StoreError> {
    let differ = |what: String| {
        Err(StoreError::Corrupt(format!(
            "the copy does not match its source ({what}); nothing was written"
        )))
    };
    let from = &source.verified;
    if let Some(failure) = &copy.failure {
        return differ(format!("the copy does not verify: {failure}"));
    }
    if (copy.entries, copy.head) != (from.entries, from.head) {
        return differ(format!(
            "head {} at {} entries, the source's {} at {}",
            copy.head, copy.entries, from.head, from.entries
        ));
    }
    if copy.tree_root != from.tree_root {
        return differ("the Merkle tree roots differ".into());
    }
    if copy.artifacts != artifacts {
        return differ(format!(
            "{} artifacts stored, {artifacts} copied",
            copy.artifacts
        ));
    }
    if checkpoints != source.checkpoints.as_slice() {
        return differ("the checkpoints differ".into());
    }
    Ok(())
}

/// A new workspace file's write transaction.
struct FileDestination {
    tx: sqlx::Transaction<'static, Sqlite>,
}

impl Destination for FileDestination {
    async fn entries(&mut self, entries: &[Entry]) -> Result<(), StoreError> {
        for batch in entries.chunks(256) {
            insert_entries(&mut self.tx, batch).await?;
        }
        Ok(())
    }

    async fn chunk(&mut self, sha: &Hash, idx: u64, data: &[u8]) -> Result<(), StoreError> {
        insert_chunk(&mut self.tx, sha, idx, data).await
    }

    async fn artifact(&mut self, sha: &Hash, size: u64, chunks: u64) -> Result<(), StoreError> {
        insert_artifact(&mut self.tx, sha, size, chunks).await
    }

    async fn checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        crate::sqlite::insert_checkpoint_in(&mut self.tx, checkpoint, Some(checkpoint.id))
            .await
            .map(|_| ())
    }
}

/// Builds the copy under a temporary name beside `path` and links it into place only when it
/// matches the source; anything else removes it.
async fn copy_to_file(
    from: &Workspace,
    source: &Source,
    path: &Path,
    location: &Location,
) -> Result<(VerifyReport, u64), StoreError> {
    if path.exists() {
        return Err(StoreError::AlreadyExists(location.clone()));
    }
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".copying-{}", std::process::id()));
    let staging = path.with_file_name(name);
    let ws = Workspace::create(
        &staging,
        &source.workspace_id,
        &source.created_at,
        &source.created_by,
    )
    .await?;
    let result = async {
        let Backend::Sqlite { pool, .. } = ws.backend() else {
            return Err(StoreError::Corrupt(
                "a file workspace without a file".into(),
            ));
        };
        let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut to = FileDestination { tx };
        let artifacts = fill(from, source, &mut to).await?;
        to.tx.commit().await?;
        let report = ws.verify(|_| {}).await?;
        check_copy(source, artifacts, &report, &ws.checkpoints().await?)?;
        Ok((report, artifacts))
    }
    .await;
    ws.close().await;
    let linked = result.and_then(|done| {
        // A link, not a rename: it refuses to replace a file that appeared meanwhile.
        std::fs::hard_link(&staging, path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => StoreError::AlreadyExists(location.clone()),
            _ => StoreError::Io {
                path: path.to_owned(),
                source: e,
            },
        })?;
        Ok(done)
    });
    crate::open::remove_with_sidecars(&staging);
    linked
}
