//! `fenliu incident …`: every lifecycle action, one transaction each.

use super::Ctx;
use super::args::{ChannelArg, IncidentCmd, PriorityArg, ReasonArg, ResultArg, SatisfactionArg};
use super::render;
use crate::command::{self, Command, Context};
use crate::config::Lang;
use crate::domain::Incident;
use crate::domain::{
    Channel, EventKind, FeedbackResult, Priority, Received, ReturnReason, Satisfaction,
};
use crate::store::Store;
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

pub fn run(ctx: &Ctx, cmd: IncidentCmd) -> Result<()> {
    match cmd {
        IncidentCmd::New {
            source,
            text,
            address,
            grid,
            community,
            phone,
            source_ref,
            priority,
            drill,
        } => {
            if text.trim().is_empty() {
                return Err(eyre!("--text is empty: describe what was reported"));
            }
            let stamp = ctx.stamp()?;
            let received = Received {
                reference: String::new(),
                station: ctx.config.station.id.clone(),
                source,
                source_ref: non_empty(source_ref),
                text: text.trim().to_string(),
                address: non_empty(address),
                grid: non_empty(grid),
                community: non_empty(community),
                phone: non_empty(phone),
                priority: priority.map_or(Priority::Normal, priority_of),
                drill,
                repeat_of: None,
            };
            let stated = priority.map(priority_of);
            let incident = ctx
                .intake()?
                .record(&mut ctx.store()?, received, stated, &stamp)?;
            if let Some(t) = &incident.triage {
                outln!("{}", t.summary);
            }
            if let Some(earlier) = &incident.repeat_of {
                outln!("repeat of {earlier}");
            }
            outln!("{}", incident.reference);
            Ok(())
        }
        IncidentCmd::Show {
            reference,
            json,
            reveal,
        } => {
            if reveal {
                reveal_phones(ctx, std::slice::from_ref(&reference))?;
            }
            show(ctx, &ctx.store_read_only()?, &reference, json, reveal)
        }
        IncidentCmd::List {
            status,
            json,
            reveal,
        } => {
            let store = ctx.store_read_only()?;
            let mut all = store.incidents(status)?;
            if reveal {
                let refs: Vec<String> = all.iter().map(|i| i.reference.clone()).collect();
                reveal_phones(ctx, &refs)?;
                all = ctx.store_read_only()?.incidents(status)?;
            }
            let all: Vec<Incident> = all.into_iter().map(|i| for_people(i, reveal)).collect();
            let now = Utc::now();
            let policy = ctx.policy_of(&store)?;
            if json {
                let views: Vec<_> = all
                    .iter()
                    .map(|i| render::json_view(i, &policy, now))
                    .collect::<Result<_, _>>()?;
                outln!("{}", serde_json::to_string_pretty(&views)?);
            } else {
                out!(
                    "{}",
                    render::list(&all, &policy, now, ctx.config.timezone.0)
                );
            }
            Ok(())
        }
        other => {
            let Some((reference, command)) = command_of(other) else {
                return Ok(());
            };
            let (incident, claimed_too) = act(ctx, &mut ctx.store()?, &reference, command)?;
            if claimed_too {
                outln!(
                    "{}",
                    match ctx.config.lang {
                        Lang::Zh => "签收并指派",
                        Lang::En => "claimed and dispatched",
                    }
                );
            }
            outln!("{} {}", incident.reference, incident.status);
            Ok(())
        }
    }
}

/// The typed command and its target for a lifecycle subcommand; `None` for `new`, `show`, `list`.
pub fn command_of(cmd: IncidentCmd) -> Option<(String, Command)> {
    let pair = match cmd {
        IncidentCmd::New { .. } | IncidentCmd::Show { .. } | IncidentCmd::List { .. } => {
            return None;
        }
        IncidentCmd::Claim { reference } => (reference, Command::Claim),
        IncidentCmd::Classify {
            reference,
            category,
            mode,
        } => (reference, Command::Classify { category, mode }),
        IncidentCmd::Dispatch {
            reference,
            responder,
            channel,
        } => (
            reference,
            Command::Dispatch {
                responders: responder,
                channel: channel_of(channel),
            },
        ),
        IncidentCmd::Contact { reference, note } => (reference, Command::Contact { note }),
        IncidentCmd::Video { reference, note } => (reference, Command::Video { note }),
        IncidentCmd::Depart {
            reference,
            responder,
        } => (
            reference,
            Command::Depart {
                responder: Some(responder),
            },
        ),
        IncidentCmd::Arrive {
            reference,
            responder,
        } => (
            reference,
            Command::Arrive {
                responder: Some(responder),
            },
        ),
        IncidentCmd::Reassign {
            reference,
            from,
            to,
            reason,
        } => (reference, Command::Reassign { from, to, reason }),
        IncidentCmd::Feedback {
            reference,
            result,
            text,
        } => (
            reference,
            Command::Feedback {
                result: result_of(result),
                text,
            },
        ),
        IncidentCmd::Verify {
            reference,
            send_back,
            note,
            ..
        } => {
            let command = if send_back {
                Command::SendBack { note }
            } else {
                Command::Verify { note }
            };
            (reference, command)
        }
        IncidentCmd::Close { reference } => (reference, Command::Close),
        IncidentCmd::Callback {
            reference,
            satisfaction,
            note,
        } => (
            reference,
            Command::Callback {
                satisfaction: satisfaction_of(satisfaction),
                note,
            },
        ),
        IncidentCmd::Return {
            reference,
            reason,
            note,
        } => (
            reference,
            Command::Return {
                reason: reason_of(reason),
                note,
            },
        ),
        IncidentCmd::ToPolice { reference, note } => (reference, Command::ToPolice { note }),
        IncidentCmd::ToDistrict { reference, note } => (reference, Command::ToDistrict { note }),
        IncidentCmd::ToHotline {
            reference,
            order_no,
            note,
        } => (reference, Command::ToHotline { order_no, note }),
        IncidentCmd::Defer { reference } => (reference, Command::Defer),
        IncidentCmd::Escalate { reference, level } => (reference, Command::Escalate { level }),
        IncidentCmd::Note { reference, text } => (reference, Command::Note { text }),
        IncidentCmd::Merge { reference, into } => (reference, Command::Merge { into }),
    };
    Some(pair)
}

