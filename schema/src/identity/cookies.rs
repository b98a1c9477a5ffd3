//! The cookies of a browser session and of a single sign-on in flight, and how they are
//! written and read.
//!
//! `sy_session` carries the session id: HttpOnly, so page scripts never see it. `sy_csrf`
//! carries the session's CSRF token: readable by the portal's own scripts, which echo it in
//! the `x-csrf-token` header; another site can neither read it nor set that header.
//! `sy_login` binds a single sign-on to the browser that started it: the callback finishes
//! only a login this browser began (no one can sign a victim's browser in as themselves).

use std::time::Duration;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sy_session";
/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "sy_csrf";
/// The cookie binding a single sign-on in flight to its browser.
pub const LOGIN_COOKIE: &str = "sy_login";
/// The header a cookie-authenticated mutation must carry, equal to the CSRF cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How cookies are written: `Secure` when the portal is served over https.
#[derive(Clone, Copy, Debug, Default)]
pub struct CookiePolicy {
    /// Add `Secure` (the public URL is https).
    pub secure: bool,
}

impl CookiePolicy {
    fn cookie(&self, name: &str, value: &str, max_age: Duration, http_only: bool) -> String {
        self.cookie_at("/", name, value, max_age, http_only)
    }

    fn cookie_at(
        &self,
        path: &str,
        name: &str,
        value: &str,
        max_age: Duration,
        http_only: bool,
    ) -> String {
        let mut cookie = format!(
            "{name}={value}; Path={path}; Max-Age={}; SameSite=Lax",
            max_age.as_secs()
        );
        if http_only {
            cookie.push_str("; HttpOnly");
        }
        if self.secure {
            cookie.push_str("; Secure");
        }
        cookie
    }

    /// The `Set-Cookie` values that start a session.
    pub fn sign_in(&self, session_id: &str, csrf: &str, max_age: Duration) -> [String; 2] {
        [
            self.cookie(SESSION_COOKIE, session_id, max_age, true),
            self.cookie(CSRF_COOKIE, csrf, max_age, false),
        ]
    }

    /// The `Set-Cookie` value binding a single sign-on started now to this browser, for as
    /// long as the login may take; sent back to `/auth/…` only (the provider's redirect to the
    /// callback is a top-level navigation, which `SameSite=Lax` lets through).
    pub fn login_binding(&self, binding: &str, max_age: Duration) -> String {
        self.cookie_at("/auth", LOGIN_COOKIE, binding, max_age, true)
    }

    /// The `Set-Cookie` value that forgets the binding once the login is finished.
    pub fn login_finished(&self) -> String {
        self.cookie_at("/auth", LOGIN_COOKIE, "", Duration::ZERO, true)
    }

    /// The `Set-Cookie` values that end a session in the browser.
    pub fn sign_out(&self) -> [String; 2] {
        [
            self.cookie(SESSION_COOKIE, "", Duration::ZERO, true),
            self.cookie(CSRF_COOKIE, "", Duration::ZERO, false),
        ]
    }
}

/// The value of cookie `name` in a `Cookie` header, if present and not empty.
pub fn read_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_is_http_only_and_csrf_cookie_is_readable() {
        let [session, csrf] =
            CookiePolicy { secure: true }.sign_in("s", "c", Duration::from_secs(60));
        assert_eq!(
            session,
            "sy_session=s; Path=/; Max-Age=60; SameSite=Lax; HttpOnly; Secure"
        );
        assert_eq!(csrf, "sy_csrf=c; Path=/; Max-Age=60; SameSite=Lax; Secure");
        let [gone, _] = CookiePolicy::default().sign_out();
        assert_eq!(
            gone,
            "sy_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"
        );
    }

    #[test]
    fn cookies_are_found_by_exact_name() {
        let header = "other=1; sy_session_x=no; sy_session=abc; sy_csrf=";
        assert_eq!(read_cookie(header, SESSION_COOKIE), Some("abc"));
        assert_eq!(read_cookie(header, CSRF_COOKIE), None);
        assert_eq!(read_cookie("", SESSION_COOKIE), None);
    }
}
