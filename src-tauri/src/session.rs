//! Which workspace the window shows: the one named at start, the last one opened, or the demo;
//! and the short list of recently opened workspaces kept in the app's config dir.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::dto::{SessionDto, WorkspaceDto};
use crate::error::{ErrorCode, IpcError};

/// How many recent workspaces the File menu lists.
const RECENT_KEPT: usize = 8;

/// Where the app keeps its own files; tests point both into a temp dir.
#[derive(Debug, Clone)]
pub struct Dirs {
    /// `recent.json`.
    pub config: PathBuf,
    /// The demo workspace and the sample files it was built from.
    pub data: PathBuf,
}

/// What the command line asked to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The last workspace opened, or the demo on a first start.
    Usual,
    /// The demo workspace (`--demo`, as `make run` starts it).
    Demo,
    /// This workspace, created when missing (`--workspace PATH` or `EVIDENTIA_WORKSPACE`); such
    /// a session is not remembered in the recent list (tests and scripts use it).
    Named(PathBuf),
}

/// Reads `--demo`, `--workspace PATH` and `EVIDENTIA_WORKSPACE`, the argument winning.
pub fn start_from_args() -> Start {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--demo" {
            return Start::Demo;
        }
        if arg == "--workspace" || arg == "-w" {
            if let Some(path) = args.next() {
                return Start::Named(PathBuf::from(path));
            }
        }
    }
    match std::env::var_os("EVIDENTIA_WORKSPACE").filter(|v| !v.is_empty()) {
        Some(path) => Start::Named(PathBuf::from(path)),
        None => Start::Usual,
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RecentFile {
    recent: Vec<String>,
}

#[derive(Debug)]
struct Open {
    path: PathBuf,
    is_demo: bool,
}

#[derive(Debug, Default)]
struct Inner {
    started: bool,
    open: Option<Open>,
    startup_error: Option<IpcError>,
}

/// The window's session: shared by every command through Tauri's managed state.
#[derive(Debug)]
pub struct Session {
    dirs: Dirs,
    start: Start,
    inner: Mutex<Inner>,
}

impl Session {
    pub fn new(dirs: Dirs, start: Start) -> Self {
        Session {
            dirs,
            start,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn demo_path(&self) -> PathBuf {
        self.dirs.data.join("demo.evidentia")
    }

    /// The open workspace's path, or `not_found` when none is open.
    pub async fn path(&self) -> Result<PathBuf, IpcError> {
        self.inner
            .lock()
            .await
            .open
            .as_ref()
            .map(|o| o.path.clone())
            .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no workspace is open"))
    }

    /// The session, choosing the workspace on the first call: the one named at start (created
    /// when it does not exist yet), else the last one opened, else the demo (built if needed).
    pub async fn current(&self) -> Result<SessionDto, IpcError> {
        let mut inner = self.inner.lock().await;
        if !inner.started {
            inner.started = true;
            let last = match self.start {
                Start::Usual => self
                    .read_recent()
                    .into_iter()
                    .find(|p| Path::new(p).is_file()),
                _ => None,
            };
            let choice = match (&self.start, last) {
                (Start::Named(path), _) => self
                    .open_or_create(path)
                    .await
                    .map(|_| (path.clone(), false)),
                (Start::Usual, Some(last)) => Ok((PathBuf::from(last), false)),
                _ => crate::demo::ensure_demo(&self.dirs.data, &self.demo_path())
                    .await
                    .map(|p| (p, true))
                    .map_err(IpcError::from),
            };
            match choice {
                Ok((path, is_demo)) => {
                    let is_demo = is_demo || path == self.demo_path();
                    inner.open = Some(Open { path, is_demo });
                }
                Err(e) => inner.startup_error = Some(e),
            }
        }
        self.describe(&inner).await
    }

    async fn open_or_create(&self, path: &Path) -> Result<(), IpcError> {
        if !path.exists() {
            evidentia_app::init_workspace(path, chrono::Utc::now()).await?;
        }
        Ok(())
    }

    /// Switches to `path` (which must be a workspace) and remembers it.
    pub async fn switch(&self, path: PathBuf) -> Result<SessionDto, IpcError> {
        // Opened before switching, so a refused file leaves the current workspace in place.
        evidentia_app::open_workspace(&path).await?;
        let mut inner = self.inner.lock().await;
        inner.started = true;
        inner.startup_error = None;
        let is_demo = path == self.demo_path();
        if !is_demo {
            self.remember(&path);
        }
        inner.open = Some(Open { path, is_demo });
        self.describe(&inner).await
    }

    /// Opens the demo workspace, building it first when it is missing.
    pub async fn switch_to_demo(&self) -> Result<SessionDto, IpcError> {
        let path = crate::demo::ensure_demo(&self.dirs.data, &self.demo_path()).await?;
        self.switch(path).await
    }

    async fn describe(&self, inner: &Inner) -> Result<SessionDto, IpcError> {
        let workspace = match &inner.open {
            Some(open) => {
                let info = evidentia_app::open_workspace(&open.path).await?;
                Some(WorkspaceDto::new(&info, open.is_demo))
            }
            None => None,
        };
        Ok(SessionDto {
            workspace,
            recent: self.read_recent(),
            startup_error: inner.startup_error.clone(),
        })
    }

    fn recent_file(&self) -> PathBuf {
        self.dirs.config.join("recent.json")
    }

    fn read_recent(&self) -> Vec<String> {
        // A missing or unreadable list is an empty one: it is a convenience, not evidence.
        std::fs::read(self.recent_file())
            .ok()
            .and_then(|b| serde_json::from_slice::<RecentFile>(&b).ok())
            .map(|f| f.recent)
            .unwrap_or_default()
    }

    fn remember(&self, path: &Path) {
        if matches!(self.start, Start::Named(_)) {
            return;
        }
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let shown = path.display().to_string();
        let mut recent = self.read_recent();
        recent.retain(|p| *p != shown);
        recent.insert(0, shown);
        recent.truncate(RECENT_KEPT);
        let written = std::fs::create_dir_all(&self.dirs.config).and_then(|()| {
            let json =
                serde_json::to_vec_pretty(&RecentFile { recent }).map_err(std::io::Error::other)?;
            std::fs::write(self.recent_file(), json)
        });
        if let Err(e) = written {
            eprintln!("evidentia: could not update the recent workspaces list: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(dir: &Path, start: Start) -> Session {
        Session::new(
            Dirs {
                config: dir.join("config"),
                data: dir.join("data"),
            },
            start,
        )
    }

    #[tokio::test]
    async fn first_start_opens_the_demo() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = session(dir.path(), Start::Usual);
        let dto = s.current().await.expect("session");
        let ws = dto.workspace.expect("a workspace");
        assert!(ws.is_demo);
        assert!(ws.entries > 10, "the demo has the sample files: {ws:?}");
        assert!(dto.recent.is_empty());
    }

    #[tokio::test]
    async fn a_named_workspace_is_created_and_not_remembered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fresh.evidentia");
        let s = session(dir.path(), Start::Named(path.clone()));
        let ws = s.current().await.expect("session").workspace.expect("ws");
        assert_eq!(ws.entries, 1);
        assert!(!ws.is_demo);
        assert_eq!(ws.name, "fresh");
        s.switch(path).await.expect("switch");
        assert!(!dir.path().join("config/recent.json").exists());
    }

    #[tokio::test]
    async fn opened_workspaces_are_remembered_newest_first_and_reopened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (
            dir.path().join("a.evidentia"),
            dir.path().join("b.evidentia"),
        );
        for p in [&a, &b] {
            evidentia_app::init_workspace(p, chrono::Utc::now())
                .await
                .expect("init");
        }
        let s = session(dir.path(), Start::Usual);
        s.switch(a.clone()).await.expect("a");
        let dto = s.switch(b.clone()).await.expect("b");
        assert_eq!(dto.recent.len(), 2);
        assert!(dto.recent[0].ends_with("b.evidentia"));
        let again = session(dir.path(), Start::Usual)
            .current()
            .await
            .expect("restart");
        assert_eq!(again.workspace.expect("ws").name, "b");
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_workspace_is_refused_and_the_current_one_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.evidentia");
        evidentia_app::init_workspace(&a, chrono::Utc::now())
            .await
            .expect("init");
        let junk = dir.path().join("notes.txt");
        std::fs::write(&junk, "hello").expect("write");
        let s = session(dir.path(), Start::Usual);
        s.switch(a).await.expect("a");
        let err = s.switch(junk).await.expect_err("junk");
        assert_eq!(err.code, ErrorCode::NotAWorkspace);
        assert!(s.path().await.expect("still open").ends_with("a.evidentia"));
    }
}
