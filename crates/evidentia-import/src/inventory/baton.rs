//! Reads a ConductorOne Baton sync (`.c1z`): the users, grants and secrets one connector saw in one finished sync.
//!
//! A Baton connector ([baton-sdk](https://github.com/ConductorOne/baton-sdk)) writes what it
//! read from a system into a `.c1z` file. This module reads the v1 container
//! (`pkg/dotc1z/decoder.go`): the magic `C1ZF\0`, then one zstd frame holding a SQLite
//! database (schema in `pkg/dotc1z/{resouce_types,resources,entitlements,grants,sync_runs}.go`,
//! tables `v1_resource_types`, `v1_resources`, `v1_entitlements`, `v1_grants`,
//! `v1_sync_runs`), whose `data` columns are protobuf messages of
//! `proto/c1/connector/v2/{resource,entitlement,grant,annotation_trait}.proto`
//! (<https://github.com/ConductorOne/baton-sdk/tree/main/proto/c1/connector/v2>).
//!
//! | What is read | Becomes |
//! |---|---|
//! | a resource with a `UserTrait` (or of a resource type with `TRAIT_USER`) | the account itself ([`Row::account`]); named by `UserTrait.login`, else its primary (else first) email, else the resource's display name, else its id |
//! | `UserTrait.status` or `Resource.status` DISABLED / DELETED | the account's rows are [`Row::disabled`] |
//! | `UserTrait.last_login` | last used |
//! | a grant (`v1_grants`) | an entitlement row: the principal's account, entitlement `<resource display name>:<entitlement slug>` (`AUDITOR:assigned`) |
//! | a grant to a principal that is not a user (a group, a role) | an entitlement row whose account is the principal's display name |
//! | a resource with a `SecretTrait` naming its `identity_id` | a credential row of that identity: the secret's display name, `last_used_at` as last used, expired (`expires_at` before the moment) as [`Row::inactive`] |
//! | coverage | accounts when the sync has a user resource type, entitlements always, credentials when it has a secret resource type |
//!
//! **Which sync.** A file can hold several syncs. As Baton does itself when it shows a file
//! (`getFinishedSync(..., SyncTypeFull)` in `pkg/dotc1z/sync_runs.go`), the latest *finished*
//! full sync is read: `ended_at` set, `sync_type` `full` (older files have no `sync_type`:
//! all their syncs are full), ordered by `ended_at` then `sync_id`. The rows of every other
//! sync are counted as skipped. A file whose syncs all are unfinished (Baton keeps one to
//! resume it) is refused: half a sync would read as accounts and grants removed.
//!
//! **The moment** is the chosen sync's `ended_at`, which baton-sdk writes as
//! `time.Now().Format("2006-01-02 15:04:05.999999999")`: the local time of the machine the
//! connector ran on, without its zone. It is read as UTC (connectors run in containers whose
//! zone is UTC), or in the zone `--timezone` names.
//!
//! **The system.** A v1 sync names neither its connector nor the system it read (its resource
//! types are generic: `user`, `role`; the sync token is a resume cursor), so the rows belong
//! to `--system`, else to `baton` with a warning asking for `--system`.
//!
//! **Skipped, and why.** Resource types and entitlements are definitions (their grants are
//! the evidence); resources that are neither users nor secrets (roles, groups, apps) are what
//! is granted, not who holds it; assets are icons; secrets with no owning identity name no
//! account. Each is counted by kind.
//!
//! **Bounded resources.** The frame is decompressed into a temporary file, never into memory:
//! the zstd window is limited to 128 MiB (baton-sdk's own decoder default,
//! `defaultDecoderMaxMemory`), and the output to 1 GiB or 4096 times the file's size,
//! whichever is smaller, so a zstd bomb stops early with little written. The users of the sync
//! and the names of its entitlements are held in memory (a few hundred bytes each) to name the
//! principals of the grants, which are streamed.
//!
//! **Not read.** The newer v3 container (`C1Z3\0`, a Pebble key-value store, baton-sdk
//! `pkg/dotc1z/format/v3`) is refused by name; Baton's own `baton` tool converts it.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

use chrono::NaiveDateTime;
use evidentia_domain::{Coverage, Timestamp};
use prost::Message;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{Listing, Row, snapshot_time, system_of};
use crate::{Format, ImportContext, ImportError, ImportSummary, Location, Progress, RecordSink};

/// The v1 container's magic (baton-sdk `pkg/dotc1z/decoder.go`, `C1ZFileHeader`).
const V1_MAGIC: &[u8; 5] = b"C1ZF\0";
/// The v3 (Pebble) container's magic (baton-sdk `C1Z3FileHeader`).
const V3_MAGIC: &[u8; 5] = b"C1Z3\0";
/// At most 1 GiB of SQLite is written to disk, whatever the file's size.
const MAX_DECOMPRESSED: u64 = 1 << 30;
/// ... and at most this many times the compressed size when that is known. Baton's SQLite
/// compresses about 20 to 1; zstd's best case on repeated bytes is thousands to one.
const MAX_RATIO: u64 = 4096;
/// The zstd window limit, 2^27 = 128 MiB: baton-sdk's `defaultDecoderMaxMemory`.
const WINDOW_LOG_MAX: u32 = 27;
/// The tables a v1 sync has (baton-sdk `pkg/dotc1z`, all at version 1).
const TABLES: [&str; 5] = [
    "v1_sync_runs",
    "v1_resource_types",
    "v1_resources",
    "v1_entitlements",
    "v1_grants",
];

/// A Baton sync is binary and is recognised by its magic in `detect.rs`; its bytes never reach
/// the text recognisers, so this one claims nothing.
pub(crate) fn recognise(_head: &str) -> bool {
    false
}

/// Reads the latest finished full sync of a v1 `.c1z` into reconciliation rows.
pub fn import(
    input: &mut dyn Read,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    let database = decompress(input, ctx, progress)?;
    let db = open(database.path(), ctx)?;
    let mut summary = ImportSummary::default();
    let result = read_sync(&db, ctx, sink, &mut summary);
    // The connection goes before the temporary file it reads.
    drop(db);
    result?;
    progress(Progress {
        bytes_read: ctx.size.unwrap_or(0),
        bytes_total: ctx.size,
        rows: summary.rows,
    });
    Ok(summary)
}

fn unreadable(ctx: &ImportContext, reason: impl Into<String>) -> ImportError {
    ImportError::Unreadable(ctx.diagnostic(Location::File, reason))
}

