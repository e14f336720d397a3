//! The listening socket: address checks, binding, `TCP_NODELAY`, and how many connections the
//! descriptor limit allows.

use super::DEFAULT_ADDR;
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};

/// Descriptors kept for everything that is not a client connection (standard streams, the
/// database file, the listener, a backup or export being written, `/dev/urandom`), at most
/// half of the limit.
const RESERVED_DESCRIPTORS: usize = 64;
/// No more connections than this however high the descriptor limit: each one has a thread.
const MAX_CONNECTIONS: usize = 4096;

/// Checks the address (and that a non-loopback one has a token), binds it and sets
/// `TCP_NODELAY`. Errors are sentences for the user.
pub(super) fn bind(addr: &str, has_token: bool) -> Result<TcpListener, String> {
    let addrs: Vec<SocketAddr> = match addr.to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(_) => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(format!(
            "{addr:?} is not an address to listen on; write it as IP:PORT, e.g. --addr {DEFAULT_ADDR}"
        ));
    }
    if !has_token && !addrs.iter().all(|a| is_loopback(a.ip())) {
        return Err(format!(
            "listening on {addr} needs --token TOKEN: other machines can reach that address, so \
             they must present an access token (the console asks for it at /login, the API \
             expects \"Authorization: Bearer TOKEN\"); or keep the default --addr {DEFAULT_ADDR}"
        ));
    }
    let listener = TcpListener::bind(&addrs[..]).map_err(|e| bind_error(addr, &addrs, &e))?;
    set_nodelay(&listener);
    Ok(listener)
}

/// How many client connections may be open at once: the soft `RLIMIT_NOFILE` less the
/// descriptors the rest of the process needs (one descriptor per connection).
pub(super) fn connection_cap() -> usize {
    let soft = descriptor_limit();
    let reserved = RESERVED_DESCRIPTORS.min(soft / 2);
    soft.saturating_sub(reserved).clamp(1, MAX_CONNECTIONS)
}

#[cfg(unix)]
fn descriptor_limit() -> usize {
    // SAFETY: rlimit is plain data, and getrlimit only writes into it.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: a valid resource and a pointer to a live rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
}

#[cfg(not(unix))]
fn descriptor_limit() -> usize {
    1024
}

pub(super) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn bind_error(addr: &str, addrs: &[SocketAddr], e: &std::io::Error) -> String {
    let first = addrs[0];
    let mut other = first;
    other.set_port(match first.port() {
        0 | u16::MAX => 8081,
        port => port + 1,
    });
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "address {addr} is already in use; choose another with --addr, e.g. --addr {other}"
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "not allowed to listen on {addr} (ports below 1024 need extra privileges); \
             choose another with --addr, e.g. --addr {DEFAULT_ADDR}"
        ),
        std::io::ErrorKind::AddrNotAvailable => format!(
            "{addr} is not an address of this machine; choose another with --addr, \
             e.g. --addr {DEFAULT_ADDR}"
        ),
        _ => format!("cannot listen on {addr}: {e}"),
    }
}

/// tiny_http writes headers and body separately; without TCP_NODELAY every keep-alive response
/// waits for the peer's delayed ACK (~40 ms). Accepted sockets inherit the option on Linux.
#[cfg(unix)]
fn set_nodelay(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    let one: libc::c_int = 1;
    // SAFETY: a valid socket descriptor, a pointer to a live c_int and its exact size.
    let rc = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            std::ptr::from_ref(&one).cast::<libc::c_void>(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        eprintln!(
            "clientele: could not set TCP_NODELAY ({}); responses may be slow",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(not(unix))]
fn set_nodelay(_listener: &TcpListener) {}
