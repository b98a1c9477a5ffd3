# Switchyard portal: English (the reference; every other language has exactly these ids).

## Shell
skip-to-content = Skip to content
nav-label = Main navigation
nav-toggle = Show or hide the navigation
nav-home = Home
nav-catalog = Model catalog
nav-subscriptions = Subscriptions
nav-keys = API keys
nav-usage = Usage
nav-playground = Playground
nav-account = My account
nav-admin = Administration
nav-graphiql = GraphQL explorer
nav-admin-overview = Overview
nav-admin-queue = Subscription queue
nav-admin-queue-pending = { $count } waiting
nav-admin-users = Users
nav-admin-models = Models
nav-admin-usage = Usage for everyone
nav-admin-settings = Settings
nav-admin-branding = Branding
nav-admin-banners = Banners
nav-admin-audit = Audit log
banner = Announcement
banner-dismiss = Dismiss this announcement
sign-in = Sign in
sign-out = Sign out
language = Language
theme = Theme
theme-system = Follow the system
theme-light = Light
theme-dark = Dark
theme-to-dark = Switch to the dark theme
theme-to-light = Switch to the light theme
role-admin = Administrator
role-admin-readonly = Read-only administrator
role-user = User
close = Close
cancel = Cancel
save = Save
edit = Edit
delete = Delete
send = Send
apply = Apply
retry = Try again
search = Search
view = View
loading = Loading…
copy = Copy
copied = Copied to the clipboard.
copy-failed = The browser did not allow copying: select the text and copy it yourself.
go-home = Go to the home page
revoked = Revoked.
never-used = Never used

## States and errors
not-found-title = Page not found
not-found-body = There is nothing at this address.
not-allowed-title = Not allowed
not-allowed-body = Your account does not have access to this page. Ask an administrator if you need it.
error-unauthenticated = You are not signed in, or your session has ended.
error-forbidden = You are not allowed to do this.
error-not-found = It does not exist (any more).
error-bad-input = The server did not accept what was entered.
error-conflict = That clashes with something that already exists.
error-network = The server could not be reached. Check your connection and try again.
error-internal = The server failed to answer. Try again in a moment.

## Sign-in
login-name = User name or e-mail
login-password = Password
login-sso = Sign in with { $provider }
login-sso-default = single sign-on
login-already = You are signed in as { $name }.

## Live feeds and alerts
live-on = Live
live-connecting = Connecting…
live-reconnecting = Reconnecting…
alert-subject-key = A key's budget
alert-subject-user = Your budget
alert-soft = { $whose } passed its soft limit: { $spend } of { $budget }.
alert-80 = { $whose } is 80% used: { $spend } of { $budget }.
alert-100 = { $whose } is used up ({ $spend } of { $budget }): requests are refused until it resets.

## Home
home-welcome = Welcome, { $name }
home-api-base = API base URL
home-budget = My spend this period
home-resets = Resets { $at } (UTC)
no-budget = no budget set
home-no-keys = You have no keys yet.
home-manage-keys = Manage keys
home-subscriptions = { $active } active, { $pending } waiting for approval
home-browse-catalog = Browse the catalog
home-live = My requests, live
home-live-empty = Requests you make with your keys appear here as they finish.
tokens-in-out = { $input } in / { $output } out tokens
keys-count = { $count ->
    [one] { $count } key
   *[other] { $count } keys
}

