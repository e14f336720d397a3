//! Which requests come from where they should: the `Host` header names this server
//! (DNS-rebinding defence) and state changes come from the console's own pages (CSRF defence).

use super::listener::is_loopback;
use crate::web::http::Request;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// True if a request with this `Host` header may be answered (DNS-rebinding defence).
///
/// Without a token only the bound address and the loopback names are accepted, with the bound
/// port: `127.0.0.1:P`, `localhost:P`, `[::1]:P`, the bound `IP:P` (a missing port means 80).
/// With a token any host is accepted: the token check protects the server.
pub fn host_allowed(host: &str, bound: SocketAddr, token: bool) -> bool {
    if token {
        return true;
    }
    let host = host.trim();
    let (name, port, bracketed) = if let Some(rest) = host.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if after.is_empty() {
            (inside, None, true)
        } else if let Some(port) = after.strip_prefix(':') {
            (inside, Some(port), true)
        } else {
            return false;
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port), false),
            None => (host, None, false),
        }
    };
    let port = match port {
        None => 80,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => match p.parse() {
            Ok(port) => port,
            Err(_) => return false,
        },
        Some(_) => return false,
    };
    if port != bound.port() {
        return false;
    }
    if !bracketed && name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let ip = if bracketed {
        name.parse::<Ipv6Addr>().map(IpAddr::V6).ok()
    } else {
        name.parse::<Ipv4Addr>().map(IpAddr::V4).ok()
    };
    // An IP literal cannot be rebound by DNS, so any loopback literal is as safe as the bound one.
    ip.is_some_and(|ip| ip == bound.ip() || is_loopback(ip))
}

/// True if a state-changing request (anything but GET and HEAD) says it comes from another
/// origin: an `Origin` other than `http://<Host>`, or a `Sec-Fetch-Site` other than
/// `same-origin` or `none` (`cross-site`, `same-site`, or a value we do not know).
pub fn cross_origin(req: &Request) -> bool {
    if req.method.is_safe() {
        return false;
    }
    if let Some(site) = req.header("sec-fetch-site") {
        let site = site.trim();
        if !site.eq_ignore_ascii_case("same-origin") && !site.eq_ignore_ascii_case("none") {
            return true;
        }
    }
    if let Some(origin) = req.header("origin") {
        let host = req.header("host").unwrap_or("").trim();
        let origin = origin.trim();
        // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even for a form
        // on our own page; the browser's `Sec-Fetch-Site: same-origin` (checked above) then
        // vouches for it. Without that header an opaque origin is refused.
        if origin == "null" {
            return req.header("sec-fetch-site").is_none();
        }
        let same = !host.is_empty()
            && origin
                .get(.."http://".len())
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
            && origin
                .get("http://".len()..)
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host));
        if !same {
            return true;
        }
    }
    false
}
