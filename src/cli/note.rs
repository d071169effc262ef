//! `fenliu note --shift TEXT`: a note for the next shift (交班留言), shared by every workstation.

use super::Ctx;
use crate::command::{StationCommand, decide_station};
use clap::Args;
use color_eyre::eyre::Result;

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The note for the next shift.
    #[arg(long, value_name = "TEXT")]
    pub shift: String,
}

pub fn run(ctx: &Ctx, args: NoteArgs) -> Result<u8> {
    let mut store = ctx.store()?;
    let state = store.station_state()?;
    match decide_station(&state, &StationCommand::ShiftNote { text: args.shift }) {
        Ok(kind) => {
            store.record_station(kind, &ctx.stamp()?)?;
            outln!("交班留言已记录");
            Ok(0)
        }
        Err(why) => {
            eprintln!("fenliu: {why}");
            Ok(1)
        }
    }
}
