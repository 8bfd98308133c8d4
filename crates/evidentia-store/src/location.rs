//! Where a workspace lives: a file on this machine or a database on a team's PostgreSQL server.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A workspace's address, as `--workspace` and `EVIDENTIA_WORKSPACE` give it.
///
/// A `postgres://` or `postgresql://` URL names a team workspace on a server; anything else is
/// a file path. [`fmt::Display`] never shows a password, so a location can go into any message.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Location {
    File(PathBuf),
    Server(ServerUrl),
}

/// A PostgreSQL connection URL, kept whole for connecting and shown without its password.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl(String);

impl ServerUrl {
    /// The URL as given, password included: only for connecting, never for messages.
    pub fn secret_url(&self) -> &str {
        &self.0
    }

    /// The URL without its password (`postgres://alice@host/db`).
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerUrl({:?})", self.redacted())
    }
}

impl Location {
    /// Reads a location from what a user typed: a PostgreSQL URL or a file path.
    pub fn parse(text: &str) -> Location {
        if is_server_url(text) {
            Location::Server(ServerUrl(text.to_owned()))
        } else {
            Location::File(PathBuf::from(text))
        }
    }

    /// The file, for a workspace on this machine.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Location::File(path) => Some(path),
            Location::Server(_) => None,
        }
    }

    /// Whether this is a team workspace on a server.
    pub fn is_server(&self) -> bool {
        matches!(self, Location::Server(_))
    }
}

/// Whether `text` is a PostgreSQL URL (the two schemes libpq accepts).
pub fn is_server_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Drops the password from a URL's user information, keeping everything else as written.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or_default();
    format!(
        "{}{}{}",
        &url[..scheme_end + 3],
        user,
        &rest[at..] // '@host…' and everything after the authority
    )
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Server(url) => url.fmt(f),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "File({path:?})"),
            Location::Server(url) => write!(f, "Server({:?})", url.redacted()),
        }
    }
}

impl FromStr for Location {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Location::parse(text))
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Self {
        Location::File(path)
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Self {
        Location::File(path.to_owned())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Self {
        Location::File(path.clone())
    }
}

impl From<&str> for Location {
    fn from(text: &str) -> Self {
        Location::parse(text)
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Self {
        location.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_servers_and_everything_else_is_a_file() {
        assert!(Location::parse("postgres://h/db").is_server());
        assert!(Location::parse("POSTGRESQL://h/db").is_server());
        assert!(!Location::parse("postgres.evidentia").is_server());
        assert!(!Location::parse("./postgres:/x").is_server());
        assert_eq!(
            Location::parse("a/b.evidentia").as_path(),
            Some(Path::new("a/b.evidentia"))
        );
    }

    #[test]
    fn the_password_never_shows() {
        let cases = [
            (
                "postgres://alice:s3cr:et@db.example/eng?sslmode=disable",
                "postgres://alice@db.example/eng?sslmode=disable",
            ),
            ("postgres://alice@db/eng", "postgres://alice@db/eng"),
            ("postgresql://db/eng", "postgresql://db/eng"),
            (
                "postgres://postgres@%2Ftmp%2Fpg/evidentia",
                "postgres://postgres@%2Ftmp%2Fpg/evidentia",
            ),
            ("postgres://:pw@db/eng", "postgres://@db/eng"),
        ];
        for (given, shown) in cases {
            let location = Location::parse(given);
            assert_eq!(location.to_string(), shown, "{given}");
            assert!(!format!("{location:?}").contains("s3cr"), "{given}");
        }
    }
}
