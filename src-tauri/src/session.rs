//! Which workspace the window shows: the one named at start, the last one opened, or the demo;
//! and the short list of recently opened workspaces kept in the app's config dir.

use std::path::{Path, PathBuf};

use evidentia_app::Location;

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
    /// This workspace (`--workspace PATH|URL` or `EVIDENTIA_WORKSPACE`), a file created when
    /// missing; such a session is not remembered in the recent list (tests and scripts use it).
    Named(Location),
}

/// Reads `--demo`, `--workspace PATH|URL` and `EVIDENTIA_WORKSPACE`, the argument winning.
pub fn start_from_args() -> Start {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--demo" {
            return Start::Demo;
        }
        if arg == "--workspace" || arg == "-w" {
            if let Some(given) = args.next() {
                return Start::Named(location_of(given));
            }
        }
    }
    match std::env::var_os("EVIDENTIA_WORKSPACE").filter(|v| !v.is_empty()) {
        Some(given) => Start::Named(location_of(given)),
        None => Start::Usual,
    }
}

/// A workspace as named on the command line: a PostgreSQL URL, else a file path (kept as the
/// bytes given, which need not be UTF-8).
fn location_of(given: std::ffi::OsString) -> Location {
    match given.to_str() {
        Some(text) => Location::parse(text),
        None => Location::File(PathBuf::from(given)),
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RecentFile {
    recent: Vec<String>,
}

#[derive(Debug)]
struct Open {
    /// A server URL here may hold the password typed into the app: it stays in memory only.
    location: Location,
    is_demo: bool,
}

#[derive(Debug, Default)]
struct Inner {
    started: bool,
    open: Option<Open>,
    startup_error: Option<IpcError>,
}

/// A team workspace as the *Open team workspace…* dialog gives it: a `postgres://user@host/db`
/// URL and, optionally, the password typed beside it (else PGPASSWORD or ~/.pgpass supply it).
/// The password goes into the URL kept in memory for connecting; the recent list and every
/// message show the URL without it.
pub fn team_location(url: &str, password: Option<&str>) -> Result<Location, IpcError> {
    let invalid =
        |m: String| IpcError::from(anyhow::Error::new(evidentia_app::AppError::InvalidInput(m)));
    let url = url.trim();
    let location = Location::parse(url);
    if !location.is_server() {
        return Err(invalid(format!(
            "{location} is not a team workspace URL: give postgres://user@host/database"
        )));
    }
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Ok(location);
    };
    // The authority is what lies between "://" and the first '/', '?' or '#'.
    let (scheme, rest) = url.split_at(url.find("://").map_or(0, |i| i + 3));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return Err(invalid(format!(
            "{location} names no user: give postgres://user@host/database to log in with a password"
        )));
    };
    if userinfo.contains(':') {
        return Err(invalid(format!(
            "{location} already holds a password; leave the password field empty"
        )));
    }
    if userinfo.is_empty() {
        return Err(invalid(format!(
            "{location} names no user: give postgres://user@host/database to log in with a password"
        )));
    }
    Ok(Location::parse(&format!(
        "{scheme}{userinfo}:{}@{host}{tail}",
        percent_encode(password)
    )))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so any password survives
/// inside a URL's user information.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The acting user configured for the app: `EVIDENTIA_USER` when set and not empty (the app
/// has no settings of its own to name one).
pub fn user_from_env() -> Option<String> {
    std::env::var("EVIDENTIA_USER")
        .ok()
        .filter(|v| !v.is_empty())
}

/// The window's session: shared by every command through Tauri's managed state.
#[derive(Debug)]
pub struct Session {
    dirs: Dirs,
    start: Start,
    /// The configured acting user (`EVIDENTIA_USER`); `None` leaves it to the server's login
    /// role or the OS login (`evidentia_app::acting_user`).
    user: Option<String>,
    inner: Mutex<Inner>,
}

impl Session {
    pub fn new(dirs: Dirs, start: Start, user: Option<String>) -> Self {
        Session {
            dirs,
            start,
            user,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The configured acting user for the façade's writes, refused as the CLI refuses a bad
    /// `--user` (empty, several lines) before anything is written.
    pub fn user(&self) -> Result<Option<&str>, IpcError> {
        match self.user.as_deref() {
            Some(name) => evidentia_app::check_user_name(name)
                .map(Some)
                .map_err(|e| IpcError::from(e.context("EVIDENTIA_USER"))),
            None => Ok(None),
        }
    }

    pub fn demo_path(&self) -> PathBuf {
        self.dirs.data.join("demo.evidentia")
    }

    /// The open workspace's location, or `not_found` when none is open.
    pub async fn location(&self) -> Result<Location, IpcError> {
        self.inner
            .lock()
            .await
            .open
            .as_ref()
            .map(|o| o.location.clone())
            .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no workspace is open"))
    }

    /// The session, choosing the workspace on the first call: the one named at start (created
    /// when it does not exist yet), else the last one opened, else the demo (built if needed).
    pub async fn current(&self) -> Result<SessionDto, IpcError> {
        let mut inner = self.inner.lock().await;
        if !inner.started {
            inner.started = true;
            // A configured name that would be refused at every write is the start's error.
            if let Err(e) = self.user() {
                inner.startup_error = Some(e);
                return self.describe(&inner).await;
            }
            // The last workspace opened: a file still there, or a team workspace (its
            // password, never kept, comes from PGPASSWORD or ~/.pgpass; else the start shows
            // the server's refusal and the File menu offers the others).
            let last = match self.start {
                Start::Usual => self
                    .read_recent()
                    .into_iter()
                    .map(|p| Location::parse(&p))
                    .find(|l| l.as_path().is_none_or(Path::is_file)),
                _ => None,
            };
            let choice = match (&self.start, last) {
                (Start::Named(location), _) => self
                    .open_or_create(location)
                    .await
                    .map(|_| (location.clone(), false)),
                // A server may be down or want a password: that is the start's error, shown
                // beside the File menu, not a window that cannot describe its session.
                (Start::Usual, Some(last)) if last.is_server() => {
                    evidentia_app::open_workspace(&last)
                        .await
                        .map(|_| (last, false))
                        .map_err(IpcError::from)
                }
                (Start::Usual, Some(last)) => Ok((last, false)),
                _ => crate::demo::ensure_demo(&self.dirs.data, &self.demo_path())
                    .await
                    .map(|p| (Location::File(p), true))
                    .map_err(IpcError::from),
            };
            match choice {
                Ok((location, is_demo)) => {
                    let is_demo = is_demo || self.is_demo(&location);
                    inner.open = Some(Open { location, is_demo });
                }
                Err(e) => inner.startup_error = Some(e),
            }
        }
        self.describe(&inner).await
    }

    /// A file named at start is created when missing; a team workspace is only opened (it is
    /// created with `evidentia init`, which needs the server's owner).
    async fn open_or_create(&self, location: &Location) -> Result<(), IpcError> {
        match location.as_path() {
            Some(path) if !path.exists() => {
                evidentia_app::init_workspace(location, chrono::Utc::now()).await?;
            }
            Some(_) => {}
            None => {
                evidentia_app::open_workspace(location).await?;
            }
        }
        Ok(())
    }

    fn is_demo(&self, location: &Location) -> bool {
        location.as_path() == Some(self.demo_path().as_path())
    }

    /// Switches to `location` (which must be a workspace) and remembers it.
    pub async fn switch(&self, location: Location) -> Result<SessionDto, IpcError> {
        // Opened before switching, so a refused file leaves the current workspace in place.
        evidentia_app::open_workspace(&location).await?;
        let mut inner = self.inner.lock().await;
        inner.started = true;
        inner.startup_error = None;
        let is_demo = self.is_demo(&location);
        if !is_demo {
            self.remember(&location);
        }
        inner.open = Some(Open { location, is_demo });
        self.describe(&inner).await
    }

    /// Opens the demo workspace, building it first when it is missing.
    pub async fn switch_to_demo(&self) -> Result<SessionDto, IpcError> {
        let path = crate::demo::ensure_demo(&self.dirs.data, &self.demo_path()).await?;
        self.switch(Location::File(path)).await
    }

    async fn describe(&self, inner: &Inner) -> Result<SessionDto, IpcError> {
        let workspace = match &inner.open {
            Some(open) => {
                let info = evidentia_app::open_workspace(&open.location).await?;
                let acting_user = evidentia_app::acting_user_of(&info, self.user()?)?;
                Some(WorkspaceDto::new(
                    &info,
                    &open.location,
                    open.is_demo,
                    acting_user,
                ))
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

    /// Puts `location` first in the recent list: a file by its full path, a team workspace by
    /// its URL without the password (the list is a plain file in the config folder).
    fn remember(&self, location: &Location) {
        if matches!(self.start, Start::Named(_)) {
            return;
        }
        let shown = match location.as_path() {
            Some(path) => std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.to_owned())
                .display()
                .to_string(),
            None => location.to_string(),
        };
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
        session_as(dir, start, Some("tester"))
    }

    fn session_as(dir: &Path, start: Start, user: Option<&str>) -> Session {
        Session::new(
            Dirs {
                config: dir.join("config"),
                data: dir.join("data"),
            },
            start,
            user.map(str::to_owned),
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
        let path = Location::from(dir.path().join("fresh.evidentia"));
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
            Location::from(dir.path().join("a.evidentia")),
            Location::from(dir.path().join("b.evidentia")),
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
        let a = Location::from(dir.path().join("a.evidentia"));
        evidentia_app::init_workspace(&a, chrono::Utc::now())
            .await
            .expect("init");
        let junk = dir.path().join("notes.txt");
        std::fs::write(&junk, "hello").expect("write");
        let s = session(dir.path(), Start::Usual);
        s.switch(a.clone()).await.expect("a");
        let err = s.switch(Location::from(junk)).await.expect_err("junk");
        assert_eq!(err.code, ErrorCode::NotAWorkspace);
        assert_eq!(s.location().await.expect("still open"), a);
    }

    #[tokio::test]
    async fn a_file_the_user_may_not_write_opens_and_says_it_is_read_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kept.evidentia");
        evidentia_app::init_workspace(&Location::from(path.as_path()), chrono::Utc::now())
            .await
            .expect("init");
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms).expect("chmod");
        let s = session(dir.path(), Start::Usual);
        let ws = s
            .switch(Location::from(path.as_path()))
            .await
            .expect("opens")
            .workspace
            .expect("ws");
        assert!(!ws.writable);
    }

    #[tokio::test]
    async fn the_header_names_the_acting_user_and_a_bad_configured_name_stops_the_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = Location::from(dir.path().join("who.evidentia"));
        let s = session_as(dir.path(), Start::Named(path.clone()), Some(" alice "));
        let ws = s.current().await.expect("session").workspace.expect("ws");
        assert_eq!(ws.acting_user, "alice");
        assert!(!ws.is_server);
        assert!(ws.writable);

        let bad = session_as(dir.path(), Start::Named(path), Some("alice\nbob"));
        let dto = bad.current().await.expect("session");
        assert!(dto.workspace.is_none());
        let err = dto
            .startup_error
            .expect("the bad name is the start's error");
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("EVIDENTIA_USER"), "{}", err.message);
        assert_eq!(
            bad.user().expect_err("refused").code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn a_team_workspace_takes_the_typed_password_in_memory_only() {
        let with = |url: &str, pw: Option<&str>| team_location(url, pw);
        let plain = with(" postgres://alice@db.example/eng ", None).expect("url");
        assert_eq!(plain.to_string(), "postgres://alice@db.example/eng");
        let typed = with(
            "postgres://alice@db.example:5433/eng?sslmode=require",
            Some("p@ss:w/rd é"),
        )
        .expect("with password");
        let evidentia_app::Location::Server(url) = &typed else {
            panic!("a server: {typed:?}");
        };
        assert_eq!(
            url.secret_url(),
            "postgres://alice:p%40ss%3Aw%2Frd%20%C3%A9@db.example:5433/eng?sslmode=require"
        );
        assert_eq!(
            typed.to_string(),
            "postgres://alice@db.example:5433/eng?sslmode=require",
            "shown without it"
        );
        assert!(!format!("{typed:?}").contains("p%40ss"));
        // An empty field is no password.
        assert_eq!(
            with("postgres://alice@db/eng", Some("")).expect("empty"),
            plain_db()
        );
        for (url, pw, says) in [
            ("/tmp/w.evidentia", None, "not a team workspace URL"),
            ("postgres://db/eng", Some("pw"), "names no user"),
            ("postgres://@db/eng", Some("pw"), "names no user"),
            (
                "postgres://alice:old@db/eng",
                Some("pw"),
                "already holds a password",
            ),
        ] {
            let err = with(url, pw).expect_err(url);
            assert_eq!(err.code, ErrorCode::InvalidInput);
            assert!(err.message.contains(says), "{url}: {}", err.message);
            assert!(!err.message.contains(":old@"), "{}", err.message);
        }
    }

    fn plain_db() -> Location {
        Location::parse("postgres://alice@db/eng")
    }

    #[tokio::test]
    async fn a_team_workspace_is_remembered_without_its_password() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = session(dir.path(), Start::Usual);
        s.remember(&Location::parse(
            "postgres://alice:s3cret@%2Fnonexistent-evidentia/eng",
        ));
        let recent = std::fs::read_to_string(dir.path().join("config/recent.json")).expect("list");
        assert!(
            recent.contains("postgres://alice@%2Fnonexistent-evidentia/eng"),
            "{recent}"
        );
        assert!(!recent.contains("s3cret"), "{recent}");
        // No server listens on that socket directory (no network is tried): the start says so
        // in one line naming it, and no workspace is open.
        let dto = session(dir.path(), Start::Usual)
            .current()
            .await
            .expect("session");
        assert!(dto.workspace.is_none());
        let err = dto.startup_error.expect("the server is the start's error");
        assert_eq!(err.code, ErrorCode::Unreachable);
        assert!(
            err.message
                .contains("postgres://alice@%2Fnonexistent-evidentia/eng"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("s3cret"));
    }
}
