//! Reads a host's `/etc/passwd` (its accounts) or `/etc/group` (who holds each group) into one snapshot of that host.
//!
//! Each file is imported on its own and told apart by its lines: `passwd(5)` has seven
//! colon-separated fields, `name:password:uid:gid:gecos:home:shell`, and `group(5)` four,
//! `name:password:gid:member,member` (https://man7.org/linux/man-pages/man5/passwd.5.html,
//! https://man7.org/linux/man-pages/man5/group.5.html). Blank lines and `#` comments are
//! skipped.
//!
//! | what is read | account | entitlement | status | coverage |
//! |---|---|---|---|---|
//! | a passwd line | `user@host` | — (the account itself) | disabled when the shell is `nologin` or `false` (any directory) | accounts |
//! | a passwd line with uid 0, other than `root` | `user@host` | `uid0` | as the account | accounts |
//! | a group line, one row per member | `member@host` | the group name (`sudo`, `wheel`, `adm`) | present | entitlements |
//!
//! Neither file records use, so no row has a last-used date.
//!
//! **Naming** is the Linux log importer's (`crate::linux`): accounts live on one host, so the
//! account is `user@host` with the host from `--scope HOST`, lower-cased as that importer
//! lower-cases it. Without `--scope` the account is the bare user name, and one warning says
//! such names cannot meet the `user@host` names of the host's logs.
//!
//! **Decisions:**
//!
//! * *No-login shells.* Every host has system accounts (`daemon`, `www-data`) whose shell,
//!   `/usr/sbin/nologin` or `/bin/false`, refuses every login; switching a leaver's shell to
//!   it is also how administrators commonly close an account. Such an account exists, but no
//!   one can sign in to it, so it is listed as disabled: it grants nothing interactive, and a
//!   leaver's account closed this way reads as closed. A password lock (`passwd -l`) lives in
//!   `/etc/shadow`, which is not read, so a locked account with a login shell stays present:
//!   the error is on the side of access held, never of access removed.
//! * *A second uid 0.* The kernel grants root's power by uid, not name: an account other than
//!   `root` with uid 0 (BSD's `toor`, or a backdoor) is a root alias, recorded as the
//!   entitlement `uid0` so a policy must name it to allow it. `root` itself is the superuser
//!   account and carries no such row.
//! * *Shared uids.* Two names with one uid are one user to the kernel (the `newusers` sample's
//!   `foo1` and `foo1a`): both are listed, and a warning names their lines.
//! * *Primary groups.* A user's primary group is the passwd line's gid, and `/etc/group`'s
//!   member list names only supplementary members. Naming the primary group needs both files
//!   joined, and each file is imported alone, so primary membership is not recorded: the group
//!   file's coverage is "every supplementary membership", and a user whose primary group is a
//!   privileged one (gid 0) is not shown by it.
//! * *What is refused, whole:* a shadow file (nine fields) or gshadow file (four fields with
//!   no numeric gid) holds password hashes, not accounts and groups; FreeBSD's
//!   `master.passwd` (ten fields) is the BSD shadow file, holding the hashes too: the user is
//!   told to give `/etc/passwd` (which `pwd_mkdb` writes without them) instead. NIS compat
//!   lines (`+name`, `-name`, `+@netgroup`) name accounts kept elsewhere and are skipped.
//!
//! **The moment:** neither file states one, so `--as-of`, else the file's modification time
//! with a warning.
//!
//! **Bad lines** (a wrong number of fields, a uid that is not a number) are diagnostics naming
//! the line; the file is read whole (up to [`MAX_BYTES`]), since which of the two files it is
//! is decided by most of its lines.

use std::collections::BTreeMap;
use std::io::Read;

use evidentia_domain::Coverage;

use super::{Listing, Row, snapshot_time, system_of};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// Account files larger than this are refused (a host with a million accounts is ~100 MiB).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Which file a line looks like it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Passwd,
    Group,
    MasterPasswd,
    Shadow,
    Gshadow,
}

