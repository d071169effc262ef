//! Tokens: `fl1.s.{station}.{secret}` for a station, `fl1.c.{connector}.{secret}` for a connector.
//! The hub stores only the SHA-256 of the secret and compares hashes in constant time.

use super::store::{Credential, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Who made a request, once the token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub id: String,
    pub role: Role,
    /// The hash of the token presented, to tell later whether it was rotated meanwhile.
    pub token_hash: String,
}

/// A token split into who it claims to be and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenParts<'a> {
    pub station: bool,
    pub id: &'a str,
    pub secret: &'a str,
}

/// A fresh token for a station (`station` true) or connector, and the hash to store.
pub fn new_token(station: bool, id: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let kind = if station { "s" } else { "c" };
    (format!("fl1.{kind}.{id}.{secret}"), hash_secret(&secret))
}

/// Hex SHA-256 of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Splits a token; `None` when it is not one of ours.
pub fn parse_token(token: &str) -> Option<TokenParts<'_>> {
    let rest = token.strip_prefix("fl1.")?;
    let (kind, rest) = rest.split_once('.')?;
    let (id, secret) = rest.rsplit_once('.')?;
    let station = match kind {
        "s" => true,
        "c" => false,
        _ => return None,
    };
    if id.is_empty() || secret.is_empty() {
        return None;
    }
    Some(TokenParts {
        station,
        id,
        secret,
    })
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a token's secret against the stored credential.
pub fn verify(parts: &TokenParts<'_>, credential: &Credential) -> Option<Principal> {
    let presented = hash_secret(parts.secret);
    constant_time_eq(presented.as_bytes(), credential.token_hash.as_bytes()).then(|| Principal {
        id: credential.id.clone(),
        role: credential.role,
        token_hash: presented,
    })
}

/// A credential no token matches, checked against when the id is unknown.
pub fn decoy() -> Credential {
    Credential {
        id: String::new(),
        role: Role::Station,
        token_hash: "0".repeat(64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_parses_and_verifies() {
        let (token, hash) = new_token(true, "dn.1");
        let parts = parse_token(&token).expect("our own token parses");
        assert!(parts.station);
        assert_eq!(parts.id, "dn.1");
        let cred = Credential {
            id: "dn.1".into(),
            role: Role::Station,
            token_hash: hash,
        };
        assert!(verify(&parts, &cred).is_some());
        let wrong = TokenParts {
            secret: "00",
            ..parts
        };
        assert!(verify(&wrong, &cred).is_none());
    }

    #[test]
    fn foreign_tokens_are_refused() {
        for t in [
            "",
            "abc",
            "fl1.x.dn.00",
            "fl1.s..00",
            "fl1.s.dn.",
            "fl2.s.dn.00",
        ] {
            assert!(parse_token(t).is_none(), "{t}");
        }
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(constant_time_eq(b"abc", b"abc"));
    }
}
