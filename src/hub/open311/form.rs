//! A GeoReport v2 service request as posted (form-encoded), read into the hub's own intake:
//! which fields the spec allows, where the location and the routing attributes go, and the
//! caller's own id that makes a repeat harmless. Pure.

use super::REF_PREFIX;
use crate::domain::Source;
use crate::hub::error::ApiError;
use crate::protocol::IntakeRequest;
use std::collections::HashMap;

/// A posted request, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    /// The connector's token.
    pub api_key: String,
    /// The category the caller thinks it is: a hint, never a verdict.
    pub service_code: String,
    /// The intake it becomes.
    pub intake: IntakeRequest,
}

/// Spec fields the hub reads but does not keep (personal details beyond a phone, media).
const IGNORED: [&str; 8] = [
    "jurisdiction_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "media_url",
    "zipcode",
];

/// The attributes a caller may send (`attribute[NAME]`).
const ATTRIBUTES: [&str; 5] = ["station", "grid", "community", "source_ref", "source"];

/// Reads a form-encoded body, naming the first field that is wrong in the spec's terms.
pub fn read(body: &[u8]) -> Result<Posted, ApiError> {
    let mut fields: HashMap<String, String> = HashMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        let key = key.into_owned();
        if let Some(name) = key
            .strip_prefix("attribute[")
            .and_then(|k| k.strip_suffix(']'))
            && !ATTRIBUTES.contains(&name)
        {
            return Err(ApiError::field(
                &key,
                format!(
                    "is not an attribute of this hub's services (known: {})",
                    ATTRIBUTES.join(", ")
                ),
            ));
        }
        let known = matches!(
            key.as_str(),
            "api_key"
                | "service_code"
                | "lat"
                | "long"
                | "address_string"
                | "address_id"
                | "description"
                | "phone"
        ) || key.starts_with("attribute[")
            || IGNORED.contains(&key.as_str());
        if !known {
            return Err(ApiError::field(
                &key,
                "is not a field of a GeoReport v2 request",
            ));
        }
        if fields.insert(key.clone(), value.into_owned()).is_some() {
            return Err(ApiError::field(&key, "is given twice"));
        }
    }
    let take = |fields: &mut HashMap<String, String>, name: &str| {
        fields
            .remove(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let api_key = take(&mut fields, "api_key")
        .ok_or_else(|| ApiError::Forbidden("api_key is missing: send an intake token".into()))?;
    let service_code = take(&mut fields, "service_code").ok_or_else(|| {
        ApiError::field(
            "service_code",
            "is missing: see services.json for the codes",
        )
    })?;
    let description = take(&mut fields, "description")
        .ok_or_else(|| ApiError::field("description", "is missing: describe what is reported"))?;
    let coordinates = coordinates(
        take(&mut fields, "lat").as_deref(),
        take(&mut fields, "long").as_deref(),
    )?;
    let address_string = take(&mut fields, "address_string");
    let address_id = take(&mut fields, "address_id");
    let station = take(&mut fields, "attribute[station]");
    let grid = take(&mut fields, "attribute[grid]");
    let community = take(&mut fields, "attribute[community]");
    let located = coordinates.is_some() || address_string.is_some() || address_id.is_some();
    if !located && station.is_none() && grid.is_none() && community.is_none() {
        return Err(ApiError::field(
            "address_string",
            "a location is required: address_string, lat and long, or address_id",
        ));
    }
    let source = match take(&mut fields, "attribute[source]") {
        None => Source::Hotline12345,
        Some(code) => {
            serde_json::from_value(serde_json::Value::String(code.clone())).map_err(|_| {
                ApiError::field("attribute[source]", format!("`{code}` is not a source"))
            })?
        }
    };
    let own_id = take(&mut fields, "attribute[source_ref]");
    let source_ref = format!(
        "{REF_PREFIX}{}",
        own_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
    );
    let address = address_string
        .clone()
        .or_else(|| coordinates.map(|(lat, long)| format!("{lat},{long}")))
        .or_else(|| address_id.clone());
    Ok(Posted {
        api_key,
        service_code,
        intake: IntakeRequest {
            source,
            source_ref,
            text: description,
            address,
            grid: grid.or(address_id),
            community: community.or(address_string),
            phone: take(&mut fields, "phone"),
            priority: None,
            station,
            received_at: None,
        },
    })
}

/// `lat` and `long`, both or neither, each a number in range.
fn coordinates(lat: Option<&str>, long: Option<&str>) -> Result<Option<(f64, f64)>, ApiError> {
    let number = |name: &str, v: &str, limit: f64| {
        v.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && n.abs() <= limit)
            .ok_or_else(|| ApiError::field(name, format!("`{v}` is not a number within ±{limit}")))
    };
    match (lat, long) {
        (None, None) => Ok(None),
        (Some(lat), Some(long)) => Ok(Some((
            number("lat", lat, 90.0)?,
            number("long", long, 180.0)?,
        ))),
        (Some(_), None) => Err(ApiError::field("long", "is missing: lat needs long")),
        (None, Some(_)) => Err(ApiError::field("lat", "is missing: long needs lat")),
    }
}

