//! `fenliu doctor`: checks what a station needs and says what to fix.

use super::Ctx;
use crate::store::{AuditOutcome, DB_FILE, Store};
use crate::sync::{self, Client};
use chrono::Utc;
use color_eyre::eyre::Result;

/// One finding: what was checked, whether it holds, and what it says.
struct Finding {
    ok: bool,
    what: &'static str,
    detail: String,
}

/// Runs every check; exit 0 when all hold, 1 otherwise.
pub fn run(ctx: &Ctx) -> Result<u8> {
    let mut findings = vec![Finding {
        ok: true,
        what: "config",
        detail: match &ctx.config_path {
            Some(p) => format!("{} (valid)", p.display()),
            None => ctx.first_run_note(),
        },
    }];
    findings.push(list_check(ctx));
    findings.extend(console_checks(ctx));
    findings.extend(data_checks(ctx));
    findings.extend(hub_checks(ctx));
    let mut problems = 0;
    for f in &findings {
        if !f.ok {
            problems += 1;
        }
        outln!(
            "{} {:<10} {}",
            if f.ok { "ok " } else { "!! " },
            f.what,
            f.detail
        );
    }
    if problems > 0 {
        outln!("{problems} problem(s) found");
        Ok(1)
    } else {
        outln!("all checks passed");
        Ok(0)
    }
}

/// The responsibility list, loaded by the same code `incident new` and the console use.
fn list_check(ctx: &Ctx) -> Finding {
    match ctx.classifier() {
        Ok(c) => Finding {
            ok: true,
            what: "rules",
            detail: format!(
                "responsibility list version {} ({} categories)",
                c.list().version,
                c.list().categories.len()
            ),
        },
        Err(e) => Finding {
            ok: false,
            what: "rules",
            detail: format!("{e:#}"),
        },
    }
}

/// The console's keymap and theme, checked by the code the console starts with.
fn console_checks(ctx: &Ctx) -> Vec<Finding> {
    let keys = crate::tui::keymap::Keymap::new(&ctx.config.console.keys);
    let theme = crate::tui::theme::Theme::colored().with_overrides(&ctx.config.console.theme);
    vec![
        Finding {
            ok: keys.is_ok(),
            what: "keys",
            detail: match keys {
                Ok(_) => "console keymap has no conflicts".into(),
                Err(e) => format!("{e}; fix [console.keys] in the config"),
            },
        },
        Finding {
            ok: theme.is_ok(),
            what: "theme",
            detail: match theme {
                Ok(_) => "console theme colours are valid".into(),
                Err(e) => format!("{e}; fix [console.theme] in the config"),
            },
        },
    ]
}

/// Reachability, protocol version and clock skew of the configured hub.
fn hub_checks(ctx: &Ctx) -> Vec<Finding> {
    let fail = |detail: String| {
        vec![Finding {
            ok: false,
            what: "hub",
            detail,
        }]
    };
    let settings = match sync::settings(&ctx.config, ctx.config_path.as_deref()) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return vec![Finding {
                ok: true,
                what: "hub",
                detail: "no hub configured: this console works alone".into(),
            }];
        }
        Err(e) => return fail(format!("{e}; check [hub] in the config")),
    };
    let mut findings = vec![reference_check(ctx)];
    findings.extend(reach_checks(ctx, &settings));
    findings
}

/// The references this workstation makes carry its number, and nothing waiting to be pushed
/// was numbered in the hub's own series (the hub would refuse it).
fn reference_check(ctx: &Ctx) -> Finding {
    let id = &ctx.identity;
    let prefix = id.reference_prefix();
    let hub_series = format!("{}-", id.station_prefix);
    let waiting = ctx
        .store()
        .ok()
        .and_then(|s| s.outbox(100_000).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            matches!(&e.kind, crate::domain::EventKind::Received(r) if r.reference.starts_with(&hub_series))
        })
        .count();
    let numbered = id.syncs && id.workstation.is_some() && prefix != id.station_prefix;
    Finding {
        ok: numbered && waiting == 0,
        what: "references",
        detail: if !numbered {
            format!(
                "this workstation makes {hub_series}… references, the hub's own series: set [hub] workstation"
            )
        } else if waiting > 0 {
            format!(
                "{waiting} item(s) made here before syncing carry the hub's series {hub_series}…; the hub will refuse them"
            )
        } else {
            format!(
                "{prefix}-… (station {}, workstation {})",
                id.station_prefix,
                id.workstation.as_deref().unwrap_or("")
            )
        },
    }
}

