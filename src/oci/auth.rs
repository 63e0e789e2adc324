//! Anonymous bearer tokens, as Docker Hub, GHCR and most registries require even for public
//! pulls: the registry answers 401 with a `WWW-Authenticate: Bearer realm=..,service=..,scope=..`
//! challenge, the client asks the realm for a token, and retries with `Authorization: Bearer`.
//! (distribution's `docs/spec/auth/token.md`.)

use serde::Deserialize;

use crate::error::{fail, ErrorCode, Result};
use crate::http::Response;

/// What a `Bearer` challenge asks the client to get a token for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub service: Option<String>,
    pub scope: Option<String>,
}

impl Challenge {
    /// Parses a `WWW-Authenticate` value. Only `Bearer` can be answered without credentials.
    pub fn parse(header: &str) -> Result<Self> {
        let header = header.trim();
        let scheme_end = header.find(char::is_whitespace).unwrap_or(header.len());
        let (scheme, params) = header.split_at(scheme_end);
        if !scheme.eq_ignore_ascii_case("bearer") {
            return fail(
                ErrorCode::Registry,
                format!("the registry asks for {scheme} authentication; only anonymous bearer tokens are supported"),
            );
        }
        let (mut realm, mut service, mut scope) = (None, None, None);
        for (name, value) in parameters(params)? {
            match name.to_ascii_lowercase().as_str() {
                "realm" => realm = Some(value),
                "service" => service = Some(value),
                "scope" => scope = Some(value),
                _ => {}
            }
        }
        let Some(realm) = realm else {
            return fail(ErrorCode::Registry, "the registry's bearer challenge names no realm");
        };
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return fail(ErrorCode::Registry, format!("the token realm {realm:?} is not an http(s) URL"));
        }
        Ok(Self { realm, service, scope })
    }

    /// The token request for pulling `repository`: the challenge's own scope if it gave one.
    pub fn token_url(&self, repository: &str) -> String {
        let scope = self.scope.clone().unwrap_or_else(|| format!("repository:{repository}:pull"));
        let mut url = self.realm.clone();
        url.push(if url.contains('?') { '&' } else { '?' });
        if let Some(service) = &self.service {
            url.push_str(&format!("service={}&", percent_encode(service)));
        }
        url.push_str(&format!("scope={}", percent_encode(&scope)));
        url
    }
}

/// `name=value` or `name="quoted, value"` pairs, comma-separated (RFC 7235 auth-params).
fn parameters(text: &str) -> Result<Vec<(String, String)>> {
    let malformed = || fail(ErrorCode::Registry, format!("malformed authentication challenge parameters {text:?}"));
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some((name, after)) = rest.split_once('=') else { return malformed() };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
            return malformed();
        }
        let after = after.trim_start();
        let (value, remaining) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let end = loop {
                    match chars.next() {
                        Some((i, '"')) => break i,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, c)) => value.push(c),
                            None => return malformed(),
                        },
                        Some((_, c)) => value.push(c),
                        None => return malformed(),
                    }
                };
                (value, quoted.get(end + 1..).unwrap_or_default())
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after.get(..end).unwrap_or_default().trim().to_owned(), after.get(end..).unwrap_or_default())
            }
        };
        out.push((name.to_owned(), value));
        let remaining = remaining.trim_start();
        rest = match remaining.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if remaining.is_empty() => remaining,
            None => return malformed(),
        };
    }
    Ok(out)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The token from a token endpoint's response (`token`, or OAuth2's `access_token`).
pub fn parse_token(response: &Response) -> Result<String> {
    #[derive(Deserialize)]
    struct TokenResponse {
        token: Option<String>,
        access_token: Option<String>,
    }
    let parsed: TokenResponse = match serde_json::from_slice(&response.body) {
        Ok(t) => t,
        Err(e) => return fail(ErrorCode::Registry, format!("the token response is not valid JSON: {e}")),
    };
    match parsed.token.or(parsed.access_token) {
        // A token goes into a header: anything that could break out of it is refused.
        Some(token) if !token.is_empty() && token.bytes().all(|c| c.is_ascii_graphic()) => Ok(token),
        _ => fail(ErrorCode::Registry, "the token response holds no usable token"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_parse_as_registries_send_them() {
        let hub = Challenge::parse(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        )
        .unwrap();
        assert_eq!(hub.realm, "https://auth.docker.io/token");
        assert_eq!(
            hub.token_url("library/alpine"),
            "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull"
        );
        let ghcr = Challenge::parse(r#"bearer realm="https://ghcr.io/token",service="ghcr.io""#).unwrap();
        assert_eq!(ghcr.token_url("o/a"), "https://ghcr.io/token?service=ghcr.io&scope=repository%3Ao%2Fa%3Apull");
        let odd = Challenge::parse(r#"Bearer  realm = "https://x/t?a=1" , error="in\"valid", service=plain"#).unwrap();
        assert_eq!(odd.service.as_deref(), Some("plain"));
        assert_eq!(odd.token_url("r"), "https://x/t?a=1&service=plain&scope=repository%3Ar%3Apull");
    }

    #[test]
    fn other_schemes_and_malformed_challenges_are_refused() {
        for bad in [
            r#"Basic realm="Registry""#,
            "Bearer",
            r#"Bearer service="x""#,
            r#"Bearer realm="ftp://x/token""#,
            r#"Bearer realm="https://x/token"#,
            r#"Bearer realm="https://x" junk"#,
            "Bearer =x",
        ] {
            assert_eq!(Challenge::parse(bad).unwrap_err().code, ErrorCode::Registry, "{bad}");
        }
    }

    #[test]
    fn tokens_come_from_either_field_and_must_be_header_safe() {
        let reply = |body: &str| Response::new(200, vec![], body.as_bytes().to_vec());
        assert_eq!(parse_token(&reply(r#"{"token":"abc","expires_in":300}"#)).unwrap(), "abc");
        assert_eq!(parse_token(&reply(r#"{"access_token":"def"}"#)).unwrap(), "def");
        for bad in ["{}", r#"{"token":""}"#, r#"{"token":"a\r\nX-Evil: 1"}"#, "nope"] {
            assert_eq!(parse_token(&reply(bad)).unwrap_err().code, ErrorCode::Registry, "{bad}");
        }
    }
}
