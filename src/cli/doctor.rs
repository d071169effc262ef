//! `fenliu doctor`: checks what a station needs and says what to fix.

use super::Ctx;
use crate::store::{AuditOutcome, DB_FILE, Store};
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
    findings.extend(data_checks(ctx));
    findings.push(Finding {
        ok: true,
        what: "hub",
        detail: "no hub configured: this console works alone".into(),
    });
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
