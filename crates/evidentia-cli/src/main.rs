//! `evidentia`: the command line over the same façade the desktop app uses, for scripting and CI.
//!
//! Exit codes: 0 success, 1 any error (one line on stderr), 3 the ledger failed verification.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use clap::builder::TypedValueParser as _;
use clap::{Parser, Subcommand, ValueEnum};
use evidentia_app::wire::{CheckpointJson, EntryJson, VerifyJson};
use evidentia_app::{FileOutcome, Format, ImportOptions, InputKind, Location};

/// Writes a line to stdout, turning a failed write (a closed pipe, `| head`) into an error
/// instead of the panic `println!` gives.
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout().lock(), $($arg)*)?
    };
}

/// Writes to stdout without a newline, like `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {
        write!(std::io::stdout().lock(), $($arg)*)?
    };
}

/// Exit code when the ledger does not verify.
const EXIT_TAMPERED: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "evidentia",
    version,
    about = "Identity-lifecycle audit evidence in a tamper-evident workspace"
)]
struct Cli {
    /// The workspace: a file, or postgres://user@host/db for a team workspace (the password
    /// from PGPASSWORD or ~/.pgpass rather than the URL, which shows in process lists).
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "EVIDENTIA_WORKSPACE",
        // The variable may hold a URL with a password: help never prints its value.
        hide_env_values = true,
        value_name = "PATH|URL",
        value_parser = clap::builder::OsStringValueParser::new().map(location_of)
    )]
    workspace: Option<Location>,
    /// Who is acting: the name imports, policy changes, analyses and responses record as
    /// `recorded_by` (default: the server's login role for a team workspace, else the OS login).
    #[arg(long, global = true, env = "EVIDENTIA_USER", value_name = "NAME")]
    user: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new, empty workspace (a file, or a database on a team's PostgreSQL server) and
    /// its signing key (kept outside the workspace).
    Init {
        /// Where to write the private signing key (default: the key folder, see `key new`).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Create no signing key (checkpoints are then unsigned until `evidentia key new`).
        #[arg(long, conflicts_with = "key")]
        no_key: bool,
    },
    /// Recompute every hash from the stored bytes; exit 3 if anything was altered.
    Verify {
        /// Also prove the ledger extends a head you kept: a signed checkpoint file
        /// (checkpoint.note) or COUNT:HASH (a report's or pack's head hash, or a tree root).
        #[arg(long, value_name = "FILE|COUNT:HASH")]
        trusted_checkpoint: Option<String>,
        /// The public key (PEM, or the note verifier key text) that must have signed the
        /// trusted checkpoint.
        #[arg(long, value_name = "PUBKEY", requires = "trusted_checkpoint")]
        key: Option<PathBuf>,
    },
    /// The workspace's signing key: create one, or export its public key for auditors.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Merkle proofs (RFC 9162) an auditor can check without the rest of the ledger.
    Proof {
        #[command(subcommand)]
        action: ProofAction,
    },
    /// List ledger entries.
    Log {
        /// First sequence number to show.
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// How many entries to show at most.
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Only entries of this kind (e.g. import.file, record.execution; record.execution
        /// also lists the record.execution_set entries imports now write).
        #[arg(long)]
        kind: Option<String>,
    },
    /// Verify the ledger and record its head as a checkpoint (signed with the workspace's
    /// key when it is available), or list checkpoints.
    Checkpoint {
        /// List the checkpoints instead of creating one.
        #[arg(long)]
        list: bool,
        /// The private signing key (default: the key folder's file for this workspace).
        #[arg(long, value_name = "FILE", conflicts_with = "list")]
        key: Option<PathBuf>,
        /// Print the signed checkpoint (the note to keep outside the workspace) of the new
        /// checkpoint, or with --list of the latest signed one.
        #[arg(long)]
        note: bool,
    },
    /// The policy in force: systems, SLAs, profiles, tiers, exceptions, correlation rules.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Every account the systems' records mention, and the identity it correlates to.
    Accounts {
        /// Only accounts no identity could be found for (orphans, ambiguous, stale mappings).
        #[arg(long)]
        uncorrelated: bool,
        /// List the entitlement names the records use, per system, with how many accounts hold
        /// each: the spellings to copy into profiles, tiers and tickets.
        #[arg(long)]
        entitlements: bool,
    },
    /// Copy a whole workspace to a new file or team workspace (either way): every entry,
    /// artifact and checkpoint byte for byte, verified on both sides with the same head.
    /// The destination must not exist yet; the source is only read.
    Migrate {
        /// The workspace to copy: a file or a postgres:// URL.
        #[arg(long, value_name = "WORKSPACE")]
        from: Location,
        /// Where to create the copy: a new file or an empty PostgreSQL database.
        #[arg(long, value_name = "WORKSPACE")]
        to: Location,
    },
    /// Print the shell completion script for bash, zsh or fish (e.g. `evidentia completions
    /// bash > /etc/bash_completion.d/evidentia`).
    Completions {
        /// bash, zsh or fish.
        #[arg(value_name = "SHELL")]
        shell: String,
    },
    /// Write the manual pages (`evidentia.1` and one `evidentia-COMMAND.1` per command) into a
    /// folder: what a package installs under /usr/share/man/man1.
    #[command(hide = true)]
    Manpages {
        /// The folder to write them into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Build a demo workspace from the sample organisation in evidence-samples/.
    Demo {
        /// Where to create it, a file or a postgres:// URL (default: --workspace).
        #[arg(
            long,
            value_name = "PATH|URL",
            value_parser = clap::builder::OsStringValueParser::new().map(location_of)
        )]
        out: Option<Location>,
        /// An evidence-samples folder to build from instead of the samples built into the tool.
        #[arg(long, value_name = "DIR")]
        samples: Option<PathBuf>,
    },
    /// Run every check under the policy in force and record the run in the ledger.
    Analyze {
        /// Judge as of this date (YYYY-MM-DD, start of day UTC); default: the end of the
        /// policy's reporting period, else now.
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// List the findings of the checks (computed afresh; nothing is written).
    Findings {
        /// Only this check, e.g. EV-LEAVER-NOT-REVOKED.
        #[arg(long)]
        check: Option<String>,
        /// Only findings mapped to a control of this framework (nist-csf-2.0, owasp-nhi-2025);
        /// the controls are listed with each finding.
        #[arg(long)]
        framework: Option<String>,
        /// Only findings of this severity: critical, high, medium or low.
        #[arg(long)]
        severity: Option<String>,
        /// Judge as of this date (as for `analyze`).
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Record management's response to a finding (owner, due date, status, accepted risk) as
    /// a ledger entry; the latest response per finding is its current state.
    Respond {
        /// The finding's id (F- and 12 hex digits), as `evidentia findings` lists it.
        #[arg(value_name = "FINDING_ID")]
        finding: String,
        /// Who owns the remediation or the accepted risk.
        #[arg(long, value_name = "NAME")]
        owner: String,
        /// The due date (YYYY-MM-DD), not before the finding's as-of date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        due: String,
        /// open, in-remediation, remediated or risk-accepted.
        #[arg(long)]
        status: String,
        /// For risk-accepted: the date the acceptance expires (after today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        accepted_until: Option<String>,
        /// What management will do, or why the risk is accepted (at most 4,000 characters).
        #[arg(long, value_name = "TEXT")]
        response: String,
        /// Who recorded the response, when not the owner.
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Management responses: each finding's current response, then the full history.
    Responses,
    /// Chain completeness, time to provision and revoke per system, exceptions, approvals.
    Metrics {
        /// Judge as of this date (as for `analyze`).
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Each control of a framework with its status, evidence and findings.
    Controls {
        /// nist-csf-2.0 or owasp-nhi-2025.
        #[arg(long, default_value = "nist-csf-2.0")]
        framework: String,
        /// Judge as of this date (as for `analyze`).
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Lifecycle events with their evidence chain per system.
    Events {
        /// Only this identity's events.
        #[arg(long)]
        identity: Option<String>,
        /// Judge as of this date (as for `analyze`).
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Render the framework-mapped PDF report for a period (reads the workspace only).
    Report {
        /// nist-csf-2.0 or owasp-nhi-2025.
        #[arg(long)]
        framework: String,
        /// First day of the period (YYYY-MM-DD); default: the policy's period start.
        #[arg(long, value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period (YYYY-MM-DD, inclusive); default: the policy's period end.
        #[arg(long, value_name = "DATE")]
        to: Option<chrono::NaiveDate>,
        /// The generation time printed in the report (RFC 3339); default: now. Fix it to
        /// reproduce a report byte for byte.
        #[arg(long, value_name = "RFC3339")]
        generated_at: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Where to write the PDF (replaced atomically).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// The exceptions register with age buckets and expiry.
    Exceptions {
        /// Judge as of this date (as for `analyze`).
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Access-review campaigns: each campaign's population per system (from the system's
    /// snapshot at the start), coverage and completion, every revoke decision followed to the
    /// system's removal and the next snapshot, and each reviewer's pace (docs/access-reviews.md).
    Reviews {
        /// Only this campaign (its id).
        #[arg(long, value_name = "ID")]
        campaign: Option<String>,
        /// Judge as of this date (as for `analyze`).
        #[arg(long, value_name = "DATE")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Audit populations (every leaver, every privileged grant, …): each one's definition,
    /// source and count over the period; with a name, its items (docs/audit-samples.md).
    Populations {
        /// One population's items.
        name: Option<String>,
        /// First day of the period (YYYY-MM-DD); default: the policy's period start.
        #[arg(long, value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period (inclusive); default: the policy's period end.
        #[arg(long, value_name = "DATE")]
        to: Option<chrono::NaiveDate>,
    },
    /// Draw an audit sample from a population, reproducibly from a seed, with each item's
    /// tested attributes and the entries behind them (docs/audit-samples.md).
    Sample {
        /// The population (`evidentia populations` lists them).
        population: String,
        /// How many items.
        #[arg(
            long,
            required_unless_present = "frequency",
            conflicts_with = "frequency"
        )]
        size: Option<usize>,
        /// The control's frequency: the size comes from the documented table.
        #[arg(long, value_enum)]
        frequency: Option<FrequencyArg>,
        /// The text the selection is drawn from (state it on the workpaper).
        #[arg(long)]
        seed: String,
        /// Draw each stratum's share separately.
        #[arg(long, value_enum)]
        stratify: Option<StratifyArg>,
        /// First day of the period (YYYY-MM-DD); default: the policy's period start.
        #[arg(long, value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period (inclusive); default: the policy's period end.
        #[arg(long, value_name = "DATE")]
        to: Option<chrono::NaiveDate>,
        /// Write the sample file (JSON, `evidentia-sample/1`, with the population) here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write the workpaper (XLSX: Sample, Population and Method sheets) here.
        #[arg(long, value_name = "FILE")]
        workpaper: Option<PathBuf>,
        /// Write the PDF appendix here.
        #[arg(long, value_name = "FILE")]
        appendix: Option<PathBuf>,
    },
    /// Export a table (events, findings, exceptions, metrics, controls) as CSV or JSON, or the
    /// OSCAL assessment results, for a period.
    Export {
        /// What to export.
        #[arg(value_enum)]
        what: ExportWhat,
        /// csv or json (OSCAL is always JSON).
        #[arg(long, value_enum, default_value_t = ExportFormatArg::Csv)]
        format: ExportFormatArg,
        #[command(flatten)]
        period: PeriodArgs,
        /// Where to write it (replaced atomically).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Build the evidence pack (report, exports, OSCAL, artifacts, ledger, manifest,
    /// SHA256SUMS), or check one with `pack verify FILE.zip`.
    #[command(args_conflicts_with_subcommands = true)]
    Pack {
        #[command(subcommand)]
        action: Option<PackAction>,
        #[command(flatten)]
        period: PeriodArgs,
        /// Write a selective pack instead: only the items of this sample file (from
        /// `evidentia sample … --out FILE`) and the ledger entries they rest on, each proved
        /// against the signed checkpoint (docs/evidence-pack.md).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["framework", "from", "to"])]
        sample: Option<PathBuf>,
        /// Where to write the zip (replaced atomically).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import files: lifecycle events, approvals, provisioning logs, vendor inventories,
    /// reconciliation snapshots, exceptions, access-review campaigns and decisions (formats:
    /// docs/import/).
    Import {
        /// The files to import, each in its own all-or-nothing transaction.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What a generic CSV/JSON file holds.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// The file format; `auto` detects it from the content.
        #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
        format: FormatArg,
        /// Mapping profile for generic CSV/JSON: a built-in name or a .toml path.
        #[arg(long, value_name = "NAME|PATH")]
        profile: Option<String>,
        /// Attribute the file's records to this system id (two AWS accounts: aws-prod, aws-dev).
        #[arg(long)]
        system: Option<String>,
        /// Import the valid rows and record the invalid ones, instead of rejecting the file.
        #[arg(long)]
        skip_invalid: bool,
        /// Which sign-ins and API calls to keep as activity evidence (summarised per account).
        #[arg(long, value_enum, default_value_t = ActivityArg::All)]
        activity: ActivityArg,
        /// When an inventory that states no time was taken (RFC 3339, or a date: 00:00 UTC).
        #[arg(long, value_name = "TIME", value_parser = evidentia_app::parse_moment)]
        as_of: Option<chrono::DateTime<Utc>>,
        /// What a listing is of when the file does not say: the group or organization whose
        /// members it lists (`acme/platform` for a GitHub team), the host of /etc/passwd.
        #[arg(long, value_name = "NAME")]
        scope: Option<String>,
        /// The year of syslog timestamps that carry none (RFC 3164 `Mar  1 12:00:01`).
        #[arg(long)]
        year: Option<i32>,
        /// The zone of syslog timestamps that carry none: UTC, an offset (+02:00) or an IANA
        /// name (Europe/Berlin; daylight saving followed).
        #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
        timezone: Option<evidentia_app::Zone>,
    },
}

/// `--workspace`: a PostgreSQL URL names a team workspace; anything else is a file path, kept
/// as the bytes given (a path need not be UTF-8).
fn location_of(text: std::ffi::OsString) -> Location {
    match text.to_str() {
        Some(text) => Location::parse(text),
        None => Location::File(PathBuf::from(text)),
    }
}

/// `--timezone`: UTC, a fixed offset or an IANA zone name.
fn parse_zone(text: &str) -> Result<evidentia_app::Zone, String> {
    evidentia_app::Zone::parse(text)
}

/// `--frequency`: how often the sampled control operates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FrequencyArg {
    Annual,
    Quarterly,
    Monthly,
    Weekly,
    Daily,
}

/// `--stratify`: what strata a sample is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StratifyArg {
    System,
    Kind,
}

/// `--activity`: what proof of use an import keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ActivityArg {
    /// Sign-ins, console logins and API calls.
    All,
    /// Sign-ins and console logins only; API calls are counted as skipped.
    SignIns,
    /// None: every sign-in and API call is counted as skipped.
    None,
}

impl ActivityArg {
    fn capture(self) -> evidentia_app::ActivityCapture {
        match self {
            ActivityArg::All => evidentia_app::ActivityCapture::All,
            ActivityArg::SignIns => evidentia_app::ActivityCapture::SignIns,
            ActivityArg::None => evidentia_app::ActivityCapture::None,
        }
    }
}

#[derive(Debug, Subcommand)]
enum PolicyAction {
    /// Validate a policy file and record it in the ledger as the policy in force.
    Set {
        /// The policy TOML file (format: docs/policy.md).
        file: PathBuf,
    },
    /// Print the policy in force (its TOML as recorded) and the entry that recorded it.
    Show,
}

/// The framework, period and generation time of an export or pack.
#[derive(Debug, Clone, clap::Args)]
struct PeriodArgs {
    /// nist-csf-2.0 or owasp-nhi-2025.
    #[arg(long, default_value = "nist-csf-2.0")]
    framework: String,
    /// First day of the period (YYYY-MM-DD); default: the policy's period start.
    #[arg(long, value_name = "DATE")]
    from: Option<chrono::NaiveDate>,
    /// Last day of the period (YYYY-MM-DD, inclusive); default: the policy's period end.
    #[arg(long, value_name = "DATE")]
    to: Option<chrono::NaiveDate>,
    /// The generation time written into the output (RFC 3339); default: now. Fix it to
    /// reproduce the output byte for byte.
    #[arg(long, value_name = "RFC3339")]
    generated_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl PeriodArgs {
    fn options(&self) -> evidentia_app::ReportOptions {
        evidentia_app::ReportOptions {
            framework: self.framework.clone(),
            from: self.from,
            to: self.to,
            generated_at: self
                .generated_at
                .map_or_else(Utc::now, |t| t.with_timezone(&Utc)),
        }
    }
}

#[derive(Debug, Subcommand)]
enum PackAction {
    /// Check a pack without extracting it: exit 0 intact, 3 altered (naming the file), 1 error.
    Verify {
        /// The pack (.zip).
        file: PathBuf,
        /// An earlier pack of the same workspace: its ledger must be a prefix of this one's.
        #[arg(long, value_name = "EARLIER.zip")]
        against: Option<PathBuf>,
        /// The workspace's public key (PEM or note verifier key): the pack's signed
        /// checkpoint must verify with it.
        #[arg(long, value_name = "PUBKEY")]
        key: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeyAction {
    /// Create a signing key: the private key outside the workspace (mode 0600), the public
    /// key recorded in the ledger. Checkpoints from now on are signed with it.
    New {
        /// Where to write the private key (default: $EVIDENTIA_KEY_DIR, else
        /// $XDG_CONFIG_HOME/evidentia/keys, else ~/.config/evidentia/keys, as <workspace id>.pem).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Print (or write) the workspace's public key, to hand to auditors.
    Export {
        /// pem (SPKI, for openssl) or vkey (the signed-note verifier key text).
        #[arg(long, value_enum, default_value_t = KeyFormat::Pem)]
        format: KeyFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KeyFormat {
    Pem,
    Vkey,
}

#[derive(Debug, Subcommand)]
enum ProofAction {
    /// Prove entry SEQ is in a checkpoint's tree (C2SP tlog-proof, carrying the entry).
    Inclusion {
        /// The entry's sequence number.
        seq: u64,
        /// The checkpoint to prove against (default: the latest covering the entry, signed
        /// ones first).
        #[arg(long, value_name = "ID")]
        checkpoint: Option<u64>,
    },
    /// Prove the tree of OLD entries is a prefix of the tree of NEW entries (default: all).
    Consistency { old: u64, new: Option<u64> },
    /// Check a proof file without any workspace: an inclusion proof, a consistency proof or
    /// a pack's finding proof. Exit 0 holds, 3 does not, 1 unreadable.
    Verify {
        /// The proof file.
        file: PathBuf,
        /// The public key (PEM or note verifier key) that must have signed its checkpoint.
        #[arg(long, value_name = "PUBKEY")]
        key: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportWhat {
    Events,
    Findings,
    Exceptions,
    Metrics,
    Controls,
    /// Access-review campaigns per system: population, coverage, completion.
    Reviews,
    /// Every review revoke decision followed to the system's removal and the next snapshot.
    ReviewRevokes,
    /// The management-response history, the current response per finding marked.
    Responses,
    /// Items a check could not judge for want of evidence, with why (not findings).
    NotAssessed,
    /// OSCAL assessment results (JSON).
    Oscal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormatArg {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Events,
    Identities,
    Approvals,
    Provisioning,
    Reconciliation,
    Exceptions,
    Activity,
    Workers,
    ReviewCampaigns,
    ReviewDecisions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Auto,
    Csv,
    Cloudtrail,
    Okta,
    Entra,
    Github,
    Gworkspace,
    K8s,
    Linux,
    AwsCredentialReport,
    AwsAuthorizationDetails,
    GraphDirectory,
    GoogleDirectory,
    OktaDirectory,
    GithubMembers,
    K8sRbac,
    UnixAccounts,
    Baton,
    TeleportReviews,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Needs no workspace and no runtime: the script is the command line's own description.
    if let Command::Completions { shell } = &cli.command {
        return print_completions(shell);
    }
    if let Command::Manpages { out } = &cli.command {
        return match write_manpages(out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "error: cannot write the manual pages to {}: {e}",
                    out.display()
                );
                ExitCode::from(1)
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            // The reader went away (`| head`): nothing to report, and nothing went wrong here.
            let closed_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if closed_pipe {
                return ExitCode::SUCCESS;
            }
            // A pack refused because the ledger is altered exits as `verify` does.
            if let Some(failure) = evidentia_app::altered_failure(&e) {
                eprintln!(
                    "error: the ledger is altered (entry {}: {}); nothing was written",
                    failure.seq, failure.reason
                );
                return ExitCode::from(EXIT_TAMPERED);
            }
            if let Some(evidentia_app::AppError::InvalidInput(message)) = e.downcast_ref() {
                eprintln!("error: {message}");
            } else {
                // One line: the context chain joined, outermost first.
                let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
                eprintln!("error: {}", dedupe_chain(&chain));
            }
            ExitCode::from(1)
        }
    }
}

/// The completion script for `shell`, on stdout; one line naming the supported shells and
/// exit 1 for any other.
fn print_completions(shell: &str) -> ExitCode {
    use clap_complete::Shell;
    let shell = match shell.trim().to_ascii_lowercase().as_str() {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        _ => {
            eprintln!(
                "error: no completions for the shell \"{shell}\": evidentia completes bash, zsh and fish"
            );
            return ExitCode::from(1);
        }
    };
    let mut command = <Cli as clap::CommandFactory>::command();
    // Written to memory first: the generator panics on a write error, and a closed pipe
    // (`| head`) is no error here.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "evidentia", &mut script);
    match std::io::Write::write_all(&mut std::io::stdout().lock(), &script) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the completion script: {e}");
            ExitCode::from(1)
        }
    }
}

/// `evidentia.1` and a page per command (nested commands too: `evidentia-policy-set.1`),
/// from the command line's own description, so the pages never drift from `--help`.
fn write_manpages(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let command = <Cli as clap::CommandFactory>::command();
    fn write(dir: &std::path::Path, name: &str, command: clap::Command) -> std::io::Result<()> {
        let command = command.name(name.to_owned());
        let mut page = Vec::new();
        clap_mangen::Man::new(command.clone()).render(&mut page)?;
        std::fs::write(dir.join(format!("{name}.1")), page)?;
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            write(dir, &format!("{name}-{}", sub.get_name()), sub.clone())?;
        }
        Ok(())
    }
    write(dir, "evidentia", command)
}

/// A current response in a few words: status, owner, due, and an acceptance's expiry.
/// A finding's evidence in a line of text: `10170, 10171`, and `; entry 10170 row 3` for each
/// row of a set entry it cites (docs/ledger-format.md, "Evidence citations").
fn evidence_text(cites: &[evidentia_app::Cite]) -> String {
    let mut text = evidentia_app::evidence_entries(cites)
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows = evidentia_app::evidence_rows(cites);
    if !rows.is_empty() {
        let rows: Vec<String> = rows
            .iter()
            .map(|&(entry, row)| evidentia_app::Cite::set_row(entry, row).to_string())
            .collect();
        text.push_str("; ");
        text.push_str(&rows.join(", "));
    }
    text
}

fn response_brief(r: &evidentia_app::CurrentResponse) -> String {
    let mut text = format!(
        "{}, owner {}, due {}",
        r.status.as_str(),
        r.owner,
        r.due.format("%Y-%m-%d")
    );
    if let Some(until) = r.accepted_until {
        text.push_str(&format!(
            ", accepted until {}{}",
            until.format("%Y-%m-%d"),
            if r.expired { " (expired)" } else { "" }
        ));
    }
    text
}

/// A recorded response in a few words (no expiry judgement: that needs an analysis's as-of).
fn record_brief(r: &evidentia_app::ResponseRecord) -> String {
    let mut text = format!(
        "{}, owner {}, due {}",
        r.status.as_str(),
        r.owner,
        r.due.format("%Y-%m-%d")
    );
    if let Some(until) = r.accepted_until {
        text.push_str(&format!(", accepted until {}", until.format("%Y-%m-%d")));
    }
    if let Some(by) = &r.recorded_by {
        text.push_str(&format!(", recorded by {by}"));
    }
    text
}

/// `proof verify`: exit 0 when the proof holds, 3 when it does not, 1 when it is unreadable.
fn verify_proof(file: &Path, key: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading the proof {}", file.display()))?;
    let key = match key {
        // The key name of a PEM key is the checkpoint's origin; read it from the proof.
        Some(path) => {
            let origin = proof_origin(&text).unwrap_or_default();
            Some(evidentia_app::read_verifier_key(path, &origin)?)
        }
        None => None,
    };
    let check = evidentia_app::verify_proof(&text, key.as_ref())
        .with_context(|| format!("{}", file.display()))?;
    if json {
        print_json(&serde_json::json!({
            "holds": check.problem.is_none(),
            "kind": check.kind,
            "summary": check.summary,
            "signature_checked": check.signature_checked,
            "problem": check.problem,
        }))?;
    } else if let Some(problem) = &check.problem {
        outln!("ALTERED: {}: {problem}", file.display());
    } else {
        outln!(
            "holds: {} proof: {}{}",
            check.kind,
            check.summary,
            if check.signature_checked && check.kind == "finding" {
                "; the checkpoint's and the finding's signatures verify with the given key"
            } else if check.signature_checked {
                "; the checkpoint's signature verifies with the given key"
            } else if check.kind == "consistency" {
                ""
            } else {
                "; the checkpoint's signature was NOT checked (pass --key PUBKEY)"
            }
        );
    }
    Ok(if check.problem.is_some() {
        ExitCode::from(EXIT_TAMPERED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The origin line of the checkpoint a proof carries (`evidentia/<workspace id>`).
fn proof_origin(text: &str) -> Option<String> {
    let checkpoint = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v["checkpoint"].as_str()?.to_owned(),
        Err(_) => text.split("\n\n").nth(1)?.to_owned(),
    };
    checkpoint.lines().next().map(str::to_owned)
}

/// `verify --trusted-checkpoint`: the whole workspace verifies, and it extends the head the
/// auditor kept (exit 0); else exit 3 naming the first divergence; unusable input exits 1.
async fn verify_trusted(
    ws: &Location,
    trusted: &str,
    key: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let trusted = evidentia_app::TrustedHead::parse(trusted)?;
    let key = match key {
        Some(path) => {
            let info = evidentia_app::open_workspace(ws).await?;
            let origin = format!("evidentia/{}", info.workspace_id);
            Some(evidentia_app::read_verifier_key(path, &origin)?)
        }
        None => None,
    };
    let outcome = evidentia_app::check_trusted(ws, &trusted, key.as_ref()).await?;
    let report = &outcome.report;
    let failure = report.failure.as_ref().or(outcome.divergence.as_ref());
    if json {
        print_json(&serde_json::json!({
            "intact": failure.is_none(),
            "entries": report.entries,
            "head_hash": report.head.to_hex(),
            "tree_root": report.tree_root.to_hex(),
            "trusted_size": outcome.trusted_size,
            "trusted_root": outcome.trusted_root.map(|h| h.to_hex()),
            "signature_checked": outcome.signature_checked,
            "consistency_proof": outcome.consistency.iter().map(|h| h.to_hex()).collect::<Vec<_>>(),
            "failed_seq": failure.map(|f| f.seq),
            "failure": failure.map(|f| f.reason.to_string()),
        }))?;
    } else if let Some(f) = failure {
        outln!("ALTERED: entry {}: {}", f.seq, f.reason);
    } else {
        outln!(
            "intact and consistent: the trusted checkpoint ({} entries) is a prefix of this ledger ({} entries, tree root {}); consistency proof of {} hashes (`evidentia proof consistency {} {}`){}",
            outcome.trusted_size,
            report.entries,
            report.tree_root,
            outcome.consistency.len(),
            outcome.trusted_size,
            report.entries,
            if outcome.signature_checked {
                "; its signature verifies with the given key"
            } else if matches!(trusted, evidentia_app::TrustedHead::Note(_)) {
                "; its signature was NOT checked (pass --key PUBKEY)"
            } else {
                ""
            }
        );
    }
    Ok(if failure.is_some() {
        ExitCode::from(EXIT_TAMPERED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Joins an error chain, dropping links already contained in the one before (sqlx and
/// thiserror often repeat their source in their own message).
fn dedupe_chain(chain: &[String]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for link in chain {
        if !parts
            .last()
            .is_some_and(|prev| prev.contains(link.as_str()))
        {
            parts.push(link);
        }
    }
    parts.join(": ")
}

fn workspace(cli: &Cli) -> anyhow::Result<&Location> {
    cli.workspace.as_ref().context(
        "no workspace given: pass --workspace PATH (or a postgres:// URL) or set EVIDENTIA_WORKSPACE",
    )
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // A bad name is refused before anything is opened, whatever the command.
    if let Some(name) = &cli.user {
        evidentia_app::check_user_name(name)
            .map_err(|e| anyhow::anyhow!("--user (or EVIDENTIA_USER): {e}"))?;
    }
    let user = cli.user.as_deref();
    if let Command::Demo { out, samples } = &cli.command {
        let out = out
            .as_ref()
            .or(cli.workspace.as_ref())
            .context("no place for the demo workspace: pass --out PATH (or --workspace PATH)")?;
        let report = match samples {
            Some(samples) => evidentia_app::build_demo(samples, out, Utc::now()).await?,
            None => evidentia_app::build_embedded_demo(out, Utc::now()).await?,
        };
        // Like `init`, the demo gets a signing key, so its checkpoints and packs are signed.
        let key = evidentia_app::create_signing_key(out, None, Utc::now()).await?;
        if cli.json {
            print_json(&serde_json::json!({
                "workspace": report.workspace.to_string(),
                "files": report.files,
                "records": report.records,
                "signing_key": {
                    "private_key": key.private_key_path.display().to_string(),
                    "vkey": key.public.vkey,
                },
            }))?;
        } else {
            outln!(
                "demo workspace {}: {} files, {} records imported, policy set, signing key {}",
                report.workspace,
                report.files,
                report.records,
                key.private_key_path.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Proof {
        action: ProofAction::Verify { file, key },
    } = &cli.command
    {
        return verify_proof(file, key.as_deref(), cli.json);
    }
    if let Command::Pack {
        action: Some(PackAction::Verify { file, against, key }),
        ..
    } = &cli.command
    {
        return verify_pack(file, against.as_deref(), key.as_deref(), cli.json).await;
    }
    if let Command::Migrate { from, to } = &cli.command {
        let copied = evidentia_app::migrate_workspace(from, to).await?;
        if cli.json {
            print_json(&serde_json::json!({
                "from": from.to_string(),
                "to": to.to_string(),
                "entries": copied.entries,
                "head_hash": copied.destination.hash.to_hex(),
                "tree_root": copied.tree_root.to_hex(),
                "artifacts": copied.artifacts,
                "artifact_bytes": copied.artifact_bytes,
                "checkpoints": copied.checkpoints,
            }))?;
        } else {
            outln!(
                "copied {from} to {to}: {} entries, {} artifacts ({} bytes), {} checkpoints; both verify with head {}",
                copied.entries,
                copied.artifacts,
                copied.artifact_bytes,
                copied.checkpoints,
                copied.destination.hash.to_hex()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ws = workspace(&cli)?;
    match &cli.command {
        Command::Demo { .. }
        | Command::Migrate { .. }
        | Command::Completions { .. }
        | Command::Manpages { .. } => {}
        Command::Analyze { as_of } => {
            let run =
                evidentia_app::record_analysis(ws, as_of.map(day_start), user, Utc::now()).await?;
            let mut by_check: BTreeMap<&str, u64> = BTreeMap::new();
            for f in &run.analysis.findings {
                *by_check.entry(f.check).or_default() += 1;
            }
            let coverage = &run.analysis.coverage;
            let not_assessed: BTreeMap<&str, Vec<&str>> = coverage
                .checks
                .iter()
                .filter(|(_, c)| !c.assessed())
                .map(|(check, c)| (*check, c.missing.iter().map(|k| k.describe()).collect()))
                .collect();
            if cli.json {
                print_json(&serde_json::json!({
                    "entry": run.recorded_at_seq,
                    "recorded_by": run.recorded_by,
                    "as_of": run.as_of.to_rfc3339(),
                    "evidence_entries": run.head.count,
                    "policy_entry": run.policy.seq,
                    "findings": run.analysis.findings.len(),
                    "findings_by_check": by_check,
                    "not_assessed": not_assessed,
                    "not_assessed_items": run
                        .analysis
                        .not_assessed
                        .iter()
                        .map(evidentia_app::wire::not_assessed_json)
                        .collect::<Vec<_>>(),
                    "systems_without_snapshot": coverage.systems_without_snapshot,
                    "systems_without_log": coverage.systems_without_log,
                    "warnings": run.warnings,
                }))?;
            } else {
                outln!(
                    "analysed {} entries as of {} under the policy of entry {}: {} findings (recorded at entry {}{})",
                    run.head.count,
                    run.as_of.format("%Y-%m-%d %H:%M UTC"),
                    run.policy.seq,
                    run.analysis.findings.len(),
                    run.recorded_at_seq
                        .map_or("-".to_owned(), |s| s.to_string()),
                    run.recorded_by
                        .as_deref()
                        .map_or(String::new(), |by| format!(" by {by}"))
                );
                for (check, n) in by_check {
                    outln!("  {n:>4}  {check}");
                }
                for (check, missing) in &not_assessed {
                    outln!("  not assessed: {check} (missing {})", missing.join(", "));
                }
                let items = &run.analysis.not_assessed;
                if !items.is_empty() {
                    // Neither findings nor clean (convention 13): each with why.
                    outln!(
                        "  {} item{} not assessed for want of evidence:",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" }
                    );
                    for n in items {
                        let entries = evidentia_app::evidence_entries(&n.evidence);
                        outln!(
                            "    {}  {} on {} ({}, credential {}): {}{}",
                            n.check,
                            n.identity,
                            n.system,
                            n.account,
                            n.credential,
                            n.reason,
                            if entries.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    " [entries {}]",
                                    entries
                                        .iter()
                                        .map(u64::to_string)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        );
                    }
                }
                if !coverage.systems_without_snapshot.is_empty() {
                    outln!(
                        "  no snapshot in the period: {}",
                        coverage
                            .systems_without_snapshot
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                if !coverage.systems_without_log.is_empty() {
                    outln!(
                        "  no provisioning log: {}",
                        coverage
                            .systems_without_log
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
            for w in &run.warnings {
                eprintln!("warning: {w}");
            }
        }
        Command::Findings {
            check,
            framework,
            severity,
            as_of,
        } => {
            let run =
                evidentia_app::analyze_workspace(ws, as_of.map(day_start), Utc::now()).await?;
            let (catalogs, mapping) = evidentia_app::catalogs()?;
            if let Some(f) = framework {
                if catalogs.get(f).is_none() {
                    let known: Vec<&str> = catalogs.iter().map(|c| c.id()).collect();
                    anyhow::bail!("unknown framework {f:?}; built in: {}", known.join(", "));
                }
            }
            if let Some(s) = severity {
                if !["critical", "high", "medium", "low"].contains(&s.to_ascii_lowercase().as_str())
                {
                    anyhow::bail!("unknown severity {s:?}; use critical, high, medium or low");
                }
            }
            let mut rows = Vec::new();
            for f in &run.analysis.findings {
                if check
                    .as_deref()
                    .is_some_and(|c| !f.check.eq_ignore_ascii_case(c))
                {
                    continue;
                }
                let (sev, rationale) = evidentia_app::check_info(&mapping, f.check);
                if severity
                    .as_deref()
                    .is_some_and(|s| !sev.as_str().eq_ignore_ascii_case(s))
                {
                    continue;
                }
                let controls: Vec<String> = match (framework, mapping.check(f.check)) {
                    (Some(fw), Some(m)) => m.controls_in(fw).map(str::to_owned).collect(),
                    (None, Some(m)) => m.controls().iter().map(|c| c.control.clone()).collect(),
                    (_, None) => Vec::new(),
                };
                if framework.is_some() && controls.is_empty() {
                    continue;
                }
                // The OWASP NHI Top 10 is about non-human identities: people's findings are
                // out of its scope, as in its report and control status.
                if framework.as_deref() == Some(evidentia_app::OWASP_NHI_2025)
                    && !run.is_non_human(f.identity.as_ref().map(|i| i.as_str()))
                {
                    continue;
                }
                rows.push((f, sev, rationale, controls));
            }
            let responses = run.current_responses();
            if cli.json {
                let json: Vec<_> = rows
                    .iter()
                    .map(|(f, sev, rationale, controls)| {
                        let id = f.id();
                        let response = responses.get(&id).map(|r| {
                            evidentia_app::wire::CurrentResponseJson::from(&r.as_current(run.as_of))
                        });
                        let mut json = serde_json::json!({
                            "id": id,
                            "check": f.check,
                            "severity": sev.as_str(),
                            "rationale": rationale,
                            "controls": controls,
                            "identity": f.identity.as_ref().map(|i| i.as_str()),
                            "system": f.system.as_ref().map(|s| s.as_str()),
                            "account": f.account,
                            "entitlement": f.entitlement,
                            "exception": f.exception.as_ref().map(|e| e.as_str()),
                            "campaign": f.campaign.as_ref().map(|c| c.as_str()),
                            "summary": f.summary,
                            "evidence": evidentia_app::evidence_entries(&f.evidence),
                            "response": response,
                        });
                        // Rows of set entries, only where it cites some (docs/ledger-format.md).
                        let cited_rows = evidentia_app::evidence_rows(&f.evidence);
                        if !cited_rows.is_empty() {
                            json["evidence_rows"] = evidentia_app::evidence_rows_json(&cited_rows);
                        }
                        json
                    })
                    .collect();
                print_json(&json)?;
            } else if rows.is_empty() {
                outln!("no findings");
            } else {
                for (f, sev, _, controls) in &rows {
                    let id = f.id();
                    let response = responses.get(&id).map_or(String::new(), |r| {
                        format!("  [response: {}]", response_brief(&r.as_current(run.as_of)))
                    });
                    outln!(
                        "{id} {:<8} {:<40} {:<10} {:<18} {}  [entries {}] [{}]{response}",
                        sev.as_str(),
                        f.check,
                        f.identity.as_ref().map_or("-", |i| i.as_str()),
                        f.system.as_ref().map_or("-", |s| s.as_str()),
                        f.summary,
                        evidence_text(&f.evidence),
                        controls.join(", ")
                    );
                }
            }
        }
        Command::Respond {
            finding,
            owner,
            due,
            status,
            accepted_until,
            response,
            by,
        } => {
            let input = evidentia_app::ResponseInput {
                finding: finding.clone(),
                owner: owner.clone(),
                due: due.clone(),
                status: status.clone(),
                accepted_until: accepted_until.clone(),
                response: response.clone(),
                recorded_by: by.clone(),
            };
            let recorded = evidentia_app::record_response(ws, input, user, Utc::now()).await?;
            let r = &recorded.record;
            if cli.json {
                print_json(&serde_json::json!({
                    "response": evidentia_app::wire::ResponseJson::from(r),
                    "as_of": recorded.as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                }))?;
            } else {
                outln!(
                    "recorded the response to {} ({}) at entry {}: {}",
                    r.finding,
                    r.check,
                    r.seq,
                    response_brief(&r.as_current(recorded.as_of))
                );
            }
        }
        Command::Responses => {
            let history = evidentia_app::list_responses(ws).await?;
            if cli.json {
                let json: Vec<_> = history
                    .iter()
                    .map(evidentia_app::wire::ResponseJson::from)
                    .collect();
                print_json(&json)?;
            } else if history.is_empty() {
                outln!("no management responses");
            } else {
                let mut current: Vec<_> = history.iter().filter(|r| r.current).collect();
                current.sort_by(|a, b| a.finding.cmp(&b.finding));
                outln!("current ({} findings):", current.len());
                for r in current {
                    outln!(
                        "  {} {:<40} {:<10} {}  [entry {}]",
                        r.finding,
                        r.check,
                        r.identity.as_deref().unwrap_or("-"),
                        record_brief(r),
                        r.seq
                    );
                }
                outln!("history ({} entries):", history.len());
                for r in &history {
                    outln!(
                        "  entry {:<6} {} {} {}: {}",
                        r.seq,
                        r.recorded_at,
                        r.finding,
                        record_brief(r),
                        r.response
                    );
                }
            }
        }
        Command::Metrics { as_of } => {
            let run =
                evidentia_app::analyze_workspace(ws, as_of.map(day_start), Utc::now()).await?;
            let m = &run.analysis.metrics;
            let durations = |map: &BTreeMap<
                evidentia_domain::SystemId,
                evidentia_app::Durations,
            >|
             -> serde_json::Value {
                map.iter()
                    .map(|(s, d)| {
                        (s.to_string(), serde_json::json!({"count": d.count, "median_hours": d.median_hours, "p95_hours": d.p95_hours}))
                    })
                    .collect::<serde_json::Map<_, _>>()
                    .into()
            };
            if cli.json {
                print_json(&serde_json::json!({
                    "as_of": run.as_of.to_rfc3339(),
                    "chain_completeness": m.completeness(),
                    "events_with_chains": m.events_with_chains,
                    "complete_events": m.complete_events,
                    "links": m.links.iter().map(|((l, s), n)| serde_json::json!({"link": l, "status": s, "count": n})).collect::<Vec<_>>(),
                    "time_to_provision": durations(&m.time_to_provision),
                    "time_to_revoke": durations(&m.time_to_revoke),
                    "exceptions_by_bucket": m.exceptions_by_bucket.iter().map(|(b, n)| (b.as_str().to_owned(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
                    "findings_by_check": m.findings_by_check,
                    "approvals_by_role": m.approvals_by_role,
                    "reviews": review_metrics_json(&m.reviews),
                    "credentials_and_emergency_access": evidentia_app::wire::credential_metrics_json(m),
                }))?;
            } else {
                outln!("as of {}", run.as_of.format("%Y-%m-%d"));
                outln!(
                    "evidence-chain completeness: {:.1}% ({} of {} events with every link complete)",
                    m.completeness() * 100.0,
                    m.complete_events,
                    m.events_with_chains
                );
                outln!(
                    "{:<20} {:>6} {:>12} {:>10}   {:>6} {:>12} {:>10}",
                    "system",
                    "grants",
                    "provision p50",
                    "p95",
                    "revokes",
                    "revoke p50",
                    "p95"
                );
                let systems: std::collections::BTreeSet<_> = m
                    .time_to_provision
                    .keys()
                    .chain(m.time_to_revoke.keys())
                    .collect();
                for s in systems {
                    let p = m.time_to_provision.get(s);
                    let r = m.time_to_revoke.get(s);
                    let h = |d: Option<&evidentia_app::Durations>,
                             f: fn(&evidentia_app::Durations) -> f64| {
                        d.map_or("-".to_owned(), |d| format!("{:.1}h", f(d)))
                    };
                    outln!(
                        "{:<20} {:>6} {:>12} {:>10}   {:>6} {:>12} {:>10}",
                        s.as_str(),
                        p.map_or(0, |d| d.count),
                        h(p, |d| d.median_hours),
                        h(p, |d| d.p95_hours),
                        r.map_or(0, |d| d.count),
                        h(r, |d| d.median_hours),
                        h(r, |d| d.p95_hours)
                    );
                }
                let buckets: Vec<String> = m
                    .exceptions_by_bucket
                    .iter()
                    .map(|(b, n)| format!("{} {n}", b.as_str()))
                    .collect();
                outln!("exceptions: {}", buckets.join(", "));
                let roles: Vec<String> = m
                    .approvals_by_role
                    .iter()
                    .map(|(r, n)| format!("{r} {n}"))
                    .collect();
                outln!("approvals by approver role: {}", roles.join(", "));
                // Issue #19: "not assessed" where the evidence was not imported, never 0 %.
                let share = |s: Option<evidentia_app::Share>, of: &str| {
                    s.map_or("not assessed".to_owned(), |s| {
                        format!("{:.1}% ({} of {} {of})", s.ratio() * 100.0, s.part, s.whole)
                    })
                };
                outln!(
                    "credentials revoked with their leaver (within the SLA): {}",
                    share(m.leaver_credentials_revoked, "leaver credentials judged")
                );
                outln!(
                    "median credential age: {}",
                    m.credential_age.map_or("not assessed".to_owned(), |d| format!(
                        "{:.0} days ({} active credentials with a logged creation, p95 {:.0} days)",
                        d.median_hours / 24.0,
                        d.count,
                        d.p95_hours / 24.0
                    ))
                );
                outln!(
                    "emergency uses reviewed in time: {}",
                    share(m.emergency_reviewed, "register uses")
                );
                let r = &m.reviews;
                if !r.campaigns.is_empty() {
                    let share =
                        |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.1}%", v * 100.0));
                    outln!("access reviews (governance), in order of start:");
                    for c in &r.campaigns {
                        outln!(
                            "  {:<24} population {:>6}  coverage {:>6}  on time {:>6}  revoke rate {:>6}{}",
                            c.campaign.as_str(),
                            c.figures.population,
                            share(c.figures.coverage()),
                            share(c.figures.completion()),
                            share(c.figures.revoke_rate()),
                            if c.without_population.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    "  (no population: {})",
                                    c.without_population
                                        .iter()
                                        .map(|s| s.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }
                        );
                    }
                    for (s, d) in &r.decision_to_removal {
                        outln!(
                            "  decision to removal {:<18} {} removed, p50 {:.1}h p95 {:.1}h",
                            s.as_str(),
                            d.count,
                            d.median_hours,
                            d.p95_hours
                        );
                    }
                }
            }
        }
        Command::Report {
            framework,
            from,
            to,
            generated_at,
            out,
        } => {
            let options = evidentia_app::ReportOptions {
                framework: framework.clone(),
                from: *from,
                to: *to,
                generated_at: generated_at.map_or_else(Utc::now, |t| t.with_timezone(&Utc)),
            };
            let summary = evidentia_app::write_report(ws, &options, out).await?;
            if cli.json {
                print_json(&serde_json::json!({
                    "path": summary.path.display().to_string(),
                    "framework": framework,
                    "pages": summary.pages,
                    "bytes": summary.bytes,
                    "sha256": summary.sha256,
                    "generated_at": options.generated_at.to_rfc3339(),
                }))?;
            } else {
                outln!(
                    "{}: {} pages, {} bytes, sha256 {}",
                    summary.path.display(),
                    summary.pages,
                    summary.bytes,
                    summary.sha256
                );
            }
        }
        Command::Controls { framework, as_of } => {
            let run =
                evidentia_app::analyze_workspace(ws, as_of.map(day_start), Utc::now()).await?;
            let rows = evidentia_app::control_status(&run, framework)?;
            if cli.json {
                let json: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "control": r.id, "title": r.title,
                            "groups": r.groups.iter().map(|(id, _)| id).collect::<Vec<_>>(),
                            "status": r.status.as_str(), "evidence": r.evidence, "findings": r.findings, "checks": r.checks,
                            "missing_evidence": r.missing,
                        })
                    })
                    .collect();
                print_json(
                    &serde_json::json!({"framework": framework, "as_of": run.as_of.to_rfc3339(), "controls": json}),
                )?;
            } else {
                for r in &rows {
                    outln!(
                        "{:<12} {:<13} evidence {:>6}  findings {:>3}  {}",
                        r.id,
                        r.status.as_str(),
                        r.evidence,
                        r.findings,
                        r.checks.join(", ")
                    );
                    if !r.missing.is_empty() && !r.checks.is_empty() {
                        outln!("{:<12} missing: {}", "", r.missing.join("; "));
                    }
                }
            }
        }
        Command::Events { identity, as_of } => {
            let run =
                evidentia_app::analyze_workspace(ws, as_of.map(day_start), Utc::now()).await?;
            let chains: Vec<_> = run
                .analysis
                .chains
                .iter()
                .filter(|c| identity.as_deref().is_none_or(|i| c.identity.as_str() == i))
                .collect();
            let link = |l: &evidentia_app::Link| {
                let mut json = serde_json::json!({"status": l.status.as_str(), "at": l.at.map(|t| t.to_rfc3339()), "evidence": evidentia_app::link_entries(&l.evidence), "note": l.note});
                let cited_rows = evidentia_app::evidence_rows(&l.evidence);
                if !cited_rows.is_empty() {
                    json["evidence_rows"] = evidentia_app::evidence_rows_json(&cited_rows);
                }
                json
            };
            if cli.json {
                let json: Vec<_> = chains
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "entry": c.seq, "event_id": c.event_id, "identity": c.identity.as_str(),
                            "identity_kind": c.identity_kind.as_str(), "event_type": c.event_type.as_str(),
                            "effective_at": c.effective_at.to_rfc3339(), "complete": c.is_complete(),
                            "systems": c.systems.iter().map(|s| serde_json::json!({
                                "system": s.system.as_str(),
                                "direction": if s.direction == evidentia_app::Direction::Grant { "grant" } else { "revoke" },
                                "account": s.account, "deadline": s.deadline.map(|t| t.to_rfc3339()),
                                "decision": link(&s.decision), "execution": link(&s.execution), "confirmation": link(&s.confirmation),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                print_json(&json)?;
            } else {
                for c in chains {
                    outln!(
                        "{} {:<10} {:<18} {} (entry {}){}",
                        c.effective_at.format("%Y-%m-%d %H:%M"),
                        c.identity.as_str(),
                        c.event_type.as_str(),
                        c.event_id,
                        c.seq,
                        if c.is_complete() { "" } else { "  INCOMPLETE" }
                    );
                    for s in &c.systems {
                        outln!(
                            "    {:<18} decision {:<12} execution {:<12} confirmation {:<12} {}",
                            s.system.as_str(),
                            s.decision.status.as_str(),
                            s.execution.status.as_str(),
                            s.confirmation.status.as_str(),
                            s.account.as_deref().unwrap_or("")
                        );
                    }
                }
            }
        }
        Command::Reviews { campaign, as_of } => {
            let run =
                evidentia_app::analyze_workspace(ws, as_of.map(day_start), Utc::now()).await?;
            let mut view = evidentia_app::reviews_of(&run);
            if let Some(id) = campaign {
                if !view.campaigns.iter().any(|c| c.id == *id) {
                    let known: Vec<&str> = view.campaigns.iter().map(|c| c.id.as_str()).collect();
                    anyhow::bail!(
                        "no campaign {id:?} in the workspace; campaigns: {}",
                        if known.is_empty() {
                            "none imported".to_owned()
                        } else {
                            known.join(", ")
                        }
                    );
                }
                view.campaigns.retain(|c| c.id == *id);
            }
            if cli.json {
                print_json(&reviews_json(&view))?;
            } else {
                print_reviews(&view)?;
            }
        }
        Command::Exceptions { as_of } => {
            let run =
                evidentia_app::analyze_workspace(ws, as_of.map(day_start), Utc::now()).await?;
            let list = &run.analysis.exceptions;
            if cli.json {
                let json: Vec<_> = list
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "id": e.id.as_str(),
                            "subject": e.subject.as_ref().map(|s| s.as_str()),
                            "system": e.system.as_ref().map(|s| s.as_str()),
                            "entitlement": e.entitlement,
                            "owner": e.owner.as_ref().map(|o| o.as_str()),
                            "granted_at": e.granted_at.to_rfc3339(),
                            "expires_at": e.expires_at.map(|t| t.to_rfc3339()),
                            "age_days": e.age_days,
                            "bucket": e.bucket.as_str(),
                            "expiring_soon": e.expiring_soon,
                            "entry": e.seq,
                        })
                    })
                    .collect();
                print_json(
                    &serde_json::json!({"as_of": run.as_of.to_rfc3339(), "exceptions": json}),
                )?;
            } else {
                outln!("exceptions as of {}:", run.as_of.format("%Y-%m-%d"));
                for bucket in evidentia_app::AgingBucket::ALL {
                    let n = list.iter().filter(|e| e.bucket == bucket).count();
                    outln!("  {:<8} {n}", bucket.as_str());
                }
                for e in list {
                    outln!(
                        "{:<10} {:<8} {:<10} {:<18} {:<28} owner {:<8} age {:>4}d  expires {}{}",
                        e.id.as_str(),
                        e.bucket.as_str(),
                        e.subject.as_ref().map_or("-", |s| s.as_str()),
                        e.system.as_ref().map_or("-", |s| s.as_str()),
                        e.entitlement.as_deref().unwrap_or("-"),
                        e.owner.as_ref().map_or("-", |o| o.as_str()),
                        e.age_days,
                        e.expires_at
                            .map_or("never".to_owned(), |t| t.format("%Y-%m-%d").to_string()),
                        if e.expiring_soon { " (soon)" } else { "" }
                    );
                }
            }
        }
        Command::Export {
            what,
            format,
            period,
            out,
        } => {
            let options = period.options();
            let (bytes, format) = match what {
                ExportWhat::Oscal => (evidentia_app::export_oscal(ws, &options).await?, "json"),
                table => {
                    let kind = match table {
                        ExportWhat::Events => evidentia_app::ExportKind::Events,
                        ExportWhat::Findings => evidentia_app::ExportKind::Findings,
                        ExportWhat::Exceptions => evidentia_app::ExportKind::Exceptions,
                        ExportWhat::Metrics => evidentia_app::ExportKind::Metrics,
                        ExportWhat::Reviews => evidentia_app::ExportKind::Reviews,
                        ExportWhat::ReviewRevokes => evidentia_app::ExportKind::ReviewRevokes,
                        ExportWhat::Responses => evidentia_app::ExportKind::Responses,
                        ExportWhat::NotAssessed => evidentia_app::ExportKind::NotAssessed,
                        ExportWhat::Controls | ExportWhat::Oscal => {
                            evidentia_app::ExportKind::Controls
                        }
                    };
                    let (f, name) = match format {
                        ExportFormatArg::Csv => (evidentia_app::ExportFormat::Csv, "csv"),
                        ExportFormatArg::Json => (evidentia_app::ExportFormat::Json, "json"),
                    };
                    (
                        evidentia_app::export_table(ws, kind, f, &options).await?,
                        name,
                    )
                }
            };
            evidentia_app::write_atomically(out, &bytes)?;
            let what = format!("{what:?}").to_lowercase();
            if cli.json {
                print_json(&serde_json::json!({
                    "path": out.display().to_string(),
                    "export": what,
                    "format": format,
                    "framework": options.framework,
                    "bytes": bytes.len(),
                    "generated_at": options.generated_at.to_rfc3339(),
                }))?;
            } else {
                outln!(
                    "{}: {what} ({format}), {} bytes",
                    out.display(),
                    bytes.len()
                );
            }
        }
        Command::Populations { name, from, to } => match name {
            None => {
                let list = evidentia_app::population_counts(ws, *from, *to, Utc::now()).await?;
                if cli.json {
                    let rows: Vec<serde_json::Value> = list
                        .iter()
                        .map(|p| evidentia_app::population_json(p, None))
                        .collect();
                    print_json(&rows)?;
                } else {
                    for p in &list {
                        outln!("{:<26} {:>8}  {}", p.def.name, p.count, p.def.title);
                    }
                }
            }
            Some(name) => {
                let (info, rows) =
                    evidentia_app::population_items(ws, name, *from, *to, Utc::now()).await?;
                if cli.json {
                    print_json(&evidentia_app::population_json(&info, Some(&rows)))?;
                } else {
                    outln!(
                        "{} ({}): {} items",
                        info.def.name,
                        info.def.title,
                        info.count
                    );
                    outln!("{}", info.def.definition);
                    outln!("digest {}", info.digest);
                    for r in &rows {
                        outln!(
                            "{:>8}  {}  {:<14} {:<12} {}",
                            r.key,
                            r.at.format("%Y-%m-%d %H:%M"),
                            r.kind,
                            r.identity.as_deref().unwrap_or("-"),
                            r.system.as_deref().unwrap_or(&r.systems.join(","))
                        );
                    }
                }
            }
        },
        Command::Sample {
            population,
            size,
            frequency,
            seed,
            stratify,
            from,
            to,
            out,
            workpaper,
            appendix,
        } => {
            let request = evidentia_app::SampleRequest {
                population: population.clone(),
                size: match (size, frequency) {
                    (Some(n), _) => evidentia_app::SampleSize::Fixed(*n),
                    (None, Some(f)) => evidentia_app::SampleSize::Frequency(match f {
                        FrequencyArg::Annual => evidentia_app::Frequency::Annual,
                        FrequencyArg::Quarterly => evidentia_app::Frequency::Quarterly,
                        FrequencyArg::Monthly => evidentia_app::Frequency::Monthly,
                        FrequencyArg::Weekly => evidentia_app::Frequency::Weekly,
                        FrequencyArg::Daily => evidentia_app::Frequency::Daily,
                    }),
                    (None, None) => anyhow::bail!("give --size N or --frequency"),
                },
                seed: seed.clone(),
                stratify: stratify.map(|s| match s {
                    StratifyArg::System => evidentia_app::Stratify::System,
                    StratifyArg::Kind => evidentia_app::Stratify::Kind,
                }),
                from: *from,
                to: *to,
            };
            let view = evidentia_app::draw_sample(ws, &request, Utc::now()).await?;
            // Everything is rendered before anything is written.
            let workpaper_bytes = workpaper
                .as_ref()
                .map(|_| evidentia_app::render_sample_workpaper(&view, true))
                .transpose()?;
            let appendix_bytes = appendix
                .as_ref()
                .map(|_| evidentia_app::render_sample_appendix(&view))
                .transpose()?;
            if let Some(out) = out {
                let bytes = serde_json::to_vec_pretty(&evidentia_app::sample_json(&view, true))?;
                evidentia_app::write_atomically(out, &bytes)?;
            }
            if let (Some(path), Some(bytes)) = (workpaper, workpaper_bytes) {
                evidentia_app::write_atomically(path, &bytes)?;
            }
            if let (Some(path), Some(bytes)) = (appendix, appendix_bytes) {
                evidentia_app::write_atomically(path, &bytes)?;
            }
            if cli.json {
                print_json(&evidentia_app::sample_json(&view, false))?;
            } else {
                print_sample(&view)?;
            }
        }
        Command::Pack {
            period,
            out,
            sample: Some(sample),
            ..
        } => {
            let out = out
                .as_deref()
                .context("no place for the pack: pass --out FILE.zip")?;
            let now = period
                .generated_at
                .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
            let report = evidentia_app::write_sample_pack(ws, sample, Vec::new(), out, now).await?;
            if cli.json {
                let mut json = pack_json(&report.pack, now);
                json["kind"] = "sample".into();
                json["population"] = report.population.clone().into();
                json["items"] = report.items.into();
                json["entries"] = report.entries.into();
                json["payloads_withheld"] = report.withheld.into();
                json["raw_lines"] = report.raw_lines.into();
                json["set_rows"] = report.set_rows.into();
                json["signed"] = report.signed.into();
                print_json(&json)?;
            } else {
                let p = &report.pack;
                outln!(
                    "{}: selective pack of {} items of {}: {} entries disclosed ({} payloads withheld, {} raw lines), {} files (zip {} bytes, sha256 {}); checkpoint {} entries, head {}{}",
                    p.path.display(),
                    report.items,
                    report.population,
                    report.entries,
                    report.withheld,
                    report.raw_lines,
                    p.files,
                    p.zip_size,
                    p.zip_sha256,
                    p.checkpoint.count,
                    p.checkpoint.hash.to_hex(),
                    if report.signed {
                        ", signed"
                    } else {
                        ", UNSIGNED (no signing key available)"
                    }
                );
            }
        }
        Command::Pack { period, out, .. } => {
            let out = out
                .as_deref()
                .context("no place for the pack: pass --out FILE.zip")?;
            let options = period.options();
            let report = evidentia_app::write_pack(ws, &options, out).await?;
            if cli.json {
                let mut json = pack_json(&report, options.generated_at);
                json["framework"] = options.framework.clone().into();
                print_json(&json)?;
            } else {
                outln!(
                    "{}: {} files ({} bytes, zip {} bytes, sha256 {}); checkpoint {} entries, head {}",
                    report.path.display(),
                    report.files,
                    report.bytes,
                    report.zip_size,
                    report.zip_sha256,
                    report.checkpoint.count,
                    report.checkpoint.hash.to_hex()
                );
            }
        }
        Command::Init { key, no_key } => {
            let info = evidentia_app::init_workspace(ws, Utc::now()).await?;
            let created = if *no_key {
                None
            } else {
                Some(evidentia_app::create_signing_key(ws, key.as_deref(), Utc::now()).await?)
            };
            if cli.json {
                print_json(&serde_json::json!({
                    "workspace": info.path,
                    "workspace_id": info.workspace_id,
                    "entries": info.head.count + u64::from(created.is_some()),
                    "head_hash": info.head.hash.to_hex(),
                    "signing_key": created.as_ref().map(|k| serde_json::json!({
                        "private_key": k.private_key_path.display().to_string(),
                        "vkey": k.public.vkey,
                    })),
                }))?;
            } else {
                outln!("created workspace {} (id {})", info.path, info.workspace_id);
                if let Some(k) = &created {
                    outln!(
                        "signing key {} (private key {}; keep it outside shared folders, hand auditors `evidentia key export`)",
                        k.public.vkey,
                        k.private_key_path.display()
                    );
                }
            }
        }
        Command::Key {
            action: KeyAction::New { key },
        } => {
            let k = evidentia_app::create_signing_key(ws, key.as_deref(), Utc::now()).await?;
            if cli.json {
                print_json(&serde_json::json!({
                    "private_key": k.private_key_path.display().to_string(),
                    "vkey": k.public.vkey,
                    "public_key_pem": k.public.pem,
                    "entry": k.public.seq,
                }))?;
            } else {
                outln!(
                    "signing key {} recorded in entry {}; private key {}",
                    k.public.vkey,
                    k.public.seq,
                    k.private_key_path.display()
                );
            }
        }
        Command::Key {
            action: KeyAction::Export { format, out },
        } => {
            let Some(public) = evidentia_app::public_key(ws).await? else {
                anyhow::bail!(
                    "the workspace has no signing key (create one with `evidentia key new`)"
                );
            };
            let text = match format {
                KeyFormat::Pem => public.pem.clone(),
                KeyFormat::Vkey => format!("{}\n", public.vkey),
            };
            match out {
                Some(path) => {
                    evidentia_app::write_atomically(path, text.as_bytes())?;
                    if !cli.json {
                        outln!(
                            "wrote the public key of {} to {}",
                            public.name,
                            path.display()
                        );
                    }
                }
                None => out!("{text}"),
            }
        }
        Command::Proof {
            action: ProofAction::Inclusion { seq, checkpoint },
        } => {
            let (proof, signed) = evidentia_app::inclusion_proof(ws, *seq, *checkpoint).await?;
            out!("{proof}");
            if !signed {
                eprintln!(
                    "note: the checkpoint is not signed (the workspace has no signing key available); the proof ties the entry to a root, not to a key"
                );
            }
        }
        Command::Proof {
            action: ProofAction::Consistency { old, new },
        } => {
            out!(
                "{}",
                evidentia_app::consistency_proof(ws, *old, *new).await?
            );
        }
        Command::Proof {
            action: ProofAction::Verify { .. },
        } => {}
        Command::Verify {
            trusted_checkpoint: Some(trusted),
            key,
        } => {
            return verify_trusted(ws, trusted, key.as_deref(), cli.json).await;
        }
        Command::Verify { .. } => {
            let bar = progress_bar(cli.json, "verifying");
            let bar_in = bar.clone();
            let outcome = evidentia_app::verify_ledger(ws, move |p| {
                if let Some(bar) = &bar_in {
                    bar.set_length(p.entries_total);
                    bar.set_position(p.entries_checked);
                }
            })
            .await?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let report = &outcome.report;
            if cli.json {
                print_json(&VerifyJson::from(report))?;
            } else if let Some(failure) = &report.failure {
                outln!("ALTERED: entry {}: {}", failure.seq, failure.reason);
                outln!("{} entries verified before it", report.entries);
            } else {
                outln!(
                    "intact: {} entries, head {}, tree root {}, {} artifacts ({} bytes), {} checkpoints",
                    report.entries,
                    report.head.to_hex(),
                    report.tree_root.to_hex(),
                    report.artifacts,
                    report.artifact_bytes,
                    report.checkpoints
                );
            }
            if !report.is_intact() {
                return Ok(ExitCode::from(EXIT_TAMPERED));
            }
        }
        Command::Log { from, limit, kind } => {
            let mut shown = 0u64;
            let mut next = *from;
            let mut out = std::io::stdout().lock();
            // Pages through the ledger so a kind filter still shows `limit` matches.
            while shown < *limit {
                let page = evidentia_app::list_entries(ws, next, 1000).await?;
                let Some(last) = page.last() else { break };
                next = last.seq + 1;
                for entry in page
                    .iter()
                    .filter(|e| kind.as_deref().is_none_or(|k| kind_matches(k, &e.kind)))
                {
                    if shown == *limit {
                        break;
                    }
                    shown += 1;
                    if cli.json {
                        writeln!(out, "{}", serde_json::to_string(&EntryJson::from(entry))?)?;
                    } else {
                        writeln!(
                            out,
                            "{:>8}  {}  {:<24} {}  {}{}",
                            entry.seq,
                            entry.recorded_at,
                            entry.kind,
                            &entry.entry_hash.to_hex()[..16],
                            recorded_by(&entry.payload)
                                .map_or(String::new(), |by| format!("by {by}  ")),
                            if evidentia_app::SET_KINDS.contains(&entry.kind.as_str()) {
                                set_summary(&entry.kind, &entry.payload)
                            } else {
                                preview(&entry.payload)
                            }
                        )?;
                    }
                }
            }
        }
        Command::Checkpoint { list, key, note } => {
            if *list {
                let checkpoints = evidentia_app::list_checkpoints(ws).await?;
                if *note {
                    let Some(c) = checkpoints.iter().rev().find(|c| c.note.is_some()) else {
                        anyhow::bail!(
                            "no signed checkpoint yet (record one with `evidentia checkpoint`)"
                        );
                    };
                    out!("{}", c.note.as_deref().unwrap_or_default());
                } else if cli.json {
                    print_json(
                        &checkpoints
                            .iter()
                            .map(CheckpointJson::from)
                            .collect::<Vec<_>>(),
                    )?;
                } else if checkpoints.is_empty() {
                    outln!("no checkpoints yet (create one with `evidentia checkpoint`)");
                } else {
                    for c in &checkpoints {
                        outln!(
                            "#{:<4} {}  {} entries  head {}  {}",
                            c.id,
                            c.created_at,
                            c.entry_count,
                            c.head_hash,
                            match (&c.tree_root, &c.note) {
                                (Some(root), Some(_)) => format!("root {root}, signed"),
                                (Some(root), None) => format!("root {root}, unsigned"),
                                _ => "no tree root (made before format 3)".to_owned(),
                            } + &c
                                .created_by
                                .as_ref()
                                .map(|by| format!(", by {by}"))
                                .unwrap_or_default()
                        );
                    }
                }
            } else {
                let c =
                    evidentia_app::create_checkpoint(ws, Utc::now(), key.as_deref(), user).await?;
                if *note {
                    match &c.note {
                        Some(n) => out!("{n}"),
                        None => anyhow::bail!(
                            "checkpoint #{} was recorded unsigned: the workspace has no signing key here (`evidentia key new`, or --key FILE)",
                            c.id
                        ),
                    }
                } else if cli.json {
                    print_json(&CheckpointJson::from(&c))?;
                } else {
                    outln!(
                        "checkpoint #{}: {} entries, head {}, tree root {}, by {}, {}",
                        c.id,
                        c.entry_count,
                        c.head_hash,
                        c.tree_root.unwrap_or_default(),
                        c.created_by.as_deref().unwrap_or("unknown"),
                        if c.note.is_some() {
                            "signed (print the note with `evidentia checkpoint --list --note`)"
                        } else {
                            "unsigned (no signing key available)"
                        }
                    );
                }
            }
        }
        Command::Policy {
            action: PolicyAction::Set { file },
        } => {
            let change = evidentia_app::set_policy(ws, file, user, Utc::now()).await?;
            for w in evidentia_app::policy_warnings(ws).await? {
                eprintln!("warning: {w}");
            }
            let (status, seq, sha) = match change {
                evidentia_app::PolicyChange::Recorded { seq, sha256 } => ("recorded", seq, sha256),
                evidentia_app::PolicyChange::Unchanged { seq, sha256 } => {
                    ("unchanged", seq, sha256)
                }
            };
            if cli.json {
                print_json(
                    &serde_json::json!({"status": status, "entry": seq, "sha256": sha.to_hex()}),
                )?;
            } else if status == "recorded" {
                outln!("policy recorded at entry {seq} (sha256 {sha}); it is now in force");
            } else {
                outln!("policy unchanged: identical to the one recorded at entry {seq}");
            }
        }
        Command::Policy {
            action: PolicyAction::Show,
        } => match evidentia_app::current_policy(ws).await? {
            None => {
                if cli.json {
                    print_json(&serde_json::Value::Null)?;
                } else {
                    outln!(
                        "no policy set (record one with `evidentia policy set FILE`; format: docs/policy.md)"
                    );
                }
            }
            Some(p) => {
                if cli.json {
                    print_json(&serde_json::json!({
                        "entry": p.seq, "source": p.source, "sha256": p.sha256.to_hex(), "text": p.text,
                    }))?;
                } else {
                    outln!(
                        "# policy in force: {} (ledger entry {}, sha256 {})",
                        p.source,
                        p.seq,
                        p.sha256
                    );
                    out!("{}", p.text);
                }
            }
        },
        Command::Accounts {
            uncorrelated,
            entitlements: true,
        } => {
            let report = evidentia_app::list_accounts(ws).await?;
            let mut names: BTreeMap<(&str, &str), u64> = BTreeMap::new();
            for a in report
                .accounts
                .iter()
                .filter(|a| !*uncorrelated || a.identity.is_none())
            {
                for e in &a.entitlements {
                    *names.entry((a.system.as_str(), e.as_str())).or_default() += 1;
                }
            }
            if cli.json {
                let json: Vec<_> = names
                    .iter()
                    .map(|((system, name), n)| {
                        serde_json::json!({"system": system, "entitlement": name, "accounts": n})
                    })
                    .collect();
                print_json(&serde_json::json!({"entitlements": json}))?;
            } else {
                outln!("{:<18} {:>8}  entitlement", "system", "accounts");
                for ((system, name), n) in names {
                    outln!("{system:<18} {n:>8}  {name}");
                }
            }
        }
        Command::Accounts {
            uncorrelated,
            entitlements: false,
        } => {
            let report = evidentia_app::list_accounts(ws).await?;
            let rows: Vec<_> = report
                .accounts
                .iter()
                .filter(|a| !*uncorrelated || a.identity.is_none())
                .collect();
            if cli.json {
                let json: Vec<_> = rows
                    .iter()
                    .map(|a| {
                        let mut json = serde_json::json!({
                            "system": a.system.as_str(),
                            "account": a.account,
                            "identity": a.identity.as_ref().map(|i| i.as_str()),
                            "rule": a.rule,
                            "detail": a.detail,
                            "executions": a.executions,
                            "reconciliations": a.reconciliations,
                            "activity": a.activity,
                            "entitlements": a.entitlements,
                            "first_seen": a.first_seen.to_rfc3339(),
                            "last_seen": a.last_seen.to_rfc3339(),
                            "evidence": a.evidence,
                        });
                        if !a.evidence_rows.is_empty() {
                            json["evidence_rows"] =
                                evidentia_app::evidence_rows_json(&a.evidence_rows);
                        }
                        json
                    })
                    .collect();
                print_json(
                    &serde_json::json!({"policy_entry": report.policy_seq, "accounts": json}),
                )?;
            } else if rows.is_empty() {
                let what = if *uncorrelated {
                    " without an identity"
                } else {
                    " in the imported records yet"
                };
                outln!("no accounts{what}");
            } else {
                outln!(
                    "{:<18} {:<44} {:<12} {:<10} {:>5} {:>5} {:>7}  detail",
                    "system",
                    "account",
                    "identity",
                    "rule",
                    "exec",
                    "recon",
                    "signins"
                );
                for a in rows {
                    outln!(
                        "{:<18} {:<44} {:<12} {:<10} {:>5} {:>5} {:>7}  {}",
                        a.system.as_str(),
                        a.account,
                        a.identity.as_ref().map_or("-", |i| i.as_str()),
                        a.rule,
                        a.executions,
                        a.reconciliations,
                        a.activity,
                        a.detail.as_deref().unwrap_or("")
                    );
                }
            }
        }
        Command::Import {
            files,
            kind,
            format,
            profile,
            system,
            skip_invalid,
            activity,
            as_of,
            scope,
            year,
            timezone,
        } => {
            let options = ImportOptions {
                kind: kind.map(input_kind),
                format: (*format != FormatArg::Auto)
                    .then(|| format_of(*format))
                    .flatten(),
                profile: profile.clone(),
                system: system.clone(),
                skip_invalid: *skip_invalid,
                activity: activity.capture(),
                as_of: *as_of,
                scope: scope.clone(),
                year: *year,
                timezone: *timezone,
            };
            let bar = progress_bar(cli.json, "importing");
            let bar_in = bar.clone();
            let result = evidentia_app::import_each(
                ws,
                files,
                &options,
                user,
                Utc::now(),
                move |file, p| {
                    if let Some(bar) = &bar_in {
                        bar.set_message(file.display().to_string());
                        if let Some(total) = p.bytes_total {
                            bar.set_length(total);
                        }
                        bar.set_position(p.bytes_read);
                    }
                },
            )
            .await;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let mut results = result?;
            // One file: its rejection is the command's error, as it always was.
            if let [Err(_)] = results.as_slice() {
                if let Some(Err(rejection)) = results.pop() {
                    return Err(rejection.error);
                }
            }
            if cli.json {
                let json: Vec<_> = results
                    .iter()
                    .map(|r| match r {
                        Ok(report) => import_json(report),
                        Err(rejection) => rejection_json(rejection),
                    })
                    .collect();
                print_json(&json)?;
            } else {
                for result in &results {
                    match result {
                        Ok(report) => print_import(report)?,
                        Err(rejection) => outln!(
                            "{}: rejected: {}",
                            rejection.file.display(),
                            rejection_message(&rejection.error)
                        ),
                    }
                }
            }
            let rejected = results.iter().filter(|r| r.is_err()).count();
            if rejected > 0 {
                eprintln!(
                    "error: {rejected} of {} files rejected (nothing of a rejected file is in the ledger)",
                    results.len()
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `pack verify`: exit 0 intact, 3 altered (every problem listed, the first naming the file).
async fn verify_pack(
    file: &Path,
    against: Option<&Path>,
    key: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let verdict = if against.is_none() && key.is_none() {
        evidentia_app::verify_pack_file(file).await?
    } else {
        evidentia_app::verify_pack_file_with(file, against, key).await?
    };
    match &verdict {
        evidentia_app::PackVerdict::Intact(summary) => {
            let m = &summary.manifest;
            if json {
                print_json(&serde_json::json!({
                    "intact": true,
                    "files": summary.files,
                    "bytes": summary.bytes,
                    "workspace_id": m.workspace_id,
                    "framework": m.framework,
                    "format": m.format,
                    "period": {"from": m.period.from, "to": m.period.to},
                    "generated_at": m.generated_at,
                    "checkpoint": {"entry_count": m.checkpoint.entry_count, "head_hash": m.checkpoint.head_hash},
                }))?;
            } else if m.format == evidentia_app::SAMPLE_PACK_FORMAT {
                outln!(
                    "intact: selective pack, {} files ({} bytes); every item proof holds against the checkpoint of {} entries, head {}; {} {} to {}{}",
                    summary.files,
                    summary.bytes,
                    m.checkpoint.entry_count,
                    m.checkpoint.head_hash,
                    m.framework,
                    m.period.from.as_deref().unwrap_or("-"),
                    m.period.to.as_deref().unwrap_or("-"),
                    if key.is_some() {
                        "; signed by the given key"
                    } else {
                        "; signatures checked with the pack's own signing-key.pem only (pass --key to check them with the key you trust)"
                    }
                );
            } else {
                outln!(
                    "intact: {} files ({} bytes); ledger {} entries, head {}; {} {} to {}",
                    summary.files,
                    summary.bytes,
                    m.checkpoint.entry_count,
                    m.checkpoint.head_hash,
                    m.framework,
                    m.period.from.as_deref().unwrap_or("-"),
                    m.period.to.as_deref().unwrap_or("-")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        evidentia_app::PackVerdict::Altered(problems) => {
            if json {
                print_json(&serde_json::json!({
                    "intact": false,
                    "problems": problems.iter().map(|p| serde_json::json!({
                        "entry": p.entry, "reason": p.reason,
                    })).collect::<Vec<_>>(),
                }))?;
            } else {
                for p in problems.iter().take(20) {
                    outln!("ALTERED: {p}");
                }
                if problems.len() > 20 {
                    outln!("... and {} more problems", problems.len() - 20);
                }
            }
            Ok(ExitCode::from(EXIT_TAMPERED))
        }
    }
}

/// The start (00:00 UTC) of a date given on the command line.
fn day_start(date: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

fn input_kind(kind: KindArg) -> InputKind {
    match kind {
        KindArg::Events => InputKind::Events,
        KindArg::Identities => InputKind::Identities,
        KindArg::Approvals => InputKind::Approvals,
        KindArg::Provisioning => InputKind::Provisioning,
        KindArg::Reconciliation => InputKind::Reconciliation,
        KindArg::Exceptions => InputKind::Exceptions,
        KindArg::Activity => InputKind::Activity,
        KindArg::Workers => InputKind::Workers,
        KindArg::ReviewCampaigns => InputKind::ReviewCampaigns,
        KindArg::ReviewDecisions => InputKind::ReviewDecisions,
    }
}

fn format_of(format: FormatArg) -> Option<Format> {
    Some(match format {
        FormatArg::Auto => return None,
        FormatArg::Csv => Format::Csv,
        FormatArg::Cloudtrail => Format::Cloudtrail,
        FormatArg::Okta => Format::Okta,
        FormatArg::Entra => Format::Entra,
        FormatArg::Github => Format::Github,
        FormatArg::Gworkspace => Format::Gworkspace,
        FormatArg::K8s => Format::K8s,
        FormatArg::Linux => Format::Linux,
        FormatArg::AwsCredentialReport => Format::AwsCredentialReport,
        FormatArg::AwsAuthorizationDetails => Format::AwsAuthorizationDetails,
        FormatArg::GraphDirectory => Format::GraphDirectory,
        FormatArg::GoogleDirectory => Format::GoogleDirectory,
        FormatArg::OktaDirectory => Format::OktaDirectory,
        FormatArg::GithubMembers => Format::GithubMembers,
        FormatArg::K8sRbac => Format::K8sRbac,
        FormatArg::UnixAccounts => Format::UnixAccounts,
        FormatArg::Baton => Format::Baton,
        FormatArg::TeleportReviews => Format::TeleportReviews,
    })
}

fn import_json(report: &evidentia_app::ImportReport) -> serde_json::Value {
    let file = report.file.display().to_string();
    match &report.outcome {
        FileOutcome::AlreadyImported { artifact } => serde_json::json!({
            "file": file, "status": "already_imported", "artifact": artifact.to_hex(),
        }),
        FileOutcome::Imported {
            format,
            artifact,
            records,
            skipped,
            rows,
            invalid,
            warnings,
            entries,
        } => {
            let records: BTreeMap<_, _> = records.iter().map(|(k, n)| (k.as_str(), *n)).collect();
            serde_json::json!({
                "file": file,
                "status": "imported",
                "format": format.as_str(),
                "artifact": artifact.to_hex(),
                "rows": rows,
                "records": records,
                "skipped": skipped,
                "invalid": invalid.iter().map(|d| serde_json::json!({
                    "location": d.location.to_string(), "reason": d.reason,
                })).collect::<Vec<_>>(),
                "warnings": warnings.iter().map(|d| serde_json::json!({
                    "location": d.location.to_string(), "reason": d.reason,
                })).collect::<Vec<_>>(),
                "first_entry": entries.start,
                "last_entry": entries.end.saturating_sub(1),
            })
        }
    }
}

/// A rejected file's reason, worded as the error a single-file import exits with.
fn rejection_message(error: &anyhow::Error) -> String {
    if let Some(evidentia_app::AppError::InvalidInput(message)) = error.downcast_ref() {
        message.clone()
    } else {
        let chain: Vec<String> = error.chain().map(|c| c.to_string()).collect();
        dedupe_chain(&chain)
    }
}

fn rejection_json(rejection: &evidentia_app::ImportRejection) -> serde_json::Value {
    serde_json::json!({
        "file": rejection.file.display().to_string(),
        "status": "rejected",
        "error": rejection_message(&rejection.error),
    })
}

fn print_import(report: &evidentia_app::ImportReport) -> anyhow::Result<()> {
    let file = report.file.display();
    match &report.outcome {
        FileOutcome::AlreadyImported { artifact } => {
            outln!(
                "{file}: already imported (artifact {}); nothing added",
                &artifact.to_hex()[..16]
            );
        }
        FileOutcome::Imported {
            format,
            records,
            skipped,
            invalid,
            warnings,
            entries,
            ..
        } => {
            let total: u64 = records.values().sum();
            let by_kind: Vec<String> = records
                .iter()
                .map(|(k, n)| format!("{n} {}", k.as_str()))
                .collect();
            let skipped_total: u64 = skipped.values().sum();
            outln!(
                "{file}: {format}: {total} records imported ({}), {skipped_total} events skipped as not access changes, {} incomplete events recorded as warnings, {} invalid rows; entries {}..{}",
                if by_kind.is_empty() {
                    "none".to_owned()
                } else {
                    by_kind.join(", ")
                },
                warnings.len(),
                invalid.len(),
                entries.start,
                entries.end.saturating_sub(1)
            );
            for d in invalid.iter().take(20) {
                outln!("  skipped invalid row: {d}");
            }
            if invalid.len() > 20 {
                outln!(
                    "  ... and {} more invalid rows (all recorded in the ledger)",
                    invalid.len() - 20
                );
            }
            for d in warnings.iter().take(20) {
                outln!("  warning: {d}");
            }
            if warnings.len() > 20 {
                outln!(
                    "  ... and {} more warnings (all recorded in the ledger)",
                    warnings.len() - 20
                );
            }
        }
    }
    Ok(())
}

fn progress_bar(json: bool, what: &str) -> Option<indicatif::ProgressBar> {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{what} {{msg}} [{{bar:30}}] {{percent}}% {{elapsed}}"
    )) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Who an entry says acted (`recorded_by`, in the payloads of imports, policy changes,
/// analyses and responses), when it says.
fn recorded_by(payload: &[u8]) -> Option<String> {
    // Most entries are records that name nobody: skip parsing them.
    if !payload.windows(13).any(|w| w == b"\"recorded_by\"") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(payload).ok()?;
    value.get("recorded_by")?.as_str().map(str::to_owned)
}

/// Whether `log --kind asked` shows an entry of `kind`: its own kind, and for
/// `record.execution` also `record.execution_set`, since executions are written in sets now
/// (one-record entries remain in workspaces written before).
fn kind_matches(asked: &str, kind: &str) -> bool {
    kind == asked
        || (kind == evidentia_app::EXECUTION_SET_KIND
            && asked == evidentia_app::record_entry_kind(evidentia_domain::RecordKind::Execution))
}

/// A set entry in the log: how many rows and where the first and last came from, instead of
/// the first characters of a payload that only ever shows the artifact's hash.
fn set_summary(kind: &str, payload: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Row {
        location: String,
    }
    #[derive(serde::Deserialize)]
    struct Set {
        rows: Vec<Row>,
    }
    match serde_json::from_slice::<Set>(payload) {
        Ok(set) => match (set.rows.first(), set.rows.last()) {
            (Some(first), Some(last)) => format!(
                "{kind} ({} row{}, {} … {})",
                set.rows.len(),
                if set.rows.len() == 1 { "" } else { "s" },
                first.location,
                last.location
            ),
            _ => format!("{kind} (0 rows)"),
        },
        Err(_) => preview(payload),
    }
}

fn preview(payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    let mut out: String = text.chars().take(100).collect();
    if text.chars().count() > 100 {
        out.push('…');
    }
    out
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// What `pack --json` prints of any pack written.
fn pack_json(
    report: &evidentia_app::PackReport,
    generated_at: chrono::DateTime<Utc>,
) -> serde_json::Value {
    serde_json::json!({
        "path": report.path.display().to_string(),
        "files": report.files,
        "bytes": report.bytes,
        "zip_bytes": report.zip_size,
        "sha256": report.zip_sha256,
        "checkpoint": {
            "entry_count": report.checkpoint.count,
            "head_hash": report.checkpoint.hash.to_hex(),
        },
        "generated_at": generated_at.to_rfc3339(),
    })
}

/// `evidentia sample`: the method, then each item with its attributes.
fn print_sample(view: &evidentia_app::SampleView) -> anyhow::Result<()> {
    for (label, value) in evidentia_app::method_rows(view) {
        outln!("{label:<18} {value}");
    }
    outln!();
    for s in &view.items {
        let i = &s.item;
        outln!(
            "{:>3}. entry {}  {}  {}  {}  {}",
            s.number,
            i.key,
            i.kind,
            i.identity.as_deref().unwrap_or("-"),
            i.system.clone().unwrap_or_else(|| i.systems.join(",")),
            i.at.format("%Y-%m-%d %H:%M UTC")
        );
        for a in &s.attributes {
            let mut entries: Vec<String> = a.evidence.iter().map(u64::to_string).collect();
            entries.extend(
                a.evidence_rows
                    .iter()
                    .map(|(entry, row)| format!("{entry}:{row}")),
            );
            outln!(
                "       {:<20} {:<5} [{}] {}",
                a.id,
                a.outcome.as_str(),
                entries.join(" "),
                a.note
            );
        }
    }
    Ok(())
}

/// `evidentia reviews --json`: every figure the text shows, with the entries behind it.
fn reviews_json(view: &evidentia_app::ReviewsView) -> serde_json::Value {
    let campaigns: Vec<_> = view
        .campaigns
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "name": c.name,
                "entry": c.seq,
                "started_at": c.started_at,
                "due_at": c.due_at,
                "closed_at": c.closed_at,
                "overdue": c.overdue,
                "population": c.population,
                "decided": c.decided,
                "decided_on_time": c.decided_on_time,
                "findings": c.findings,
                "systems": c.systems.iter().map(|s| serde_json::json!({
                    "system": s.system,
                    "snapshot_at": s.snapshot_at,
                    "snapshot_entries": s.snapshot_entries,
                    "population": s.population,
                    "decided": s.decided,
                    "decided_on_time": s.decided_on_time,
                    "undecided": s.undecided,
                    "keep": s.keep,
                    "revoke": s.revoke,
                    "modify": s.modify,
                    "decision_to_removal": s.removal_hours.map(|(n, p50, p95)| serde_json::json!({
                        "count": n, "median_hours": p50, "p95_hours": p95
                    })),
                })).collect::<Vec<_>>(),
                "revokes": c.revokes.iter().map(|r| serde_json::json!({
                    "decision_entry": r.decision_seq,
                    "decision": r.verdict,
                    "system": r.system,
                    "account": r.account,
                    "entitlement": r.entitlement,
                    "identity": r.identity,
                    "reviewer": r.reviewer,
                    "decided_at": r.decided_at,
                    "deadline": r.deadline,
                    "removal_entry": r.removal_seq,
                    "removal_row": r.removal_row,
                    "removed_at": r.removed_at,
                    "confirmation_entry": r.confirmation_seq,
                    "confirmation_row": r.confirmation_row,
                    "confirmation_at": r.confirmation_at,
                    "confirmation_shows_access": r.confirmation_held,
                    "status": r.status,
                })).collect::<Vec<_>>(),
                "reviewers": c.reviewers.iter().map(|r| serde_json::json!({
                    "reviewer": r.reviewer,
                    "decisions": r.decisions,
                    "keep": r.keep,
                    "revoke": r.revoke,
                    "modify": r.modify,
                    "fastest_burst": r.fastest_burst,
                    "fastest_burst_all_keep": r.fastest_burst_all_keep,
                })).collect::<Vec<_>>(),
                "outside_population_entries": c.outside_population,
            })
        })
        .collect();
    serde_json::json!({
        "as_of": view.as_of,
        "rubber_stamp": {"decisions": view.rubber_stamp.0, "within_seconds": view.rubber_stamp.1},
        "campaigns": campaigns,
    })
}

/// Share as a percentage with one decimal, or `-` when there is nothing to divide.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn print_reviews(view: &evidentia_app::ReviewsView) -> std::io::Result<()> {
    if view.campaigns.is_empty() {
        outln!("no access-review campaigns imported (docs/access-reviews.md)");
        return Ok(());
    }
    for c in &view.campaigns {
        let state = match (&c.closed_at, c.overdue) {
            (Some(t), true) => format!("closed {t}, after its due date"),
            (Some(t), false) => format!("closed {t}"),
            (None, true) => "open, past its due date".to_owned(),
            (None, false) => "open".to_owned(),
        };
        outln!(
            "{}{}  started {}  due {}  {}  [entry {}]",
            c.id,
            c.name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            c.started_at,
            c.due_at,
            state,
            c.seq
        );
        outln!(
            "  coverage {} ({} of {} items decided), on time {}, {} finding(s)",
            percent(c.decided, c.population),
            c.decided,
            c.population,
            percent(c.decided_on_time, c.population),
            c.findings
        );
        for s in &c.systems {
            let Some(at) = &s.snapshot_at else {
                outln!(
                    "  {:<18} population not established: no complete snapshot at or before the start",
                    s.system
                );
                continue;
            };
            let removal = s.removal_hours.map_or("-".to_owned(), |(n, p50, p95)| {
                format!("{n} removed, p50 {p50:.1}h p95 {p95:.1}h")
            });
            outln!(
                "  {:<18} population {:>6} (snapshot {at})  decided {:>6}  undecided {:>5}  keep {} revoke {} modify {}  decision→removal: {removal}",
                s.system,
                s.population,
                s.decided,
                s.undecided,
                s.keep,
                s.revoke,
                s.modify
            );
        }
        for r in &c.revokes {
            let item = format!(
                "{} {}{}",
                r.system,
                r.account,
                r.entitlement
                    .as_deref()
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default()
            );
            // `entry 17` or `entry 17 row 5`, as every output cites a row of a set entry.
            let cite = |seq: u64, row: Option<u32>| {
                evidentia_app::Cite::set_row(seq, row.unwrap_or(0)).to_string()
            };
            let removal = match (&r.removed_at, r.removal_seq) {
                (Some(t), Some(seq)) => format!("removed {t} [{}]", cite(seq, r.removal_row)),
                _ => "no removal in the log".to_owned(),
            };
            let confirmation = match (&r.confirmation_at, r.confirmation_held, r.confirmation_seq) {
                (Some(t), Some(true), Some(seq)) => {
                    format!(
                        "snapshot {t} still shows it [{}]",
                        cite(seq, r.confirmation_row)
                    )
                }
                (Some(t), Some(false), Some(seq)) => {
                    format!(
                        "snapshot {t} shows it gone [{}]",
                        cite(seq, r.confirmation_row)
                    )
                }
                _ => "no later snapshot".to_owned(),
            };
            outln!(
                "  {} {item}: decided {} by {} [entry {}] → {removal} → {confirmation}: {}",
                r.verdict,
                r.decided_at,
                r.reviewer.as_deref().unwrap_or("-"),
                r.decision_seq,
                r.status
            );
        }
        for r in &c.reviewers {
            let flag =
                if r.fastest_burst >= view.rubber_stamp.0 as usize && r.fastest_burst_all_keep {
                    "  (rubber-stamp threshold reached)"
                } else {
                    ""
                };
            outln!(
                "  reviewer {:<24} {} decisions (keep {}, revoke {}, modify {}), fastest {} within {}s{flag}",
                r.reviewer,
                r.decisions,
                r.keep,
                r.revoke,
                r.modify,
                r.fastest_burst,
                view.rubber_stamp.1
            );
        }
        if !c.outside_population.is_empty() {
            outln!(
                "  {} decision(s) on items outside the population [entries {}]",
                c.outside_population.len(),
                c.outside_population
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(())
}

/// The access-review governance figures for `metrics --json`: all campaigns, then each in order
/// of start (the trend) with its systems.
fn review_metrics_json(r: &evidentia_app::ReviewMetrics) -> serde_json::Value {
    let figures = |f: &evidentia_app::ReviewFigures| {
        serde_json::json!({
            "population": f.population,
            "decided": f.decided,
            "decided_on_time": f.decided_on_time,
            "keep": f.keep,
            "revoke": f.revoke,
            "modify": f.modify,
            "coverage": f.coverage(),
            "completion_on_time": f.completion(),
            "revoke_rate": f.revoke_rate(),
        })
    };
    let durations = |map: &BTreeMap<evidentia_domain::SystemId, evidentia_app::Durations>| {
        map.iter()
            .map(|(s, d)| {
                (
                    s.to_string(),
                    serde_json::json!({"count": d.count, "median_hours": d.median_hours, "p95_hours": d.p95_hours}),
                )
            })
            .collect::<serde_json::Map<_, _>>()
    };
    serde_json::json!({
        "all": figures(&r.figures),
        "decision_to_removal": durations(&r.decision_to_removal),
        "campaigns": r.campaigns.iter().map(|c| serde_json::json!({
            "campaign": c.campaign.as_str(),
            "started_at": c.started_at.to_rfc3339(),
            "figures": figures(&c.figures),
            "systems": c.systems.iter().map(|(s, f)| (s.to_string(), figures(f))).collect::<serde_json::Map<_, _>>(),
            "without_population": c.without_population.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            "decision_to_removal": durations(&c.decision_to_removal),
        })).collect::<Vec<_>>(),
    })
}