## Catalog and models
catalog-lead = Every model on every cluster. Subscribe to a model to put it on your keys.
catalog-search-placeholder = Name, description or provider
catalog-count = { $shown } of { $total } models
catalog-empty-title = No models yet
catalog-empty-body = An administrator has not registered any model.
catalog-no-match = No model matches these filters
filter-all = All
filter-cluster = Cluster
filter-subscribed = Subscribed only
view-cards = Cards
view-table = Table
col-model = Model
col-provider = Provider
col-capabilities = Capabilities
col-price = Price per million tokens
col-context = Context length
col-status = Status
col-history = History
col-actions = Actions
price-per-million = { $input } in / { $output } out per million tokens
price-input = Input, per million tokens
price-output = Output, per million tokens
context-length = { $tokens } tokens of context
health = Health
health-healthy = healthy
health-unhealthy = failing health checks
health-unknown = not checked yet
health-disabled = disabled
restricted = Restricted
cap-chat = Chat
cap-completion = Completion
cap-embeddings = Embeddings
cap-document-conversion = Document conversion
cap-tokenize = Tokenize
cap-vision = Vision
cap-tools = Tools
cap-other = Other
subscribe = Subscribe
request-access = Request access
access-title = Request access to { $model }
access-reason = What do you need it for? (optional; the administrators read it)
subscribed-active = You are subscribed to { $model }.
subscribed-pending = Your request for { $model } waits for an administrator's approval.
model-details = Details
model-deployments = Clusters
model-my-subscription = My subscription
model-how-to-call = How to call it
model-open-explained = Subscribe to use this model with your keys; access is immediate.
model-restricted-explained = This model is restricted: an administrator approves each request for access.
snippets = Code examples

## Subscriptions
subscriptions-lead = The models you may put on your keys, and requests waiting for approval.
subscriptions-empty-title = No subscriptions yet
subscriptions-empty-body = Subscribe to a model in the catalog to use it with your keys.
status-active = Active
status-pending = Waiting for approval
status-denied = Denied
status-cancelled = Cancelled
history-start = { $to }
history-change = { $from } → { $to }
history-by-you = by you
history-by-admin = by an administrator
cancel-subscription = Cancel subscription
cancel-subscription-body = Cancel your subscription to { $model }? It is taken off your keys at once.
subscription-cancelled = Your subscription to { $model } is cancelled.
request-review = Request a review
review-message = Why should it be looked at again? (optional)
review-requested = Your request was sent to the administrators.

## Keys
keys-lead = Keys let your code call the models you are subscribed to. A secret is shown once, when it is made.
keys-of-cap = { $count } of { $cap } keys
keys-empty-title = No keys yet
keys-empty-body = Create a key to call your models from code.
key-create = Create key
key-edit = Edit
key-name = Name
key-models = Models
key-no-subscriptions = You have no active subscription to put on a key.
key-expiry = Expires
key-spend = Spend
key-limits = Limits
key-last-used = Last used
key-budget = Budget
key-budget-duration = Budget resets
key-budget-never-resets = Never
key-rpm = Requests per minute
key-tpm = Tokens per minute
key-parallel = Parallel requests
key-rpd = Requests per day
key-unlimited = No limit
key-max = At most { $max }
key-bad-number = { $field } must be a number of zero or more.
key-name-and-models = Give the key a name and choose at least one model.
key-active = Active
key-revoked = Revoked
key-expired = Expired
key-rotate = Rotate
key-rotate-title = Rotate { $name }
key-rotate-body = A new secret replaces the old one; the key keeps its settings and spend.
key-rotate-grace = The old secret keeps working
key-revoke = Revoke
key-revoke-body = Revoke { $name }? Requests with it are refused until you restore it.
key-restore = Restore
key-restore-body = Restore { $name }? Requests with it work again.
key-delete = Delete
key-delete-body = Delete { $name } for good? This cannot be undone.
key-revoked-toast = { $name } is revoked.
key-restored-toast = { $name } works again.
key-deleted-toast = { $name } is deleted.
limit-rpm = { $n } requests/min
limit-tpm = { $n } tokens/min
limit-parallel = { $n } at once
limit-rpd = { $n } requests/day
limits-none = No limits
expiry-default = The platform's default
expiry-default-days = The default is { $days } days.
expiry-1d = In a day
expiry-30d = In 30 days
expiry-90d = In 90 days
expiry-date = On a date
expiry-never = Never
period-daily = Daily
period-weekly = Weekly
period-monthly = Monthly
grace-none = No: stop it now
grace-1h = For an hour
grace-24h = For a day
grace-7d = For a week
secret-title = The secret of { $name }
secret-once = Copy the secret now: it is not shown again, and it cannot be recovered.
secret-label = Secret
secret-done = I have stored it