/// Counts the compressed bytes the decoder has taken, for progress.
struct Counting<'a> {
    inner: &'a mut dyn Read,
    read: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Checks the magic and decompresses the zstd frame into a temporary file, within the caps.
fn decompress(
    input: &mut dyn Read,
    ctx: &ImportContext,
    progress: &mut dyn FnMut(Progress),
) -> Result<tempfile::NamedTempFile, ImportError> {
    let io = |source| ImportError::Io {
        file: ctx.file_name.clone(),
        source,
    };
    let mut magic = Vec::with_capacity(V1_MAGIC.len());
    input
        .take(V1_MAGIC.len() as u64)
        .read_to_end(&mut magic)
        .map_err(io)?;
    if magic == V3_MAGIC {
        return Err(unreadable(
            ctx,
            "this is Baton's v3 (Pebble) format; this version reads v1 (SQLite) syncs: convert it with a baton-sdk tool that writes v1, or export the sync again as v1",
        ));
    }
    if magic != V1_MAGIC {
        return Err(unreadable(
            ctx,
            "not a Baton .c1z sync: it does not start with the magic C1ZF",
        ));
    }
    // Never below 1 MiB, so that a tiny real sync is not refused for its ratio.
    let limit = ctx.size.map_or(MAX_DECOMPRESSED, |size| {
        size.saturating_mul(MAX_RATIO)
            .clamp(1 << 20, MAX_DECOMPRESSED)
    });
    let damaged = |e: std::io::Error| {
        unreadable(ctx, format!("the zstd stream is damaged or cut short: {e}"))
    };
    let mut decoder = zstd::stream::read::Decoder::new(Counting {
        inner: input,
        read: V1_MAGIC.len() as u64,
    })
    .map_err(damaged)?;
    decoder.window_log_max(WINDOW_LOG_MAX).map_err(damaged)?;
    let mut file = tempfile::NamedTempFile::new().map_err(io)?;
    let mut written: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = decoder.read(&mut buf).map_err(|e| {
            if e.to_string().contains("Frame requires too much memory") {
                unreadable(
                    ctx,
                    format!(
                        "the zstd frame needs a window larger than {} MiB to decompress; Baton writes none that large",
                        (1u64 << WINDOW_LOG_MAX) >> 20
                    ),
                )
            } else {
                damaged(e)
            }
        })?;
        if n == 0 {
            break;
        }
        written += n as u64;
        if written > limit {
            return Err(unreadable(
                ctx,
                format!(
                    "the zstd stream decompresses to more than {limit} bytes{}; it is not read",
                    if ctx.size.is_some() {
                        format!(" ({MAX_RATIO} times the file's size, at most 1 GiB)")
                    } else {
                        " (1 GiB)".to_owned()
                    }
                ),
            ));
        }
        file.write_all(buf.get(..n).unwrap_or_default())
            .map_err(io)?;
        progress(Progress {
            bytes_read: decoder.get_ref().get_ref().read,
            bytes_total: ctx.size,
            rows: 0,
        });
    }
    file.flush().map_err(io)?;
    if written == 0 {
        return Err(unreadable(
            ctx,
            "the zstd stream is empty: the file holds no sync",
        ));
    }
    Ok(file)
}

/// Opens the decompressed database read-only. `immutable=1`: nobody else has the file, and
/// Baton's databases are in WAL mode, which read-only access would otherwise need a
/// `-shm` file for.
fn open(path: &std::path::Path, ctx: &ImportContext) -> Result<Connection, ImportError> {
    let mut uri = String::from("file:");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = Connection::open_with_flags(uri, flags).map_err(|e| not_sqlite(ctx, &e))?;
    for table in TABLES {
        let found: Option<i64> = db
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| not_sqlite(ctx, &e))?;
        if found.is_none() {
            return Err(unreadable(
                ctx,
                format!("the database inside is not a Baton v1 sync: it has no table {table}"),
            ));
        }
    }
    Ok(db)
}

fn not_sqlite(ctx: &ImportContext, e: &rusqlite::Error) -> ImportError {
    unreadable(
        ctx,
        format!("the decompressed content is not a readable SQLite database: {e}"),
    )
}

/// The chosen sync.
struct Sync {
    id: String,
    ended_at: Timestamp,
}

/// A principal of the sync, by `(resource type, resource id)`.
#[derive(Debug)]
struct Principal {
    name: String,
    disabled: bool,
}

