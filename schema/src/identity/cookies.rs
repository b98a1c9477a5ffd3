//! The cookies of a browser session and of a single sign-on in flight, and how they are
//! written and read.
//!
//! `sy_session` carries the session id: HttpOnly, so page scripts never see it. `sy_csrf`
//! carries the session's CSRF token: readable by the portal's own scripts, which echo it in
//! the `x-csrf-token` header; another site can neither read it nor set that header.
//! `sy_login` binds a single sign-on to the browser that started it: the callback finishes
//! only a login this browser began (no one can sign a victim's browser in as themselves).
//!
//! Served over https (`auth.public_url`), the session and CSRF cookies are `Secure` and named
//! `__Host-sy_session` and `__Host-sy_csrf`: browsers accept such cookies only from this very
//! host over https, without a `Domain`, so a sibling subdomain or a plain-http network
//! attacker cannot plant one (session fixation); `sy_login`, scoped to `/auth`, becomes
//! `__Secure-sy_login`. Only those names are read then.

use std::time::Duration;

/// The session cookie's name (over https, with the `__Host-` prefix).
pub const SESSION_COOKIE: &str = "sy_session";
/// The CSRF cookie's name (over https, with the `__Host-` prefix).
pub const CSRF_COOKIE: &str = "sy_csrf";
/// The cookie binding a single sign-on in flight to its browser (over https, `__Secure-`).
pub const LOGIN_COOKIE: &str = "sy_login";
/// The header a cookie-authenticated mutation must carry, equal to the CSRF cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How cookies are named and written: `Secure` and prefixed when the portal is served over
/// https.
#[derive(Clone, Copy, Debug, Default)]
pub struct CookiePolicy {
    /// Add `Secure` and the prefixes (the public URL is https).
    pub secure: bool,
}

impl CookiePolicy {
    /// The session cookie's name here.
    pub fn session_name(&self) -> &'static str {
        if self.secure {
            "__Host-sy_session"
        } else {
            SESSION_COOKIE
        }
    }

    /// The CSRF cookie's name here.
    pub fn csrf_name(&self) -> &'static str {
        if self.secure {
            "__Host-sy_csrf"
        } else {
            CSRF_COOKIE
        }
    }

    /// The single sign-on binding cookie's name here.
    pub fn login_name(&self) -> &'static str {
        if self.secure {
            "__Secure-sy_login"
        } else {
            LOGIN_COOKIE
        }
    }

    /// The value of this policy's session cookie among a request's `Cookie` headers.
    pub fn session_in<'a>(&self, headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
        first_cookie(headers, self.session_name())
    }

    /// The value of this policy's sign-on binding cookie among a request's `Cookie` headers.
    pub fn login_in<'a>(&self, headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
        first_cookie(headers, self.login_name())
    }

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
            self.cookie(self.session_name(), session_id, max_age, true),
            self.cookie(self.csrf_name(), csrf, max_age, false),
        ]
    }

    /// The `Set-Cookie` value binding a single sign-on started now to this browser, for as
    /// long as the login may take; sent back to `/auth/…` only (the provider's redirect to the
    /// callback is a top-level navigation, which `SameSite=Lax` lets through).
    pub fn login_binding(&self, binding: &str, max_age: Duration) -> String {
        self.cookie_at("/auth", self.login_name(), binding, max_age, true)
    }

    /// The `Set-Cookie` value that forgets the binding once the login is finished.
    pub fn login_finished(&self) -> String {
        self.cookie_at("/auth", self.login_name(), "", Duration::ZERO, true)
    }

    /// The `Set-Cookie` values that end a session in the browser.
    pub fn sign_out(&self) -> [String; 2] {
        [
            self.cookie(self.session_name(), "", Duration::ZERO, true),
            self.cookie(self.csrf_name(), "", Duration::ZERO, false),
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

/// The first value of cookie `name` among `Cookie` headers.
fn first_cookie<'a>(mut headers: impl Iterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers.find_map(|cookies| read_cookie(cookies, name))
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
            "__Host-sy_session=s; Path=/; Max-Age=60; SameSite=Lax; HttpOnly; Secure"
        );
        assert_eq!(
            csrf,
            "__Host-sy_csrf=c; Path=/; Max-Age=60; SameSite=Lax; Secure"
        );
        assert_eq!(
            CookiePolicy { secure: true }.login_finished(),
            "__Secure-sy_login=; Path=/auth; Max-Age=0; SameSite=Lax; HttpOnly; Secure"
        );
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

    #[test]
    fn over_https_only_the_prefixed_names_are_read() {
        let planted = ["sy_session=planted"];
        let secure = CookiePolicy { secure: true };
        assert_eq!(secure.session_in(planted.into_iter()), None);
        assert_eq!(
            secure.session_in(["a=1", "__Host-sy_session=mine"].into_iter()),
            Some("mine")
        );
        assert_eq!(
            CookiePolicy::default().session_in(planted.into_iter()),
            Some("planted")
        );
    }
}