## Usage
usage-lead = What your requests used and cost, by model or key.
usage-period = Period
period-24h = Last 24 hours
period-7d = Last 7 days
period-30d = Last 30 days
period-90d = Last 90 days
period-custom = Custom dates
usage-from = From
usage-to = To
usage-range = From { $from } to { $to } (UTC)
usage-granularity = Buckets
granularity-hour = Hours
granularity-day = Days
usage-split = Split by
split-model = Model
split-key = Key
split-none = Nothing
usage-csv = Export CSV
usage-empty-title = No usage in this period
usage-empty-body = Requests made with your keys show here within a second.
usage-spend = Spend
usage-requests = Requests
usage-tokens = Tokens
usage-error-rate = Error rate
usage-latency = Latency (p50 / p95)
usage-change = { $change } against the period before
usage-top = Top spenders
usage-group = Model or key
usage-bucket = Period start (UTC)
usage-all = All
tokens-input = Input tokens
tokens-output = Output tokens
chart-show-table = Show as table
chart-show-chart = Show as chart

## Playground
playground-lead = Try your models in the browser: answers stream as they are written, and cost like any request (they show as "Playground" in your usage).
playground-empty-title = No chat model to try yet
playground-empty-body = Subscribe to a chat model in the catalog first.
playground-compare = Compare with a second model
playground-second-model = Second model
playground-settings = Settings
playground-system = System prompt
playground-temperature = Temperature
playground-max-tokens = Max tokens
playground-key = Use one of my keys instead (optional)
playground-key-help = Kept in this page only, never stored: to test that key's access and limits.
playground-prompt = Message
playground-code = View code
playground-clear = Start over
playground-you = You:
playground-model = Model:
playground-usage = { $input } in / { $output } out tokens · { $cost }

## Account
profile = Profile
profile-name = Name
profile-roles = Roles
preferences = Preferences
sessions = Signed-in browsers
session-browser = Browser
session-ip = Address
session-last-seen = Last seen (UTC)
session-current = This browser
session-revoke = Sign out there
session-revoke-body = Sign that browser out? It has to sign in again.
tokens = Personal access tokens
tokens-lead = Tokens let scripts use the GraphQL API as you. A token is shown once, when it is made.
tokens-empty = You have no tokens.
token-create = Create token
token-name = Name
token-name-required = Give the token a name.
token-can-write = May make changes (otherwise it can only read)
token-scope = Scope
token-read-only = Read only
token-read-write = Read and write
token-revoke = Revoke token
token-revoke-body = Revoke the token { $name }? Scripts using it stop working.

