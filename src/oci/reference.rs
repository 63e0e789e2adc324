//! Image references as Docker and cosign read them: `alpine`, `ghcr.io/org/app:v1`,
//! `localhost:5000/app@sha256:...`.
//!
//! The grammar is distribution's (`reference/regexp.go`): the first path component is a registry
//! if it has a `.` or a `:` or is `localhost`; otherwise the registry is Docker Hub, whose
//! one-component names live under `library/`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{fail, ErrorCode, Result};
use crate::oci::digest::Digest;

/// Docker Hub, as references name it.
pub const DOCKER_HUB: &str = "docker.io";
/// Where Docker Hub's registry API answers.
const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Longest repository name distribution accepts (registry included).
const MAX_NAME_LENGTH: usize = 255;
const MAX_TAG_LENGTH: usize = 128;

/// An image reference, normalised: Docker Hub's short names made whole (`alpine` is
/// `docker.io/library/alpine`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`, with Docker Hub as `docker.io`.
    pub registry: String,
    /// The path, for example `library/alpine` or `org/app`.
    pub repository: String,
    /// The tag, without its `:`.
    pub tag: Option<String>,
    /// The digest after `@`: what is fetched when the reference has a tag too.
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference as Docker and cosign do, refusing what distribution's grammar does not
    /// allow.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |why: &str| fail(ErrorCode::InvalidInput, format!("invalid image reference {text:?}: {why}"));
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => match Digest::parse(digest) {
                Ok(d) => (rest, Some(d)),
                Err(e) => return invalid(&e.message),
            },
            None => (text, None),
        };
        // A tag follows the last ':' after the last '/' (a port's ':' comes before a '/').
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(i) => {
                let at = last_slash + i;
                (rest.get(..at).unwrap_or_default(), rest.get(at + 1..))
            }
            None => (rest, None),
        };
        if let Some(tag) = tag {
            if !valid_tag(tag) {
                return invalid("a tag is 1 to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'");
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if is_registry(first) => (first, path.to_owned()),
            _ => (DOCKER_HUB, name.to_owned()),
        };
        let registry = if registry == "index.docker.io" { DOCKER_HUB } else { registry };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if !valid_host(registry) {
            return invalid("the registry is not a host name or address with an optional port");
        }
        if repository.is_empty() || !repository.split('/').all(valid_component) {
            return invalid(
                "a repository is lowercase components of [a-z0-9] joined by '.', '_', '__' or dashes, separated by '/'",
            );
        }
        if registry.len() + 1 + repository.len() > MAX_NAME_LENGTH {
            return invalid("the name is longer than 255 characters");
        }
        Ok(Self { registry: registry.to_owned(), repository, tag: tag.map(str::to_owned), digest })
    }

    /// `registry/repository`, the name cosign and Docker print.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The base URL of the registry's API. Plain HTTP is for loopback registries (as Docker and
    /// cosign allow) or when the caller allows it.
    pub fn api_base(&self, allow_http: bool) -> String {
        let host = if self.registry == DOCKER_HUB { DOCKER_HUB_API } else { &self.registry };
        let scheme = if allow_http || is_loopback(&self.registry) { "http" } else { "https" };
        format!("{scheme}://{host}")
    }

    /// The tag or digest to ask the registry for; `latest` when the reference names neither.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => "latest".to_owned(),
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn is_registry(component: &str) -> bool {
    component.contains(['.', ':']) || component == "localhost" || component.bytes().any(|c| c.is_ascii_uppercase())
}

