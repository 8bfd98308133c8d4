//! The PostgreSQL server the team trials run against: its URL from `EVIDENTIA_TEST_PG_URL`,
//! a fresh database per trial, and `psql` to look behind the binary's back (counts, roles).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// The variable `make test` sets (tools/with_pg_cluster.sh).
pub const URL_VAR: &str = "EVIDENTIA_TEST_PG_URL";

/// A `postgres://USER@HOST/DATABASE` URL taken apart, so a trial can point the same server at
/// another database or log in as another role. HOST is a percent-encoded socket directory for
/// tools/pg_cluster.sh's clusters; it is kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgUrl {
    scheme: String,
    user: String,
    host: String,
    database: String,
    query: String,
}

impl PgUrl {
    pub fn parse(url: &str) -> anyhow::Result<PgUrl> {
        let (scheme, rest) = url
            .split_once("://")
            .with_context(|| format!("{URL_VAR} is not a postgres:// URL"))?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (database, query) = path.split_once('?').unwrap_or((path, ""));
        Ok(PgUrl {
            scheme: scheme.to_owned(),
            user: user.to_owned(),
            host: host.to_owned(),
            database: database.to_owned(),
            query: query.to_owned(),
        })
    }

    /// The same server and role, another database.
    pub fn with_database(&self, database: &str) -> PgUrl {
        PgUrl {
            database: database.to_owned(),
            ..self.clone()
        }
    }

    /// The same server and database, logged in as `user` (no password: the test clusters trust
    /// the socket).
    pub fn with_user(&self, user: &str) -> PgUrl {
        PgUrl {
            user: user.to_owned(),
            ..self.clone()
        }
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// The socket directory, when the host is one (tools/pg_cluster.sh's `%2F…`).
    pub fn socket_dir(&self) -> Option<PathBuf> {
        let host = percent_decode(&self.host);
        host.starts_with('/').then(|| PathBuf::from(host))
    }
}

impl std::fmt::Display for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if !self.user.is_empty() {
            write!(f, "{}@", self.user)?;
        }
        write!(f, "{}/{}", self.host, self.database)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        Ok(())
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The server under trial, reached as its administrator (the URL's role, a superuser on the
/// test clusters).
#[derive(Debug, Clone)]
pub struct Server {
    pub admin: PgUrl,
}

impl Server {
    /// `None` when the variable is unset: the caller prints SKIPPED.
    pub fn from_env() -> anyhow::Result<Option<Server>> {
        match std::env::var(URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Ok(Some(Server {
                admin: PgUrl::parse(url.trim())?,
            })),
            _ => Ok(None),
        }
    }

    /// A new empty database named `evt_<tag>_<pid>_<n>`, unique on a shared server.
    pub fn fresh_database(&self, tag: &str) -> anyhow::Result<PgUrl> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "evt_{tag}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        psql(&self.admin, &format!("CREATE DATABASE {name}"))?;
        Ok(self.admin.with_database(&name))
    }

    /// Drops a trial's database (and any session still on it); best effort.
    pub fn drop_database(&self, db: &PgUrl) {
        let _ = psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.database()),
        );
    }
}

/// `psql -X -tA -v ON_ERROR_STOP=1 -d URL -c SQL`: what it printed, or its error.
pub fn psql(url: &PgUrl, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-d"])
        .arg(url.to_string())
        .arg("-c")
        .arg(sql)
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .output()
        .context("starting psql (Debian package postgresql-client; `make test` installs it)")?;
    if !out.status.success() {
        bail!(
            "psql on {}: {}: {}",
            url.database(),
            sql,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `tools/pg_cluster.sh CMD DIR`: the trials' own cluster, which they may kill.
pub fn cluster(root: &Path, cmd: &str, dir: &Path) -> anyhow::Result<String> {
    let out = Command::new(root.join("tools/pg_cluster.sh"))
        .arg(cmd)
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .context("starting tools/pg_cluster.sh")?;
    if !out.status.success() {
        bail!(
            "tools/pg_cluster.sh {cmd} {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_cluster_url_is_taken_apart_and_rebuilt() {
        let url = "postgres://postgres@%2Fwork%2Fx%2Ftarget%2Fpg/evidentia";
        let parsed = PgUrl::parse(url).unwrap();
        assert_eq!(parsed.to_string(), url);
        assert_eq!(
            parsed.socket_dir().unwrap(),
            PathBuf::from("/work/x/target/pg")
        );
        assert_eq!(
            parsed
                .with_database("evt_a")
                .with_user("reader")
                .to_string(),
            "postgres://reader@%2Fwork%2Fx%2Ftarget%2Fpg/evt_a"
        );
        let tcp = PgUrl::parse("postgresql://u:p@db.example:5433/w?sslmode=require").unwrap();
        assert_eq!(tcp.socket_dir(), None);
        assert_eq!(
            tcp.with_database("v").to_string(),
            "postgresql://u:p@db.example:5433/v?sslmode=require"
        );
    }
}