## Administration: branding
brand-lead = The portal's name, colours, texts and logos, as everyone sees them, signed in or not. Nothing changes until you save; the preview shows how it will look.
brand-texts = Titles and texts
brand-title = Title
brand-title-help = The portal's name, in the header, the browser tab and on the sign-in page.
brand-title-required = Give the portal a title.
brand-subtitle = Subtitle
brand-subtitle-help = A line under the title on the sign-in page.
brand-login-title = Sign-in heading
brand-login-title-help = Above the sign-in form. Empty: “Sign in”.
brand-login-text = Sign-in text
brand-login-text-help = Shown on the sign-in page, for instance who may sign in and how. Empty: none.
brand-footer-text = Footer text
brand-footer-text-help = At the bottom of every page. Empty: none.
brand-colours = Colours
brand-primary = Primary colour
brand-primary-help = The fill of primary buttons and check boxes, as #rrggbb. Empty: PatternFly's own blue.
brand-primary-default = PatternFly's own brand colours are used, readable in both themes.
brand-accent = Accent colour
brand-accent-help = A stripe under the header, as #rrggbb; no text sits on it. Empty: none.
brand-pick-colour = { $field }: pick a colour
brand-bad-colour = { $field } must be a colour like #1a2b3c, or empty.
brand-bad-colour-here = Not a colour: write it like #1a2b3c, or leave it empty.
brand-text-light = white
brand-text-dark = dark
brand-contrast-ok = Buttons in this colour get { $text } text, with a contrast of { $ratio }:1 (WCAG AA asks for at least 4.5:1).
brand-contrast-low = Low contrast: even the more readable text on this colour reaches only { $ratio }:1, below the 4.5:1 WCAG AA asks for. Choose a darker or a lighter colour.
brand-logos = Logos
brand-logos-lead = PNG, JPEG, WebP or SVG, up to 512 KiB each. A chosen image shows here and in the preview; it is uploaded when you save.
brand-logo-header-light = Header logo, light theme
brand-logo-header-light-help = Replaces the title in the header on a light background.
brand-logo-header-dark = Header logo, dark theme
brand-logo-header-dark-help = Replaces the title in the header on a dark background.
brand-logo-login = Sign-in logo
brand-logo-login-help = Above the title on the sign-in page.
brand-logo-state-saved = Saved.
brand-logo-state-new = New: uploaded when you save.
brand-logo-state-removed = Removed when you save.
brand-logo-state-none = No logo.
brand-logo-remove = Remove
brand-logo-undo = Undo
brand-logo-bad-type = That file is not a PNG, JPEG, WebP or SVG image.
brand-logo-too-big = That file is empty or larger than 512 KiB.
brand-logo-unreadable = The browser could not read that file.
brand-preview = Preview
brand-preview-lead = How the header and the sign-in page will look, as the form stands.
brand-preview-button = Button
brand-saved = Branding saved.