fn read_sync(
    db: &Connection,
    ctx: &ImportContext,
    sink: &mut dyn RecordSink,
    summary: &mut ImportSummary,
) -> Result<(), ImportError> {
    let sql =
        |e: rusqlite::Error| unreadable(ctx, format!("the sync's database cannot be read: {e}"));
    let sync = choose_sync(db, ctx).map_err(|e| match e {
        Choice::Sql(e) => sql(e),
        Choice::Refused(e) => e,
    })?;
    let (as_of, _) = snapshot_time(ctx, Some(sync.ended_at), summary)?;
    if ctx.system.is_none() {
        summary.warn(ctx.diagnostic(
            Location::File,
            "a Baton sync does not name the system its connector read: the rows are recorded under the system `baton`; give --system with the system's name so they meet its other evidence",
        ));
    }
    skip_other_syncs(db, &sync.id, summary).map_err(sql)?;

    // Resource types: which are users and which secrets (a resource of such a type is one even
    // when the connector attached no trait to it).
    let mut user_types = HashSet::new();
    let mut secret_types = HashSet::new();
    {
        let mut stmt = db
            .prepare("SELECT id, external_id, data FROM v1_resource_types WHERE sync_id = ?1 ORDER BY id")
            .map_err(sql)?;
        let mut rows = stmt.query([&sync.id]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            summary.rows += 1;
            let location = pointer("v1_resource_types", row.get(0).map_err(sql)?);
            let external_id: String = row.get(1).map_err(sql)?;
            let Some(data) = blob(row, 2, ctx, summary, &location, "ResourceType") else {
                continue;
            };
            match pb::ResourceType::decode(data.as_slice()) {
                Ok(rt) => {
                    let id = if rt.id.is_empty() { external_id } else { rt.id };
                    if rt.traits.contains(&pb::TRAIT_USER) {
                        user_types.insert(id.clone());
                    }
                    if rt.traits.contains(&pb::TRAIT_SECRET) {
                        secret_types.insert(id);
                    }
                    summary.skip("resource type: a definition, its resources are read");
                }
                Err(e) => bad_data(ctx, summary, location, "ResourceType", &e),
            }
        }
    }

    // Resources: the principals (users named for their accounts, others by display name),
    // read once to name the grants' principals; users and secrets are emitted after.
    let mut principals: HashMap<(String, String), Principal> = HashMap::new();
    let mut display_names: HashMap<(String, String), String> = HashMap::new();
    let mut users = Vec::new();
    let mut secrets = Vec::new();
    {
        let mut stmt = db
            .prepare("SELECT id, resource_type_id, external_id, data FROM v1_resources WHERE sync_id = ?1 ORDER BY id")
            .map_err(sql)?;
        let mut rows = stmt.query([&sync.id]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            summary.rows += 1;
            let location = pointer("v1_resources", row.get(0).map_err(sql)?);
            let type_column: String = row.get(1).map_err(sql)?;
            let external_id: String = row.get(2).map_err(sql)?;
            let Some(data) = blob(row, 3, ctx, summary, &location, "Resource") else {
                continue;
            };
            let resource = match pb::Resource::decode(data.as_slice()) {
                Ok(resource) => resource,
                Err(e) => {
                    bad_data(ctx, summary, location, "Resource", &e);
                    continue;
                }
            };
            let key = resource_key(resource.id.as_ref(), &type_column, &external_id);
            let user = resource.trait_of::<pb::UserTrait>(pb::USER_TRAIT);
            let secret = resource.trait_of::<pb::SecretTrait>(pb::SECRET_TRAIT);
            let is_user = user.is_some() || user_types.contains(&key.0);
            let is_secret = !is_user && (secret.is_some() || secret_types.contains(&key.0));
            let disabled =
                resource.disabled() || user.as_ref().is_some_and(pb::UserTrait::disabled);
            let name = if is_user {
                account_name(user.as_ref(), &resource, &key.1)
            } else {
                non_empty(&resource.display_name)
                    .unwrap_or(&key.1)
                    .to_owned()
            };
            display_names.insert(
                key.clone(),
                non_empty(&resource.display_name)
                    .unwrap_or(&key.1)
                    .to_owned(),
            );
            if is_user {
                let last_login = user
                    .as_ref()
                    .and_then(|u| u.last_login.as_ref())
                    .and_then(pb::Timestamp::to_utc);
                users.push((name.clone(), disabled, last_login, location));
            } else if is_secret {
                secrets.push((resource, secret.unwrap_or_default(), location));
            } else {
                summary.skip(format!(
                    "{} resource: granted to accounts, not an account (its grants are read)",
                    key.0
                ));
            }
            principals.insert(key, Principal { name, disabled });
        }
    }

    let has_users = !user_types.is_empty() || !users.is_empty();
    let has_secrets = !secret_types.is_empty() || !secrets.is_empty();
    let listing = Listing {
        system: system_of(ctx, Format::Baton),
        as_of,
        coverage: Coverage {
            accounts: has_users,
            entitlements: true,
            credentials: has_secrets,
            holders_of: None,
        },
    };

    for (name, disabled, last_login, location) in users {
        let row = Row::account(name).last_used(last_login);
        let row = if disabled { row.disabled() } else { row };
        listing.emit(summary, sink, row, location)?;
    }
    for (secret, secret_trait, location) in secrets {
        let Some(owner) = secret_trait
            .identity_id
            .as_ref()
            .and_then(|id| principals.get(&(id.resource_type.clone(), id.resource.clone())))
        else {
            summary.skip("secret resource: names no identity of the sync that holds it");
            continue;
        };
        let credential = non_empty(&secret.display_name)
            .or_else(|| secret.id.as_ref().map(|id| id.resource.as_str()))
            .unwrap_or_default()
            .to_owned();
        let mut row = Row::credential(owner.name.clone(), credential).last_used(
            secret_trait
                .last_used_at
                .as_ref()
                .and_then(pb::Timestamp::to_utc),
        );
        if secret_trait
            .expires_at
            .as_ref()
            .and_then(pb::Timestamp::to_utc)
            .is_some_and(|expires| expires <= as_of)
        {
            row = row.inactive();
        } else if owner.disabled {
            row = row.disabled();
        }
        listing.emit(summary, sink, row, location)?;
    }

    // Entitlements: their names, by the id the grants refer to them by.
    let mut entitlements: HashMap<String, String> = HashMap::new();
    {
        let mut stmt = db
            .prepare(
                "SELECT id, external_id, data FROM v1_entitlements WHERE sync_id = ?1 ORDER BY id",
            )
            .map_err(sql)?;
        let mut rows = stmt.query([&sync.id]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            summary.rows += 1;
            let location = pointer("v1_entitlements", row.get(0).map_err(sql)?);
            let external_id: String = row.get(1).map_err(sql)?;
            let Some(data) = blob(row, 2, ctx, summary, &location, "Entitlement") else {
                continue;
            };
            match pb::Entitlement::decode(data.as_slice()) {
                Ok(entitlement) => {
                    let name = entitlement_name(&entitlement, &display_names);
                    let id = if entitlement.id.is_empty() {
                        external_id
                    } else {
                        entitlement.id
                    };
                    entitlements.insert(id, name);
                    summary.skip("entitlement: a definition, its grants are read");
                }
                Err(e) => bad_data(ctx, summary, location, "Entitlement", &e),
            }
        }
    }

    // Grants: one entitlement row each, streamed.
    let mut stmt = db
        .prepare("SELECT id, entitlement_id, principal_resource_type_id, principal_resource_id, data FROM v1_grants WHERE sync_id = ?1 ORDER BY id")
        .map_err(sql)?;
    let mut rows = stmt.query([&sync.id]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        summary.rows += 1;
        let location = pointer("v1_grants", row.get(0).map_err(sql)?);
        let entitlement_column: String = row.get(1).map_err(sql)?;
        let principal_type: String = row.get(2).map_err(sql)?;
        let principal_id: String = row.get(3).map_err(sql)?;
        let Some(data) = blob(row, 4, ctx, summary, &location, "Grant") else {
            continue;
        };
        let grant = match pb::Grant::decode(data.as_slice()) {
            Ok(grant) => grant,
            Err(e) => {
                bad_data(ctx, summary, location, "Grant", &e);
                continue;
            }
        };
        let key = grant
            .principal
            .as_ref()
            .and_then(|p| p.id.as_ref())
            .filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
            .map_or((principal_type, principal_id), |id| {
                (id.resource_type.clone(), id.resource.clone())
            });
        let entitlement = grant
            .entitlement
            .as_ref()
            .and_then(|e| entitlements.get(&e.id))
            .or_else(|| entitlements.get(&entitlement_column))
            .cloned()
            .or_else(|| {
                grant
                    .entitlement
                    .as_ref()
                    .map(|e| entitlement_name(e, &display_names))
            });
        let Some(entitlement) = entitlement.filter(|e| !e.is_empty()) else {
            summary
                .diagnostics
                .push(ctx.diagnostic(location, "the grant names no entitlement of the sync"));
            continue;
        };
        // A principal the sync does not list (Baton creates some just in time while listing
        // grants) is named as the grant shows it.
        let (account, disabled) = match principals.get(&key) {
            Some(p) => (p.name.clone(), p.disabled),
            None => (
                grant
                    .principal
                    .as_ref()
                    .and_then(|p| non_empty(&p.display_name))
                    .unwrap_or(&key.1)
                    .to_owned(),
                false,
            ),
        };
        if account.is_empty() {
            summary
                .diagnostics
                .push(ctx.diagnostic(location, "the grant names no principal"));
            continue;
        }
        let row = Row::entitlement(account, entitlement);
        let row = if disabled { row.disabled() } else { row };
        listing.emit(summary, sink, row, location)?;
    }
    Ok(())
}

