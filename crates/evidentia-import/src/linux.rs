//! Reads Linux account-management logs (syslog text or a Sentinel `Syslog` CSV export) into executions.
//!
//! Two inputs are accepted, told apart by their first non-blank line:
//!
//! * **Syslog text**, one message per line: RFC 3164 (`Mar  1 12:00:01 host useradd[123]: ...`),
//!   RFC 3339-stamped lines as written by rsyslog's `RSYSLOG_FileFormat` or
//!   `journalctl -o short-iso[-precise]` (`2024-03-01T12:00:01.123456+00:00 host useradd[123]: ...`),
//!   and RFC 5424 (`<86>1 2024-03-01T12:00:01Z host useradd 123 - - ...`).
//! * **A Microsoft Sentinel / Log Analytics `Syslog` table export** (CSV with at least
//!   `SyslogMessage`, `ProcessName` and `EventTime` or `TimeGenerated`, optionally suffixed
//!   ` [UTC]` as the portal writes them).
//!
//! Only the shadow-utils tools and PAM password changes carry provisioning evidence; sshd,
//! `su` and `sudo` carry activity (below). Every other line (cron, systemd, ...) is skipped
//! and counted by its process name, and so are shadow-utils messages that change no access.
//! Skipped counts are keyed by process name, the event type Linux logs have, so they add up
//! with the records per process.
//!
//! | process | message | action | entitlement |
//! |---|---|---|---|
//! | useradd | `new user: name=U, ...` | create_account | |
//! | useradd | `failed adding user 'U', ...` | create_account, failed | |
//! | useradd, usermod | `add 'U' to group 'G'` | grant | G |
//! | userdel, usermod | `delete 'U' from group 'G'` | revoke | G |
//! | userdel | `delete user 'U'` | delete | |
//! | gpasswd | `user U added by A to group G` | grant (actor A) | G |
//! | gpasswd | `user U removed by A from group G` | revoke (actor A) | G |
//! | usermod | `lock user 'U' password` (`-L`) | disable | |
//! | usermod | `unlock user 'U' password` (`-U`) | enable | |
//! | usermod | `change user 'U' expiration from 'A' to 'B'`, B on or before the event's day | disable | |
//! | usermod | the same, A on or before the event's day and B later or `never` | enable | |
//! | usermod | `change user 'U' password` | credential_rotated | |
//! | passwd | `password for 'U' changed by 'A'` | credential_rotated (actor A) | |
//! | passwd, chpasswd | `pam_unix(...:chauthtok): password changed for U` | credential_rotated | |
//! | any | `add/delete ... shadow group ...` | skipped: the `/etc/gshadow` twin of the line above | |
//! | userdel | `delete 'U' from shadow group 'G'`, `removed shadow group 'G' owned by 'U'` | skipped as `userdel (gshadow twin of a line already counted)` | |
//! | userdel | `removed group 'G' owned by 'U'` | skipped as `userdel (the user's private group, removed with the account)` | |
//! | groupdel | `group 'G' removed` (also `… from /etc/group`, `… from /etc/gshadow`) | skipped as `groupdel (group definition removed; the line names no members)` | |
//! | groupadd, groupmod, useradd | group definitions (`new group`, `group added to`, `removed group`, ...) | skipped: a group's existence grants nobody access | |
//! | usermod | rename, home, shell, UID/GID, future expiry | skipped: no access change | |
//! | anything else | | skipped by process name | |
//!
//! Naming: Linux accounts and groups live on one host, so the account is `user@host`
//! (host lower-cased, since host names are case-insensitive and exports vary their case), or
//! the bare user name when the line names no host. The system stays `linux` unless the
//! caller names another. The actor is `A@host` where the message names one (gpasswd,
//! passwd); otherwise, when a `sudo` line on the same host ran the same tool (or the Debian
//! `adduser`/`deluser` wrappers) by `COMMAND=` within five minutes before, its invoking user;
//! else none. Linux logs carry no event ids, so `source_event_id` is empty.
//!
//! Activity (kept as `ActivitySummary`s; `--activity` chooses which), named `user@host` like
//! executions, with the process name as event type:
//!
//! | process | message | channel | account | interactive | outcome | client |
//! |---|---|---|---|---|---|---|
//! | sshd, sshd-session | `Accepted <method> for U from …` | sign_in | `U@host` | unless `<method>` is `publickey` | succeeded | `ssh <method>` |
//! | sshd, sshd-session | `Failed password for [invalid user ]U from …` (also `keyboard-interactive/pam`) | sign_in | `U@host` | yes | failed | `ssh password` |
//! | su | `pam_unix(su:session): session opened for user X by A(uid=…)` (also `su-l`) | sign_in | `X@host` | when A is named | succeeded | `su by A` |
//! | su | `(to X) A on pts/0`, `Successful su for X by A` | sign_in | `X@host` | unless the tty is `none` | succeeded | `su by A` |
//! | su | `FAILED SU (to X) A on pts/0` | sign_in | `X@host` | as above | failed | `su by A` |
//! | sudo | `A : TTY=… ; PWD=… ; USER=X ; COMMAND=…` | api_call | `A@host` | unless `TTY=unknown` (or none) | succeeded | |
//! | sudo | the same, X neither root nor A | also sign_in | `X@host` | as above | succeeded | `sudo by A` |
//! | sudo | `A : 3 incorrect password attempts ; … ; USER=X ; …` (any refusal) | api_call | `A@host` | as above | failed | |
//!
//! Keys are how automation logs in, so a public-key SSH login is not interactive; a password or
//! keyboard login, and `su` or `sudo` at a terminal, is a person, which is what makes `sudo -u
//! svc-app` at a terminal a person using a service account. The same commands run by cron or a
//! script carry no terminal (`TTY=unknown`, `on none`) or no login name (PAM's `by (uid=0)`),
//! and are not interactive: a backup job's `sudo -u postgres` is not a person signing in as
//! postgres. su writes two lines for one switch (its own and
//! PAM's session line); when both appear within five seconds for the same target and invoker
//! the second is counted as skipped, not as a second sign-in. PAM session lines of sshd and
//! sudo repeat what the lines above say and stay skipped, and so do continuations of a long
//! sudo command. An activity line that is not valid UTF-8 (scanners try any byte as a user
//! name) is skipped as `<process> (not UTF-8)`. Linux logs carry no event ids.
//!
//! Time rule: RFC 3164 timestamps (`Mar  1 12:00:01`) have neither year nor zone. Such a line
//! takes its year and UTC offset from the last fully-dated line earlier in the same file
//! (moving to the next year when the month wraps around). With no such line, the first one's
//! year is, in this order: `--year`; the one year the policy's reporting period puts that
//! month and day in (a period of a calendar year, or a fiscal year July–June, is unambiguous;
//! a period longer than a year is not, for some dates); the latest year that does not put the
//! line after the file's modification time (a log is written before it is copied). Later lines
//! follow it forward. The zone is `--timezone` (IANA names keep daylight saving), else UTC.
//! Every choice not given on the command line is written into the import's warnings, so the
//! ledger says how the year and zone were found; the file is never rejected for a missing
//! year. Only when none of these exist (a file read from a pipe, no policy period) is a
//! relevant line a diagnostic asking for `--year` (a stamp that cannot be dated is unusable,
//! not absent). Skipped lines never
//! need a time, and neither do activity lines: one that cannot be dated (or whose export time
//! is missing or unreadable) proves no use at any time, so it is counted as skipped under
//! `<process> (undated)` and the file gets one warning saying how many and why, instead of a
//! rejected file (an auth log rotated mid-year starts with thousands of sshd lines). The Sentinel export's `EventTime` (the host's own time, converted to UTC) is
//! preferred to `TimeGenerated` (ingestion time); a relevant row with neither is a warning
//! (read, no record, the file still imports), one whose time does not parse a diagnostic.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use evidentia_domain::{ActivityChannel, Execution, Outcome, ProvisioningAction, Record, SystemId};

use crate::{
    Format, ImportContext, ImportError, ImportSummary, Location, Observation, Origin, Progress,
    RecordSink, Zone,
};

/// Lines (or CSV records) longer than this are refused rather than buffered.
const MAX_RECORD: usize = 64 * 1024 * 1024;
/// Rows between progress reports.
const PROGRESS_EVERY: u64 = 4096;
/// How long a `sudo` command line stays the likely author of a shadow-utils change.
const SUDO_WINDOW_SECS: i64 = 300;
/// Hosts remembered for sudo attribution; a bound so that a hostile file cannot grow it.
const SUDO_HOSTS: usize = 10_000;
/// How far apart su's own line and PAM's session line for the same switch may be.
const SU_TWIN_SECS: i64 = 5;

/// Reads a Linux syslog file or Sentinel `Syslog` CSV export.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    import_with_limit(input, ctx, sink, progress, MAX_RECORD)
}

/// [`import`] with the record size limit as a parameter, so tests need not write 64 MiB.
fn import_with_limit(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
    max: usize,
) -> Result<ImportSummary, ImportError> {
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut run = Run::new(ctx, sink, progress);
    let io_err = |source| ImportError::Io {
        file: ctx.file_name.clone(),
        source,
    };

    // The first non-blank line decides between syslog text and a CSV export.
    let mut first = Vec::new();
    let mut line_no = 0u64;
    loop {
        match read_line(&mut reader, &mut first, max, &mut run.bytes).map_err(io_err)? {
            None => {
                let reason = if line_no == 0 {
                    "the file is empty"
                } else {
                    "the file holds only blank lines"
                };
                return Err(ImportError::Unreadable(
                    ctx.diagnostic(Location::File, reason),
                ));
            }
            Some(fits) => {
                line_no += 1;
                if !fits {
                    return Err(ImportError::Unreadable(ctx.diagnostic(
                        Location::Line(line_no),
                        format!(
                            "the line is longer than {} MiB; this is not a Linux log",
                            max >> 20
                        ),
                    )));
                }
                if line_no == 1 && first.starts_with(b"\xEF\xBB\xBF") {
                    first.drain(..3);
                }
                if !first.iter().all(u8::is_ascii_whitespace) {
                    break;
                }
            }
        }
    }

    let Ok(text) = std::str::from_utf8(&first) else {
        return Err(ImportError::Unreadable(ctx.diagnostic(
            Location::Line(line_no),
            "the first line is not UTF-8 text; this is not a Linux log",
        )));
    };
    if let Some(columns) = CsvColumns::from_header(text) {
        let columns = columns.map_err(|reason| {
            ImportError::Unreadable(ctx.diagnostic(Location::Line(line_no), reason))
        })?;
        let mut head = first.clone();
        head.push(b'\n');
        let offset = line_no - 1;
        // The header is read again from `head`, so the CSV reader's byte count starts over:
        // progress is what was consumed before it plus what the CSV reader reads beyond it.
        let resume = Resume {
            consumed: run.bytes,
            refed: head.len() as u64,
        };
        read_csv(
            &mut run,
            head.as_slice().chain(reader),
            &columns,
            (offset, resume),
            max,
        )?;
    } else if parse_syslog(text).is_some() {
        run.syslog_line(line_no, &first);
        while let Some(fits) =
            read_line(&mut reader, &mut first, max, &mut run.bytes).map_err(io_err)?
        {
            line_no += 1;
            if fits {
                run.syslog_line(line_no, &first);
            } else {
                run.summary.rows += 1;
                run.diag(
                    line_no,
                    format!("the line is longer than {} MiB and was not read", max >> 20),
                );
            }
            run.tick();
        }
    } else {
        return Err(ImportError::Unreadable(ctx.diagnostic(
            Location::Line(line_no),
            "the first line is neither a syslog line (`Mar  1 12:00:01 host useradd[123]: ...`, \
             an RFC 3339 or RFC 5424 line) nor the header of a Sentinel Syslog CSV export \
             (with SyslogMessage and ProcessName columns)",
        )));
    }
    if let Some(err) = run.sink_error.take() {
        return Err(ImportError::Sink(err));
    }
    run.warn_undated();
    run.report();
    Ok(run.summary)
}

