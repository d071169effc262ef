//! Pure intake rules: which fields must hold what, and where an item goes
//! (explicit station, else grid, else community).

use super::error::ApiError;
use super::store::RouteKind;
use crate::protocol::IntakeRequest;

const MAX_TEXT: usize = 4000;
const MAX_FIELD: usize = 200;

/// Where to look for an intake's station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteAnswer {
    /// Named explicitly.
    Station(String),
    /// Try these routing-table keys in order.
    Lookup(Vec<(RouteKind, String)>),
    /// Nothing to route on.
    Nothing,
}

/// Trims and checks an intake's fields, naming the first that is wrong.
pub fn check_intake(mut req: IntakeRequest) -> Result<IntakeRequest, ApiError> {
    req.text = req.text.trim().to_string();
    req.source_ref = req.source_ref.trim().to_string();
    if req.text.is_empty() {
        return Err(ApiError::field(
            "text",
            "is empty: describe what was reported",
        ));
    }
    if req.text.chars().count() > MAX_TEXT {
        return Err(ApiError::field(
            "text",
            format!("is over {MAX_TEXT} characters"),
        ));
    }
    if req.source_ref.is_empty() {
        return Err(ApiError::field(
            "source_ref",
            "is empty: send the source's own number",
        ));
    }
    let optional = [
        ("source_ref", Some(&mut req.source_ref)),
        ("address", req.address.as_mut()),
        ("grid", req.grid.as_mut()),
        ("community", req.community.as_mut()),
        ("phone", req.phone.as_mut()),
        ("station", req.station.as_mut()),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            *v = v.trim().to_string();
            if v.chars().count() > MAX_FIELD {
                return Err(ApiError::field(
                    name,
                    format!("is over {MAX_FIELD} characters"),
                ));
            }
        }
    }
    for field in [
        &mut req.address,
        &mut req.grid,
        &mut req.community,
        &mut req.phone,
        &mut req.station,
    ] {
        if field.as_deref() == Some("") {
            *field = None;
        }
    }
    if let Some(phone) = &req.phone
        && !phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
    {
        return Err(ApiError::field(
            "phone",
            "may hold only digits, '-' and '+'",
        ));
    }
    Ok(req)
}

/// Where an intake goes: an explicit station wins, then grid, then community.
pub fn decide(req: &IntakeRequest) -> RouteAnswer {
    if let Some(s) = &req.station {
        return RouteAnswer::Station(s.clone());
    }
    let mut order = Vec::new();
    if let Some(g) = &req.grid {
        order.push((RouteKind::Grid, g.clone()));
    }
    if let Some(c) = &req.community {
        order.push((RouteKind::Community, c.clone()));
    }
    if order.is_empty() {
        RouteAnswer::Nothing
    } else {
        RouteAnswer::Lookup(order)
    }
}

/// Why an intake could not be routed, in words a connector's operator can act on.
pub fn unroutable_message(req: &IntakeRequest) -> String {
    match (&req.grid, &req.community) {
        (None, None) => {
            "the item names no station, grid or community: the hub cannot tell which street owns it"
                .into()
        }
        (g, c) => format!(
            "no route for grid {} / community {}: add one with `fenliu hub route add`",
            g.as_deref().unwrap_or("-"),
            c.as_deref().unwrap_or("-")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Source;

    fn req() -> IntakeRequest {
        IntakeRequest {
            source: Source::Police110,
            source_ref: " 110-1 ".into(),
            text: " 楼上装修 ".into(),
            address: None,
            grid: Some("g3".into()),
            community: Some("c1".into()),
            phone: None,
            priority: None,
            station: None,
            received_at: None,
        }
    }

    #[test]
    fn station_then_grid_then_community() {
        let mut r = req();
        assert_eq!(
            decide(&r),
            RouteAnswer::Lookup(vec![
                (RouteKind::Grid, "g3".into()),
                (RouteKind::Community, "c1".into())
            ])
        );
        r.station = Some("dn".into());
        assert_eq!(decide(&r), RouteAnswer::Station("dn".into()));
        r.station = None;
        r.grid = None;
        r.community = None;
        assert_eq!(decide(&r), RouteAnswer::Nothing);
    }

    #[test]
    fn fields_are_trimmed_and_checked_by_name() {
        let r = check_intake(req()).expect("valid");
        assert_eq!(r.text, "楼上装修");
        assert_eq!(r.source_ref, "110-1");
        let mut bad = req();
        bad.text = "  ".into();
        assert!(check_intake(bad).is_err_and(|e| e.to_string().starts_with("text:")));
        let mut bad = req();
        bad.phone = Some("call me".into());
        assert!(check_intake(bad).is_err_and(|e| e.to_string().starts_with("phone:")));
    }
}