## Administration
admin-read-only-why = You are a read-only administrator: you can see everything here, but only an administrator can change it.
queue-lead = Everyone's subscriptions. Restricted models wait here for a decision; people see the reason you give when you deny.
queue-user = User
queue-user-placeholder = Name, e-mail or id, then Enter
queue-since = Changed from
queue-until = Changed until
queue-count = { $count ->
    [one] One subscription
   *[other] { $count } subscriptions
}
queue-select-all = Select every waiting request
queue-select = Select { $user }'s request for { $model }
queue-approve-selected = Approve ({ $count })
queue-deny-selected = Deny ({ $count })
queue-deny = Deny
queue-deny-title = { $count ->
    [one] Deny one request
   *[other] Deny { $count } requests
}
queue-deny-reason = Reason
queue-deny-reason-help = The users see this reason and may ask for a review.
queue-deny-reason-required = Give a reason: the users see it.
queue-revert = Back to waiting
queue-revert-body = Put { $what } back to waiting for a decision? An approved subscription leaves the user's keys until it is approved again.
queue-approved = { $count ->
    [one] One request approved.
   *[other] { $count } requests approved.
}
queue-denied = { $count ->
    [one] One request denied.
   *[other] { $count } requests denied.
}
queue-reverted = The subscription is waiting again.
queue-empty-title = Nothing here
queue-empty-body = No subscription matches these filters.
settings-lead = What keys may be, what new users start with, and the currency. Changes apply to keys made or changed from now on.
settings-none = None
settings-saved = Settings saved.
settings-key-policy = Key policy
settings-key-policy-lead = Defaults fill in what people leave empty on a new key; maximums are the most anyone may ask for. Empty means no default, or no maximum.
settings-platform = Platform
settings-new-users = New users
settings-new-users-lead = What every user starts with when they first sign in. Existing users keep their own limits.
policy-max-keys = Keys per user
policy-max-keys-help = How many keys one person may hold, blocked ones included.
policy-default-expiry = Default expiry (days)
policy-default-expiry-help = How long a key lives when its owner picks no expiry. Empty: it does not expire.
policy-max-expiry = Longest expiry (days)
policy-max-expiry-help = The longest a key may live. Set, keys can no longer be made without an expiry.
policy-default-budget = Default budget
policy-default-budget-help = The budget a key gets when none is asked for.
policy-max-budget = Largest budget
policy-max-budget-help = The largest budget a key may have.
policy-default-rpm = Default requests per minute
policy-default-rpm-help = Given to a key when its owner sets none.
policy-max-rpm = Most requests per minute
policy-max-rpm-help = A key asking for more is refused.
policy-default-tpm = Default tokens per minute
policy-default-tpm-help = Given to a key when its owner sets none.
policy-max-tpm = Most tokens per minute
policy-max-tpm-help = A key asking for more is refused.
policy-default-parallel = Default parallel requests
policy-default-parallel-help = Given to a key when its owner sets none.
policy-max-parallel = Most parallel requests
policy-max-parallel-help = A key asking for more is refused.
policy-default-rpd = Default requests per day
policy-default-rpd-help = Given to a key when its owner sets none.
policy-max-rpd = Most requests per day
policy-max-rpd-help = A key asking for more is refused.
currency = Currency
currency-help = The ISO 4217 code prices and spend are shown in (USD, EUR, …). A label only: nothing is converted.
new-user-budget = Budget
new-user-budget-help = The spending limit every new user starts with. Empty: none.
new-user-duration = Budget resets
new-user-duration-help = How often that budget starts again: daily, weekly, monthly or a length such as 30d.
new-user-rpm = Requests per minute
new-user-rpm-help = Across all of a new user's keys.
new-user-tpm = Tokens per minute
new-user-tpm-help = Across all of a new user's keys.
new-user-parallel = Parallel requests
new-user-parallel-help = Across all of a new user's keys.
new-user-rpd = Requests per day
new-user-rpd-help = Across all of a new user's keys, per calendar day in UTC.
banners-lead = Announcements at the top of every page, for everyone or for chosen roles, within a schedule.
banners-empty-title = No banners
banners-empty-body = Write one to tell people about maintenance, new models or changes.
banner-create = New banner
banner-edit = Edit banner
banner-delete = Delete banner
banner-delete-body = Delete the banner “{ $text }”? Nobody sees it any more.
banner-saved = Banners updated.
banner-text = Text
banner-text-help = Markdown: **bold**, *italic*, [links](https://example.com) and lists. Scripts and styles are removed.
banner-text-required = Write the banner's text.
banner-preview = Preview
banner-preview-empty = The preview appears as you type.
banner-variant = Style
banner-variant-info = Information
banner-variant-success = Success
banner-variant-warning = Warning
banner-variant-danger = Danger
banner-audience = Who sees it
banner-audience-help = Tick nothing to show it to everyone, signed in or not.
banner-audience-everyone = Everyone
banner-starts = Starts (UTC)
banner-ends = Ends (UTC)
banner-schedule = Schedule (UTC)
banner-schedule-help = Leave the times empty to show it from now on until it is switched off.
banner-always = Always
banner-active = Switched on
banner-dismissible = People may dismiss it
banner-state-showing = Showing
banner-state-scheduled = Scheduled
banner-state-ended = Ended
banner-state-off = Switched off

## Administration: models and deployments
models-lead = Every model with its deployments on each cluster, their health and how traffic is shared. Models declared in the server's configuration change there.
models-empty-title = No models yet
models-empty-body = Add a deployment: the model is created with it.
models-saved = Catalog updated.
models-reload = Reload configuration
models-reloaded-changed = Configuration applied: { $count } models in service.
models-reloaded-same = Configuration unchanged: { $count } models in service.
model-source-configuration = From configuration
model-configured-why = Declared in the server's configuration: change it there, then reload.
model-declared-in = Declared in { $file }
model-prices = { $input } in / { $output } out per million tokens
model-name = Model name
model-name-new = A new model is created with this name.
model-name-existing = The deployment joins this existing model.
model-new = The new model
model-provider = Provider
model-context = Context length (tokens)
model-input-price = Input price per million tokens
model-output-price = Output price per million tokens
model-description = Description
model-restricted = Restricted: subscriptions wait for approval
model-restricted-help = Restricting a model puts its active subscriptions back to waiting; opening it approves the waiting ones.
model-edit-title = Edit { $model }
model-delete = Delete model
model-delete-body = Delete { $model } with all its deployments? Keys lose it and its subscriptions end.
deployments-of = Deployments of { $model }
deployment-add = Add deployment
deployment-added = { $model } has a new deployment.
deployment-required = A model name, a cluster and the server's address are needed.
deployment-cluster = Cluster
deployment-api-base = Address
deployment-api-base-help = The model server's OpenAI-compatible base URL, such as https://granite.apps.example.com/v1.
deployment-api-key = Credential
deployment-api-key-help = Sent to the model server as a bearer token; stored sealed, never shown again.
deployment-api-key-keep = Leave empty to keep the stored credential.
deployment-backend-model = Name on the model server
deployment-backend-model-help = The name the model server knows it by; empty uses the model name.
deployment-weight = Weight
deployment-weight-help = Its share of the model's traffic against the other deployments' weights.
deployment-timeout = Timeout (ms)
deployment-timeouts = Timeouts
deployment-first-byte = First-byte timeout (ms)
deployment-first-byte-help = The longest wait for the response headers; empty uses the gateway's default.
deployment-first-byte-short = first byte: { $time }
deployment-default = default
deployment-parallel = Parallel requests
deployment-parallel-help = Requests in flight at once on this deployment; empty for no cap.
deployment-cooling = Left out of routing after failures until { $until }
deployment-edit-title = Edit { $model } on { $cluster }
deployment-remove = Remove
deployment-remove-body = Remove { $model } from { $cluster }? The model goes too if this is its last deployment.
connection-test = Test connection
connection-testing = Testing…
connection-ok = The model server answered
connection-failed = The connection failed
connection-details = HTTP status { $status } · { $latency }
connection-models = Models it serves:
connection-use-model = Use a model it serves
connection-use = Use { $model }

## Administration: usage
usage-everyone-lead = Everyone's requests, tokens and spend, split by user, model, key or provider, with the same numbers as CSV.
split-user = User
split-provider = Provider
## Administration: audit log

audit-lead = Every change made in the portal, through GraphQL or with the admin API: who made it, what they asked for and what came of it. Secrets are never recorded.
audit-action = Action
audit-actor = Who
audit-actor-placeholder = Name or e-mail
audit-object = Object
audit-object-placeholder = Type or id
audit-text = Search everything
audit-text-placeholder = Any text in an entry, then Enter
audit-since = From
audit-until = Until
audit-csv = Export CSV
audit-count = { $count ->
    [0] No entries
    [one] One entry
   *[other] { $count } entries
}
audit-limit = Only the latest { $count } matching entries are listed; narrow the filters or the dates to reach older ones.
audit-empty-title = No changes match
audit-empty-body = Try other filters or a wider range of dates.
audit-when = When
audit-details = Details
audit-details-of = Details of { $action } by { $actor }
audit-show = Show
audit-hide = Hide
audit-before = Before
audit-input = Input
audit-result = Result
audit-nothing = Nothing recorded
audit-refused = Refused
audit-refused-why = Refused: { $reason }
audit-newer = Newer
audit-older = Older

## Administration: users
users-lead = Everyone who has signed in or was provisioned: their roles, spend and state. Open one to change their limits, access and keys.
users-empty-title = No one matches
users-empty-body = Try another name, role or state.
users-search = Search
users-search-placeholder = Name, e-mail or id, then Enter
users-count = { $count ->
    [one] One user
   *[other] { $count } users
}
user-active = Active
user-inactive = Deactivated
user-spend = Spend this period
user-last-sign-in = Last sign-in (UTC)
user-never = Never
user-back = ← All users
user-id = User id
user-sign-in = Signs in with
user-sso = Single sign-on
user-local = A local account
user-created = Created (UTC)
user-resets = The budget starts again on { $at } (UTC).
user-reset-spend = Reset spend
user-reset-body = Start { $name }'s budget period again at zero? What they spent stays in the usage reports.
user-spend-reset = Spend reset.
user-deactivate = Deactivate
user-deactivate-body = Deactivate { $name }? Their browser sessions end at once, their tokens and API keys stop working, and they cannot sign in until reactivated. Nothing is deleted.
user-reactivate = Reactivate
user-active-means = Active: they can sign in, and their tokens and keys work within their limits.
user-inactive-means = Deactivated: they cannot sign in, and their tokens and keys are refused. Reactivate to give everything back as it was.
user-saved = User updated.
user-roles-sso = Signs in through single sign-on: roles are set again from their groups at their next sign-in.
user-limits = Budget and limits
user-limits-lead = Across all of their keys. Empty means no limit.
user-max-budget = Budget
user-soft-budget = Warning at
user-budget-duration = Budget resets (daily, weekly, monthly, 30d…)
user-rpm = Requests per minute
user-tpm = Tokens per minute
user-parallel = Parallel requests
user-rpd = Requests per day
user-no-keys = No keys.
user-key-revoked = Key revoked.
user-revoke-body = Revoke { $name }'s key { $key }? Calls with it are refused until it is restored.
user-no-subscriptions = No subscriptions.
user-grant-model = Give access to
user-grant = Give access
user-granted = Access given.
user-withdraw = Withdraw
user-withdraw-body = Withdraw { $name }'s access to { $model }? It leaves their keys at once, and they need a review to get it back.
user-withdrawn = Access withdrawn.
user-no-sessions = Not signed in anywhere.
user-session-seen = last seen { $at } (UTC)
user-no-tokens = No personal access tokens.


## Administration: overview
overview-lead = The whole platform at a glance: today and a period, where the spend goes, and what needs attention. The numbers move as requests settle.
overview-today = Today (UTC)
overview-active-users = Active users
overview-active-keys = Active keys
overview-by-model = Spend by model
overview-by-cluster = Spend by cluster
overview-no-cluster = No cluster
overview-no-usage = No requests in this period.
overview-queue = Subscription requests
overview-pending = { $count ->
    [one] { $count } request waits for a decision
   *[other] { $count } requests wait for a decision
}
overview-open-queue = Open the subscription queue
overview-attention = Deployments needing attention
overview-all-healthy = Every enabled deployment passes its health checks.
overview-cooling = cooling down until { $until }
overview-open-models = Open models and deployments

## Administration: banner languages

banner-languages = Languages
banner-language-written = (has text)
banner-text-in = Text in { $language }
banner-text-english-help = Required. People whose language the banner has no text in see this one.
banner-text-translation-help = Optional. People whose portal is in { $language } see this text; without it they see the English one.

## Administration: new local accounts
user-create = New user
user-create-lead = A local account: they sign in with their e-mail address and a password they choose through a one-time link you give them.
user-email = E-mail address
user-link-title = One-time password link
user-link-body = Give this link to the person: it lets them choose their password once, until { $at } (UTC). It is shown only now; a new link replaces it.
user-link-done = Done
user-new-link = New password link
set-password-title = Choose your password
set-password-new = New password
set-password-again = The same password again
set-password-help = At least { $count } characters.
set-password-save = Set password
set-password-short = The password is too short.
set-password-mismatch = The two passwords differ.
set-password-done = Your password is set. You can sign in now.
set-password-no-link = This page needs the link an administrator gave you. Ask them for a new one if it is lost or has expired.