/// Carries out one command on the item `reference` through the command layer; the item after,
/// and whether a dispatch claimed it too.
fn act(
    ctx: &Ctx,
    store: &mut Store,
    reference: &str,
    command: Command,
) -> Result<(Incident, bool)> {
    let incident = store
        .incident(reference)?
        .ok_or_else(|| eyre!("{}", not_found(ctx, reference)))?;
    if let Command::Merge { into } = &command
        && store.incident(into)?.is_none()
    {
        return Err(eyre!("{}", not_found(ctx, into)));
    }
    let stamp = ctx.stamp()?;
    let classifier = match command {
        Command::Classify { .. } => Some(ctx.classifier()?),
        _ => None,
    };
    let policy = ctx.policy_of(store)?;
    let night = ctx.config.night_window();
    let context = Context {
        now: stamp.occurred_at,
        operator: &ctx.operator,
        policy: &policy,
        night: &night,
        list: classifier.as_ref().map(|c| c.list()),
        reopen_on_dissatisfied: ctx.config.callback.reopen_on_dissatisfied,
    };
    let kinds =
        command::decide(&incident, &command, &context).map_err(|r| match ctx.config.lang {
            Lang::Zh => eyre!("{}", r.zh()),
            Lang::En => eyre!("{}", r.en()),
        })?;
    let claimed_too = kinds.first() == Some(&EventKind::Claimed) && kinds.len() > 1;
    let incident = store.record_on(incident.id, kinds, &stamp)?;
    Ok((incident, claimed_too))
}

fn not_found(ctx: &Ctx, reference: &str) -> String {
    match ctx.config.lang {
        Lang::Zh => format!("没有编号为 {reference} 的事项（见 `fenliu incident list`）"),
        Lang::En => format!("no item with reference {reference} (see `fenliu incident list`)"),
    }
}

fn show(ctx: &Ctx, store: &Store, reference: &str, json: bool, reveal: bool) -> Result<()> {
    let incident = store
        .incident(reference)?
        .ok_or_else(|| eyre!("{}", not_found(ctx, reference)))?;
    let incident = for_people(incident, reveal);
    let now = Utc::now();
    let policy = ctx.policy_of(store)?;
    if json {
        let view = render::json_view(&incident, &policy, now)?;
        outln!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        let events = store.events_of(incident.id)?;
        let names = crate::domain::Names::of(&store.responders()?);
        out!(
            "{}",
            render::detail(
                &incident,
                &events,
                &policy,
                now,
                ctx.config.timezone.0,
                &names
            )
        );
    }
    Ok(())
}

/// An item as shown to people: the caller's phone masked unless revealed.
fn for_people(mut incident: Incident, reveal: bool) -> Incident {
    if !reveal {
        incident.phone = incident.masked_phone();
    }
    incident
}

/// Records that the phones of these items were shown unmasked, under the operator's name.
fn reveal_phones(ctx: &Ctx, references: &[String]) -> Result<()> {
    let mut store = ctx.store()?;
    for reference in references {
        let Some(incident) = store.incident(reference)? else {
            return Err(eyre!("{}", not_found(ctx, reference)));
        };
        if incident.phone.is_some() {
            act(ctx, &mut store, reference, Command::RevealPhone)?;
        }
    }
    Ok(())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn priority_of(p: PriorityArg) -> Priority {
    match p {
        PriorityArg::Urgent => Priority::Urgent,
        PriorityArg::Normal => Priority::Normal,
        PriorityArg::Nonurgent => Priority::NonUrgent,
    }
}

fn channel_of(c: ChannelArg) -> Channel {
    match c {
        ChannelArg::Radio => Channel::Radio,
        ChannelArg::Wechat => Channel::Wechat,
        ChannelArg::Phone => Channel::Phone,
        ChannelArg::Order => Channel::Order,
    }
}

fn result_of(r: ResultArg) -> FeedbackResult {
    match r {
        ResultArg::Resolved => FeedbackResult::Resolved,
        ResultArg::HandedOver => FeedbackResult::HandedOver,
        ResultArg::Unresolved => FeedbackResult::Unresolved,
    }
}

fn satisfaction_of(s: SatisfactionArg) -> Satisfaction {
    match s {
        SatisfactionArg::Satisfied => Satisfaction::Satisfied,
        SatisfactionArg::Basic => Satisfaction::Basic,
        SatisfactionArg::Dissatisfied => Satisfaction::Dissatisfied,
        SatisfactionArg::Unreachable => Satisfaction::Unreachable,
    }
}

fn reason_of(r: ReasonArg) -> ReturnReason {
    match r {
        ReasonArg::Incomplete => ReturnReason::Incomplete,
        ReasonArg::NotOurArea => ReturnReason::NotOurArea,
        ReasonArg::Duplicate => ReturnReason::Duplicate,
        ReasonArg::OutOfScope => ReturnReason::OutOfScope,
    }
}
