//! The spec's XML form of the service list, a service's definition and errors. Pure.

use super::view::{Definition, Service};

/// Escapes text for an XML element.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn element(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!("<{name}>{}</{name}>", escape(value)));
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// `services.xml`.
pub fn services(services: &[Service]) -> String {
    let mut out = format!("{HEAD}<services>");
    for s in services {
        out.push_str("<service>");
        element(&mut out, "service_code", &s.service_code);
        element(&mut out, "service_name", &s.service_name);
        element(&mut out, "description", &s.description);
        element(
            &mut out,
            "metadata",
            if s.metadata { "true" } else { "false" },
        );
        element(&mut out, "type", s.kind);
        element(&mut out, "keywords", &s.keywords);
        element(&mut out, "group", &s.group);
        out.push_str("</service>");
    }
    out.push_str("</services>");
    out
}

/// `services/{code}.xml`.
pub fn definition(d: &Definition) -> String {
    let mut out = format!("{HEAD}<service_definition>");
    element(&mut out, "service_code", &d.service_code);
    out.push_str("<attributes/></service_definition>");
    out
}

/// An error answer.
pub fn error(code: u16, description: &str) -> String {
    let mut out = format!("{HEAD}<errors><error>");
    element(&mut out, "code", &code.to_string());
    element(&mut out, "description", description);
    out.push_str("</error></errors>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let e = error(400, "a <b> & 'c'");
        assert!(e.ends_with(
            "<errors><error><code>400</code><description>a &lt;b&gt; &amp; &apos;c&apos;</description></error></errors>"
        ));
    }
}