/// Reachability, protocol version and clock skew of the configured hub.
fn reach_checks(ctx: &Ctx, settings: &sync::Settings) -> Vec<Finding> {
    let fail = |detail: String| {
        vec![Finding {
            ok: false,
            what: "hub",
            detail,
        }]
    };
    let client = match Client::new(settings) {
        Ok(c) => c,
        Err(e) => return fail(format!("{e}; check [hub] url")),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let sent = Utc::now();
    let page = match runtime.block_on(client.pull(0, 0, 1)) {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot sync with the hub at {}: {e}", settings.url)),
    };
    let skew = sync::plan::skew(sent, Utc::now(), page.hub_time);
    let identity = ctx
        .store()
        .map_err(|e| e.to_string())
        .and_then(|s| sync::identity::doctor_says(&s, &page).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| (false, format!("cannot compare with the local store: {e}")));
    vec![
        Finding {
            ok: identity.0,
            what: "hub identity",
            detail: identity.1,
        },
        Finding {
            ok: true,
            what: "hub",
            detail: format!(
                "{} reachable, protocol {} (token accepted)",
                settings.url,
                crate::protocol::PROTOCOL_VERSION
            ),
        },
        Finding {
            ok: !sync::plan::skew_is_large(skew),
            what: "clock",
            detail: if sync::plan::skew_is_large(skew) {
                format!(
                    "this machine's clock is {} ms off the hub's; set the time (NTP) or the timers will be wrong",
                    skew.num_milliseconds()
                )
            } else {
                format!("within {} ms of the hub", skew.num_milliseconds().abs())
            },
        },
    ]
}

fn data_checks(ctx: &Ctx) -> Vec<Finding> {
    let dir = &ctx.data_dir;
    let mut out = Vec::new();
    if let Err(e) = std::fs::create_dir_all(dir) {
        out.push(Finding {
            ok: false,
            what: "data dir",
            detail: format!(
                "{} cannot be created ({e}); pass --data-dir DIR or set FENLIU_DATA_DIR to a writable place",
                dir.display()
            ),
        });
        return out;
    }
    let probe = dir.join(".fenliu-write-check");
    let writable = std::fs::write(&probe, b"ok").and_then(|()| std::fs::remove_file(&probe));
    out.push(Finding {
        ok: writable.is_ok(),
        what: "data dir",
        detail: match writable {
            Ok(()) => format!("{} (writable)", dir.display()),
            Err(e) => format!(
                "{} is not writable ({e}); fix its permissions",
                dir.display()
            ),
        },
    });
    let store = match Store::open_dir(dir) {
        Ok(s) => s,
        Err(e) => {
            out.push(Finding {
                ok: false,
                what: "database",
                detail: format!(
                    "{}: {e}; move the file aside and restore it from a backup or the hub",
                    dir.join(DB_FILE).display()
                ),
            });
            return out;
        }
    };
    out.push(match store.integrity_check() {
        Ok(()) => Finding {
            ok: true,
            what: "database",
            detail: format!(
                "{} (schema {}, integrity ok)",
                store.path().display(),
                store.schema_version().unwrap_or_default()
            ),
        },
        Err(e) => Finding {
            ok: false,
            what: "database",
            detail: format!("{e}; copy the file aside before anything else"),
        },
    });
    out.push(match store.audit() {
        Ok(AuditOutcome::Intact { events }) => Finding {
            ok: true,
            what: "journal",
            detail: format!("hash chain holds over {events} events"),
        },
        Ok(AuditOutcome::Broken {
            pos,
            event_id,
            reason,
        }) => Finding {
            ok: false,
            what: "journal",
            detail: format!(
                "event {event_id} (row {pos}): {reason}; report it to the supervisor and keep the file as evidence"
            ),
        },
        Err(e) => Finding {
            ok: false,
            what: "journal",
            detail: format!("cannot be read: {e}"),
        },
    });
    out
}