/// One import's state: the running summary and what sudo attribution remembers.
struct Run<'a> {
    ctx: &'a ImportContext,
    sink: &'a mut dyn RecordSink,
    progress: &'a mut dyn FnMut(Progress),
    summary: ImportSummary,
    system: SystemId,
    bytes: u64,
    /// The year and offset of the last fully-dated syslog line, for RFC 3164 lines after it.
    anchor: Option<Anchor>,
    /// Per host: the last `sudo ... COMMAND=` line's user, program and time.
    sudo: HashMap<String, (String, String, DateTime<Utc>)>,
    /// Per host: the last successful `su` sign-in (its form, target, invoker and time), so that
    /// su's own line and PAM's session line for the same switch count once.
    su: HashMap<String, (SuForm, String, String, DateTime<Utc>)>,
    /// Activity lines that could not be dated: how many, and the first one's line and reason.
    undated: (u64, Option<(u64, String)>),
    /// Set when the sink refused a record; reading stops.
    sink_error: Option<crate::SinkError>,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    year: i32,
    month: u32,
    /// The zone of the line that set it (its own offset for a fully-dated line).
    zone: Zone,
}

impl<'a> Run<'a> {
    fn new(
        ctx: &'a ImportContext,
        sink: &'a mut dyn RecordSink,
        progress: &'a mut dyn FnMut(Progress),
    ) -> Self {
        let system = ctx
            .system
            .clone()
            .or_else(|| Format::Linux.default_system())
            .unwrap_or_else(|| SystemId::new("linux"));
        Run {
            ctx,
            sink,
            progress,
            summary: ImportSummary::default(),
            system,
            bytes: 0,
            anchor: None,
            sudo: HashMap::new(),
            su: HashMap::new(),
            undated: (0, None),
            sink_error: None,
        }
    }

    fn diag(&mut self, line: u64, reason: impl Into<String>) {
        let d = self.ctx.diagnostic(Location::Line(line), reason);
        self.summary.diagnostics.push(d);
    }

    /// An access change read but too incomplete to be evidence (see `ImportSummary::warnings`).
    fn warn(&mut self, line: u64, reason: impl Into<String>) {
        let d = self.ctx.diagnostic(Location::Line(line), reason);
        self.summary.warn(d);
    }

    fn report(&mut self) {
        (self.progress)(Progress {
            bytes_read: self.bytes,
            bytes_total: self.ctx.size,
            rows: self.summary.rows,
        });
    }

    fn tick(&mut self) {
        if self.summary.rows % PROGRESS_EVERY == 0 {
            self.report();
        }
    }

    /// Handles one physical line of syslog text.
    fn syslog_line(&mut self, line_no: u64, bytes: &[u8]) {
        if self.sink_error.is_some() || bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.summary.rows += 1;
        let text = String::from_utf8_lossy(bytes);
        let Some(parsed) = parse_syslog(&text) else {
            self.diag(
                line_no,
                "not a syslog line: expected a timestamp, a host and a message",
            );
            return;
        };
        let at = match parsed.stamp {
            Stamp::Full(dt) => {
                let naive = dt.naive_local();
                self.anchor = Some(Anchor {
                    year: naive.year(),
                    month: naive.month(),
                    zone: Zone::Fixed(*dt.offset()),
                });
                Some(dt.with_timezone(&Utc))
            }
            Stamp::NoYear(naive) => {
                if self.anchor.is_none() {
                    self.anchor = self.first_anchor(naive);
                }
                self.anchor_year(naive)
            }
        };
        let time_problem = at.is_none().then(|| {
            format!(
                "the syslog timestamp `{}` has no year or time zone and no earlier line in this \
                 file gives them; give --year (and --timezone), set the policy's reporting \
                 period, or export the log with full timestamps (rsyslog RSYSLOG_FileFormat, \
                 `journalctl -o short-iso-precise`)",
                parsed.stamp_text
            )
        });
        let entry = Entry {
            line: line_no,
            at,
            time_problem,
            time_absent: false,
            host: parsed.host,
            process: parsed.process,
            message: parsed.message,
            valid_utf8: matches!(text, std::borrow::Cow::Borrowed(_)),
        };
        self.entry(entry);
    }

    /// The year and zone of the first RFC 3164 line when no fully-dated line came before it:
    /// `--year`, else the one year the policy's period puts that date in, else the latest year
    /// that does not put the line after the file's modification time (a log is written before
    /// it is copied). Each choice but `--year` is recorded as a warning, and so is reading the
    /// times as UTC when `--timezone` is not given.
    fn first_anchor(&mut self, naive: (u32, u32, u32, u32, u32)) -> Option<Anchor> {
        let (month, day, ..) = naive;
        let zone = self.ctx.timezone.unwrap_or_else(Zone::utc);
        let (year, how) = if let Some(year) = self.ctx.year {
            (year, None)
        } else if let Some(year) = period_year(self.ctx.period, month, day) {
            let (start, end) = self.ctx.period?;
            (
                year,
                Some(format!(
                    "from the policy's reporting period {start} to {end}, the one year that holds {}",
                    month_day(month, day)
                )),
            )
        } else {
            let modified = self.ctx.file_time?;
            let year = year_before(modified, zone, naive)?;
            (
                year,
                Some(format!(
                    "from the file's modification time {}, the latest year that does not put the first such line after it",
                    modified.to_rfc3339()
                )),
            )
        };
        if let Some(how) = how {
            self.summary.warn(self.ctx.diagnostic(
                Location::File,
                format!(
                    "RFC 3164 timestamps carry no year: {year} is taken {how}; give --year to set it"
                ),
            ));
        }
        if self.ctx.timezone.is_none() {
            self.summary.warn(self.ctx.diagnostic(
                Location::File,
                "RFC 3164 timestamps carry no time zone: they are read as UTC; give --timezone (an IANA name such as Europe/Berlin, or an offset) if the host logs local time",
            ));
        }
        Some(Anchor { year, month, zone })
    }

    /// Dates an RFC 3164 timestamp from the last dated line (or the year the first one was
    /// given), or gives up.
    fn anchor_year(&mut self, naive: (u32, u32, u32, u32, u32)) -> Option<DateTime<Utc>> {
        let anchor = self.anchor?;
        let (month, day, h, m, s) = naive;
        // Logs run forward: a month smaller than the anchor's means the year turned.
        let year = if month < anchor.month {
            anchor.year.checked_add(1)?
        } else {
            anchor.year
        };
        let local = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, s)?;
        // `--timezone` names the zone of year-less stamps; otherwise the last full stamp's.
        let zone = self.ctx.timezone.unwrap_or(anchor.zone);
        let dt = zone.to_utc(local)?;
        self.anchor = Some(Anchor {
            year,
            month,
            ..anchor
        });
        Some(dt)
    }

    /// Classifies one log entry and emits its record, activity, skip or diagnostic.
    fn entry(&mut self, e: Entry<'_>) {
        let process = e.process.trim();
        if process.eq_ignore_ascii_case("sudo") {
            self.remember_sudo(&e);
        }
        let change = classify(process, e.message.trim());
        let Some(change) = change else {
            if !self.activity(&e, process) {
                match skip_reason(process, e.message.trim()) {
                    Some(reason) => self.summary.skip(format!("{process} ({reason})")),
                    None => self.summary.skip(if process.is_empty() {
                        "(no process)"
                    } else {
                        process
                    }),
                }
            }
            return;
        };
        if !e.valid_utf8 {
            self.diag(
                e.line,
                "the line is not valid UTF-8, so its names cannot be trusted",
            );
            return;
        }
        let at = match (e.at, e.time_problem) {
            (Some(at), _) => at,
            (None, Some(problem)) if e.time_absent => return self.warn(e.line, problem),
            (None, Some(problem)) => return self.diag(e.line, problem),
            (None, None) => return self.diag(e.line, "the line has no usable time"),
        };
        let (action, outcome, failure_reason) = match change.kind {
            Kind::Action(action) => (action, Outcome::Succeeded, None),
            Kind::Failed(action, reason) => (action, Outcome::Failed, Some(reason)),
            Kind::Expiry { from, to } => match expiry_action(&from, &to, at) {
                Some(action) => (action, Outcome::Succeeded, None),
                None => {
                    self.summary.skip(process);
                    return;
                }
            },
        };
        let host = host_of(e.host);
        let qualify = |name: &str| qualify(host.as_deref(), name);
        let actor = change.actor.map(|a| qualify(&a)).or_else(|| {
            let (user, program, when) = self.sudo.get(host.as_deref().unwrap_or(""))?;
            let secs = at.signed_duration_since(*when).num_seconds();
            let wrapper = matches!(
                program.as_str(),
                "adduser" | "deluser" | "addgroup" | "delgroup"
            );
            ((0..=SUDO_WINDOW_SECS).contains(&secs) && (wrapper || program == process))
                .then(|| qualify(user))
        });
        let execution = Execution {
            system: self.system.clone(),
            account: qualify(&change.user).into(),
            action,
            entitlement: change.group.map(Into::into),
            actor: actor.map(Into::into),
            at,
            outcome,
            failure_reason: failure_reason.map(Into::into),
            request_ref: None,
            source_event_id: None,
            source_event_type: Some(process.to_owned().into()),
        };
        let record = Record::Execution(execution);
        let kind = record.kind();
        match self.sink.accept(
            record,
            Origin {
                location: Location::Line(e.line),
            },
        ) {
            Ok(()) => self.summary.count(kind),
            Err(err) => self.sink_error = Some(err),
        }
    }

    /// Keeps a sign-in, `su` or `sudo` line as activity (see the module docs); `false` when the
    /// line is no activity or the import keeps none of it, so the caller skips it as before.
    fn activity(&mut self, e: &Entry<'_>, process: &str) -> bool {
        let uses = classify_use(process, e.message.trim());
        let kept: Vec<&Use> = uses
            .iter()
            .filter(|u| self.ctx.activity.keeps(u.channel))
            .collect();
        if kept.is_empty() {
            return false;
        }
        if !e.valid_utf8 {
            // A scanner's garbage user name is not an account anyone can be held to.
            self.summary.skip(format!("{process} (not UTF-8)"));
            return true;
        }
        let Some(at) = e.at else {
            self.summary.skip(format!("{process} (undated)"));
            self.undated.0 += 1;
            if self.undated.1.is_none() {
                let reason = e
                    .time_problem
                    .clone()
                    .unwrap_or_else(|| "the line has no usable time".to_owned());
                self.undated.1 = Some((e.line, reason));
            }
            return true;
        };
        let host = host_of(e.host);
        if kept.iter().any(|u| self.su_twin(u, host.as_deref(), at)) {
            self.summary.skip(process);
            return true;
        }
        let location = Location::Line(e.line);
        for u in kept {
            let account = qualify(host.as_deref(), &u.user);
            let observation = Observation {
                credential: None,
                system: &self.system,
                account: &account,
                channel: u.channel,
                interactive: u.interactive,
                outcome: u.outcome,
                at,
                event_type: process,
                source_event_id: None,
                client: u.client.as_deref(),
            };
            self.summary.observe(self.ctx, &observation, &location);
        }
        true
    }

    /// Whether a successful `su` sign-in is the twin of the one just before it on the same
    /// host (su's `(to X) A on tty` line and PAM's session line for one switch); remembers it
    /// otherwise.
    fn su_twin(&mut self, u: &Use, host: Option<&str>, at: DateTime<Utc>) -> bool {
        let Some((form, by)) = u.su.as_ref() else {
            return false;
        };
        if u.outcome != Outcome::Succeeded {
            return false;
        }
        let host = host.unwrap_or_default().to_owned();
        if let Some((seen, target, invoker, when)) = self.su.get(&host) {
            let secs = at.signed_duration_since(*when).num_seconds().abs();
            if seen != form && *target == u.user && invoker == by && secs <= SU_TWIN_SECS {
                self.su.remove(&host);
                return true;
            }
        }
        if self.su.len() >= SUDO_HOSTS && !self.su.contains_key(&host) {
            self.su.clear();
        }
        self.su
            .insert(host, (*form, u.user.clone(), by.clone(), at));
        false
    }

    /// One warning for the file when activity lines could not be dated.
    fn warn_undated(&mut self) {
        if let (count, Some((line, reason))) = std::mem::take(&mut self.undated) {
            self.warn(
                line,
                format!(
                    "{count} sign-in, su or sudo line(s) could not be dated, so they prove no use \
                     at any time and were counted as skipped (`<process> (undated)`); this is \
                     the first: {reason}"
                ),
            );
        }
    }

    /// Remembers a `sudo` command line so the shadow-utils lines it causes get an actor.
    fn remember_sudo(&mut self, e: &Entry<'_>) {
        let (Some(at), Some((user, rest))) = (e.at, e.message.split_once(" : ")) else {
            return;
        };
        let Some((_, command)) = rest.split_once("COMMAND=") else {
            return;
        };
        let program = command.split_whitespace().next().unwrap_or("");
        let program = program.rsplit('/').next().unwrap_or(program);
        let user = user.trim();
        if user.is_empty() || program.is_empty() {
            return;
        }
        let host = e
            .host
            .map(|h| h.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if self.sudo.len() >= SUDO_HOSTS && !self.sudo.contains_key(&host) {
            self.sudo.clear();
        }
        self.sudo
            .insert(host, (user.to_owned(), program.to_owned(), at));
    }
}

