//! A server workspace's event-chain projection lives in a SQLite file on each client, not on
//! the server: it is a rebuildable cache (not evidence), a read-only auditor can still write
//! it, and the server never holds per-user caches (docs/team-workspace-design.md §2.9).

use std::path::{Path, PathBuf};

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::Server;
use crate::StoreError;

/// Where this client keeps its caches: `$EVIDENTIA_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/evidentia`, else `~/.cache/evidentia`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = set("EVIDENTIA_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = set("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("evidentia"));
    }
    set("HOME").map(|home| PathBuf::from(home).join(".cache").join("evidentia"))
}

/// `projections/<workspace id>.sqlite`, with anything but `[A-Za-z0-9._-]` in the id spelled
/// as `%XX`, so an id can never name another directory.
pub(crate) fn projection_file(dir: &Path, workspace_id: &str) -> PathBuf {
    let mut name = String::with_capacity(workspace_id.len() + 7);
    for b in workspace_id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_') || (b == b'.' && !name.is_empty())
        {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".sqlite");
    dir.join("projections").join(name)
}

impl Server {
    /// The cache file and a pool on it, created (with the SQLite workspace migrations, so
    /// `event_chains.rs` reads and writes it unchanged) on first use.
    pub(crate) async fn projection(&self) -> Result<(PathBuf, SqlitePool), StoreError> {
        self.inner
            .projection
            .get_or_try_init(|| async {
                let dir = cache_dir().ok_or_else(|| StoreError::Io {
                    path: PathBuf::from("~/.cache/evidentia"),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no cache directory: set EVIDENTIA_CACHE_DIR or HOME",
                    ),
                })?;
                let path = projection_file(&dir, self.workspace_id());
                open_cache(&path).await.map(|pool| (path, pool))
            })
            .await
            .cloned()
    }
}

async fn open_cache(path: &Path) -> Result<SqlitePool, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(120))
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await?;
    // Applies what the file lacks (all of it the first time). Two processes of one user
    // creating the same cache in the same instant could both try; the loser gets one error
    // line and its next command finds the cache made.
    crate::open::MIGRATOR.run(&pool).await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_never_name_another_directory() {
        let dir = Path::new("/c");
        assert_eq!(
            projection_file(dir, "eng-2026_a.b"),
            Path::new("/c/projections/eng-2026_a.b.sqlite")
        );
        assert_eq!(
            projection_file(dir, "../x/y"),
            Path::new("/c/projections/%2E.%2Fx%2Fy.sqlite")
        );
    }
}
