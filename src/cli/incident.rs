//! `fenliu incident …`: every lifecycle action, one transaction each.

use super::Ctx;
use super::args::{ChannelArg, IncidentCmd, PriorityArg, ReasonArg, ResultArg, SatisfactionArg};
use super::render;
use super::triage;
use crate::domain::lifecycle::MAX_ESCALATION;
use crate::domain::{
    Channel, EventKind, FeedbackResult, Priority, Received, ReturnReason, Satisfaction, sla,
};
use crate::store::Store;
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

pub fn run(ctx: &Ctx, cmd: IncidentCmd) -> Result<()> {
    let mut store = ctx.store()?;
    let (reference, kinds) = match cmd {
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
                priority: priority_of(priority),
                drill,
                repeat_of: None,
            };
            let incident = ctx.intake()?.record(&mut store, received, &stamp)?;
            if let Some(t) = &incident.triage {
                outln!("{}", t.summary);
            }
            if let Some(earlier) = &incident.repeat_of {
                outln!("repeat of {earlier}");
            }
            outln!("{}", incident.reference);
            return Ok(());
        }
        IncidentCmd::Show { reference, json } => return show(ctx, &store, &reference, json),
        IncidentCmd::List { status, json } => {
            let all = store.incidents(status)?;
            let now = Utc::now();
            let policy = ctx.config.sla_policy();
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
            return Ok(());
        }
        IncidentCmd::Claim { reference } => (reference, vec![EventKind::Claimed]),
        IncidentCmd::Classify {
            reference,
            category,
            mode,
        } => {
            let decision =
                triage::override_decision(&ctx.classifier()?, &category, mode, &ctx.operator)?;
            (reference, vec![EventKind::Triaged(decision)])
        }
        IncidentCmd::Dispatch {
            reference,
            responder,
            channel,
        } => (
            reference,
            vec![EventKind::Dispatched {
                responders: responder,
                channel: channel_of(channel),
            }],
        ),
        IncidentCmd::Contact { reference, note } => {
            (reference, vec![EventKind::PartyContacted { note }])
        }
        IncidentCmd::Video { reference, note } => {
            (reference, vec![EventKind::VideoRetrieved { note }])
        }
        IncidentCmd::Depart {
            reference,
            responder,
        } => (reference, vec![EventKind::Departed { responder }]),
        IncidentCmd::Arrive {
            reference,
            responder,
        } => (reference, vec![EventKind::Arrived { responder }]),
        IncidentCmd::Feedback {
            reference,
            result,
            text,
        } => (
            reference,
            vec![EventKind::FeedbackGiven {
                result: result_of(result),
                text,
            }],
        ),
        IncidentCmd::Verify {
            reference,
            send_back,
            note,
            ..
        } => {
            let kind = if send_back {
                EventKind::SentBack { note }
            } else {
                EventKind::Verified { note }
            };
            (reference, vec![kind])
        }
        IncidentCmd::Close { reference } => (reference, vec![EventKind::Closed]),
        IncidentCmd::Callback {
            reference,
            satisfaction,
            note,
        } => (
            reference,
            vec![EventKind::CalledBack {
                satisfaction: satisfaction_of(satisfaction),
                note,
            }],
        ),
        IncidentCmd::Return {
            reference,
            reason,
            note,
        } => (
            reference,
            vec![EventKind::Returned {
                reason: reason_of(reason),
                note,
            }],
        ),
        IncidentCmd::ToPolice { reference, note } => {
            (reference, vec![EventKind::TransferredToPolice { note }])
        }
        IncidentCmd::ToDistrict { reference, note } => {
            (reference, vec![EventKind::UploadedToDistrict { note }])
        }
        IncidentCmd::Defer { reference } => {
            let at = ctx.stamp()?.occurred_at;
            let night = ctx.config.night_window();
            if !night.contains(at) {
                return Err(eyre!(
                    "{reference}: it is not night time ({}–{}); only the night window holds items until morning",
                    ctx.config.night.start.0.format("%H:%M"),
                    ctx.config.night.end.0.format("%H:%M")
                ));
            }
            let until = night.end_after(at);
            (reference, vec![EventKind::Deferred { until }])
        }
        IncidentCmd::Escalate { reference, level } => {
            let level = match level {
                Some(l) => l,
                None => {
                    let current = store
                        .incident(&reference)?
                        .ok_or_else(|| eyre!("no item with reference {reference}"))?;
                    let shown = sla::escalation(&current, &ctx.config.sla_policy(), Utc::now());
                    shown.level.saturating_add(1).min(MAX_ESCALATION)
                }
            };
            (reference, vec![EventKind::Escalated { level }])
        }
        IncidentCmd::Note { reference, text } => (reference, vec![EventKind::NoteAdded { text }]),
        IncidentCmd::Merge { reference, into } => {
            if store.incident(&into)?.is_none() {
                return Err(eyre!("no item with reference {into} to merge into"));
            }
            (reference, vec![EventKind::MergedInto { reference: into }])
        }
    };
    let stamp = ctx.stamp()?;
    let incident = store.record(&reference, kinds, &stamp)?;
    outln!("{} {}", incident.reference, incident.status);
    Ok(())
}

fn show(ctx: &Ctx, store: &Store, reference: &str, json: bool) -> Result<()> {
    let incident = store
        .incident(reference)?
        .ok_or_else(|| eyre!("no item with reference {reference} (see `fenliu incident list`)"))?;
    let now = Utc::now();
    let policy = ctx.config.sla_policy();
    if json {
        let view = render::json_view(&incident, &policy, now)?;
        outln!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        let events = store.events_of(incident.id)?;
        out!(
            "{}",
            render::detail(&incident, &events, &policy, now, ctx.config.timezone.0)
        );
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
    }
}
