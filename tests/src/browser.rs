//! A real headless Chromium, driven through chromedriver (WebDriver) with fantoccini.

use std::process::Stdio;

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use tokio::process::Command;

use crate::process::{Spawned, try_spawn_announcing};

/// Flags that make Debian's Chromium run headless as root on a machine without a network.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
];

/// A browser session; dropping it ends chromedriver (and with it the browser).
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    _driver: Spawned,
    _profile: tempfile::TempDir,
}

fn chromedriver_port(line: &str) -> Option<String> {
    let port = line.split("started successfully on port ").nth(1)?;
    let port: String = port.chars().take_while(char::is_ascii_digit).collect();
    (!port.is_empty()).then(|| format!("http://127.0.0.1:{port}"))
}

/// How many times chromedriver is started before a test gives up on it.
const CHROMEDRIVER_STARTS: usize = 3;

/// Starts chromedriver on a port of its choosing. With `--port=0` it binds one address family
/// on a free port and then the other on the same number, which another process may hold: it
/// then says "bind() failed: Address already in use" and exits before announcing its port,
/// and a new start picks another port.
async fn start_chromedriver(chromedriver: &str) -> Spawned {
    let mut failures = Vec::new();
    for _ in 0..CHROMEDRIVER_STARTS {
        let mut command = Command::new(chromedriver);
        // Its own process group, which the Chromium it starts joins: dropping the browser ends
        // the whole group (killing chromedriver alone leaves Chromium running).
        command
            .arg("--port=0")
            .stdin(Stdio::null())
            .process_group(0);
        match try_spawn_announcing(command, chromedriver_port).await {
            Ok(driver) => return driver,
            Err(failure) => failures.push(failure),
        }
    }
    panic!(
        "chromedriver did not start in {CHROMEDRIVER_STARTS} tries:\n{}",
        failures.join("\n")
    );
}