/// The host an entry names, lower-cased (host names are case-insensitive and exports vary
/// their case); `None` for none or RFC 5424's `-`.
fn host_of(host: Option<&str>) -> Option<String> {
    host.map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty() && h != "-")
}

/// `user@host`, or the bare user when the line names no host.
fn qualify(host: Option<&str>, name: &str) -> String {
    match host {
        Some(h) => format!("{name}@{h}"),
        None => name.to_owned(),
    }
}

/// One use of an account a line records (a line may record two: see `sudo`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    channel: ActivityChannel,
    interactive: bool,
    outcome: Outcome,
    /// The account, before host qualification.
    user: String,
    client: Option<String>,
    /// For a `su` sign-in: which of su's lines it is, and who invoked it.
    su: Option<(SuForm, String)>,
}

/// The two lines one `su` writes: its own `(to X) A on tty`, and PAM's session line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SuForm {
    To,
    Pam,
}

/// The accounts a sign-in, `su` or `sudo` message says were used, or none.
fn classify_use(process: &str, msg: &str) -> Vec<Use> {
    let name = |n: &str| {
        let n = n.trim();
        // `alice(uid=1000)` as newer PAM writes it.
        let n = n.split_once('(').map_or(n, |(name, _)| name).trim();
        (!n.is_empty() && !n.contains(char::is_whitespace)).then(|| n.to_owned())
    };
    let sign_in = |user: String, outcome, interactive, client: Option<String>| Use {
        channel: ActivityChannel::SignIn,
        interactive,
        outcome,
        user,
        client,
        su: None,
    };
    // OpenSSH 9.8 and later log authentication from `sshd-session`.
    if process == "sshd" || process == "sshd-session" {
        if let Some(rest) = msg.strip_prefix("Accepted ") {
            let Some((method, rest)) = rest.split_once(" for ") else {
                return Vec::new();
            };
            let user = rest.split_once(" from ").map_or(rest, |(u, _)| u);
            let Some(user) = name(user) else {
                return Vec::new();
            };
            // Keys are how automation logs in; a password or keyboard is a person.
            let interactive = method != "publickey";
            return vec![sign_in(
                user,
                Outcome::Succeeded,
                interactive,
                Some(format!("ssh {method}")),
            )];
        }
        for method in ["password", "keyboard-interactive/pam"] {
            let Some(rest) = msg
                .strip_prefix("Failed ")
                .and_then(|r| r.strip_prefix(method))
                .and_then(|r| r.strip_prefix(" for "))
            else {
                continue;
            };
            let rest = rest.strip_prefix("invalid user ").unwrap_or(rest);
            let user = rest.split_once(" from ").map_or(rest, |(u, _)| u);
            return name(user)
                .map(|user| sign_in(user, Outcome::Failed, true, Some(format!("ssh {method}"))))
                .into_iter()
                .collect();
        }
        return Vec::new();
    }
    // A switch made at a terminal by a logged-in person is interactive; one with no login
    // name (PAM's `by (uid=0)` from cron or a daemon) or no terminal (`on none`) is a script's.
    let su_by = |target: &str, by: &str, outcome, form, terminal: bool| {
        let target = name(target)?;
        let by = name(by).unwrap_or_default();
        let client = if by.is_empty() {
            "su".to_owned()
        } else {
            format!("su by {by}")
        };
        let interactive = terminal && !by.is_empty();
        Some(Use {
            su: Some((form, by)),
            ..sign_in(target, outcome, interactive, Some(client))
        })
    };
    for prefix in ["pam_unix(su:session): ", "pam_unix(su-l:session): "] {
        if let Some(rest) = msg
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix("session opened for user "))
        {
            let (target, by) = rest.split_once(" by ").unwrap_or((rest, ""));
            return su_by(target, by, Outcome::Succeeded, SuForm::Pam, true)
                .into_iter()
                .collect();
        }
    }
    if process == "su" {
        let (failed, rest) = match msg.strip_prefix("FAILED SU ") {
            Some(rest) => (true, rest),
            None => (false, msg),
        };
        if let Some((target, by)) = rest.strip_prefix("(to ").and_then(|r| r.split_once(") ")) {
            let (by, tty) = by.split_once(" on ").unwrap_or((by, ""));
            let outcome = if failed {
                Outcome::Failed
            } else {
                Outcome::Succeeded
            };
            return su_by(target, by, outcome, SuForm::To, is_terminal(tty))
                .into_iter()
                .collect();
        }
        if let Some((target, by)) = msg
            .strip_prefix("Successful su for ")
            .and_then(|r| r.split_once(" by "))
        {
            return su_by(target, by, Outcome::Succeeded, SuForm::To, true)
                .into_iter()
                .collect();
        }
        return Vec::new();
    }
    if process == "sudo" {
        return sudo_uses(msg, name);
    }
    Vec::new()
}

/// Whether a tty named in a log line is a terminal: `pts/0`, `tty1`, `console`, not `none`,
/// `unknown` or nothing (a command run without one, by cron or a script).
fn is_terminal(tty: &str) -> bool {
    let tty = tty.trim();
    !tty.is_empty() && !tty.eq_ignore_ascii_case("none") && !tty.eq_ignore_ascii_case("unknown")
}

/// `A : TTY=pts/0 ; PWD=/home/a ; USER=X ; COMMAND=/bin/ls` — A's API call, and, when X is
/// not root, a sign-in of X (a person acting as that user). A refusal (`A : 3 incorrect
/// password attempts ; TTY=… ; USER=X ; …`) is A's failed call. Both are interactive when
/// run at a terminal; `TTY=unknown` is a script or cron job.
fn sudo_uses(msg: &str, name: impl Fn(&str) -> Option<String>) -> Vec<Use> {
    let Some((invoker, rest)) = msg.split_once(" : ") else {
        return Vec::new();
    };
    let Some(invoker) = name(invoker) else {
        return Vec::new();
    };
    let fields: Vec<&str> = rest.split(" ; ").map(str::trim).collect();
    let field = |key: &str| fields.iter().find_map(|f| f.strip_prefix(key));
    let Some(first) = fields.first() else {
        return Vec::new();
    };
    // Only command lines: each names the target user; continuations of a long command do not
    // count again.
    if first.starts_with("(command continued)") || field("USER=").is_none() {
        return Vec::new();
    }
    let refused = !first.contains('=');
    let interactive = field("TTY=").is_some_and(is_terminal);
    let mut uses = vec![Use {
        channel: ActivityChannel::ApiCall,
        interactive,
        outcome: if refused {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        },
        user: invoker.clone(),
        client: None,
        su: None,
    }];
    if let Some(target) = field("USER=").and_then(&name) {
        if !refused && target != "root" && target != invoker {
            uses.push(Use {
                channel: ActivityChannel::SignIn,
                interactive,
                outcome: Outcome::Succeeded,
                user: target,
                client: Some(format!("sudo by {invoker}")),
                su: None,
            });
        }
    }
    uses
}

/// One log message, from either input, before classification.
struct Entry<'a> {
    line: u64,
    at: Option<DateTime<Utc>>,
    /// Why `at` is missing, for the diagnostic a relevant line gets.
    time_problem: Option<String>,
    /// The entry carries no time at all (a warning), rather than one that cannot be read
    /// or dated (an invalid row).
    time_absent: bool,
    host: Option<&'a str>,
    process: &'a str,
    message: &'a str,
    valid_utf8: bool,
}

/// An access change named by a shadow-utils or PAM message.
#[derive(Debug, PartialEq, Eq)]
struct Change {
    kind: Kind,
    user: String,
    group: Option<String>,
    actor: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Action(ProvisioningAction),
    Failed(ProvisioningAction, String),
    /// An expiry change, decided against the event's own time (no clock in the importer).
    Expiry {
        from: String,
        to: String,
    },
}

