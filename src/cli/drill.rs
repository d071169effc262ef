//! `fenliu drill [--template T] [--list]`: records a simulated alarm from a template.

use super::Ctx;
use crate::command::drill::{self, TEMPLATES};
use clap::Args;
use color_eyre::eyre::{Result, eyre};

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The template (see --list); the first one when not given.
    #[arg(long)]
    pub template: Option<String>,
    /// List the templates.
    #[arg(long)]
    pub list: bool,
}

pub fn run(ctx: &Ctx, args: DrillArgs) -> Result<u8> {
    if args.list {
        for t in TEMPLATES {
            outln!("{:<8} {:<6} {}", t.name, t.source.code(), t.text);
        }
        return Ok(0);
    }
    let template = match args.template.as_deref() {
        None => &TEMPLATES[0],
        Some(name) => drill::template(name).ok_or_else(|| {
            let names: Vec<_> = TEMPLATES.iter().map(|t| t.name).collect();
            eyre!("没有名为 {name} 的演练模板（可用: {}）", names.join(" "))
        })?,
    };
    let received = drill::received(template, &ctx.config.station.id);
    let stamp = ctx.stamp()?;
    let incident =
        ctx.intake()?
            .record(&mut ctx.store()?, received, Some(template.priority), &stamp)?;
    outln!("演练 {}: {}", template.name, incident.text);
    outln!("{}", incident.reference);
    Ok(0)
}