impl Browser {
    /// Starts chromedriver and a fresh Chromium profile.
    pub async fn start() -> Self {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let driver = start_chromedriver(&chromedriver).await;
        let profile = tempfile::tempdir().expect("browser profile dir");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "goog:chromeOptions": { "binary": chromium, "args": args }
        });
        let capabilities = capabilities
            .as_object()
            .cloned()
            .expect("capabilities object");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver.base)
            .await
            .expect("start a Chromium session through chromedriver");
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(group) = self._driver.child.id() {
            // `kill -KILL -- -PGID`: chromedriver, Chromium and every helper it forked.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The portal's languages, as `localStorage['sy-language']` takes them.
pub const LANGUAGES: &[&str] = &["en", "es", "fr", "de", "it", "ja", "ko", "zh-CN"];

/// How long a page may take to show what a test waits for.
pub const PAGE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// An axe-core finding: the rule, its impact and where.
#[derive(Debug, Clone)]
pub struct AxeViolation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl Browser {
    /// Waits for the element `css` and returns it.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PAGE_TIMEOUT)
            .for_element(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} within {PAGE_TIMEOUT:?}: {e}"))
    }

    /// Waits until the text of `css` satisfies `ok`; returns that text.
    pub async fn wait_for_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + PAGE_TIMEOUT;
        let mut last = String::new();
        while std::time::Instant::now() < deadline {
            if let Ok(element) = self.client.find(fantoccini::Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if ok(&text) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{css} never showed the expected text; last: {last:?}")
    }

    /// Waits until no element matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = std::time::Instant::now() + PAGE_TIMEOUT;
        while std::time::Instant::now() < deadline {
            if self
                .client
                .find_all(fantoccini::Locator::Css(css))
                .await
                .map(|all| all.is_empty())
                .unwrap_or(false)
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{css} is still there after {PAGE_TIMEOUT:?}");
    }

    /// Clicks the element `css` once it is there, scrolled to the middle of the window first
    /// (as a person would, so a toast in a corner does not take the click).
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        if let Ok(reference) = serde_json::to_value(&element) {
            // Scrolling is a courtesy; the click below says whether it worked.
            let _ = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                    vec![reference],
                )
                .await;
        }
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types `text` into the field `css`, replacing what it held.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// The single sign-on journey up to the provider: the portal's sign-in page at `portal`,
    /// its button (which must read `Sign in with {provider_name}`), then the provider's own
    /// login page, which must be served from `provider`.
    pub async fn open_provider_login(&self, portal: &str, provider_name: &str, provider: &str) {
        self.client.goto(&format!("{portal}/login")).await.unwrap();
        let button = self.wait_for("#sso-sign-in").await;
        assert_eq!(
            button.text().await.unwrap(),
            format!("Sign in with {provider_name}")
        );
        self.click("#sso-sign-in").await;
        self.wait_for("#username").await;
        let at = self.client.current_url().await.unwrap();
        assert!(
            at.as_str().starts_with(provider),
            "at {at}, not the provider"
        );
    }

    /// Fills and submits the test providers' login forms (`#username`, `#password`,
    /// `#sign-in`), as a person would.
    pub async fn submit_provider_login(&self, user: &str, password: &str) {
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click("#sign-in").await;
    }

    /// Signs this browser in with a session made by `TestApp::sign_in_as` (its cookies
    /// copied into the browser on `base`'s origin).
    pub async fn use_session(&self, base: &str, user: &crate::TestUser) {
        let session = user
            .browser
            .cookie(base, "sy_session")
            .expect("session cookie");
        let csrf = user.browser.cookie(base, "sy_csrf").expect("csrf cookie");
        self.client
            .goto(&format!("{base}/404"))
            .await
            .expect("open the origin");
        self.client
            .execute(
                "document.cookie = 'sy_session=' + arguments[0] + '; path=/';
                 document.cookie = 'sy_csrf=' + arguments[1] + '; path=/';",
                vec![json!(session), json!(csrf)],
            )
            .await
            .expect("set the session cookies");
    }

    /// Runs axe-core (from `frontend/node_modules`, pinned in its lock file) on the page and
    /// returns the serious and critical violations of WCAG 2 A and AA rules.
    pub async fn axe_serious(&self) -> Vec<AxeViolation> {
        let path = crate::workspace_root().join("frontend/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (npm ci in frontend/ installs it)", path.display())
        });
        self.client
            .execute(&source, vec![])
            .await
            .expect("load axe-core into the page");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
                    .then(r => done(r.violations.map(v => ({
                        rule: v.id, impact: v.impact || '', help: v.help,
                        targets: v.nodes.map(n => n.target.join(' ')) }))))
                    .catch(e => done([{ rule: 'axe-error', impact: 'critical', help: String(e), targets: [] }]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        result
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|v| AxeViolation {
                rule: v["rule"].as_str().unwrap_or_default().to_owned(),
                impact: v["impact"].as_str().unwrap_or_default().to_owned(),
                help: v["help"].as_str().unwrap_or_default().to_owned(),
                targets: v["targets"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .filter(|v| v.impact == "serious" || v.impact == "critical")
            .collect()
    }

    /// Fails the test with axe-core's serious and critical findings on the page, if any.
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.axe_serious().await;
        assert!(violations.is_empty(), "axe-core on {what}: {violations:#?}");
    }

    /// Saves a screenshot of the window as `target/screenshots/{name}.png` (ignored by git).
    pub async fn screenshot(&self, name: &str) {
        let dir = crate::workspace_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let png = self.client.screenshot().await.expect("take a screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    }

    /// Remembers `theme` (`light`, `dark`) and `language` as the portal's pickers do; they
    /// apply from the next page load.
    pub async fn prefer(&self, theme: &str, language: &str) {
        self.client
            .execute(
                "localStorage.setItem('sy-theme', arguments[0]); localStorage.setItem('sy-language', arguments[1]);",
                vec![json!(theme), json!(language)],
            )
            .await
            .expect("set the theme and the language");
    }

    /// Whether the page is wider than the window (something forces a horizontal scroll).
    pub async fn overflows_horizontally(&self) -> bool {
        self.client
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth + 1;",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// A browser at 1280×800, the smallest desktop the portal is checked at, signed in as
    /// `user` on `base`.
    pub async fn desktop(base: &str, user: &crate::TestUser) -> Self {
        let browser = Self::start().await;
        browser
            .client
            .set_window_size(1280, 800)
            .await
            .expect("size the window");
        browser.use_session(base, user).await;
        browser
    }

    /// Picks the portal's theme (`light` or `dark`) and language for the next page load (the
    /// portal remembers both in `localStorage`).
    pub async fn set_look(&self, theme: &str, language: &str) {
        self.client
            .execute(
                "localStorage.setItem('sy-theme', arguments[0]); \
                 localStorage.setItem('sy-language', arguments[1]);",
                vec![json!(theme), json!(language)],
            )
            .await
            .expect("set the theme and language");
    }

    /// Fails the test if the page has serious axe-core findings or scrolls sideways, and
    /// saves it as the screenshot `name`; `what` names the page in failures.
    pub async fn assert_presentable(&self, what: &str, name: &str) {
        self.assert_accessible(what).await;
        assert!(
            !self.overflows_horizontally().await,
            "{what} scrolls sideways"
        );
        self.screenshot(name).await;
    }
}

/// A word of `text` that looks like a message id starting with one of `prefixes` (lowercase
/// letters and dashes only): a message the language lacks showing as its id.
pub fn message_id<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    text.split_whitespace().find(|w| {
        prefixes
            .iter()
            .any(|p| w.starts_with(p) && w.len() > p.len())
            && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
    })
}

/// The words of `text` that look like a message id starting with one of `prefixes`
/// (`audit-count`): what a page shows when a translation is missing.
pub fn message_ids<'a>(text: &'a str, prefixes: &[&str]) -> Vec<&'a str> {
    text.split_whitespace()
        .filter(|w| {
            prefixes
                .iter()
                .any(|p| w.starts_with(p) && w.len() > p.len())
                && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .collect()
}