/// Names the access change a message records, or `None` for messages that change no access.
fn classify(process: &str, msg: &str) -> Option<Change> {
    use ProvisioningAction as A;
    let change = |kind, user: &str, group: Option<&str>, actor: Option<&str>| {
        let user = user.trim();
        (!user.is_empty()).then(|| Change {
            kind,
            user: user.to_owned(),
            group: group.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()),
            actor: actor.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()),
        })
    };
    // Messages are matched whatever the process, since distributions move them between tools
    // (useradd -G and usermod -aG log the same line), but only for account-management tools.
    let tool = matches!(
        process,
        "useradd"
            | "userdel"
            | "usermod"
            | "gpasswd"
            | "passwd"
            | "chpasswd"
            | "newusers"
            | "adduser"
            | "deluser"
            | "chage"
            | "groupmems"
    );
    if !tool {
        return None;
    }
    if let Some(rest) = msg.strip_prefix("new user: ") {
        let name = key_value(rest, "name")?;
        return change(Kind::Action(A::CreateAccount), name, None, None);
    }
    if let Some((user, _)) = msg
        .strip_prefix("failed adding user '")
        .and_then(|rest| rest.split_once('\''))
    {
        return change(
            Kind::Failed(A::CreateAccount, msg.to_owned()),
            user,
            None,
            None,
        );
    }
    if let Some([user]) = captures(msg, "delete user '{}'") {
        return change(Kind::Action(A::Delete), user, None, None);
    }
    if msg.contains(" shadow group ") {
        // The /etc/gshadow twin of a membership line: counting it would double the grant.
        return None;
    }
    if let Some([user, group]) = captures(msg, "add '{}' to group '{}'") {
        return change(Kind::Action(A::Grant), user, Some(group), None);
    }
    if let Some([user, group]) = captures(msg, "delete '{}' from group '{}'") {
        return change(Kind::Action(A::Revoke), user, Some(group), None);
    }
    if let Some([user, actor, group]) = captures(msg, "user {} added by {} to group {}") {
        return change(Kind::Action(A::Grant), user, Some(group), Some(actor));
    }
    if let Some([user, actor, group]) = captures(msg, "user {} removed by {} from group {}") {
        return change(Kind::Action(A::Revoke), user, Some(group), Some(actor));
    }
    if let Some([user]) = captures(msg, "lock user '{}' password") {
        return change(Kind::Action(A::Disable), user, None, None);
    }
    if let Some([user]) = captures(msg, "unlock user '{}' password") {
        return change(Kind::Action(A::Enable), user, None, None);
    }
    if let Some([user]) = captures(msg, "change user '{}' password") {
        return change(Kind::Action(A::CredentialRotated), user, None, None);
    }
    if let Some([user, from, to]) = captures(msg, "change user '{}' expiration from '{}' to '{}'") {
        let kind = Kind::Expiry {
            from: from.to_owned(),
            to: to.to_owned(),
        };
        return change(kind, user, None, None);
    }
    if let Some([user, actor]) = captures(msg, "password for '{}' changed by '{}'") {
        return change(Kind::Action(A::CredentialRotated), user, None, Some(actor));
    }
    if msg.starts_with("pam_unix(") {
        if let Some((_, user)) = msg.split_once("): password changed for ") {
            return change(Kind::Action(A::CredentialRotated), user, None, None);
        }
    }
    None
}

/// Why a `userdel` or `groupdel` line that records no access change is skipped, for the
/// skip key `<process> (<reason>)`; `None` leaves the key the bare process name.
///
/// `userdel` is revocation evidence where it says so and is imported there: `delete user 'U'`
/// is the account's deletion and `delete 'U' from group 'G'` a revoke. Its other lines are
/// not: the `/etc/gshadow` twins repeat a revoke already counted, and `removed group 'U'
/// owned by 'U'` is the user's private group going with the account (its deletion, already
/// recorded, is what ends the access). `groupdel` removes a group definition; its members
/// lose the membership, but the line names none of them, so there is no account to revoke
/// anything from: importing it would need the members from elsewhere (a snapshot, or the
/// grants earlier in the file), and a revocation without an account is no evidence.
fn skip_reason(process: &str, msg: &str) -> Option<&'static str> {
    match process {
        "userdel" if msg.contains(" shadow group ") => {
            Some("gshadow twin of a line already counted")
        }
        "userdel" if captures::<2>(msg, "removed group '{}' owned by '{}'").is_some() => {
            Some("the user's private group, removed with the account")
        }
        "groupdel" if msg.starts_with("group '") && msg.contains("' removed") => {
            Some("group definition removed; the line names no members")
        }
        _ => None,
    }
}

/// Decides whether an expiry change disabled or re-enabled the account at the time it was made.
fn expiry_action(from: &str, to: &str, at: DateTime<Utc>) -> Option<ProvisioningAction> {
    let today = at.date_naive();
    // `never`, `-1` and an empty value all mean "does not expire".
    let expired = |value: &str| {
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
            .ok()
            .is_some_and(|d| d <= today)
    };
    if expired(to) {
        Some(ProvisioningAction::Disable)
    } else if expired(from) {
        Some(ProvisioningAction::Enable)
    } else {
        None
    }
}

/// The value of `key=` in a `k=v, k=v` list.
fn key_value<'a>(list: &'a str, key: &str) -> Option<&'a str> {
    list.split(',').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == key).then_some(v.trim())
    })
}

/// Matches `msg` against a template whose `{}` holes capture text; the last hole runs to the
/// end (or up to the template's final literal, which must end the message).
fn captures<'a, const N: usize>(msg: &'a str, template: &str) -> Option<[&'a str; N]> {
    let mut pieces = template.split("{}");
    let mut rest = msg.strip_prefix(pieces.next()?)?;
    let mut out = [""; N];
    let literals: Vec<&str> = pieces.collect();
    if literals.len() != N {
        return None;
    }
    for (i, (slot, lit)) in out.iter_mut().zip(&literals).enumerate() {
        if i + 1 == N {
            *slot = if lit.is_empty() {
                rest
            } else {
                rest.strip_suffix(lit)?
            };
        } else {
            let (cap, after) = rest.split_once(lit)?;
            *slot = cap;
            rest = after;
        }
    }
    out.iter().all(|c| !c.trim().is_empty()).then_some(out)
}

/// The one year in which `month`/`day` falls inside the reporting period, if exactly one does.
fn period_year(period: Option<(NaiveDate, NaiveDate)>, month: u32, day: u32) -> Option<i32> {
    let (start, end) = period?;
    let mut years = (start.year()..=end.year()).filter(|&y| {
        NaiveDate::from_ymd_opt(y, month, day).is_some_and(|d| d >= start && d <= end)
    });
    let year = years.next()?;
    years.next().is_none().then_some(year)
}

/// The latest year in which the local time `naive` in `zone` is not after `modified`.
fn year_before(
    modified: DateTime<Utc>,
    zone: Zone,
    naive: (u32, u32, u32, u32, u32),
) -> Option<i32> {
    let (month, day, h, m, s) = naive;
    let top = modified.year();
    (top.checked_sub(4)?..=top).rev().find(|&y| {
        NaiveDate::from_ymd_opt(y, month, day)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .and_then(|local| zone.to_utc(local))
            .is_some_and(|t| t <= modified)
    })
}

fn month_day(month: u32, day: u32) -> String {
    NaiveDate::from_ymd_opt(2000, month, day).map_or_else(
        || format!("{month:02}-{day:02}"),
        |d| d.format("%b %-d").to_string(),
    )
}

/// A syslog line's timestamp: complete, or RFC 3164's month, day and time of day only.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stamp {
    Full(DateTime<FixedOffset>),
    NoYear((u32, u32, u32, u32, u32)),
}

#[derive(Debug, PartialEq)]
struct SyslogLine<'a> {
    stamp: Stamp,
    stamp_text: &'a str,
    host: Option<&'a str>,
    process: &'a str,
    message: &'a str,
}

/// Splits a syslog line into timestamp, host, process and message.
fn parse_syslog(line: &str) -> Option<SyslogLine<'_>> {
    let line = line.trim_end_matches(['\r', '\n']);
    // An optional `<PRI>` prefix, as written by some relays and `logger --rfc5424`.
    let line = match line.strip_prefix('<') {
        Some(rest) => {
            let (pri, after) = rest.split_once('>')?;
            if pri.is_empty() || pri.len() > 3 || !pri.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            after
        }
        None => line,
    };
    if let Some(rest) = line.strip_prefix("1 ") {
        return parse_rfc5424(rest);
    }
    let (stamp, stamp_text, rest) = if line.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let (text, rest) = line.split_once(' ')?;
        (Stamp::Full(parse_full_stamp(text)?), text, rest)
    } else {
        // `Mmm dd hh:mm:ss`: three words, the day possibly space-padded.
        let (mon, after) = line.split_once(' ')?;
        let (day, after) = after.trim_start().split_once(' ')?;
        let (time, rest) = after.split_once(' ')?;
        let text = line.get(..line.len() - rest.len() - 1)?;
        (Stamp::NoYear(parse_bsd_stamp(mon, day, time)?), text, rest)
    };
    let rest = rest.trim_start();
    let (host, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if host.is_empty() {
        return None;
    }
    let (process, message) = split_tag(rest.trim_start());
    Some(SyslogLine {
        stamp,
        stamp_text,
        host: Some(host),
        process,
        message,
    })
}

/// `name[pid]: message` or `name: message`; a line without a tag has no process.
fn split_tag(rest: &str) -> (&str, &str) {
    match rest.split_once(": ") {
        Some((tag, message)) if !tag.is_empty() && !tag.contains(' ') => {
            let name = tag.split_once('[').map_or(tag, |(name, _)| name);
            (name.trim_end_matches(':'), message)
        }
        _ => match rest.strip_suffix(':') {
            Some(tag) if !tag.contains(' ') => (tag.split_once('[').map_or(tag, |(n, _)| n), ""),
            _ => ("", rest),
        },
    }
}

/// `TIMESTAMP HOST APP PROCID MSGID [SD] MSG` after the RFC 5424 version.
fn parse_rfc5424(line: &str) -> Option<SyslogLine<'_>> {
    let mut rest = line;
    let mut next = || {
        let (word, after) = rest.split_once(' ').unwrap_or((rest, ""));
        rest = after;
        word
    };
    let stamp_text = next();
    let host = next();
    let app = next();
    let _procid = next();
    let _msgid = next();
    let stamp = Stamp::Full(parse_full_stamp(stamp_text)?);
    // Structured data is `-` or one or more `[...]` blocks in which `\]` is escaped.
    let mut message = rest;
    if let Some(after) = message.strip_prefix('-') {
        message = after;
    } else {
        while message.starts_with('[') {
            let (mut escaped, mut quoted) = (false, false);
            let end = message.char_indices().find_map(|(i, c)| {
                let closes = c == ']' && !escaped && !quoted;
                quoted ^= c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes.then_some(i)
            })?;
            message = message.get(end + 1..)?;
        }
    }
    let message = message.strip_prefix(' ').unwrap_or(message);
    let message = message.strip_prefix('\u{feff}').unwrap_or(message);
    let host = (host != "-").then_some(host);
    let process = if app == "-" { "" } else { app };
    Some(SyslogLine {
        stamp,
        stamp_text,
        host,
        process,
        message,
    })
}

