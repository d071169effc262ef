//! `fenliu roster …`

use super::Ctx;
use super::args::{DutyArg, RosterCmd};
use crate::domain::{DutyStatus, Responder};
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::collections::HashSet;

pub fn run(ctx: &Ctx, cmd: RosterCmd) -> Result<()> {
    let mut store = ctx.store()?;
    match cmd {
        RosterCmd::Add {
            id,
            name,
            unit,
            grid,
            phone,
        } => {
            let r = responder(&id, &name, &unit, grid.as_deref(), phone.as_deref())
                .map_err(|e| eyre!(e))?;
            store.add_responders(&[r])?;
            outln!("added {id} ({name}, {unit})");
        }
        RosterCmd::List { json } => {
            let all = store.responders()?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for r in &all {
                    outln!(
                        "{:<10} {:<8} {:<10} {:<8} {:<10} {}",
                        r.id,
                        r.name,
                        r.unit,
                        r.grid.as_deref().unwrap_or("-"),
                        r.status,
                        r.incident.as_deref().unwrap_or("")
                    );
                }
                outln!("{} responders", all.len());
            }
        }
        RosterCmd::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .wrap_err_with(|| format!("cannot read {}", file.display()))?;
            let list = parse_csv(&text, &file.display().to_string(), &store.responders()?)?;
            store.add_responders(&list)?;
            outln!("imported {} responders from {}", list.len(), file.display());
        }
        RosterCmd::Duty { id, status } => {
            let status = match status {
                DutyArg::Available => DutyStatus::Available,
                DutyArg::OffDuty => DutyStatus::OffDuty,
            };
            let r = store.set_duty(&id, status)?;
            outln!("{} ({}) is now {}", r.id, r.name, r.status);
        }
    }
    Ok(())
}

fn responder(
    id: &str,
    name: &str,
    unit: &str,
    grid: Option<&str>,
    phone: Option<&str>,
) -> Result<Responder, String> {
    let clean = |s: &str| s.trim().to_string();
    let optional = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    for (field, value) in [("id", id), ("name", name), ("unit", unit)] {
        if value.trim().is_empty() {
            return Err(format!("`{field}` is empty"));
        }
    }
    if id.trim().chars().any(char::is_whitespace) {
        return Err(format!("id `{id}` contains spaces"));
    }
    Ok(Responder {
        id: clean(id),
        name: clean(name),
        unit: clean(unit),
        grid: optional(grid),
        phone: optional(phone),
        status: DutyStatus::Available,
        incident: None,
    })
}

/// Parses a whole roster CSV named `name`; any bad row fails it all and names its line.
pub fn parse_csv(text: &str, name: &str, existing: &[Responder]) -> Result<Vec<Responder>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .wrap_err_with(|| format!("{name}: cannot read the header line"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if header != ["id", "name", "unit", "grid", "phone"] {
        return Err(eyre!(
            "{}:1: the header must be `id,name,unit,grid,phone`, found `{}`; nothing imported",
            name,
            header.join(",")
        ));
    }
    let mut seen: HashSet<String> = existing.iter().map(|r| r.id.clone()).collect();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            eyre!("{name}:{line}: {e}; nothing imported")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let r = responder(field(0), field(1), field(2), Some(field(3)), Some(field(4)))
            .map_err(|e| eyre!("{name}:{line}: {e}; nothing imported"))?;
        if !seen.insert(r.id.clone()) {
            return Err(eyre!(
                "{}:{line}: responder {} is already in the roster or earlier in the file; nothing imported",
                name,
                r.id
            ));
        }
        out.push(r);
    }
    Ok(out)
}
