//! Who acts: the name each import, policy change, analysis and management response records as
//! `recorded_by` in its ledger entry, so a workspace several people write to says who did what.

use evidentia_store::Workspace;

use crate::{AppError, WorkspaceInfo};

/// The longest acting-user name accepted, in characters: a name, not a document.
pub const MAX_USER_CHARS: usize = 200;

/// What a write records when nothing names the user (no configured name, no server login, no
/// OS login in the environment).
pub const UNKNOWN_USER: &str = "unknown";

/// The OS login variables, in the order they are read (Unix shells set `USER` and `LOGNAME`,
/// Windows `USERNAME`).
const LOGIN_VARIABLES: [&str; 3] = ["USER", "LOGNAME", "USERNAME"];

/// Checks a configured acting-user name (`--user`, `EVIDENTIA_USER`): one line of text, not
/// blank, at most [`MAX_USER_CHARS`]; surrounding spaces are dropped. A refusal is
/// [`AppError::InvalidInput`] with one line saying why.
///
/// ```
/// use evidentia_app::check_user_name;
/// assert_eq!(check_user_name("  alice ").unwrap(), "alice");
/// assert!(check_user_name("").is_err());
/// assert!(check_user_name("alice\nbob").is_err());
/// ```
pub fn check_user_name(name: &str) -> anyhow::Result<&str> {
    let invalid = |why: String| anyhow::Error::new(AppError::InvalidInput(why));
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(invalid(
            "the acting user's name is empty: give a name, or none to use the login".to_owned(),
        ));
    }
    if trimmed.contains(['\n', '\r']) {
        return Err(invalid(format!(
            "the acting user's name {trimmed:?} is more than one line: give one line"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(invalid(format!(
            "the acting user's name {trimmed:?} holds control characters"
        )));
    }
    if trimmed.chars().count() > MAX_USER_CHARS {
        return Err(invalid(format!(
            "the acting user's name is longer than {MAX_USER_CHARS} characters"
        )));
    }
    Ok(trimmed)
}

/// The acting user of a write to `ws`: the configured name when there is one (checked with
/// [`check_user_name`]), else the server's login role (PostgreSQL `session_user`), else the OS
/// login (`USER`, `LOGNAME`, `USERNAME`), else [`UNKNOWN_USER`].
///
/// A configured name is what the user says; the login role is what the server attests. A
/// workspace file has no login role, so there the OS login stands in.
pub fn acting_user(ws: &Workspace, configured: Option<&str>) -> anyhow::Result<String> {
    resolve(configured, ws.connection_user(), os_login().as_deref())
}

/// [`acting_user`] for a workspace opened and closed again ([`crate::open_workspace`]): who the
/// next write would record, for a client to show before anything is written.
pub fn acting_user_of(info: &WorkspaceInfo, configured: Option<&str>) -> anyhow::Result<String> {
    resolve(
        configured,
        info.connection_user.as_deref(),
        os_login().as_deref(),
    )
}

/// The OS login from the environment: the first of [`LOGIN_VARIABLES`] that is a usable name.
fn os_login() -> Option<String> {
    LOGIN_VARIABLES
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| check_user_name(value).is_ok())
        .map(|value| value.trim().to_owned())
}

/// [`acting_user`] with its sources given: the one rule, testable without a server or an
/// environment.
fn resolve(
    configured: Option<&str>,
    connection: Option<&str>,
    os: Option<&str>,
) -> anyhow::Result<String> {
    if let Some(name) = configured {
        return Ok(check_user_name(name)?.to_owned());
    }
    // A login role or an OS login that is no usable name (empty, several lines) is skipped
    // rather than refused: the user did not choose it.
    let found = [connection, os]
        .into_iter()
        .flatten()
        .find_map(|name| check_user_name(name).ok());
    Ok(found.unwrap_or(UNKNOWN_USER).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (configured, connection user, OS login) → the acting user, or the refusal's text.
    fn check(
        configured: Option<&str>,
        connection: Option<&str>,
        os: Option<&str>,
        expected: Result<&str, &str>,
    ) {
        let got = resolve(configured, connection, os).map_err(|e| e.to_string());
        match expected {
            Ok(name) => assert_eq!(
                got.as_deref(),
                Ok(name),
                "{configured:?} {connection:?} {os:?}"
            ),
            Err(part) => {
                let message = got.expect_err("refused");
                assert!(message.contains(part), "{message:?} should say {part:?}");
                assert_eq!(message.lines().count(), 1, "{message:?}");
            }
        }
    }

    #[test]
    fn the_configured_name_wins_then_the_server_then_the_os() {
        check(Some("alice"), Some("pg_bob"), Some("carol"), Ok("alice"));
        check(None, Some("pg_bob"), Some("carol"), Ok("pg_bob"));
        check(None, None, Some("carol"), Ok("carol"));
        check(None, None, None, Ok("unknown"));
        check(Some(" Alice Smith "), None, None, Ok("Alice Smith"));
        check(Some("Zoë Ñúñez"), None, None, Ok("Zoë Ñúñez"));
    }

    #[test]
    fn a_bad_configured_name_is_refused_in_one_line() {
        check(Some(""), Some("pg_bob"), None, Err("empty"));
        check(Some("   "), None, Some("carol"), Err("empty"));
        check(Some("alice\nbob"), None, None, Err("more than one line"));
        check(Some("alice\r\n"), None, None, Ok("alice"));
        check(Some("al\rice"), None, None, Err("more than one line"));
        check(
            Some("al\u{1b}[31mice"),
            None,
            None,
            Err("control characters"),
        );
        let long = "a".repeat(MAX_USER_CHARS + 1);
        check(Some(&long), None, None, Err("longer than 200"));
        let longest = "a".repeat(MAX_USER_CHARS);
        check(Some(&longest), None, None, Ok(&longest));
    }

    #[test]
    fn unusable_logins_are_skipped_not_refused() {
        check(None, Some(""), Some("carol"), Ok("carol"));
        check(None, Some("x\ny"), None, Ok("unknown"));
        check(None, None, Some(" "), Ok("unknown"));
    }

    #[test]
    fn refusals_are_invalid_input() {
        let err = resolve(Some(""), None, None).expect_err("empty");
        assert!(matches!(
            err.downcast_ref::<AppError>(),
            Some(AppError::InvalidInput(_))
        ));
    }
}
