//! Signing in to the console with the access token, and signing out.

use super::responses::error_response;
use super::{Shared, SESSION_COOKIE};
use crate::web::http::{Method, Request, Response};
use std::net::IpAddr;

/// Answers `/login` and `/logout`; `None` for every other request.
pub(super) fn session_routes(
    shared: &Shared,
    req: &Request,
    peer: Option<IpAddr>,
) -> Option<Response> {
    let Some(token) = &shared.token else {
        return match (req.method, req.path.as_str()) {
            (Method::Get | Method::Head, "/login") | (Method::Post, "/logout") => {
                Some(Response::redirect_see_other("/"))
            }
            _ => None,
        };
    };
    match (req.method, req.path.as_str()) {
        (Method::Get | Method::Head, "/login") => Some(if has_session(shared, req) {
            Response::redirect_see_other("/")
        } else {
            login_page(200, None)
        }),
        (Method::Post, "/login") => Some(login(shared, token, req, peer)),
        (_, "/login") => Some(
            error_response(
                false,
                405,
                "method_not_allowed",
                "use GET or POST for /login",
            )
            .with_header("Allow", "GET, HEAD, POST"),
        ),
        (Method::Post, "/logout") => {
            if let Some(id) = req.cookie(SESSION_COOKIE) {
                shared.sessions.end(id);
            }
            Some(Response::redirect_see_other("/login").with_header(
                "Set-Cookie",
                format!("{SESSION_COOKIE}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/"),
            ))
        }
        _ => None,
    }
}

fn login(shared: &Shared, token: &str, req: &Request, peer: Option<IpAddr>) -> Response {
    let Ok(pairs) = req.form_pairs() else {
        return login_page(400, Some("The form could not be read; please try again."));
    };
    let given = pairs
        .iter()
        .find(|(name, _)| name == "token")
        .map_or("", |(_, value)| value.as_str());
    if !check_token(shared, token, given, peer) {
        return login_page(
            401,
            Some("That is not the access token this server was started with."),
        );
    }
    let id = match shared.sessions.start() {
        Ok(id) => id,
        Err(e) => {
            eprintln!("clientele: cannot read /dev/urandom for a session id: {e}");
            return error_response(
                false,
                500,
                "internal",
                "the server could not create a session (no random numbers available)",
            );
        }
    };
    Response::redirect_see_other("/").with_header(
        "Set-Cookie",
        format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/"),
    )
}

/// True if the request carries the cookie of a live session.
pub(super) fn has_session(shared: &Shared, req: &Request) -> bool {
    match req.cookie(SESSION_COOKIE) {
        Some(id) if !id.is_empty() => shared.sessions.check(id),
        _ => false,
    }
}

/// Compares a presented token with the server's, counting a wrong one against the peer.
pub(super) fn check_token(shared: &Shared, token: &str, given: &str, peer: Option<IpAddr>) -> bool {
    let right = constant_time_eq(given.as_bytes(), token.as_bytes());
    if let Some(peer) = peer {
        if right {
            shared.throttle.success(peer);
        } else {
            shared.throttle.failure(peer);
        }
    }
    right
}

/// Compares without an early exit, so the time taken does not reveal how much of a guess was
/// right (only the secret's length shapes it).
pub(super) fn constant_time_eq(given: &[u8], secret: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != secret.len());
    for (i, s) in secret.iter().enumerate() {
        diff |= given.get(i).copied().unwrap_or(!s) ^ s;
    }
    std::hint::black_box(diff) == 0
}

fn login_page(status: u16, error: Option<&str>) -> Response {
    let main = maud::html! {
        h1 { "clientele" }
        p { "This customer desk is protected by an access token. Enter the token the server was started with." }
        @if let Some(error) = error {
            p id="login-error" role="alert" { strong { (error) } }
        }
        form method="post" action="/login" {
            p {
                label for="token" { "Access token" }
                " "
                input id="token" name="token" type="password"
                    autocomplete="current-password" required autofocus
                    aria-describedby=[error.map(|_| "login-error")];
            }
            p { button type="submit" { "Sign in" } }
        }
    };
    super::responses::bare_page(status, "Sign in", main)
}