fn is_number(field: &str) -> bool {
    let digits = field.strip_prefix('-').unwrap_or(field);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_name(field: &str) -> bool {
    !field.is_empty() && !field.chars().any(char::is_whitespace)
}

/// What a password field of a shadow-style file holds: nothing, a lock, or a crypt hash.
fn is_password_field(field: &str) -> bool {
    matches!(field, "" | "*" | "!" | "!!" | "x") || field.starts_with('$') || field.starts_with('!')
}

/// The file a data line (not blank, not a comment) looks like it comes from.
fn classify(line: &str) -> Option<Shape> {
    let fields: Vec<&str> = line.split(':').collect();
    let name = fields.first().copied().unwrap_or_default();
    if !is_name(name) || name.starts_with('+') || name.starts_with('-') {
        return None;
    }
    let field = |i: usize| fields.get(i).copied().unwrap_or_default();
    let empty_or_number = |i: usize| field(i).is_empty() || is_number(field(i));
    match fields.len() {
        7 if is_number(field(2)) && is_number(field(3)) => Some(Shape::Passwd),
        4 if is_number(field(2)) => Some(Shape::Group),
        4 if is_password_field(field(1)) && !field(2).contains(char::is_whitespace) => {
            Some(Shape::Gshadow)
        }
        10 if is_number(field(2)) && is_number(field(3)) => Some(Shape::MasterPasswd),
        9 if empty_or_number(2) && empty_or_number(3) && empty_or_number(4) => Some(Shape::Shadow),
        _ => None,
    }
}

/// The lines that carry data: not blank, not a `#` comment; `\r` of CRLF files removed.
fn data_lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.split('\n').enumerate().filter_map(|(n, line)| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let t = line.trim();
        (!t.is_empty() && !t.starts_with('#')).then_some((n as u64 + 1, line))
    })
}