fn is_loopback(registry: &str) -> bool {
    match split_host(registry) {
        Some((Host::V6(addr), _)) => addr.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback()),
        Some((Host::Name(host), _)) => {
            host == "localhost"
                || host.ends_with(".localhost")
                || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

fn valid_tag(tag: &str) -> bool {
    let ok = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
    let bytes = tag.as_bytes();
    matches!(bytes.first(), Some(c) if c.is_ascii_alphanumeric() || *c == b'_')
        && bytes.len() <= MAX_TAG_LENGTH
        && bytes.iter().all(|&c| ok(c))
}

/// `[a-z0-9]+` runs joined by one `.`, one or two `_`, or any number of `-`.
fn valid_component(component: &str) -> bool {
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return false };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    let mut separator = String::new();
    for &c in bytes {
        if alnum(c) {
            if !separator.is_empty()
                && !matches!(separator.as_str(), "." | "_" | "__")
                && !separator.bytes().all(|s| s == b'-')
            {
                return false;
            }
            separator.clear();
        } else if matches!(c, b'.' | b'_' | b'-') {
            separator.push(char::from(c));
        } else {
            return false;
        }
    }
    true
}

enum Host<'a> {
    Name(&'a str),
    V6(&'a str),
}

/// `host[:port]` or `[v6]:port` into the host and the port text.
fn split_host(registry: &str) -> Option<(Host<'_>, Option<&str>)> {
    if let Some(v6) = registry.strip_prefix('[') {
        let (addr, rest) = v6.split_once(']')?;
        let port = if rest.is_empty() { None } else { Some(rest.strip_prefix(':')?) };
        return Some((Host::V6(addr), port));
    }
    Some(match registry.split_once(':') {
        Some((host, port)) => (Host::Name(host), Some(port)),
        None => (Host::Name(registry), None),
    })
}

/// A DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port.
fn valid_host(registry: &str) -> bool {
    let Some((host, port)) = split_host(registry) else { return false };
    let host_ok = match host {
        Host::V6(addr) => addr.parse::<Ipv6Addr>().is_ok(),
        Host::Name(name) => {
            !name.is_empty()
                && name.split('.').all(|label| {
                    let b = label.as_bytes();
                    matches!((b.first(), b.last()), (Some(f), Some(l)) if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric())
                        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                })
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit()));
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "4b0d9ed5b3f8b1e2ba7ec1d5a2e5b4e7e1c2e2b7b3b8bbae1aa1e2a3e4e5e6e7";

    fn parts(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r = Reference::parse(text).unwrap();
        (r.registry, r.repository, r.tag, r.digest.map(|d| d.to_string()))
    }

    #[test]
    fn references_normalise_as_docker_does() {
        let s = |v: &str| v.to_owned();
        assert_eq!(parts("alpine"), (s("docker.io"), s("library/alpine"), None, None));
        assert_eq!(parts("alpine:3.20"), (s("docker.io"), s("library/alpine"), Some(s("3.20")), None));
        assert_eq!(parts("index.docker.io/bitnami/redis"), (s("docker.io"), s("bitnami/redis"), None, None));
        assert_eq!(parts("docker.io/alpine"), (s("docker.io"), s("library/alpine"), None, None));
        assert_eq!(parts("user/app:v1"), (s("docker.io"), s("user/app"), Some(s("v1")), None));
        assert_eq!(parts("ghcr.io/org/team/app:v1"), (s("ghcr.io"), s("org/team/app"), Some(s("v1")), None));
        assert_eq!(parts("localhost/app"), (s("localhost"), s("app"), None, None));
        assert_eq!(parts("localhost:5000/app:v1"), (s("localhost:5000"), s("app"), Some(s("v1")), None));
        assert_eq!(parts("127.0.0.1:5000/a/b"), (s("127.0.0.1:5000"), s("a/b"), None, None));
        assert_eq!(parts("[::1]:5000/app"), (s("[::1]:5000"), s("app"), None, None));
        let digest = format!("sha256:{HEX}");
        assert_eq!(
            parts(&format!("ghcr.io/org/app:v1@{digest}")),
            (s("ghcr.io"), s("org/app"), Some(s("v1")), Some(digest.clone()))
        );
        assert_eq!(parts(&format!("app@{digest}")), (s("docker.io"), s("library/app"), None, Some(digest)));
        assert_eq!(parts("org/a.b-c__d---e"), (s("docker.io"), s("org/a.b-c__d---e"), None, None));
    }

    #[test]
    fn malformed_references_are_refused() {
        for bad in [
            "",
            "Alpine",
            "ghcr.io/Org/app",
            "ghcr.io/org/app:",
            "ghcr.io/org/app:-v1",
            "ghcr.io/org//app",
            "ghcr.io/org/app/",
            "ghcr.io/org/a..b",
            "ghcr.io/org/a___b",
            "ghcr.io:port/app",
            "ghcr.io:123456/app",
            "gh_cr.io/app",
            "[::g]:5000/app",
            "[::1/app",
            "app@sha256:abc",
            "app@md5:00",
            "app@",
            "app:v1:v2",
            "app name",
        ] {
            assert_eq!(Reference::parse(bad).unwrap_err().code, ErrorCode::InvalidInput, "{bad:?}");
        }
        let long = format!("ghcr.io/{}", "a".repeat(250));
        assert!(Reference::parse(&long).is_err());
        assert!(Reference::parse(&format!("app:{}", "t".repeat(129))).is_err());
    }

    #[test]
    fn loopback_registries_use_plain_http_and_others_https() {
        let base = |text: &str, allow| Reference::parse(text).unwrap().api_base(allow);
        assert_eq!(base("alpine", false), "https://registry-1.docker.io");
        assert_eq!(base("ghcr.io/o/a", false), "https://ghcr.io");
        assert_eq!(base("localhost:5000/a", false), "http://localhost:5000");
        assert_eq!(base("127.0.0.1:5000/a", false), "http://127.0.0.1:5000");
        assert_eq!(base("[::1]:5000/a", false), "http://[::1]:5000");
        assert_eq!(base("registry.lan:5000/a", false), "https://registry.lan:5000");
        assert_eq!(base("registry.lan:5000/a", true), "http://registry.lan:5000");
        assert_eq!(base("127.evil.example/a", false), "https://127.evil.example");
    }

    #[test]
    fn display_is_the_normalised_reference() {
        assert_eq!(Reference::parse("alpine:3").unwrap().to_string(), "docker.io/library/alpine:3");
        assert_eq!(Reference::parse("alpine").unwrap().manifest_reference(), "latest");
    }
}