/// The spec's name of an intake field, for errors the shared checks raise.
pub fn spec_field(field: &str) -> &str {
    match field {
        "text" => "description",
        "address" => "address_string",
        "grid" => "attribute[grid]",
        "community" => "attribute[community]",
        "station" => "attribute[station]",
        "source_ref" => "attribute[source_ref]",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        read(body.as_bytes()).expect_err(body).to_string()
    }

    #[test]
    fn the_location_and_attributes_become_the_intake() {
        let p = read(
            "api_key=k&service_code=E1&lat=31.27&long=121.45&description=%E5%99%AA%E9%9F%B3\
             &attribute[grid]=g1&attribute[source_ref]=abc&phone=13812341116"
                .as_bytes(),
        )
        .expect("valid");
        assert_eq!(p.api_key, "k");
        assert_eq!(p.service_code, "E1");
        assert_eq!(p.intake.text, "噪音");
        assert_eq!(p.intake.address.as_deref(), Some("31.27,121.45"));
        assert_eq!(p.intake.grid.as_deref(), Some("g1"));
        assert_eq!(p.intake.source_ref, "open311:abc");
        assert_eq!(p.intake.source, Source::Hotline12345);
        let p = read(b"api_key=k&service_code=E1&description=d&address_string=A&address_id=7")
            .expect("valid");
        assert_eq!(p.intake.community.as_deref(), Some("A"));
        assert_eq!(p.intake.grid.as_deref(), Some("7"));
        assert!(p.intake.source_ref.starts_with("open311:"));
    }

    #[test]
    fn wrong_fields_are_named_in_the_spec_terms() {
        assert!(err("service_code=E1&description=d&address_id=1").contains("api_key"));
        assert!(err("api_key=k&description=d&address_id=1").starts_with("service_code:"));
        assert!(err("api_key=k&service_code=E1&address_id=1").starts_with("description:"));
        assert!(err("api_key=k&service_code=E1&description=d").starts_with("address_string:"));
        assert!(err("api_key=k&service_code=E1&description=d&lat=1").starts_with("long:"));
        assert!(err("api_key=k&service_code=E1&description=d&lat=91&long=1").starts_with("lat:"));
        assert!(err("api_key=k&service_code=E1&description=d&address_id=1&x=1").starts_with("x:"));
        assert!(
            err("api_key=k&service_code=E1&description=d&address_id=1&attribute[y]=1")
                .starts_with("attribute[y]:")
        );
        assert!(
            err("api_key=k&service_code=E1&service_code=E2&description=d&address_id=1")
                .contains("twice")
        );
        assert_eq!(spec_field("text"), "description");
    }
}