/// The shape most data lines have, with how many have it and how many lines there are.
fn majority<'a>(lines: impl Iterator<Item = &'a str>) -> Option<(Shape, usize, usize)> {
    let mut counts: BTreeMap<Shape, usize> = BTreeMap::new();
    let mut total = 0;
    for line in lines {
        total += 1;
        if let Some(shape) = classify(line) {
            *counts.entry(shape).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(shape, n)| (shape, n, total))
}

/// Recognises passwd, group (and the shadow-style files the importer refuses by name): at
/// least nine in ten data lines have that file's fields with numeric ids, so a CSV or a syslog
/// file (whose time stamps hold colons too) is never taken for one.
pub(crate) fn recognise(head: &str) -> bool {
    // The head may end mid-line: a last line without its newline is not judged.
    let complete = match head.rfind('\n') {
        Some(end) if !head.ends_with('\n') => head.get(..end).unwrap_or(head),
        _ => head,
    };
    majority(data_lines(complete).map(|(_, l)| l))
        .is_some_and(|(_, n, total)| n > 0 && n * 10 >= total * 9)
}

/// Reads `/etc/passwd` or `/etc/group` into reconciliation rows.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let bytes = read_all(input, ctx)?;
    // Names are ASCII in practice; a line that is not UTF-8 is reported, not guessed at.
    let text = String::from_utf8_lossy(&bytes);
    let unreadable =
        |location, reason: String| ImportError::Unreadable(ctx.diagnostic(location, reason));
    let Some((shape, _, _)) = majority(data_lines(&text).map(|(_, l)| l)) else {
        return Err(unreadable(
            Location::File,
            "not /etc/passwd or /etc/group: no line has seven (passwd) or four (group) \
             colon-separated fields with numeric ids"
                .to_owned(),
        ));
    };
    let first = |wanted: Shape| {
        data_lines(&text)
            .find(|(_, l)| classify(l) == Some(wanted))
            .map_or(1, |(n, _)| n)
    };
    match shape {
        Shape::Passwd | Shape::Group => {}
        Shape::Shadow => {
            return Err(unreadable(
                Location::Line(first(Shape::Shadow)),
                "a shadow file holds password hashes, not accounts and groups (this line has \
                 nine fields): import /etc/passwd and /etc/group instead, and keep the hashes \
                 where they are"
                    .to_owned(),
            ));
        }
        Shape::Gshadow => {
            return Err(unreadable(
                Location::Line(first(Shape::Gshadow)),
                "a gshadow file holds group password hashes and administrators, not groups \
                 (this line has four fields but no numeric gid): import /etc/group instead"
                    .to_owned(),
            ));
        }
        Shape::MasterPasswd => {
            return Err(unreadable(
                Location::Line(first(Shape::MasterPasswd)),
                "this line has ten fields: the file is FreeBSD's master.passwd \
                 (name:password:uid:gid:class:change:expire:gecos:home:shell), which holds \
                 password hashes; import /etc/passwd, which pwd_mkdb writes with seven fields \
                 and no hashes"
                    .to_owned(),
            ));
        }
    }

    let mut summary = ImportSummary::default();
    let host = ctx
        .scope
        .as_deref()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty());
    if host.is_none() {
        summary.warn(ctx.diagnostic(
            Location::File,
            "the file does not name its host: accounts are bare user names, which cannot meet \
             the `user@host` names of the host's log records; give --scope HOST",
        ));
    }
    let coverage = match shape {
        Shape::Group => Coverage {
            accounts: false,
            entitlements: true,
            credentials: false,
            holders_of: None,
        },
        _ => Coverage::accounts(),
    };
    let (as_of, _) = snapshot_time(ctx, None, &mut summary)?;
    let listing = Listing {
        system: system_of(ctx, Format::UnixAccounts),
        as_of,
        coverage,
    };
    let account = |user: &str| match &host {
        Some(h) => format!("{user}@{h}"),
        None => user.to_owned(),
    };

    let mut uids: BTreeMap<i64, Vec<(String, u64)>> = BTreeMap::new();
    for (n, line) in data_lines(&text) {
        summary.rows += 1;
        let location = Location::Line(n);
        if line.contains(char::REPLACEMENT_CHARACTER) {
            summary
                .diagnostics
                .push(ctx.diagnostic(location, "the line is not UTF-8 text"));
            continue;
        }
        if line.starts_with('+') || line.starts_with('-') {
            summary.skip("NIS compat entry (+/-: accounts kept in NIS, not on this host)");
            continue;
        }
        let fields: Vec<&str> = line.split(':').collect();
        let result = match shape {
            Shape::Group => group_line(&fields),
            _ => passwd_line(&fields),
        };
        match result {
            Err(reason) => summary.diagnostics.push(ctx.diagnostic(location, reason)),
            Ok(Line::Account {
                name,
                uid,
                can_log_in,
            }) => {
                let state = |row: Row| if can_log_in { row } else { row.disabled() };
                listing.emit(
                    &mut summary,
                    sink,
                    state(Row::account(account(name))),
                    location.clone(),
                )?;
                if uid == 0 && name != "root" {
                    listing.emit(
                        &mut summary,
                        sink,
                        state(Row::entitlement(account(name), "uid0")),
                        location,
                    )?;
                }
                uids.entry(uid).or_default().push((name.to_owned(), n));
            }
            Ok(Line::Group { name, members }) => {
                if members.is_empty() {
                    summary.skip("group with no listed members");
                }
                for member in members {
                    listing.emit(
                        &mut summary,
                        sink,
                        Row::entitlement(account(member), name),
                        location.clone(),
                    )?;
                }
            }
        }
    }
    for (uid, holders) in uids.into_iter().filter(|(_, h)| h.len() > 1) {
        let first = holders.first().map_or(1, |(_, n)| *n);
        let named: Vec<String> = holders
            .iter()
            .map(|(name, n)| format!("{name} (line {n})"))
            .collect();
        summary.warn(ctx.diagnostic(
            Location::Line(first),
            format!(
                "uid {uid} is shared by {}: the kernel sees one user, so what either is \
                 granted the other holds too",
                named.join(", ")
            ),
        ));
    }
    progress(Progress {
        bytes_read: bytes.len() as u64,
        bytes_total: ctx.size,
        rows: summary.rows,
    });
    Ok(summary)
}

fn read_all(input: &mut dyn Read, ctx: &ImportContext) -> Result<Vec<u8>, ImportError> {
    let mut bytes = super::read_capped(input, ctx, MAX_BYTES, |mib| {
        format!("the file is larger than {mib} MiB, more than any host's account file")
    })?;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    Ok(bytes)
}

/// What one data line says.
enum Line<'a> {
    Account {
        name: &'a str,
        uid: i64,
        can_log_in: bool,
    },
    Group {
        name: &'a str,
        members: Vec<&'a str>,
    },
}