enum Choice {
    Sql(rusqlite::Error),
    Refused(ImportError),
}

impl From<rusqlite::Error> for Choice {
    fn from(e: rusqlite::Error) -> Self {
        Choice::Sql(e)
    }
}

/// The latest finished full sync, or why there is none.
fn choose_sync(db: &Connection, ctx: &ImportContext) -> Result<Sync, Choice> {
    let has_type: i64 = db.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('v1_sync_runs') WHERE name = 'sync_type'",
        [],
        |row| row.get(0),
    )?;
    let full = if has_type > 0 {
        "AND sync_type = 'full'"
    } else {
        ""
    };
    let chosen: Option<(String, String)> = db
        .query_row(
            &format!(
                "SELECT sync_id, CAST(ended_at AS TEXT) FROM v1_sync_runs WHERE ended_at IS NOT NULL {full} ORDER BY ended_at DESC, sync_id DESC LIMIT 1"
            ),
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((id, ended_at)) = chosen {
        let ended_at = parse_time(&ended_at, ctx).ok_or_else(|| {
            Choice::Refused(unreadable(
                ctx,
                format!("the sync {id} ended at \"{ended_at}\", which is not a time"),
            ))
        })?;
        return Ok(Sync { id, ended_at });
    }
    let (runs, finished): (i64, i64) = db.query_row(
        "SELECT COUNT(*), COUNT(ended_at) FROM v1_sync_runs",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let reason = if runs == 0 {
        "the file holds no sync".to_owned()
    } else if finished == 0 {
        let started: Option<String> = db
            .query_row(
                "SELECT CAST(started_at AS TEXT) FROM v1_sync_runs ORDER BY started_at DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?;
        format!(
            "the sync did not finish (started {}, no end recorded): half a sync would read as access removed; import a file whose sync ran to the end",
            started.unwrap_or_default()
        )
    } else {
        "the file's finished syncs are all partial (not `full`): a partial sync lists only what changed, not the access that exists".to_owned()
    };
    Err(Choice::Refused(unreadable(ctx, reason)))
}

/// Counts the rows of every other sync as skipped, so every row of the file is accounted for.
fn skip_other_syncs(
    db: &Connection,
    sync_id: &str,
    summary: &mut ImportSummary,
) -> Result<(), rusqlite::Error> {
    for table in TABLES.iter().skip(1).chain(&["v1_assets"]) {
        let exists: i64 = db.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |row| row.get(0),
        )?;
        if exists == 0 {
            continue;
        }
        let (other, assets): (i64, i64) = db.query_row(
            &format!(
                "SELECT COALESCE(SUM(sync_id <> ?1), 0), COALESCE(SUM(sync_id = ?1), 0) FROM {table}"
            ),
            [sync_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let mut skip = |reason: String, n: i64| {
            if n > 0 {
                summary.rows += n.unsigned_abs();
                *summary.skipped.entry(reason).or_default() += n.unsigned_abs();
            }
        };
        skip(
            format!("{table} row of another sync than the latest finished one"),
            other,
        );
        if *table == "v1_assets" {
            skip("asset (an icon or logo): not access".to_owned(), assets);
        }
    }
    Ok(())
}

/// Reads a `datetime` column as baton-sdk writes it (`2025-02-03 20:49:58.9550432`, no zone)
/// in `--timezone`, else UTC; also accepts RFC 3339.
fn parse_time(text: &str, ctx: &ImportContext) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.to_utc());
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()?;
    ctx.timezone.unwrap_or_else(crate::Zone::utc).to_utc(local)
}

fn pointer(table: &str, id: i64) -> Location {
    Location::Pointer(format!("/{table}/{id}"))
}

/// A row's `data` blob, or a diagnostic when it is not one.
fn blob(
    row: &rusqlite::Row<'_>,
    index: usize,
    ctx: &ImportContext,
    summary: &mut ImportSummary,
    location: &Location,
    message: &str,
) -> Option<Vec<u8>> {
    match row.get_ref(index) {
        Ok(rusqlite::types::ValueRef::Blob(bytes)) => Some(bytes.to_vec()),
        Ok(rusqlite::types::ValueRef::Text(bytes)) => Some(bytes.to_vec()),
        _ => {
            summary.diagnostics.push(ctx.diagnostic(
                location.clone(),
                format!("the data column holds no c1.connector.v2.{message}"),
            ));
            None
        }
    }
}

fn bad_data(
    ctx: &ImportContext,
    summary: &mut ImportSummary,
    location: Location,
    message: &str,
    e: &prost::DecodeError,
) {
    summary.diagnostics.push(ctx.diagnostic(
        location,
        format!("the data column is not a c1.connector.v2.{message}: {e}"),
    ));
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// `(resource type, resource id)`: from the message, else from the columns (whose
/// `external_id` is `<type>:<id>` in the files baton-sdk writes).
fn resource_key(
    id: Option<&pb::ResourceId>,
    type_column: &str,
    external_id: &str,
) -> (String, String) {
    match id.filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty()) {
        Some(id) => (id.resource_type.clone(), id.resource.clone()),
        None => (
            type_column.to_owned(),
            external_id
                .strip_prefix(type_column)
                .and_then(|rest| rest.strip_prefix(':'))
                .unwrap_or(external_id)
                .to_owned(),
        ),
    }
}

/// The account a user resource is: its login, else its primary (else first) email, else its
/// display name, else its resource id.
fn account_name(user: Option<&pb::UserTrait>, resource: &pb::Resource, id: &str) -> String {
    let login = user.and_then(|u| non_empty(&u.login));
    let email = user.and_then(|u| {
        u.emails
            .iter()
            .find(|e| e.is_primary && !e.address.trim().is_empty())
            .or_else(|| u.emails.iter().find(|e| !e.address.trim().is_empty()))
            .map(|e| e.address.trim())
    });
    login
        .or(email)
        .or_else(|| non_empty(&resource.display_name))
        .unwrap_or(id)
        .to_owned()
}

/// `<resource display name>:<slug>`: the resource as the system shows it and the kind of access
/// (`assigned`, `member`, `admin`). Without a slug, the part of the entitlement id after
/// `<type>:<resource>:` (Baton's convention for ids), else the entitlement's display name.
fn entitlement_name(
    entitlement: &pb::Entitlement,
    display_names: &HashMap<(String, String), String>,
) -> String {
    let resource_id = entitlement.resource.as_ref().and_then(|r| r.id.as_ref());
    let resource = entitlement
        .resource
        .as_ref()
        .and_then(|r| non_empty(&r.display_name))
        .map(str::to_owned)
        .or_else(|| {
            resource_id.and_then(|id| {
                display_names
                    .get(&(id.resource_type.clone(), id.resource.clone()))
                    .cloned()
            })
        })
        .or_else(|| resource_id.map(|id| id.resource.clone()))
        .unwrap_or_default();
    let from_id = resource_id.and_then(|id| {
        entitlement
            .id
            .strip_prefix(&format!("{}:{}:", id.resource_type, id.resource))
            .and_then(non_empty)
    });
    let slug = non_empty(&entitlement.slug)
        .or(from_id)
        .or_else(|| non_empty(&entitlement.display_name));
    match (non_empty(&resource), slug) {
        (Some(resource), Some(slug)) => format!("{resource}:{slug}"),
        (None, Some(slug)) => slug.to_owned(),
        (Some(_), None) | (None, None) => entitlement.id.clone(),
    }
}

/// The fields of baton-sdk's protobuf messages this importer reads, with their field numbers
/// (`proto/c1/connector/v2/*.proto` at baton-sdk `e2bd8af9`). Fields not declared here are
/// skipped by the decoder.
mod pb {
    use evidentia_domain::Timestamp as Instant;

    /// `ResourceType.Trait.TRAIT_USER`.
    pub const TRAIT_USER: i32 = 1;
    /// `ResourceType.Trait.TRAIT_SECRET`.
    pub const TRAIT_SECRET: i32 = 5;
    /// The `google.protobuf.Any` type URL of a `UserTrait` annotation.
    pub const USER_TRAIT: &str = "c1.connector.v2.UserTrait";
    /// The `google.protobuf.Any` type URL of a `SecretTrait` annotation.
    pub const SECRET_TRAIT: &str = "c1.connector.v2.SecretTrait";

    /// `resource.proto`: `message ResourceType`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ResourceType {
        #[prost(string, tag = "1")]
        pub id: String,
        /// `repeated Trait traits = 3`.
        #[prost(int32, repeated, tag = "3")]
        pub traits: Vec<i32>,
    }

    /// `resource.proto`: `message ResourceId`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ResourceId {
        #[prost(string, tag = "1")]
        pub resource_type: String,
        #[prost(string, tag = "2")]
        pub resource: String,
    }

    /// `google/protobuf/any.proto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Any {
        #[prost(string, tag = "1")]
        pub type_url: String,
        #[prost(bytes = "vec", tag = "2")]
        pub value: Vec<u8>,
    }

    /// `google/protobuf/timestamp.proto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Timestamp {
        #[prost(int64, tag = "1")]
        pub seconds: i64,
        #[prost(int32, tag = "2")]
        pub nanos: i32,
    }

    impl Timestamp {
        /// The instant, `None` for the zero timestamp (never) or one out of range.
        pub fn to_utc(&self) -> Option<Instant> {
            if self.seconds <= 0 {
                return None;
            }
            chrono::DateTime::from_timestamp(self.seconds, u32::try_from(self.nanos).ok()?)
        }
    }

    /// `resource.proto`: `message Status` (`ResourceStatus status = 1`).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Status {
        #[prost(int32, tag = "1")]
        pub status: i32,
    }

    /// `resource.proto`: `message Resource`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Resource {
        #[prost(message, optional, tag = "1")]
        pub id: Option<ResourceId>,
        #[prost(string, tag = "3")]
        pub display_name: String,
        #[prost(message, repeated, tag = "4")]
        pub annotations: Vec<Any>,
        #[prost(message, optional, tag = "11")]
        pub status: Option<Status>,
    }

    impl Resource {
        /// The first annotation of this type (`type.googleapis.com/<name>`), decoded.
        pub fn trait_of<T: prost::Message + Default>(&self, name: &str) -> Option<T> {
            self.annotations
                .iter()
                .filter(|a| {
                    a.type_url
                        .rsplit('/')
                        .next()
                        .is_some_and(|full_name| full_name == name)
                })
                .find_map(|a| T::decode(a.value.as_slice()).ok())
        }

        /// `RESOURCE_STATUS_DISABLED = 2` or `RESOURCE_STATUS_DELETED = 3`.
        pub fn disabled(&self) -> bool {
            self.status
                .as_ref()
                .is_some_and(|s| matches!(s.status, 2 | 3))
        }
    }

    /// `annotation_trait.proto`: `UserTrait.Email`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Email {
        #[prost(string, tag = "1")]
        pub address: String,
        #[prost(bool, tag = "2")]
        pub is_primary: bool,
    }

    /// `annotation_trait.proto`: `UserTrait.Status` (`Status.Status status = 1`).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct UserStatus {
        #[prost(int32, tag = "1")]
        pub status: i32,
    }

    /// `annotation_trait.proto`: `message UserTrait`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct UserTrait {
        #[prost(message, repeated, tag = "1")]
        pub emails: Vec<Email>,
        #[prost(message, optional, tag = "2")]
        pub status: Option<UserStatus>,
        #[prost(string, tag = "6")]
        pub login: String,
        #[prost(message, optional, tag = "9")]
        pub last_login: Option<Timestamp>,
    }

    impl UserTrait {
        /// `STATUS_DISABLED = 2` or `STATUS_DELETED = 3`.
        pub fn disabled(&self) -> bool {
            self.status
                .as_ref()
                .is_some_and(|s| matches!(s.status, 2 | 3))
        }
    }

    /// `annotation_trait.proto`: `message SecretTrait`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct SecretTrait {
        #[prost(message, optional, tag = "3")]
        pub expires_at: Option<Timestamp>,
        #[prost(message, optional, tag = "4")]
        pub last_used_at: Option<Timestamp>,
        #[prost(message, optional, tag = "6")]
        pub identity_id: Option<ResourceId>,
    }

    /// `entitlement.proto`: `message Entitlement`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Entitlement {
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        #[prost(string, tag = "2")]
        pub id: String,
        #[prost(string, tag = "3")]
        pub display_name: String,
        #[prost(string, tag = "8")]
        pub slug: String,
    }

    /// `grant.proto`: `message Grant`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Grant {
        #[prost(message, optional, tag = "1")]
        pub entitlement: Option<Entitlement>,
        #[prost(message, optional, tag = "2")]
        pub principal: Option<Resource>,
        #[prost(string, tag = "3")]
        pub id: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evidentia_domain::{ReconciliationRecord, ReconciliationStatus};
    use prost::Message;

    /// The v1 schema as baton-sdk wrote it in 2025 (`.schema` of the real PingFederate sample;
    /// `pkg/dotc1z/{resouce_types,resources,entitlements,grants,sync_runs,assets}.go`).
    const SCHEMA: &str = "
        CREATE TABLE v1_resource_types (id integer primary key, external_id text not null,
            data blob not null, sync_id text not null, discovered_at datetime not null);
        CREATE TABLE v1_resources (id integer primary key, resource_type_id text not null,
            external_id text not null, parent_resource_type_id text, parent_resource_id text,
            data blob not null, sync_id text not null, discovered_at datetime not null);
        CREATE TABLE v1_entitlements (id integer primary key, resource_type_id text not null,
            resource_id text not null, external_id text not null, data blob not null,
            sync_id text not null, discovered_at datetime not null);
        CREATE TABLE v1_grants (id integer primary key, resource_type_id text not null,
            resource_id text not null, entitlement_id text not null,
            principal_resource_type_id text not null, principal_resource_id text not null,
            external_id text not null, data blob not null, sync_id text not null,
            discovered_at datetime not null);
        CREATE TABLE v1_sync_runs (id integer primary key, sync_id text not null,
            started_at datetime not null, ended_at datetime, sync_token text not null);
        CREATE TABLE v1_assets (id integer primary key, external_id text not null,
            content_type text not null, data blob not null, sync_id text not null,
            discovered_at datetime not null);
        PRAGMA journal_mode = WAL;";

    const NOW: &str = "2025-02-03 20:49:58.955";

    /// A `.c1z`: the magic, then the zstd-compressed database `build` fills.
    fn c1z(build: impl FnOnce(&Connection)) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sync.db");
        let db = Connection::open(&path).expect("db");
        db.execute_batch(SCHEMA).expect("schema");
        build(&db);
        // Baton checkpoints its WAL into the database before compressing it.
        db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .expect("checkpoint");
        drop(db);
        let sqlite = std::fs::read(&path).expect("read");
        let mut out = V1_MAGIC.to_vec();
        out.extend(zstd::encode_all(sqlite.as_slice(), 3).expect("compress"));
        out
    }

    fn any<M: Message>(name: &str, message: &M) -> pb::Any {
        pb::Any {
            type_url: format!("type.googleapis.com/c1.connector.v2.{name}"),
            value: message.encode_to_vec(),
        }
    }

    fn id(resource_type: &str, resource: &str) -> pb::ResourceId {
        pb::ResourceId {
            resource_type: resource_type.into(),
            resource: resource.into(),
        }
    }

    fn resource(
        resource_type: &str,
        resource: &str,
        name: &str,
        traits: Vec<pb::Any>,
    ) -> pb::Resource {
        pb::Resource {
            id: Some(id(resource_type, resource)),
            display_name: name.into(),
            annotations: traits,
            status: None,
        }
    }

    fn at(seconds: i64) -> pb::Timestamp {
        pb::Timestamp { seconds, nanos: 0 }
    }

    fn sync_run(db: &Connection, sync: &str, started: &str, ended: Option<&str>) {
        db.execute(
            "INSERT INTO v1_sync_runs (sync_id, started_at, ended_at, sync_token) VALUES (?1, ?2, ?3, '{}')",
            rusqlite::params![sync, started, ended],
        )
        .expect("sync run");
    }

    fn resource_type(db: &Connection, sync: &str, ty: &str, traits: Vec<i32>) {
        let data = pb::ResourceType {
            id: ty.into(),
            traits,
        }
        .encode_to_vec();
        db.execute(
            "INSERT INTO v1_resource_types (external_id, data, sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![ty, data, sync, NOW],
        )
        .expect("resource type");
    }

    fn put_resource(db: &Connection, sync: &str, r: &pb::Resource) {
        let rid = r.id.clone().unwrap_or_default();
        db.execute(
            "INSERT INTO v1_resources (resource_type_id, external_id, data, sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![rid.resource_type, format!("{}:{}", rid.resource_type, rid.resource), r.encode_to_vec(), sync, NOW],
        )
        .expect("resource");
    }

    fn entitlement(on: &pb::Resource, slug: &str) -> pb::Entitlement {
        let rid = on.id.clone().unwrap_or_default();
        pb::Entitlement {
            resource: Some(on.clone()),
            id: format!(
                "{}:{}:{}",
                rid.resource_type,
                rid.resource,
                if slug.is_empty() { "assigned" } else { slug }
            ),
            display_name: format!("{} {slug}", on.display_name),
            slug: slug.into(),
        }
    }

    fn put_entitlement(db: &Connection, sync: &str, e: &pb::Entitlement) {
        let rid = e
            .resource
            .as_ref()
            .and_then(|r| r.id.clone())
            .unwrap_or_default();
        db.execute(
            "INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![rid.resource_type, rid.resource, e.id, e.encode_to_vec(), sync, NOW],
        )
        .expect("entitlement");
    }

    fn put_grant(db: &Connection, sync: &str, e: &pb::Entitlement, principal: &pb::Resource) {
        let rid = e
            .resource
            .as_ref()
            .and_then(|r| r.id.clone())
            .unwrap_or_default();
        let pid = principal.id.clone().unwrap_or_default();
        let grant_id = format!("{}:{}:{}", e.id, pid.resource_type, pid.resource);
        // Baton stores the grant's entitlement and principal with their ids only.
        let grant = pb::Grant {
            entitlement: Some(pb::Entitlement {
                resource: e.resource.clone(),
                id: e.id.clone(),
                ..Default::default()
            }),
            principal: Some(pb::Resource {
                id: Some(pid.clone()),
                ..Default::default()
            }),
            id: grant_id.clone(),
        };
        db.execute(
            "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, data, sync_id, discovered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![rid.resource_type, rid.resource, e.id, pid.resource_type, pid.resource, grant_id, grant.encode_to_vec(), sync, NOW],
        )
        .expect("grant");
    }

    fn user(login: &str, emails: &[(&str, bool)], status: i32, last_login: Option<i64>) -> pb::Any {
        any(
            "UserTrait",
            &pb::UserTrait {
                emails: emails
                    .iter()
                    .map(|(address, is_primary)| pb::Email {
                        address: (*address).into(),
                        is_primary: *is_primary,
                    })
                    .collect(),
                status: Some(pb::UserStatus { status }),
                login: login.into(),
                last_login: last_login.map(at),
            },
        )
    }

    /// One directory, synced twice (the later sync is read), and a third sync that never ended.
    fn directory() -> Vec<u8> {
        c1z(|db| {
            let alice = resource(
                "user",
                "00u1",
                "Alice Liddell",
                vec![user(
                    "alice",
                    &[("alice@example.com", true)],
                    1,
                    Some(1_738_000_000),
                )],
            );
            let bob = resource(
                "user",
                "00u2",
                "Bob",
                vec![user(
                    "",
                    &[("bob.old@example.com", false), ("bob@example.com", true)],
                    2,
                    None,
                )],
            );
            let bot = resource("user", "00u3", "Build Bot", vec![]);
            let eng = resource("group", "eng", "Engineering", vec![]);
            let admin = resource("role", "admin", "Admin", vec![]);
            let key = |name: &str, expires: i64| {
                resource(
                    "api_key",
                    name,
                    name,
                    vec![any(
                        "SecretTrait",
                        &pb::SecretTrait {
                            expires_at: Some(at(expires)),
                            last_used_at: Some(at(1_738_100_000)),
                            identity_id: Some(id("user", "00u1")),
                        },
                    )],
                )
            };
            let member = entitlement(&eng, "member");
            let assigned = entitlement(&admin, "");
            for (sync, started, ended) in [
                (
                    "s1",
                    "2025-02-01 10:00:00.1",
                    Some("2025-02-01 10:00:05.1234567"),
                ),
                (
                    "s2",
                    "2025-02-03 20:49:58.9550432",
                    Some("2025-02-03 20:49:59.321487"),
                ),
                ("s3", "2025-02-04 08:00:00", None),
            ] {
                sync_run(db, sync, started, ended);
                resource_type(db, sync, "user", vec![pb::TRAIT_USER]);
                resource_type(db, sync, "group", vec![2]);
                resource_type(db, sync, "role", vec![3]);
                resource_type(db, sync, "api_key", vec![pb::TRAIT_SECRET]);
                for r in [&alice, &bob, &bot, &eng, &admin] {
                    put_resource(db, sync, r);
                }
                put_entitlement(db, sync, &member);
                put_entitlement(db, sync, &assigned);
                put_grant(db, sync, &member, &alice);
                if sync != "s1" {
                    // Only the later syncs show these.
                    put_resource(db, sync, &key("deploy", 1_900_000_000));
                    put_resource(db, sync, &key("old", 1_700_000_000));
                    put_grant(db, sync, &assigned, &bob);
                    put_grant(db, sync, &assigned, &eng);
                }
            }
        })
    }

    fn run(
        bytes: &[u8],
        ctx: &ImportContext,
    ) -> Result<(ImportSummary, Vec<(ReconciliationRecord, Location)>), ImportError> {
        crate::inventory::test_support::run_in(Format::Baton, bytes, ctx)
    }

    fn refusal(bytes: &[u8], ctx: &ImportContext) -> String {
        match run(bytes, ctx) {
            Ok(_) => panic!("imported"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_latest_finished_sync_becomes_accounts_grants_and_secrets() {
        let ctx = ImportContext::new("okta.c1z");
        let (summary, rows) = run(&directory(), &ctx).expect("imports");
        assert!(summary.diagnostics.is_empty(), "{:?}", summary.diagnostics);
        let shown: Vec<_> = rows
            .iter()
            .map(|(r, _)| {
                (
                    r.account.as_str(),
                    r.entitlement.as_deref(),
                    r.credential,
                    r.status,
                    r.last_used_at.map(|t| t.timestamp()),
                )
            })
            .collect();
        use ReconciliationStatus::{Disabled, ExpectedMissing, ExpectedPresent};
        assert_eq!(
            shown,
            [
                // login; primary email when there is no login; display name without a trait.
                ("alice", None, false, ExpectedPresent, Some(1_738_000_000)),
                ("bob@example.com", None, false, Disabled, None),
                ("Build Bot", None, false, ExpectedPresent, None),
                (
                    "alice",
                    Some("deploy"),
                    true,
                    ExpectedPresent,
                    Some(1_738_100_000)
                ),
                // Expired before the sync ended.
                (
                    "alice",
                    Some("old"),
                    true,
                    ExpectedMissing,
                    Some(1_738_100_000)
                ),
                (
                    "alice",
                    Some("Engineering:member"),
                    false,
                    ExpectedPresent,
                    None
                ),
                // No slug: the end of the entitlement id; a disabled holder's grant is disabled.
                (
                    "bob@example.com",
                    Some("Admin:assigned"),
                    false,
                    Disabled,
                    None
                ),
                // A group holding a role is named as the group.
                (
                    "Engineering",
                    Some("Admin:assigned"),
                    false,
                    ExpectedPresent,
                    None
                ),
            ]
        );
        let (first, location) = &rows[0];
        assert_eq!(first.system.as_str(), "baton");
        assert_eq!(first.as_of.to_rfc3339(), "2025-02-03T20:49:59.321487+00:00");
        assert_eq!(*location, Location::Pointer("/v1_resources/6".into()));
        assert_eq!(
            first.coverage,
            Some(std::sync::Arc::new(Coverage {
                accounts: true,
                entitlements: true,
                credentials: true,
                holders_of: None
            }))
        );
        assert_eq!(summary.warnings.len(), 1);
        assert!(
            summary.warnings[0].reason.contains("--system"),
            "{:?}",
            summary.warnings
        );
        // Every row of the file is accounted for: s1's 12, s2's 16 and s3's 16, emitted or skipped.
        assert_eq!(
            summary.skipped["v1_resources row of another sync than the latest finished one"],
            5 + 7
        );
        assert_eq!(
            summary.skipped["group resource: granted to accounts, not an account (its grants are read)"],
            1
        );
        assert_eq!(
            summary.skipped["entitlement: a definition, its grants are read"],
            2
        );
        assert_eq!(summary.rows, 12 + 16 + 16);
    }

    #[test]
    fn the_system_and_the_zone_of_the_sync_times_can_be_given() {
        let mut ctx = ImportContext::new("okta.c1z");
        ctx.system = Some(evidentia_domain::SystemId::new("okta"));
        ctx.timezone = Some(crate::Zone::parse("+02:00").expect("zone"));
        let (summary, rows) = run(&directory(), &ctx).expect("imports");
        assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
        assert_eq!(rows[0].0.system.as_str(), "okta");
        assert_eq!(
            rows[0].0.as_of.to_rfc3339(),
            "2025-02-03T18:49:59.321487+00:00"
        );
    }

    #[test]
    fn a_file_whose_only_sync_did_not_finish_is_refused() {
        let bytes = c1z(|db| sync_run(db, "s1", "2025-02-04 08:00:00", None));
        let e = refusal(&bytes, &ImportContext::new("s.c1z"));
        assert!(
            e.starts_with("s.c1z: the sync did not finish (started 2025-02-04 08:00:00"),
            "{e}"
        );
        let e = refusal(&c1z(|_| {}), &ImportContext::new("s.c1z"));
        assert!(e.contains("holds no sync"), "{e}");
    }

    #[test]
    fn a_file_with_only_partial_syncs_is_refused() {
        let bytes = c1z(|db| {
            db.execute_batch(
                "ALTER TABLE v1_sync_runs ADD COLUMN sync_type text not null default 'full'",
            )
            .expect("alter");
            sync_run(db, "s1", "2025-02-04 08:00:00", Some("2025-02-04 08:01:00"));
            db.execute_batch("UPDATE v1_sync_runs SET sync_type = 'partial'")
                .expect("update");
        });
        let e = refusal(&bytes, &ImportContext::new("s.c1z"));
        assert!(e.contains("are all partial"), "{e}");
    }

    #[test]
    fn a_database_that_is_not_baton_s_is_refused_naming_the_missing_table() {
        let bytes = c1z(|db| db.execute_batch("DROP TABLE v1_grants").expect("drop"));
        let e = refusal(&bytes, &ImportContext::new("s.c1z"));
        assert_eq!(
            e,
            "s.c1z: the database inside is not a Baton v1 sync: it has no table v1_grants"
        );

        let mut not_sqlite = V1_MAGIC.to_vec();
        not_sqlite
            .extend(zstd::encode_all(&b"just some text, not a database"[..], 3).expect("zstd"));
        let e = refusal(&not_sqlite, &ImportContext::new("s.c1z"));
        assert!(e.contains("not a readable SQLite database"), "{e}");
    }

    #[test]
    fn other_containers_are_refused_by_name() {
        let e = refusal(b"C1Z3\0\0\0\0\x10rest", &ImportContext::new("p.c1z"));
        assert!(
            e.contains("this is Baton's v3 (Pebble) format; this version reads v1 (SQLite) syncs"),
            "{e}"
        );
        let e = refusal(b"PK\x03\x04", &ImportContext::new("p.c1z"));
        assert!(e.contains("does not start with the magic C1ZF"), "{e}");
        let e = refusal(b"C1ZF\0", &ImportContext::new("p.c1z"));
        assert!(e.contains("damaged or cut short"), "{e}");
    }

    #[test]
    fn a_cut_stream_is_an_error_not_a_partial_import() {
        let bytes = directory();
        for cut in [bytes.len() / 2, bytes.len() - 1, 9] {
            let e = refusal(&bytes[..cut], &ImportContext::new("cut.c1z"));
            assert!(e.contains("damaged or cut short"), "{cut}: {e}");
        }
    }

    #[test]
    fn a_zstd_bomb_stops_at_the_cap() {
        // 256 MiB of zeros compress to a few KiB.
        let mut bomb = V1_MAGIC.to_vec();
        zstd::stream::copy_encode(std::io::repeat(0).take(256 << 20), &mut bomb, 3)
            .expect("compress");
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let mut ctx = ImportContext::new("bomb.c1z");
        ctx.size = Some(bomb.len() as u64);
        let started = std::time::Instant::now();
        let e = refusal(&bomb, &ctx);
        let limit = (bomb.len() as u64 * MAX_RATIO).max(1 << 20);
        assert!(
            e.contains(&format!("decompresses to more than {limit} bytes")),
            "{e}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn a_frame_needing_a_huge_window_is_refused_before_it_is_decoded() {
        // A frame header declaring a 1 GiB window (exponent 30 - 10 = 20), then one raw block.
        let mut bytes = V1_MAGIC.to_vec();
        bytes.extend([
            0x28,
            0xB5,
            0x2F,
            0xFD,
            0x00,
            20 << 3,
            0x09,
            0x00,
            0x00,
            b'x',
        ]);
        let e = refusal(&bytes, &ImportContext::new("w.c1z"));
        assert!(e.contains("window larger than 128 MiB"), "{e}");
    }

    #[test]
    fn a_row_whose_data_is_not_protobuf_is_a_diagnostic() {
        let bytes = c1z(|db| {
            sync_run(db, "s1", "2025-02-01 10:00:00", Some("2025-02-01 10:00:05"));
            resource_type(db, "s1", "user", vec![pb::TRAIT_USER]);
            put_resource(db, "s1", &resource("user", "u1", "Ann", vec![]));
            db.execute(
                "INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, data, sync_id, discovered_at) VALUES ('role','r','role:r:x','user','u1','g', X'FFFFFFFF', 's1', '')",
                [],
            )
            .expect("grant");
        });
        let (summary, rows) = run(&bytes, &ImportContext::new("s.c1z")).expect("imports");
        assert_eq!(rows.len(), 1);
        assert_eq!(summary.diagnostics.len(), 1);
        assert_eq!(
            summary.diagnostics[0].location,
            Location::Pointer("/v1_grants/1".into())
        );
        assert!(
            summary.diagnostics[0]
                .reason
                .contains("not a c1.connector.v2.Grant"),
            "{:?}",
            summary.diagnostics
        );
    }

    #[test]
    fn a_baton_sync_is_detected_by_its_magic_only() {
        assert_eq!(
            crate::detect_format(&directory(), "x.c1z"),
            Some(Format::Baton)
        );
        assert!(!recognise("C1ZF"));
    }
}
