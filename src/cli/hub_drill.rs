//! `fenliu hub drill --station S [--template T]`: a simulated alarm (模拟报警临检) injected at the
//! hub for one station; it reaches the station's workstations like any intake, marked as a drill.

use crate::command::drill::{self, TEMPLATES};
use crate::domain::Actor;
use crate::hub::store::{HubStore, NewIntake};
use crate::protocol::IntakeRequest;
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

/// Who the hub's drills are recorded as.
pub const DRILL_OPERATOR: &str = "hub-drill";

/// Records a drill for `station` from `template` (the first when `None`); prints its reference.
pub fn run(store: &dyn HubStore, station: &str, template: Option<&str>) -> Result<()> {
    let template = match template {
        None => &TEMPLATES[0],
        Some(name) => drill::template(name).ok_or_else(|| {
            let names: Vec<_> = TEMPLATES.iter().map(|t| t.name).collect();
            eyre!("没有名为 {name} 的演练模板（可用: {}）", names.join(" "))
        })?,
    };
    let record = store
        .station(station)?
        .ok_or_else(|| eyre!("station {station} is not known to this hub (hub station list)"))?;
    let now = Utc::now();
    let tz = crate::hub::HubConfig::default().timezone;
    let classifier = crate::triage::Classifier::embedded()?;
    let request = IntakeRequest {
        source: template.source,
        source_ref: format!("drill-{}", uuid::Uuid::now_v7()),
        text: template.text.into(),
        address: Some(template.address.into()),
        grid: None,
        community: None,
        phone: None,
        priority: Some(template.priority),
        station: Some(station.into()),
        received_at: None,
    };
    let triage = Some(classifier.classify(&request.text));
    let outcome = store.intake(NewIntake {
        request,
        station: record,
        day: now.with_timezone(&tz).date_naive(),
        triage,
        actor: Actor {
            operator: DRILL_OPERATOR.into(),
            station: station.into(),
            device: "hub".into(),
        },
        now,
        drill: true,
    })?;
    outln!("演练 {} → {}: {}", template.name, station, template.text);
    outln!("{}", outcome.response.reference);
    Ok(())
}