fn passwd_line<'a>(fields: &[&'a str]) -> Result<Line<'a>, String> {
    let [name, _password, uid, gid, _gecos, _home, shell] = fields else {
        return Err(format!(
            "the line has {} colon-separated fields; a passwd line has seven \
             (name:password:uid:gid:gecos:home:shell)",
            fields.len()
        ));
    };
    if !is_name(name) {
        return Err(format!("`{name}` is not a user name"));
    }
    let uid = uid
        .parse::<i64>()
        .map_err(|_| format!("the uid of `{name}`, `{uid}`, is not a number"))?;
    if !is_number(gid) {
        return Err(format!("the gid of `{name}`, `{gid}`, is not a number"));
    }
    // An empty shell means /bin/sh (passwd(5)): a login shell.
    let program = shell.trim().rsplit('/').next().unwrap_or_default();
    Ok(Line::Account {
        name,
        uid,
        can_log_in: !matches!(program, "nologin" | "false"),
    })
}

fn group_line<'a>(fields: &[&'a str]) -> Result<Line<'a>, String> {
    let [name, _password, gid, members] = fields else {
        return Err(format!(
            "the line has {} colon-separated fields; a group line has four \
             (name:password:gid:members)",
            fields.len()
        ));
    };
    if !is_name(name) {
        return Err(format!("`{name}` is not a group name"));
    }
    if !is_number(gid) {
        return Err(format!("the gid of `{name}`, `{gid}`, is not a number"));
    }
    Ok(Line::Group {
        name,
        members: members
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::test_support::{self, Rows};
    use evidentia_domain::{ReconciliationRecord, ReconciliationStatus};

    fn run(text: &str, scope: Option<&str>) -> Result<(Rows, ImportSummary), ImportError> {
        let (summary, rows) =
            test_support::run(Format::UnixAccounts, "passwd", text.as_bytes(), scope)?;
        Ok((rows, summary))
    }

    fn brief(rows: &[(ReconciliationRecord, Location)]) -> Vec<(String, Option<String>, bool)> {
        rows.iter()
            .map(|(r, _)| {
                (
                    r.account.to_string(),
                    r.entitlement.as_deref().map(str::to_owned),
                    r.status == ReconciliationStatus::Disabled,
                )
            })
            .collect()
    }

    fn row(
        account: &str,
        entitlement: Option<&str>,
        disabled: bool,
    ) -> (String, Option<String>, bool) {
        (account.to_owned(), entitlement.map(str::to_owned), disabled)
    }

    /// Lines as passwd(5) documents them, Debian's defaults.
    const PASSWD: &str = "# local accounts\n\
root:x:0:0:root:/root:/bin/bash\n\
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
\n\
toor:x:0:0:Bourne-again Superuser:/root:\n\
Debian-exim:x:102:102::/var/spool/exim4:/bin/false\n\
alice:x:1000:1000:Alice Martin,,,:/home/alice:/bin/bash\n\
alice2:x:1000:1000:::/bin/sh\n";

    #[test]
    fn passwd_lines_are_accounts_named_user_at_host() {
        let (rows, summary) = run(PASSWD, Some("Web-01")).expect("imports");
        assert_eq!(
            brief(&rows),
            vec![
                row("root@web-01", None, false),
                row("daemon@web-01", None, true),
                row("toor@web-01", None, false),
                row("toor@web-01", Some("uid0"), false),
                row("Debian-exim@web-01", None, true),
                row("alice@web-01", None, false),
                row("alice2@web-01", None, false),
            ]
        );
        assert_eq!(rows[2].1, Location::Line(5));
        assert_eq!(rows[0].0.coverage.as_deref(), Some(&Coverage::accounts()));
        assert_eq!(rows[0].0.system.as_str(), "linux");
        assert!(rows.iter().all(|(r, _)| r.last_used_at.is_none()));
        assert_eq!(summary.rows, 6);
        // root and toor share uid 0, alice and alice2 uid 1000.
        let warnings: Vec<&str> = summary.warnings.iter().map(|w| w.reason.as_str()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[1].contains("uid 1000 is shared by alice (line 7), alice2 (line 8)"));
        assert!(summary.diagnostics.is_empty());
    }

    #[test]
    fn without_scope_names_are_bare_with_one_warning() {
        let (rows, summary) = run("bob:x:1001:1001::/home/bob:/bin/zsh\n", None).expect("imports");
        assert_eq!(brief(&rows), vec![row("bob", None, false)]);
        assert_eq!(summary.warnings.len(), 1);
        assert!(summary.warnings[0].reason.contains("--scope HOST"));
    }

    #[test]
    fn group_members_hold_the_group() {
        let text = "root:x:0:\nsudo:x:27:alice,bob\nadm:x:4:syslog, alice\nusers:x:100:\n";
        let (rows, summary) = run(text, Some("db1")).expect("imports");
        assert_eq!(
            brief(&rows),
            vec![
                row("alice@db1", Some("sudo"), false),
                row("bob@db1", Some("sudo"), false),
                row("syslog@db1", Some("adm"), false),
                row("alice@db1", Some("adm"), false),
            ]
        );
        assert_eq!(
            rows[0].0.coverage,
            Some(std::sync::Arc::new(Coverage {
                accounts: false,
                entitlements: true,
                credentials: false,
                holders_of: None
            }))
        );
        assert_eq!(
            summary.skipped.get("group with no listed members"),
            Some(&2)
        );
        assert_eq!(summary.rows, 4);
    }

    #[test]
    fn bad_lines_are_diagnostics_naming_the_line() {
        let text = "root:x:0:0:root:/root:/bin/bash\nbroken:x:1:1:/bin/sh\nweird:x:abc:1:::/bin/sh\n+@netgroup::::::\nok:x:5:5:::/bin/sh\n";
        let (rows, summary) = run(text, Some("h")).expect("imports");
        assert_eq!(rows.len(), 2);
        let at: Vec<String> = summary.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(at.len(), 2, "{at:?}");
        assert!(at[0].starts_with("passwd:line 2: the line has 5"), "{at:?}");
        assert!(
            at[1].contains("line 3") && at[1].contains("`abc`"),
            "{at:?}"
        );
        assert_eq!(summary.skipped.values().sum::<u64>(), 1);
    }

    #[test]
    fn shadow_files_and_master_passwd_are_refused_by_name() {
        let shadow = "root:$1$NBLBLIXb$WUgojj1bNuxWEADQGt1m9.:12991:0:99999:7:::\ndaemon:*:12977:0:99999:7:::\n";
        let err = run(shadow, Some("h")).expect_err("shadow");
        assert!(
            err.to_string()
                .contains("a shadow file holds password hashes"),
            "{err}"
        );
        let gshadow = "root:*::\nadm:*::syslog\n";
        let err = run(gshadow, Some("h")).expect_err("gshadow");
        assert!(err.to_string().contains("gshadow"), "{err}");
        let master = "#\nroot::0:0::0:0:Charlie &:/root:/bin/csh\n";
        let err = run(master, Some("h")).expect_err("master.passwd");
        assert!(
            err.to_string().contains("line 2: this line has ten fields"),
            "{err}"
        );
        let err = run("a,b,c\n1,2,3\n", Some("h")).expect_err("csv");
        assert!(err.to_string().contains("not /etc/passwd"), "{err}");
    }

    #[test]
    fn recognises_passwd_and_group_but_not_csv_or_syslog() {
        assert!(recognise(PASSWD));
        assert!(recognise("# $FreeBSD$\n#\nwheel:*:0:root\ndaemon:*:1:\n"));
        // Cut mid-line: the last, partial line is not judged.
        assert!(recognise(
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:dae"
        ));
        assert!(!recognise(
            "user,arn,user_creation_time\nroot,arn:aws:iam::1:root,2016-10-06T15:47:11+00:00\n"
        ));
        assert!(!recognise(
            "Mar  1 12:00:01 web-01 useradd[123]: new user: name=alice, UID=1001, GID=1001\n\
             Mar  1 12:00:02 web-01 sshd[9]: Accepted publickey for alice from 10.0.0.1\n"
        ));
        assert!(!recognise("Jan  1 00:00:00 host sshd[1]: msg\n"));
        assert!(!recognise("apiVersion: v1\nkind: List\n"));
    }
}