/// RFC 3339, or ISO 8601 with a `+hhmm` offset as journalctl writes it.
fn parse_full_stamp(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
}

fn parse_bsd_stamp(mon: &str, day: &str, time: &str) -> Option<(u32, u32, u32, u32, u32)> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == mon)? as u32 + 1;
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let mut parts = time.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((month, day, h, m, s.min(59)))
}

/// Where the fields a Sentinel `Syslog` export needs sit in its header.
#[derive(Debug)]
struct CsvColumns {
    message: usize,
    process: usize,
    event_time: Option<usize>,
    generated: Option<usize>,
    host: Option<usize>,
    computer: Option<usize>,
}

impl CsvColumns {
    /// `None` when the line is not a Syslog export header at all; `Some(Err)` when it is one
    /// but lacks what an import needs.
    fn from_header(line: &str) -> Option<Result<CsvColumns, String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let header = reader.records().next()?.ok()?;
        let find = |want: &str, zoned: bool| {
            header.iter().position(|name| {
                let name = name.trim();
                let (base, suffix) = match name.split_once(" [") {
                    Some((base, suffix)) => (base, Some(suffix.trim_end_matches(']'))),
                    None => (name, None),
                };
                // A time column shown in local time would shift every record: only UTC is used.
                base.eq_ignore_ascii_case(want) && (!zoned || suffix.is_none_or(|s| s == "UTC"))
            })
        };
        let message = find("SyslogMessage", false)?;
        let Some(process) = find("ProcessName", false) else {
            return Some(Err("the Syslog export has no ProcessName column".into()));
        };
        let event_time = find("EventTime", true);
        let generated = find("TimeGenerated", true);
        if event_time.is_none() && generated.is_none() {
            return Some(Err(
                "the Syslog export has no EventTime or TimeGenerated column in \
                             UTC; export it with UTC times"
                    .into(),
            ));
        }
        let host = find("HostName", false);
        let computer = find("Computer", false);
        Some(Ok(CsvColumns {
            message,
            process,
            event_time,
            generated,
            host,
            computer,
        }))
    }
}

/// Counts the bytes read so a runaway CSV record (an unclosed quote, a giant field) stops the
/// import instead of filling memory.
struct Limited<R> {
    inner: R,
    read: Rc<Cell<u64>>,
    limit_at: Rc<Cell<u64>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.get() > self.limit_at.get() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, TooLong));
        }
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too long")
    }
}

impl std::error::Error for TooLong {}

/// Where the CSV reader starts in the file: bytes already consumed (blank lines, a BOM, the
/// header with its real line ending) and bytes fed to it again (the header as re-read).
#[derive(Debug, Clone, Copy)]
struct Resume {
    consumed: u64,
    refed: u64,
}

impl Resume {
    /// The file position after the CSV reader has pulled `read` bytes; never behind
    /// `consumed`, so progress only moves forward.
    fn position(self, read: u64) -> u64 {
        self.consumed + read.saturating_sub(self.refed)
    }
}

fn read_csv(
    run: &mut Run<'_>,
    input: impl Read,
    columns: &CsvColumns,
    (line_offset, resume): (u64, Resume),
    max: usize,
) -> Result<(), ImportError> {
    let read = Rc::new(Cell::new(0u64));
    let limit_at = Rc::new(Cell::new(max as u64));
    let limited = Limited {
        inner: input,
        read: Rc::clone(&read),
        limit_at: Rc::clone(&limit_at),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(limited);
    let mut record = csv::ByteRecord::new();
    // Reading the header first makes the reader's position name each record's line, even for
    // a record that fails to read.
    if let Err(err) = reader.byte_headers() {
        if let csv::ErrorKind::Io(_) = err.kind() {
            run.diag(
                line_offset + 1,
                format!("the header could not be read: {err}"),
            );
            return Ok(());
        }
    }
    loop {
        let line = line_offset + reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let is_too_long = matches!(err.kind(), csv::ErrorKind::Io(e)
                    if e.get_ref().is_some_and(|inner| inner.is::<TooLong>()));
                if is_too_long {
                    run.summary.rows += 1;
                    run.diag(
                        line,
                        format!(
                            "a record longer than {} MiB (an unclosed quote?); the rest of the \
                             file was not read",
                            max >> 20
                        ),
                    );
                    break;
                }
                if let csv::ErrorKind::Io(_) = err.kind() {
                    let source = match err.into_kind() {
                        csv::ErrorKind::Io(e) => e,
                        _ => io::Error::other("read error"),
                    };
                    return Err(ImportError::Io {
                        file: run.ctx.file_name.clone(),
                        source,
                    });
                }
                run.summary.rows += 1;
                run.diag(line, format!("unreadable CSV record: {err}"));
                continue;
            }
        }
        let line = record.position().map_or(line, |p| line_offset + p.line());
        run.bytes = resume.position(read.get());
        limit_at.set(read.get().saturating_add(max as u64));
        run.csv_row(line, &record, columns);
        if run.sink_error.is_some() {
            break;
        }
        run.tick();
    }
    run.bytes = resume.position(read.get());
    Ok(())
}

impl Run<'_> {
    fn csv_row(&mut self, line: u64, record: &csv::ByteRecord, c: &CsvColumns) {
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            return;
        }
        self.summary.rows += 1;
        let field = |i: Option<usize>| -> Option<String> {
            let raw = record.get(i?)?;
            let text = String::from_utf8_lossy(raw).trim().to_owned();
            (!text.is_empty()).then_some(text)
        };
        let valid_utf8 = record.iter().all(|f| std::str::from_utf8(f).is_ok());
        let message = field(Some(c.message)).unwrap_or_default();
        let mut process = field(Some(c.process)).unwrap_or_default();
        let mut message_body = message.as_str();
        if process.is_empty() {
            // Some collectors leave ProcessName empty and keep the syslog tag in the message.
            let (tag, body) = split_tag(&message);
            if !tag.is_empty() {
                process = tag.to_owned();
                message_body = body;
            }
        }
        let mut time_problem = None;
        let mut at = None;
        for (index, name) in [(c.event_time, "EventTime"), (c.generated, "TimeGenerated")] {
            let Some(text) = field(index) else { continue };
            match parse_export_time(&text) {
                Some(t) => {
                    at = Some(t);
                    break;
                }
                None => {
                    time_problem.get_or_insert_with(|| {
                        format!(
                            "{name} `{text}` is not a time (expected `7/30/2023, 6:29:52.657 PM` \
                             or ISO 8601)"
                        )
                    });
                }
            }
        }
        let time_absent = at.is_none() && time_problem.is_none();
        let time_problem =
            time_problem.or_else(|| Some("the row has no EventTime or TimeGenerated".into()));
        let host = field(c.host).or_else(|| field(c.computer));
        self.entry(Entry {
            line,
            at,
            time_problem,
            time_absent,
            host: host.as_deref(),
            process: &process,
            message: message_body,
            valid_utf8,
        });
    }
}

/// Parses the times a Log Analytics export writes: the portal's US-locale text or ISO 8601.
fn parse_export_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    const FORMATS: [&str; 4] = [
        "%m/%d/%Y, %I:%M:%S%.f %p",
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|naive| naive.and_utc())
}

/// Reads one line (without its terminator) into `buf`. `Ok(None)` at the end of input;
/// `Ok(Some(false))` when the line was longer than `max`, in which case the rest of it is
/// read and dropped so that memory stays bounded and the next line can be read.
fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
    consumed: &mut u64,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut fits = true;
    let mut any = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        if fits {
            let (piece, _) = chunk.split_at(take);
            if buf.len() + piece.len() > max.saturating_add(2) {
                fits = false;
                buf.clear();
                buf.shrink_to(64 * 1024);
            } else {
                buf.extend_from_slice(piece);
            }
        }
        reader.consume(take);
        *consumed += take as u64;
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    if fits && buf.len() > max {
        fits = false;
        buf.clear();
    }
    Ok(Some(fits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn run(text: &[u8]) -> (Vec<Execution>, ImportSummary) {
        run_limit(text, MAX_RECORD)
    }

    fn run_limit(text: &[u8], max: usize) -> (Vec<Execution>, ImportSummary) {
        let ctx = ImportContext::new("auth.log");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut input = text;
        let summary = import_with_limit(&mut input, &ctx, &mut sink, &mut |_| {}, max)
            .unwrap_or_else(|e| panic!("import failed: {e}"));
        let execs = sink
            .into_iter()
            .map(|(r, _)| match r {
                Record::Execution(e) => e,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        (execs, summary)
    }

    fn err(text: &[u8]) -> String {
        let ctx = ImportContext::new("auth.log");
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut input = text;
        match import(&mut input, &ctx, &mut sink, &mut |_| {}) {
            Err(e) => e.to_string(),
            Ok(s) => panic!("expected an error, got {s:?}"),
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("valid")
    }

    /// `userdel -r baduser2` and `groupdel testgroup` as shadow-utils logs them (the lines
    /// of the Sentinel sample): the deletion and the revoke are imported, every other line is
    /// skipped with its reason.
    #[test]
    fn userdel_and_groupdel_lines_that_change_no_access_are_skipped_with_a_reason() {
        let log = b"2023-07-30T18:29:50+00:00 zabbix userdel[190156]: delete user 'baduser2'\n\
            2023-07-30T18:29:50+00:00 zabbix userdel[190156]: delete 'baduser2' from group 'sudo'\n\
            2023-07-30T18:29:50+00:00 zabbix userdel[190156]: removed group 'baduser2' owned by 'baduser2'\n\
            2023-07-30T18:29:50+00:00 zabbix userdel[190156]: removed shadow group 'baduser2' owned by 'baduser2'\n\
            2023-07-30T18:29:50+00:00 zabbix userdel[190156]: delete 'baduser2' from shadow group 'sudo'\n\
            2023-07-30T18:33:37+00:00 zabbix groupdel[190506]: group 'testgroup' removed from /etc/group\n\
            2023-07-30T18:33:37+00:00 zabbix groupdel[190506]: group 'testgroup' removed from /etc/gshadow\n\
            2023-07-30T18:33:38+00:00 zabbix groupdel[190506]: group 'testgroup' removed\n";
        let (execs, summary) = run(log);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        let got: Vec<_> = execs
            .iter()
            .map(|e| (e.action, e.account.as_str(), e.entitlement.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (ProvisioningAction::Delete, "baduser2@zabbix", None),
                (ProvisioningAction::Revoke, "baduser2@zabbix", Some("sudo")),
            ]
        );
        assert_eq!(
            summary.skipped,
            [
                (
                    "groupdel (group definition removed; the line names no members)".to_owned(),
                    3
                ),
                (
                    "userdel (gshadow twin of a line already counted)".to_owned(),
                    2
                ),
                (
                    "userdel (the user's private group, removed with the account)".to_owned(),
                    1
                ),
            ]
            .into()
        );
    }

    #[test]
    fn classifies_shadow_utils_messages() {
        use ProvisioningAction as A;
        let check = |process: &str, msg: &str, want: Option<(A, &str, Option<&str>)>| {
            let got = classify(process, msg).map(|c| match c.kind {
                Kind::Action(a) | Kind::Failed(a, _) => (a, c.user, c.group),
                Kind::Expiry { .. } => (A::Disable, c.user, c.group),
            });
            let want = want.map(|(a, u, g)| (a, u.to_owned(), g.map(str::to_owned)));
            assert_eq!(got, want, "{process}: {msg}");
        };
        check(
            "useradd",
            "new user: name=bob, UID=1001, GID=1001, home=/home/bob",
            Some((A::CreateAccount, "bob", None)),
        );
        check(
            "useradd",
            "failed adding user 'bob', data deleted",
            Some((A::CreateAccount, "bob", None)),
        );
        check(
            "userdel",
            "delete user 'bob'",
            Some((A::Delete, "bob", None)),
        );
        check(
            "usermod",
            "add 'bob' to group 'sudo'",
            Some((A::Grant, "bob", Some("sudo"))),
        );
        check("usermod", "add 'bob' to shadow group 'sudo'", None);
        check(
            "userdel",
            "delete 'bob' from group 'sudo'",
            Some((A::Revoke, "bob", Some("sudo"))),
        );
        check(
            "gpasswd",
            "user bob added by root to group devs",
            Some((A::Grant, "bob", Some("devs"))),
        );
        check(
            "gpasswd",
            "user bob removed by root from group devs",
            Some((A::Revoke, "bob", Some("devs"))),
        );
        check(
            "usermod",
            "lock user 'bob' password",
            Some((A::Disable, "bob", None)),
        );
        check(
            "usermod",
            "unlock user 'bob' password",
            Some((A::Enable, "bob", None)),
        );
        check(
            "usermod",
            "change user 'bob' password",
            Some((A::CredentialRotated, "bob", None)),
        );
        check(
            "passwd",
            "password for 'bob' changed by 'root'",
            Some((A::CredentialRotated, "bob", None)),
        );
        check(
            "passwd",
            "pam_unix(passwd:chauthtok): password changed for bob",
            Some((A::CredentialRotated, "bob", None)),
        );
        check("usermod", "change user name 'bob' to 'rob'", None);
        check("groupadd", "new group: name=devs, GID=1002", None);
        check("sshd", "delete user 'bob'", None);
        check("useradd", "add '' to group 'x'", None);
        check(
            "usermod",
            "change user 'é' password",
            Some((A::CredentialRotated, "é", None)),
        );
    }

    #[test]
    fn classifies_sign_in_su_and_sudo_messages() {
        use ActivityChannel::{ApiCall, SignIn};
        use Outcome::{Failed, Succeeded};
        type Want<'a> = (ActivityChannel, &'a str, bool, Outcome, Option<&'a str>);
        let check = |process: &str, msg: &str, want: &[Want<'_>]| {
            let got = classify_use(process, msg);
            let got: Vec<Want<'_>> = got
                .iter()
                .map(|u| {
                    (
                        u.channel,
                        u.user.as_str(),
                        u.interactive,
                        u.outcome,
                        u.client.as_deref(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{process}: {msg}");
        };
        check(
            "sshd",
            "Accepted publickey for deploy from 10.0.0.1 port 51234 ssh2: ED25519 SHA256:x",
            &[(SignIn, "deploy", false, Succeeded, Some("ssh publickey"))],
        );
        check(
            "sshd-session",
            "Accepted password for alice from 10.0.0.1 port 51234 ssh2",
            &[(SignIn, "alice", true, Succeeded, Some("ssh password"))],
        );
        check(
            "sshd",
            "Accepted keyboard-interactive/pam for bob from ::1 port 2 ssh2",
            &[(
                SignIn,
                "bob",
                true,
                Succeeded,
                Some("ssh keyboard-interactive/pam"),
            )],
        );
        check(
            "sshd",
            "Failed password for invalid user admin from 1.2.3.4 port 22 ssh2",
            &[(SignIn, "admin", true, Failed, Some("ssh password"))],
        );
        check(
            "sshd",
            "Failed password for root from 1.2.3.4 port 22 ssh2",
            &[(SignIn, "root", true, Failed, Some("ssh password"))],
        );
        check(
            "sshd",
            "Failed publickey for root from 1.2.3.4 port 22 ssh2",
            &[],
        );
        check(
            "sshd",
            "Failed password for invalid user  from 1.2.3.4",
            &[],
        );
        check("sshd", "Accepted password", &[]);
        check(
            "sshd",
            "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
            &[],
        );
        check("cron", "Accepted password for alice from x", &[]);
        check(
            "su",
            "pam_unix(su:session): session opened for user root by alice(uid=1000)",
            &[(SignIn, "root", true, Succeeded, Some("su by alice"))],
        );
        check(
            "su",
            "pam_unix(su-l:session): session opened for user svc-app(uid=998) by alice(uid=1000)",
            &[(SignIn, "svc-app", true, Succeeded, Some("su by alice"))],
        );
        // No login name: cron or a daemon switching user, not a person.
        check(
            "su",
            "pam_unix(su:session): session opened for user postgres by (uid=0)",
            &[(SignIn, "postgres", false, Succeeded, Some("su"))],
        );
        check(
            "su",
            "(to postgres) root on none",
            &[(SignIn, "postgres", false, Succeeded, Some("su by root"))],
        );
        check(
            "su",
            "(to svc-app) alice on pts/0",
            &[(SignIn, "svc-app", true, Succeeded, Some("su by alice"))],
        );
        check(
            "su",
            "FAILED SU (to root) alice on pts/0",
            &[(SignIn, "root", true, Failed, Some("su by alice"))],
        );
        check(
            "su",
            "Successful su for root by alice",
            &[(SignIn, "root", true, Succeeded, Some("su by alice"))],
        );
        check(
            "su",
            "pam_unix(su:session): session closed for user root",
            &[],
        );
        check(
            "sudo",
            "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
            &[(ApiCall, "alice", true, Succeeded, None)],
        );
        check(
            "sudo",
            "   alice : TTY=pts/0 ; PWD=/srv ; USER=svc-app ; COMMAND=/bin/bash",
            &[
                (ApiCall, "alice", true, Succeeded, None),
                (SignIn, "svc-app", true, Succeeded, Some("sudo by alice")),
            ],
        );
        check(
            "sudo",
            "alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=svc-app ; COMMAND=/bin/bash",
            &[(ApiCall, "alice", true, Failed, None)],
        );
        // A cron job or script: no terminal, so nobody's interactive use.
        check(
            "sudo",
            "backup : TTY=unknown ; PWD=/ ; USER=postgres ; COMMAND=/usr/bin/pg_dump",
            &[
                (ApiCall, "backup", false, Succeeded, None),
                (SignIn, "postgres", false, Succeeded, Some("sudo by backup")),
            ],
        );
        check(
            "sudo",
            "root : PWD=/ ; USER=www-data ; COMMAND=/usr/bin/php",
            &[
                (ApiCall, "root", false, Succeeded, None),
                (SignIn, "www-data", false, Succeeded, Some("sudo by root")),
            ],
        );
        check("sudo", "alice : (command continued) --verbose", &[]);
        check(
            "sudo",
            "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
            &[],
        );
    }

    /// Runs the whole import, activity summaries included.
    fn run_capture(
        text: &[u8],
        capture: crate::ActivityCapture,
    ) -> (ImportSummary, Vec<(Record, Origin)>) {
        crate::activity::import_capturing(crate::Format::Linux, "auth.log", text, capture)
    }

    fn activity(sink: &[(Record, Origin)]) -> Vec<&evidentia_domain::ActivitySummary> {
        crate::activity::summaries_in(sink)
    }

    const AUTH_LOG: &[u8] = b"2024-03-01T09:00:00Z web1 sshd[1]: Accepted password for alice from 10.0.0.9 port 5 ssh2\n\
        2024-03-01T08:00:00Z web1 sshd[2]: Accepted publickey for deploy from 10.0.0.8 port 6 ssh2\n\
        2024-03-02T09:00:00Z WEB1 sshd[3]: Accepted password for alice from 10.0.0.9 port 7 ssh2\n\
        2024-03-02T09:01:00Z web1 sshd[4]: Failed password for invalid user oracle from 1.2.3.4 port 8 ssh2\n\
        2024-03-02T09:02:00Z web1 sudo:    alice : TTY=pts/0 ; PWD=/srv ; USER=svc-app ; COMMAND=/bin/bash\n\
        2024-03-02T09:03:00Z web1 sudo:    alice : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/id\n\
        2024-03-02T09:04:00Z web1 su[9]: (to svc-app) alice on pts/0\n\
        2024-03-02T09:04:01Z web1 su[9]: pam_unix(su:session): session opened for user svc-app(uid=998) by alice(uid=1000)\n\
        2024-03-02T09:05:00Z web1 CRON[10]: pam_unix(cron:session): session opened for user root by (uid=0)\n";

    #[test]
    fn sign_ins_su_and_sudo_become_summaries_named_user_at_host() {
        let (summary, sink) = run_capture(AUTH_LOG, crate::ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        // su's second line for the same switch is its twin, not a second sign-in.
        assert_eq!(
            summary.skipped,
            [("CRON".to_owned(), 1), ("su".to_owned(), 1)].into()
        );
        let got: Vec<_> = activity(&sink)
            .iter()
            .map(|a| {
                assert_eq!(a.system.as_str(), "linux");
                assert!(a.first.source_event_id.is_none());
                (
                    a.account.as_str(),
                    a.channel,
                    a.interactive,
                    a.outcome,
                    a.count,
                    a.first.location.as_str(),
                    a.last.location.as_str(),
                )
            })
            .collect();
        use ActivityChannel::{ApiCall, SignIn};
        use Outcome::{Failed, Succeeded};
        assert_eq!(
            got,
            [
                ("alice@web1", SignIn, true, Succeeded, 2, "line 1", "line 3"),
                (
                    "alice@web1",
                    ApiCall,
                    true,
                    Succeeded,
                    2,
                    "line 5",
                    "line 6"
                ),
                (
                    "deploy@web1",
                    SignIn,
                    false,
                    Succeeded,
                    1,
                    "line 2",
                    "line 2"
                ),
                ("oracle@web1", SignIn, true, Failed, 1, "line 4", "line 4"),
                (
                    "svc-app@web1",
                    SignIn,
                    true,
                    Succeeded,
                    2,
                    "line 5",
                    "line 7"
                ),
            ]
        );
        let found = activity(&sink);
        assert_eq!(found[0].event_types, ["sshd"]);
        assert_eq!(found[0].clients, ["ssh password"]);
        assert_eq!(found[0].days[0].to_string(), "2024-03-01/2024-03-02");
        assert_eq!(found[4].event_types, ["su", "sudo"]);
        assert_eq!(found[4].clients, ["su by alice", "sudo by alice"]);
    }

    #[test]
    fn capture_levels_decide_what_is_kept() {
        let (summary, sink) = run_capture(AUTH_LOG, crate::ActivityCapture::SignIns);
        // The sudo command to root is only an API call, so it is skipped; the one to svc-app
        // is still svc-app's sign-in.
        assert_eq!(
            summary.skipped,
            [
                ("CRON".to_owned(), 1),
                ("su".to_owned(), 1),
                ("sudo".to_owned(), 1)
            ]
            .into()
        );
        assert!(
            activity(&sink)
                .iter()
                .all(|a| a.channel == ActivityChannel::SignIn)
        );
        assert_eq!(activity(&sink).len(), 4);

        let (summary, sink) = run_capture(AUTH_LOG, crate::ActivityCapture::None);
        assert!(sink.is_empty());
        assert_eq!(
            summary.skipped,
            [
                ("CRON".to_owned(), 1),
                ("sshd".to_owned(), 4),
                ("su".to_owned(), 2),
                ("sudo".to_owned(), 2)
            ]
            .into()
        );
    }

    #[test]
    fn undated_activity_lines_are_skipped_with_one_warning_not_a_failed_file() {
        let log = b"Mar  1 09:00:00 web1 sshd[1]: Accepted password for alice from 10.0.0.9 port 5 ssh2\n\
            Mar  1 09:00:05 web1 sudo:    alice : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/id\n\
            Mar  1 09:00:06 web1 CRON[2]: noise\n\
            2024-03-01T09:01:00+01:00 web1 cron[3]: tick\n\
            Mar  1 09:02:00 web1 sshd[1]: Accepted password for alice from 10.0.0.9 port 5 ssh2\n\
            2024-03-01T09:03:00+01:00 web1 sshd[1]: Accepted publickey for \xff\xfe from 10.0.0.9 port 5 ssh2\n";
        let (summary, sink) = run_capture(log, crate::ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(
            summary.skipped,
            [
                ("CRON".to_owned(), 1),
                ("cron".to_owned(), 1),
                ("sshd (not UTF-8)".to_owned(), 1),
                ("sshd (undated)".to_owned(), 1),
                ("sudo (undated)".to_owned(), 1),
            ]
            .into()
        );
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        let w = &summary.warnings[0];
        assert_eq!(w.location, Location::Line(1));
        assert!(
            w.reason.starts_with("2 sign-in, su or sudo line(s)"),
            "{}",
            w.reason
        );
        assert!(
            w.reason.contains("`Mar  1 09:00:00` has no year"),
            "{}",
            w.reason
        );
        // Line 5 takes its year and zone from line 4.
        let found = activity(&sink);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].first.location, "line 5");
        assert_eq!(found[0].first.at, utc(2024, 3, 1, 8, 2, 0));

        // `none` reads these lines as before: skipped by process, no warning.
        let (summary, _) = run_capture(log, crate::ActivityCapture::None);
        assert!(summary.warnings.is_empty());
        assert_eq!(summary.skipped.get("sshd"), Some(&3));
    }

    #[test]
    fn sentinel_csv_sign_ins_and_rows_without_time() {
        let csv = format!(
            "{HEADER}t,\"7/30/2023, 6:31:41.989 PM\",Zabbix,\"7/30/2023, 6:31:40.000 PM\",Zabbix,\"Accepted password for LocalAdmin from 10.1.1.1 port 22 ssh2\",sshd\n\
             t,,zabbix,,zabbix,\"Accepted password for LocalAdmin from 10.1.1.1 port 22 ssh2\",sshd\n"
        );
        let (summary, sink) = run_capture(csv.as_bytes(), crate::ActivityCapture::All);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(summary.skipped, [("sshd (undated)".to_owned(), 1)].into());
        assert_eq!(summary.warnings.len(), 1);
        assert_eq!(summary.warnings[0].location, Location::Line(3));
        let found = activity(&sink);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].account, "LocalAdmin@zabbix");
        assert!(found[0].interactive);
        assert_eq!(found[0].first.at, utc(2023, 7, 30, 18, 31, 40));
        assert_eq!(found[0].first.location, "line 2");
    }

    #[test]
    fn expiry_changes_are_decided_against_the_event_time() {
        let at = utc(2023, 7, 30, 18, 0, 0);
        assert_eq!(
            expiry_action("never", "1970-01-02", at),
            Some(ProvisioningAction::Disable)
        );
        assert_eq!(
            expiry_action("1970-01-02", "never", at),
            Some(ProvisioningAction::Enable)
        );
        assert_eq!(expiry_action("never", "2030-01-01", at), None);
        assert_eq!(
            expiry_action("2023-07-30", "2030-01-01", at),
            Some(ProvisioningAction::Enable)
        );
    }

    #[test]
    fn parses_the_three_syslog_shapes() {
        let bsd =
            parse_syslog("Mar  1 12:00:01 host useradd[123]: new user: name=bob").expect("bsd");
        assert_eq!(bsd.stamp, Stamp::NoYear((3, 1, 12, 0, 1)));
        assert_eq!(
            (bsd.host, bsd.process, bsd.message),
            (Some("host"), "useradd", "new user: name=bob")
        );
        assert_eq!(bsd.stamp_text, "Mar  1 12:00:01");

        let iso = parse_syslog("2024-03-01T12:00:01.123456+01:00 h usermod[9]: x").expect("iso");
        assert!(matches!(iso.stamp, Stamp::Full(_)));
        assert_eq!((iso.process, iso.message), ("usermod", "x"));
        let journal = parse_syslog("2024-03-01T12:00:01+0100 h sudo: x").expect("journalctl");
        let hour = |s: Stamp| match s {
            Stamp::Full(dt) => dt.with_timezone(&Utc).format("%H:%M").to_string(),
            Stamp::NoYear(_) => String::new(),
        };
        assert_eq!(hour(journal.stamp), "11:00");
        let r5424 = parse_syslog("<86>1 2024-03-01T12:00:01Z h gpasswd 77 - [a x=\"\\]\"][b y=\"z\"] user b added by r to group g")
            .expect("5424");
        assert_eq!(
            (r5424.process, r5424.message),
            ("gpasswd", "user b added by r to group g")
        );
        assert!(parse_syslog("hello world").is_none());
        assert!(parse_syslog("Foo  1 12:00:01 host x: y").is_none());
        assert!(parse_syslog("Mar 41 12:00:01 host x: y").is_none());
        assert!(parse_syslog("<99999>1 x").is_none());
    }

    #[test]
    fn syslog_lines_become_executions_with_host_qualified_accounts() {
        let log = b"2024-03-01T12:00:00+00:00 web1 sshd[1]: Accepted publickey for alice\n\
            2024-03-01T12:00:01+00:00 Web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/sbin/useradd -m bob\n\
            2024-03-01T12:00:02+00:00 web1 useradd[5]: new user: name=bob, UID=1001, GID=1001\n\
            2024-03-01T12:00:03+00:00 web1 gpasswd[6]: user bob added by root to group devs\n\
            \n\
            2024-03-01T12:30:03+00:00 web1 userdel[7]: delete user 'bob'\n";
        let (execs, summary) = run(log);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(summary.rows, 5);
        // The SSH login and the sudo command line are activity, not skipped.
        assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
        assert_eq!(summary.activity.observed, 2);
        assert_eq!(execs.len(), 3);
        let create = &execs[0];
        assert_eq!(create.account, "bob@web1");
        assert_eq!(create.action, ProvisioningAction::CreateAccount);
        assert_eq!(
            create.actor.as_deref(),
            Some("alice@web1"),
            "sudo attribution"
        );
        assert_eq!(create.at, utc(2024, 3, 1, 12, 0, 2));
        assert_eq!(create.system.as_str(), "linux");
        assert_eq!(create.source_event_type.as_deref(), Some("useradd"));
        assert_eq!(execs[1].actor.as_deref(), Some("root@web1"));
        assert_eq!(execs[1].entitlement.as_deref(), Some("devs"));
        assert_eq!(
            execs[2].actor, None,
            "sudo was for useradd, not userdel, and long ago"
        );
    }

    #[test]
    fn rfc3164_lines_take_year_and_zone_from_an_earlier_full_line() {
        let log = b"Dec 31 23:59:00 h sshd[1]: noise\n\
            Dec 31 23:59:01 h useradd[2]: new user: name=a, UID=1\n\
            2023-12-31T23:59:30-05:00 h cron[3]: tick\n\
            Jan  1 00:00:05 h userdel[4]: delete user 'a'\n";
        let (execs, summary) = run(log);
        assert_eq!(summary.diagnostics.len(), 1);
        let d = &summary.diagnostics[0];
        assert_eq!(d.location, Location::Line(2));
        assert!(
            d.reason.contains("`Dec 31 23:59:01` has no year"),
            "{}",
            d.reason
        );
        assert_eq!(execs.len(), 1);
        assert_eq!(execs[0].at, utc(2024, 1, 1, 5, 0, 5));
    }

    fn run_with(text: &[u8], ctx: &ImportContext) -> (Vec<Execution>, ImportSummary) {
        let mut sink: Vec<(Record, Origin)> = Vec::new();
        let mut input = text;
        let summary = import_with_limit(&mut input, ctx, &mut sink, &mut |_| {}, MAX_RECORD)
            .unwrap_or_else(|e| panic!("import failed: {e}"));
        let execs = sink
            .into_iter()
            .filter_map(|(r, _)| match r {
                Record::Execution(e) => Some(e),
                _ => None,
            })
            .collect();
        (execs, summary)
    }

    /// A classic Debian auth.log: RFC 3164 stamps only, a useradd among sshd noise.
    const CLASSIC: &[u8] = b"Mar  3 09:14:02 bastion sshd[811]: Accepted publickey for ops from 10.0.0.5 port 50122 ssh2\n\
        Mar  3 09:15:40 bastion useradd[902]: new user: name=dana, UID=1004, GID=1004, home=/home/dana, shell=/bin/bash, from=/dev/pts/0\n\
        Jul 14 17:30:00 bastion userdel[1201]: delete user 'dana'\n";

    #[test]
    fn a_classic_auth_log_takes_its_year_from_the_command_line() {
        let ctx = ImportContext {
            year: Some(2025),
            timezone: Some(Zone::parse("Europe/Berlin").expect("zone")),
            ..ImportContext::new("auth.log")
        };
        let (execs, summary) = run_with(CLASSIC, &ctx);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(execs.len(), 2);
        // Berlin is UTC+1 in March and UTC+2 (summer time) in July.
        assert_eq!(execs[0].at, utc(2025, 3, 3, 8, 15, 40));
        assert_eq!(execs[0].account, "dana@bastion");
        assert_eq!(execs[1].at, utc(2025, 7, 14, 15, 30, 0));
    }

    #[test]
    fn a_classic_auth_log_takes_its_year_from_the_policy_period_when_unambiguous() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let ctx = ImportContext {
            period: Some((d(2025, 1, 1), d(2025, 12, 31))),
            ..ImportContext::new("auth.log")
        };
        let (execs, summary) = run_with(CLASSIC, &ctx);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(execs[0].at, utc(2025, 3, 3, 9, 15, 40));
        let reasons: Vec<&str> = summary.warnings.iter().map(|w| w.reason.as_str()).collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("2025 is taken from the policy's reporting period")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r.contains("read as UTC")),
            "{reasons:?}"
        );
        assert_eq!(
            period_year(Some((d(2024, 7, 1), d(2025, 6, 30))), 3, 3),
            Some(2025)
        );
        assert_eq!(
            period_year(Some((d(2024, 7, 1), d(2025, 6, 30))), 7, 14),
            Some(2024)
        );
        // Longer than a year: March 3 is in both 2024 and 2025.
        assert_eq!(
            period_year(Some((d(2024, 1, 1), d(2025, 6, 30))), 3, 3),
            None
        );
        assert_eq!(
            period_year(Some((d(2024, 1, 1), d(2025, 6, 30))), 9, 1),
            Some(2024)
        );
        assert_eq!(
            period_year(Some((d(2025, 1, 1), d(2025, 12, 31))), 2, 29),
            None
        );
    }

    #[test]
    fn a_classic_auth_log_falls_back_to_the_file_time_and_is_never_rejected_for_its_year() {
        let ctx = ImportContext {
            // Copied off the host in January: March and July were last year.
            file_time: Some(utc(2026, 1, 10, 12, 0, 0)),
            ..ImportContext::new("auth.log")
        };
        let (execs, summary) = run_with(CLASSIC, &ctx);
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(execs.len(), 2);
        assert_eq!(execs[0].at, utc(2025, 3, 3, 9, 15, 40));
        assert!(
            summary.warnings[0].reason.contains("modification time"),
            "{:?}",
            summary.warnings
        );
        // Nothing to date it by at all: the useradd is a diagnostic naming what to give.
        let (_, summary) = run_with(CLASSIC, &ImportContext::new("auth.log"));
        assert!(summary.diagnostics[0].reason.contains("--year"));
    }

    #[test]
    fn bad_lines_are_diagnostics_and_junk_is_unreadable() {
        let (execs, summary) = run(
            b"2024-03-01T12:00:00Z h useradd[1]: new user: name=a\nnot syslog at all\n\
            2024-03-01T12:00:00Z h usermod[1]: change user '\xff' password\n",
        );
        assert_eq!(execs.len(), 1);
        let reasons: Vec<_> = summary
            .diagnostics
            .iter()
            .map(|d| (d.location.clone(), d.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert_eq!(reasons[0].0, Location::Line(2));
        assert_eq!(reasons[1].0, Location::Line(3));
        assert!(reasons[1].1.contains("UTF-8"));

        assert!(err(b"").contains("empty"));
        assert!(err(b"\n\n  \n").contains("blank"));
        assert!(err(b"\x00\x01\x02\xff\xfe junk").contains("line 1"));
        assert!(err(b"{\"action\":\"org.add_member\"}\n").contains("neither a syslog line"));
    }

    #[test]
    fn overlong_lines_are_refused_without_stopping_the_import() {
        let mut log = b"2024-03-01T12:00:00Z h useradd[1]: new user: name=a\n".to_vec();
        log.extend(std::iter::repeat_n(b'x', 5000));
        log.extend_from_slice(b"\n2024-03-01T12:00:01Z h userdel[1]: delete user 'a'\n");
        let (execs, summary) = run_limit(&log, 1000);
        assert_eq!(execs.len(), 2);
        assert_eq!(summary.diagnostics.len(), 1);
        assert_eq!(summary.diagnostics[0].location, Location::Line(2));
    }

    #[test]
    fn never_panics_on_truncated_or_odd_input() {
        let log = "<13>1 2024-03-01T12:00:01Z h\u{e9} useradd 1 - [x y=\"\\]\"] new user: name=\u{e9}\n\
                   Mar  1 12:00:01 h\u{fc}st usermod[2]: change user '\u{e9}' expiration from 'never' to '2024-02-30'\n\
                   2024-03-01T12:00:01+0100 h gpasswd: user a added by b to group \n\
                   2024-03-01T12:00:02Z h sshd[3]: Accepted  for  from \n\
                   Mar  1 12:00:03 h su[4]: (to \u{e9}) \u{e9} on \n\
                   2024-03-01T12:00:04Z h su[4]: pam_unix(su-l:session): session opened for user (uid=0) by \n\
                   2024-03-01T12:00:05Z h sudo: \u{e9} : x ; USER=\u{e9} ; COMMAND=\n\
                   \u{e9}\u{e9}\u{e9} : : [\n\
                   TenantId,SyslogMessage,ProcessName,EventTime\n";
        let bytes = log.as_bytes();
        let ctx = ImportContext::new("x");
        for end in 0..=bytes.len() {
            for start in [0, 1, 2] {
                let mut input = bytes.get(start.min(end)..end).unwrap_or_default();
                let mut sink: Vec<(Record, Origin)> = Vec::new();
                let _ = import_with_limit(&mut input, &ctx, &mut sink, &mut |_| {}, 40);
                let mut input = bytes.get(start.min(end)..end).unwrap_or_default();
                let _ = import(&mut input, &ctx, &mut sink, &mut |_| {});
                let mut input = bytes.get(start.min(end)..end).unwrap_or_default();
                let _ = crate::import(Format::Linux, &mut input, &ctx, &mut sink, &mut |_| {});
            }
        }
        let csv = format!(
            "{HEADER}t,\"7/30/2023, 6:31:41.989 PM\",\u{e9},\"\",\u{e9},\"user \u{e9} added by \u{e9} to group \u{e9}\",gpasswd\n"
        );
        for end in 0..=csv.len() {
            let mut input = csv.as_bytes().get(..end).unwrap_or_default();
            let mut sink: Vec<(Record, Origin)> = Vec::new();
            let _ = import(&mut input, &ctx, &mut sink, &mut |_| {});
        }
    }

    const HEADER: &str = "TenantId,\"TimeGenerated [UTC]\",Computer,\"EventTime [UTC]\",HostName,SyslogMessage,ProcessName\n";

    #[test]
    fn sentinel_csv_rows_import() {
        let csv = format!(
            "\u{feff}{HEADER}t,\"7/30/2023, 6:31:41.989 PM\",Zabbix,\"7/30/2023, 6:31:40.000 PM\",Zabbix,\"user LocalAdmin added by root to group testgroup\",gpasswd\n\
             t,\"7/30/2023, 6:31:41.989 PM\",zabbix,\"bad time\",zabbix,\"delete user 'x'\",userdel\n\
             t,\"7/30/2023, 6:31:41.989 PM\",zabbix,\"nope\",zabbix,\"Accepted password\",sshd\n\
             t,2023-07-30T18:00:00Z,zabbix,,,\"useradd[12]: new user: name=y, UID=5\",\n"
        );
        let (execs, summary) = run(csv.as_bytes());
        assert_eq!(summary.rows, 4);
        assert_eq!(execs.len(), 3, "{:?}", summary.diagnostics);
        assert!(
            summary.diagnostics.is_empty(),
            "TimeGenerated is the fallback: {:?}",
            summary.diagnostics
        );
        assert_eq!(execs[0].account, "LocalAdmin@zabbix");
        assert_eq!(execs[0].actor.as_deref(), Some("root@zabbix"));
        assert_eq!(execs[0].at, utc(2023, 7, 30, 18, 31, 40));
        assert_eq!(
            execs[1].at,
            utc(2023, 7, 30, 18, 31, 41) + chrono::Duration::milliseconds(989)
        );
        assert_eq!(execs[2].account, "y@zabbix");
        assert_eq!(execs[2].source_event_type.as_deref(), Some("useradd"));
        assert_eq!(summary.skipped.get("sshd"), Some(&1));
    }

    /// Found by the `import_linux` fuzz target: a Sentinel CSV header as the file's only line,
    /// with no line ending, was re-read with an added newline and progress passed the end.
    #[test]
    fn progress_stays_inside_the_file_and_moves_forward() {
        let row = "t,\"7/30/2023, 6:31:41.989 PM\",zabbix,,zabbix,\"delete user 'x'\",userdel\r\n";
        let cases = [
            HEADER.trim_end().to_owned(),
            format!(
                "\r\n\n\u{feff}{}\r\n{}",
                HEADER.trim_end(),
                row.repeat(9000)
            ),
        ];
        for csv in cases {
            let ctx = ImportContext::new("auth.csv");
            let mut sink: Vec<(Record, Origin)> = Vec::new();
            let mut seen = Vec::new();
            let mut input = csv.as_bytes();
            import(&mut input, &ctx, &mut sink, &mut |p| {
                seen.push(p.bytes_read)
            })
            .expect("imports");
            assert!(!seen.is_empty(), "no progress reported");
            assert!(
                seen.windows(2).all(|w| w[0] <= w[1]),
                "progress went backwards: {seen:?}"
            );
            assert!(
                seen.iter().all(|&b| b <= csv.len() as u64),
                "progress past the end: {seen:?} of {}",
                csv.len()
            );
        }
    }

    #[test]
    fn sentinel_csv_problems_name_their_line() {
        let csv = format!(
            "{HEADER}t,\"junk\",z,\"junk\",z,\"delete user 'x'\",userdel\n\
             t,\"x\",z,\"7/30/2023, 6:31:40.000 PM\",z,\"unterminated\n"
        );
        let (execs, summary) = run(csv.as_bytes());
        assert!(execs.is_empty());
        assert_eq!(summary.diagnostics.len(), 1, "{:?}", summary.diagnostics);
        assert_eq!(summary.diagnostics[0].location, Location::Line(2));
        assert!(summary.diagnostics[0].reason.contains("EventTime `junk`"));
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);

        // No time at all is incomplete, not malformed: a warning, and the file still imports.
        let csv = format!("{HEADER}t,,z,,z,\"delete user 'x'\",userdel\n");
        let (execs, summary) = run(csv.as_bytes());
        assert!(execs.is_empty());
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert_eq!(summary.warnings[0].location, Location::Line(2));
        assert!(
            summary.warnings[0]
                .reason
                .contains("no EventTime or TimeGenerated")
        );

        let mut huge = HEADER.as_bytes().to_vec();
        huge.extend_from_slice(b"t,\"");
        huge.extend(std::iter::repeat_n(b'x', 300_000));
        let (_, summary) = run_limit(&huge, 100_000);
        assert_eq!(summary.diagnostics.len(), 1);
        assert_eq!(summary.diagnostics[0].location, Location::Line(2));

        assert!(err(b"SyslogMessage,Computer\n").contains("ProcessName"));
        assert!(err(b"SyslogMessage,ProcessName,\"TimeGenerated [Local Time]\"\n").contains("UTC"));
    }
}
