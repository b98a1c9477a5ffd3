# Switchyard portal: German (Deutsch).

## Rahmen
skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-toggle = Navigation ein- oder ausblenden
nav-home = Startseite
nav-catalog = Modellkatalog
nav-subscriptions = Abonnements
nav-keys = API-Schlüssel
nav-usage = Nutzung
nav-playground = Playground
nav-account = Mein Konto
nav-admin = Verwaltung
nav-graphiql = GraphQL-Explorer
nav-admin-overview = Übersicht
nav-admin-queue = Abonnement-Warteschlange
nav-admin-queue-pending = { $count } offen
nav-admin-users = Benutzer
nav-admin-models = Modelle
nav-admin-usage = Nutzung aller
nav-admin-settings = Einstellungen
nav-admin-branding = Branding
nav-admin-banners = Banner
nav-admin-audit = Audit-Protokoll
banner = Ankündigung
banner-dismiss = Diese Ankündigung ausblenden
sign-in = Anmelden
sign-out = Abmelden
language = Sprache
theme = Design
theme-system = Systemeinstellung verwenden
theme-light = Hell
theme-dark = Dunkel
theme-to-dark = Zum dunklen Design wechseln
theme-to-light = Zum hellen Design wechseln
role-admin = Administrator
role-admin-readonly = Administrator (nur Lesezugriff)
role-user = Benutzer
close = Schließen
cancel = Abbrechen
save = Speichern
edit = Bearbeiten
delete = Löschen
send = Senden
apply = Anwenden
retry = Erneut versuchen
search = Suchen
view = Ansehen
loading = Wird geladen…
copy = Kopieren
copied = In die Zwischenablage kopiert.
copy-failed = Der Browser hat das Kopieren nicht erlaubt: Markieren Sie den Text und kopieren Sie ihn selbst.
go-home = Zur Startseite
revoked = Widerrufen.
never-used = Nie verwendet

## Zustände und Fehler
not-found-title = Seite nicht gefunden
not-found-body = Unter dieser Adresse gibt es nichts.
not-allowed-title = Nicht erlaubt
not-allowed-body = Ihr Konto hat keinen Zugriff auf diese Seite. Wenden Sie sich bei Bedarf an einen Administrator.
error-unauthenticated = Sie sind nicht angemeldet, oder Ihre Sitzung ist abgelaufen.
error-forbidden = Dazu sind Sie nicht berechtigt.
error-not-found = Das existiert nicht (mehr).
error-bad-input = Der Server hat die Eingabe nicht akzeptiert.
error-conflict = Das steht im Konflikt mit etwas, das bereits existiert.
error-network = Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.
error-internal = Der Server hat nicht geantwortet. Versuchen Sie es gleich noch einmal.

## Anmeldung
login-name = Benutzername oder E-Mail-Adresse
login-password = Passwort
login-sso = Mit { $provider } anmelden
login-sso-default = Single Sign-On
login-already = Sie sind als { $name } angemeldet.

## Live-Daten und Warnungen
live-on = Live
live-connecting = Verbindung wird hergestellt…
live-reconnecting = Verbindung wird wiederhergestellt…
alert-subject-key = Das Budget eines Schlüssels
alert-subject-user = Ihr Budget
alert-soft = { $whose } hat das weiche Limit überschritten: { $spend } von { $budget }.
alert-80 = { $whose } ist zu 80 % verbraucht: { $spend } von { $budget }.
alert-100 = { $whose } ist aufgebraucht ({ $spend } von { $budget }): Anfragen werden bis zum Zurücksetzen abgelehnt.

## Startseite
home-welcome = Willkommen, { $name }
home-api-base = API-Basis-URL
home-budget = Meine Ausgaben in diesem Zeitraum
home-resets = Wird zurückgesetzt: { $at } (UTC)
no-budget = kein Budget festgelegt
home-no-keys = Sie haben noch keine Schlüssel.
home-manage-keys = Schlüssel verwalten
home-subscriptions = { $active } aktiv, { $pending } warten auf Genehmigung
home-browse-catalog = Katalog durchsuchen
home-live = Meine Anfragen, live
home-live-empty = Anfragen mit Ihren Schlüsseln erscheinen hier, sobald sie abgeschlossen sind.
tokens-in-out = { $input } Eingabe- / { $output } Ausgabe-Tokens
keys-count = { $count ->
    [one] { $count } Schlüssel
   *[other] { $count } Schlüssel
}

## Katalog und Modelle
catalog-lead = Alle Modelle auf allen Clustern. Abonnieren Sie ein Modell, um es Ihren Schlüsseln hinzuzufügen.
catalog-search-placeholder = Name, Beschreibung oder Anbieter
catalog-count = { $shown } von { $total } Modellen
catalog-empty-title = Noch keine Modelle
catalog-empty-body = Ein Administrator hat noch kein Modell registriert.
catalog-no-match = Kein Modell entspricht diesen Filtern
filter-all = Alle
filter-cluster = Cluster
filter-subscribed = Nur abonnierte
view-cards = Karten
view-table = Tabelle
col-model = Modell
col-provider = Anbieter
col-capabilities = Fähigkeiten
col-price = Preis pro Million Tokens
col-context = Kontextlänge
col-status = Status
col-history = Verlauf
col-actions = Aktionen
price-per-million = { $input } Eingabe / { $output } Ausgabe pro Million Tokens
price-input = Eingabe, pro Million Tokens
price-output = Ausgabe, pro Million Tokens
price-audio-minute = Audio, pro Minute
context-length = { $tokens } Tokens Kontext
health = Zustand
health-healthy = fehlerfrei
health-unhealthy = Zustandsprüfungen schlagen fehl
health-unknown = noch nicht geprüft
health-disabled = deaktiviert
restricted = Eingeschränkt
cap-chat = Chat
cap-completion = Vervollständigung
cap-embeddings = Embeddings
cap-document-conversion = Dokumentkonvertierung
cap-tokenize = Tokenisierung
cap-vision = Bildverarbeitung
cap-tools = Werkzeuge
cap-rerank = Neuordnung
cap-audio-transcription = Sprache zu Text
cap-messages = Anthropic Messages
cap-other = Sonstiges
subscribe = Abonnieren
request-access = Zugriff anfordern
access-title = Zugriff auf { $model } anfordern
access-reason = Wofür benötigen Sie den Zugriff? (optional; wird von den Administratoren gelesen)
subscribed-active = Sie haben { $model } abonniert.
subscribed-pending = Ihre Anfrage für { $model } wartet auf die Genehmigung durch einen Administrator.
model-details = Details
model-deployments = Cluster
model-my-subscription = Mein Abonnement
model-how-to-call = Aufruf
model-open-explained = Abonnieren Sie dieses Modell, um es mit Ihren Schlüsseln zu nutzen; der Zugriff ist sofort verfügbar.
model-restricted-explained = Dieses Modell ist eingeschränkt: Ein Administrator genehmigt jede Zugriffsanfrage.
snippets = Codebeispiele

## Abonnements
subscriptions-lead = Die Modelle, die Sie Ihren Schlüsseln hinzufügen können, und Anfragen, die auf Genehmigung warten.
subscriptions-empty-title = Noch keine Abonnements
subscriptions-empty-body = Abonnieren Sie ein Modell im Katalog, um es mit Ihren Schlüsseln zu nutzen.
status-active = Aktiv
status-pending = Wartet auf Genehmigung
status-denied = Abgelehnt
status-cancelled = Gekündigt
history-start = { $to }
history-change = { $from } → { $to }
history-by-you = durch Sie
history-by-admin = durch einen Administrator
cancel-subscription = Abonnement kündigen
cancel-subscription-body = Ihr Abonnement für { $model } kündigen? Es wird sofort von Ihren Schlüsseln entfernt.
subscription-cancelled = Ihr Abonnement für { $model } ist gekündigt.
request-review = Erneute Prüfung anfordern
review-message = Warum sollte es erneut geprüft werden? (optional)
review-requested = Ihre Anfrage wurde an die Administratoren gesendet.

## Schlüssel
keys-lead = Mit Schlüsseln kann Ihr Code die von Ihnen abonnierten Modelle aufrufen. Das Geheimnis wird nur einmal angezeigt, beim Erstellen.
keys-of-cap = { $count } von { $cap } Schlüsseln
keys-empty-title = Noch keine Schlüssel
keys-empty-body = Erstellen Sie einen Schlüssel, um Ihre Modelle aus Code aufzurufen.
key-create = Schlüssel erstellen
key-edit = Bearbeiten
key-name = Name
key-models = Modelle
key-no-subscriptions = Sie haben kein aktives Abonnement, das Sie einem Schlüssel hinzufügen können.
key-expiry = Läuft ab
key-spend = Ausgaben
key-limits = Limits
key-last-used = Zuletzt verwendet
key-budget = Budget
key-soft-budget = Warnung ab
key-budget-duration = Budget wird zurückgesetzt
key-budget-never-resets = Nie
key-rpm = Anfragen pro Minute
key-tpm = Tokens pro Minute
key-parallel = Parallele Anfragen
key-rpd = Anfragen pro Tag
key-unlimited = Kein Limit
key-max = Höchstens { $max }
key-bad-number = { $field } muss eine Zahl größer oder gleich null sein.
key-name-and-models = Geben Sie dem Schlüssel einen Namen und wählen Sie mindestens ein Modell.
key-active = Aktiv
key-revoked = Widerrufen
key-expired = Abgelaufen
key-rotate = Rotieren
key-rotate-title = { $name } rotieren
key-rotate-body = Ein neues Geheimnis ersetzt das alte; der Schlüssel behält seine Einstellungen und Ausgaben.
key-rotate-grace = Das alte Geheimnis funktioniert weiterhin
key-revoke = Widerrufen
key-revoke-body = { $name } widerrufen? Anfragen damit werden abgelehnt, bis Sie den Schlüssel wiederherstellen.
key-restore = Wiederherstellen
key-restore-body = { $name } wiederherstellen? Anfragen damit funktionieren wieder.
key-delete = Löschen
key-delete-body = { $name } endgültig löschen? Dies kann nicht rückgängig gemacht werden.
key-revoked-toast = { $name } wurde widerrufen.
key-restored-toast = { $name } funktioniert wieder.
key-deleted-toast = { $name } wurde gelöscht.
limit-rpm = { $n } Anfragen/min
limit-tpm = { $n } Tokens/min
limit-parallel = { $n } gleichzeitig
limit-rpd = { $n } Anfragen/Tag
limits-none = Keine Limits
expiry-default = Standard der Plattform
expiry-default-days = Standard sind { $days } Tage.
expiry-1d = In einem Tag
expiry-30d = In 30 Tagen
expiry-90d = In 90 Tagen
expiry-date = An einem Datum
expiry-never = Nie
period-daily = Täglich
period-weekly = Wöchentlich
period-monthly = Monatlich
grace-none = Nein: sofort beenden
grace-1h = Eine Stunde lang
grace-24h = Einen Tag lang
grace-7d = Eine Woche lang
secret-title = Das Geheimnis von { $name }
secret-once = Kopieren Sie das Geheimnis jetzt: Es wird nicht erneut angezeigt und kann nicht wiederhergestellt werden.
secret-label = Geheimnis
secret-done = Ich habe es gespeichert

## Nutzung
usage-lead = Was Ihre Anfragen verbraucht und gekostet haben, nach Modell oder Schlüssel.
usage-period = Zeitraum
period-24h = Letzte 24 Stunden
period-7d = Letzte 7 Tage
period-30d = Letzte 30 Tage
period-90d = Letzte 90 Tage
period-custom = Benutzerdefinierter Zeitraum
usage-from = Von
usage-to = Bis
usage-range = Von { $from } bis { $to } (UTC)
usage-granularity = Intervalle
granularity-hour = Stunden
granularity-day = Tage
usage-split = Aufteilen nach
split-model = Modell
split-key = Schlüssel
split-none = Keine Aufteilung
usage-csv = CSV exportieren
usage-empty-title = Keine Nutzung in diesem Zeitraum
usage-empty-body = Anfragen mit Ihren Schlüsseln erscheinen hier innerhalb einer Sekunde.
usage-spend = Ausgaben
usage-requests = Anfragen
usage-tokens = Tokens
usage-error-rate = Fehlerrate
usage-latency = Latenz (p50 / p95)
usage-change = { $change } gegenüber dem vorherigen Zeitraum
usage-top = Höchste Ausgaben
usage-group = Modell oder Schlüssel
usage-bucket = Intervallbeginn (UTC)
usage-all = Alle
tokens-input = Eingabe-Tokens
tokens-output = Ausgabe-Tokens
chart-show-table = Als Tabelle anzeigen
chart-show-chart = Als Diagramm anzeigen

## Playground
playground-lead = Probieren Sie Ihre Modelle im Browser aus: Antworten werden schon während des Schreibens angezeigt und kosten wie jede andere Anfrage (in der Nutzung erscheinen sie als „Playground“).
playground-empty-title = Noch kein Chatmodell zum Ausprobieren
playground-empty-body = Abonnieren Sie zuerst ein Chatmodell im Katalog.
playground-compare = Mit einem zweiten Modell vergleichen
playground-second-model = Zweites Modell
playground-settings = Einstellungen
playground-system = Systemprompt
playground-temperature = Temperatur
playground-max-tokens = Maximale Tokens
playground-key = Stattdessen einen meiner Schlüssel verwenden (optional)
playground-key-help = Wird nur auf dieser Seite gehalten und nie gespeichert: zum Testen von Zugriff und Limits dieses Schlüssels.
playground-prompt = Nachricht
playground-code = Code anzeigen
playground-clear = Neu beginnen
playground-you = Sie:
playground-model = Modell:
playground-usage = { $input } Eingabe- / { $output } Ausgabe-Tokens · { $cost }

## Konto
profile = Profil
profile-name = Name
profile-roles = Rollen
preferences = Einstellungen
sessions = Angemeldete Browser
session-browser = Browser
session-ip = Adresse
session-last-seen = Zuletzt aktiv (UTC)
session-current = Dieser Browser
session-revoke = Dort abmelden
session-revoke-body = Diesen Browser abmelden? Er muss sich erneut anmelden.
tokens = Persönliche Zugriffstokens
tokens-lead = Mit Tokens können Skripte die GraphQL-API in Ihrem Namen nutzen. Ein Token wird nur einmal angezeigt, beim Erstellen.
tokens-empty = Sie haben keine Tokens.
token-create = Token erstellen
token-name = Name
token-name-required = Geben Sie dem Token einen Namen.
token-can-write = Darf Änderungen vornehmen (sonst nur Lesezugriff)
token-scope = Bereich
token-read-only = Nur lesen
token-read-write = Lesen und schreiben
token-revoke = Token widerrufen
token-revoke-body = Das Token { $name } widerrufen? Skripte, die es verwenden, funktionieren nicht mehr.

## Verwaltung: Branding
brand-lead = Name, Farben, Texte und Logos des Portals, wie alle sie sehen, angemeldet oder nicht. Nichts ändert sich vor dem Speichern; die Vorschau zeigt das Ergebnis.
brand-texts = Titel und Texte
brand-title = Titel
brand-title-help = Der Name des Portals, in der Kopfzeile, im Browser-Tab und auf der Anmeldeseite.
brand-title-required = Geben Sie dem Portal einen Titel.
brand-subtitle = Untertitel
brand-subtitle-help = Eine Zeile unter dem Titel auf der Anmeldeseite.
brand-login-title = Überschrift der Anmeldung
brand-login-title-help = Über dem Anmeldeformular. Leer: „Anmelden“.
brand-login-text = Text der Anmeldung
brand-login-text-help = Steht auf der Anmeldeseite, etwa wer sich wie anmelden darf. Leer: keiner.
brand-footer-text = Fußzeilentext
brand-footer-text-help = Am Ende jeder Seite. Leer: keiner.
brand-colours = Farben
brand-primary = Hauptfarbe
brand-primary-help = Die Füllung von Hauptschaltflächen und Kontrollkästchen, als #rrggbb. Leer: das Blau von PatternFly.
brand-primary-default = Die Markenfarben von PatternFly werden verwendet, lesbar in beiden Designs.
brand-accent = Akzentfarbe
brand-accent-help = Ein Streifen unter der Kopfzeile, als #rrggbb; darauf steht kein Text. Leer: keiner.
brand-pick-colour = { $field }: Farbe wählen
brand-bad-colour = { $field } muss eine Farbe wie #1a2b3c sein oder leer bleiben.
brand-bad-colour-here = Keine Farbe: Schreiben Sie sie wie #1a2b3c oder lassen Sie das Feld leer.
brand-text-light = weißen
brand-text-dark = dunklen
brand-contrast-ok = Schaltflächen in dieser Farbe erhalten { $text } Text mit einem Kontrast von { $ratio }:1 (WCAG AA verlangt mindestens 4.5:1).
brand-contrast-low = Geringer Kontrast: Selbst der besser lesbare Text auf dieser Farbe erreicht nur { $ratio }:1, weniger als die von WCAG AA verlangten 4.5:1. Wählen Sie eine dunklere oder hellere Farbe.
brand-logos = Logos
brand-logos-lead = PNG, JPEG, WebP oder SVG, jeweils bis 512 KiB. Ein gewähltes Bild erscheint hier und in der Vorschau; hochgeladen wird es beim Speichern.
brand-logo-header-light = Logo der Kopfzeile, helles Design
brand-logo-header-light-help = Ersetzt den Titel in der Kopfzeile auf hellem Hintergrund.
brand-logo-header-dark = Logo der Kopfzeile, dunkles Design
brand-logo-header-dark-help = Ersetzt den Titel in der Kopfzeile auf dunklem Hintergrund.
brand-logo-login = Logo der Anmeldung
brand-logo-login-help = Über dem Titel auf der Anmeldeseite.
brand-logo-state-saved = Gespeichert.
brand-logo-state-new = Neu: wird beim Speichern hochgeladen.
brand-logo-state-removed = Wird beim Speichern entfernt.
brand-logo-state-none = Kein Logo.
brand-logo-remove = Entfernen
brand-logo-undo = Rückgängig
brand-logo-bad-type = Diese Datei ist kein PNG-, JPEG-, WebP- oder SVG-Bild.
brand-logo-too-big = Diese Datei ist leer oder größer als 512 KiB.
brand-logo-unreadable = Der Browser konnte diese Datei nicht lesen.
brand-preview = Vorschau
brand-preview-lead = So werden Kopfzeile und Anmeldeseite aussehen, nach dem jetzigen Stand des Formulars.
brand-preview-button = Schaltfläche
brand-saved = Branding gespeichert.

## Verwaltung
admin-read-only-why = Sie sind Administrator mit reinem Lesezugriff: Sie sehen hier alles, aber nur ein Administrator kann etwas ändern.
queue-lead = Die Abonnements aller Benutzer. Eingeschränkte Modelle warten hier auf eine Entscheidung; bei einer Ablehnung sehen die Benutzer den Grund, den Sie angeben.
queue-user = Benutzer
queue-user-placeholder = Name, E-Mail-Adresse oder ID, dann Eingabetaste
queue-since = Geändert ab
queue-until = Geändert bis
queue-count = { $count ->
    [one] Ein Abonnement
   *[other] { $count } Abonnements
}
queue-select-all = Alle wartenden Anfragen auswählen
queue-select = Anfrage von { $user } für { $model } auswählen
queue-approve-selected = Genehmigen ({ $count })
queue-deny-selected = Ablehnen ({ $count })
queue-deny = Ablehnen
queue-deny-title = { $count ->
    [one] Eine Anfrage ablehnen
   *[other] { $count } Anfragen ablehnen
}
queue-deny-reason = Grund
queue-deny-reason-help = Die Benutzer sehen diesen Grund und können eine erneute Prüfung anfordern.
queue-deny-reason-required = Geben Sie einen Grund an: Die Benutzer sehen ihn.
queue-revert = Zurück in die Warteschlange
queue-revert-body = { $what } wieder auf eine Entscheidung warten lassen? Ein genehmigtes Abonnement wird von den Schlüsseln des Benutzers entfernt, bis es erneut genehmigt wird.
queue-approved = { $count ->
    [one] Eine Anfrage genehmigt.
   *[other] { $count } Anfragen genehmigt.
}
queue-denied = { $count ->
    [one] Eine Anfrage abgelehnt.
   *[other] { $count } Anfragen abgelehnt.
}
queue-reverted = Das Abonnement wartet wieder auf eine Entscheidung.
queue-empty-title = Hier ist nichts
queue-empty-body = Kein Abonnement entspricht diesen Filtern.
settings-lead = Wie Schlüssel sein dürfen, womit neue Benutzer starten, und die Währung. Änderungen gelten für Schlüssel, die ab jetzt erstellt oder geändert werden.
settings-none = Keine
settings-saved = Einstellungen gespeichert.
settings-key-policy = Schlüsselrichtlinie
settings-key-policy-lead = Standardwerte füllen aus, was bei einem neuen Schlüssel leer bleibt; Höchstwerte sind das Maximum, das jemand anfordern darf. Leer bedeutet: kein Standardwert bzw. kein Höchstwert.
settings-platform = Plattform
settings-new-users = Neue Benutzer
settings-new-users-lead = Womit jeder Benutzer bei der ersten Anmeldung startet. Bestehende Benutzer behalten ihre eigenen Limits.
policy-max-keys = Schlüssel pro Benutzer
policy-max-keys-help = Wie viele Schlüssel eine Person haben darf, widerrufene eingeschlossen.
policy-default-expiry = Standardablauf (Tage)
policy-default-expiry-help = Wie lange ein Schlüssel gilt, wenn sein Besitzer keinen Ablauf wählt. Leer: Er läuft nicht ab.
policy-max-expiry = Längster Ablauf (Tage)
policy-max-expiry-help = Wie lange ein Schlüssel höchstens gelten darf. Ist ein Wert gesetzt, lassen sich keine Schlüssel ohne Ablauf mehr erstellen.
policy-default-budget = Standardbudget
policy-default-budget-help = Das Budget, das ein Schlüssel erhält, wenn keines angefordert wird.
policy-max-budget = Höchstes Budget
policy-max-budget-help = Das größte Budget, das ein Schlüssel haben darf.
policy-default-rpm = Standard für Anfragen pro Minute
policy-default-rpm-help = Gilt für einen Schlüssel, wenn sein Besitzer keinen Wert festlegt.
policy-max-rpm = Höchstwert für Anfragen pro Minute
policy-max-rpm-help = Ein Schlüssel, der mehr verlangt, wird abgelehnt.
policy-default-tpm = Standard für Tokens pro Minute
policy-default-tpm-help = Gilt für einen Schlüssel, wenn sein Besitzer keinen Wert festlegt.
policy-max-tpm = Höchstwert für Tokens pro Minute
policy-max-tpm-help = Ein Schlüssel, der mehr verlangt, wird abgelehnt.
policy-default-parallel = Standard für parallele Anfragen
policy-default-parallel-help = Gilt für einen Schlüssel, wenn sein Besitzer keinen Wert festlegt.
policy-max-parallel = Höchstwert für parallele Anfragen
policy-max-parallel-help = Ein Schlüssel, der mehr verlangt, wird abgelehnt.
policy-default-rpd = Standard für Anfragen pro Tag
policy-default-rpd-help = Gilt für einen Schlüssel, wenn sein Besitzer keinen Wert festlegt.
policy-max-rpd = Höchstwert für Anfragen pro Tag
policy-max-rpd-help = Ein Schlüssel, der mehr verlangt, wird abgelehnt.
currency = Währung
currency-help = Der Code nach ISO 4217, in dem Preise und Ausgaben angezeigt werden (USD, EUR, …). Nur eine Bezeichnung: Es wird nichts umgerechnet.
new-user-budget = Budget
new-user-budget-help = Das Ausgabenlimit, mit dem jeder neue Benutzer startet. Leer: keines.
new-user-duration = Budget wird zurückgesetzt
new-user-duration-help = Wie oft dieses Budget neu beginnt: täglich, wöchentlich, monatlich oder nach einer Dauer wie 30d.
new-user-rpm = Anfragen pro Minute
new-user-rpm-help = Über alle Schlüssel eines neuen Benutzers zusammen.
new-user-tpm = Tokens pro Minute
new-user-tpm-help = Über alle Schlüssel eines neuen Benutzers zusammen.
new-user-parallel = Parallele Anfragen
new-user-parallel-help = Über alle Schlüssel eines neuen Benutzers zusammen.
new-user-rpd = Anfragen pro Tag
new-user-rpd-help = Über alle Schlüssel eines neuen Benutzers zusammen, pro Kalendertag in UTC.
banners-lead = Ankündigungen oben auf jeder Seite, für alle oder für ausgewählte Rollen, nach Zeitplan.
banners-empty-title = Keine Banner
banners-empty-body = Schreiben Sie eines, um über Wartungsarbeiten, neue Modelle oder Änderungen zu informieren.
banner-create = Neues Banner
banner-edit = Banner bearbeiten
banner-delete = Banner löschen
banner-delete-body = Das Banner „{ $text }“ löschen? Niemand sieht es mehr.
banner-saved = Banner aktualisiert.
banner-text = Text
banner-text-help = Markdown: **fett**, *kursiv*, [Links](https://example.com) und Listen. Skripte und Styles werden entfernt.
banner-text-required = Schreiben Sie den Text des Banners.
banner-preview = Vorschau
banner-preview-empty = Die Vorschau erscheint während der Eingabe.
banner-variant = Stil
banner-variant-info = Information
banner-variant-success = Erfolg
banner-variant-warning = Warnung
banner-variant-danger = Gefahr
banner-audience = Wer es sieht
banner-audience-help = Wählen Sie nichts aus, um es allen anzuzeigen, ob angemeldet oder nicht.
banner-audience-everyone = Alle
banner-starts = Beginn (UTC)
banner-ends = Ende (UTC)
banner-schedule = Zeitplan (UTC)
banner-schedule-help = Lassen Sie die Zeiten leer, um es ab sofort anzuzeigen, bis es ausgeschaltet wird.
banner-always = Immer
banner-active = Eingeschaltet
banner-dismissible = Benutzer dürfen es ausblenden
banner-state-showing = Wird angezeigt
banner-state-scheduled = Geplant
banner-state-ended = Beendet
banner-state-off = Ausgeschaltet

## Verwaltung: Modelle und Bereitstellungen
models-lead = Alle Modelle mit ihren Bereitstellungen auf jedem Cluster, deren Zustand und wie der Datenverkehr aufgeteilt wird. In der Serverkonfiguration deklarierte Modelle werden dort geändert.
models-empty-title = Noch keine Modelle
models-empty-body = Fügen Sie eine Bereitstellung hinzu: Das Modell wird mit ihr angelegt.
models-saved = Katalog aktualisiert.
models-reload = Konfiguration neu laden
models-reloaded-changed = { $count ->
    [one] Konfiguration übernommen: { $count } Modell in Betrieb.
   *[other] Konfiguration übernommen: { $count } Modelle in Betrieb.
}
models-reloaded-same = { $count ->
    [one] Konfiguration unverändert: { $count } Modell in Betrieb.
   *[other] Konfiguration unverändert: { $count } Modelle in Betrieb.
}
model-source-configuration = Aus der Konfiguration
model-configured-why = In der Serverkonfiguration deklariert: Ändern Sie es dort und laden Sie dann neu.
model-declared-in = Deklariert in { $file }
model-prices = { $input } Eingabe / { $output } Ausgabe pro Million Tokens
model-name = Modellname
model-name-new = Ein neues Modell mit diesem Namen wird angelegt.
model-name-existing = Die Bereitstellung wird diesem bestehenden Modell hinzugefügt.
model-new = Das neue Modell
model-provider = Anbieter
model-context = Kontextlänge (Tokens)
model-input-price = Eingabepreis pro Million Tokens
model-output-price = Ausgabepreis pro Million Tokens
model-description = Beschreibung
model-restricted = Eingeschränkt: Abonnements warten auf Genehmigung
model-restricted-help = Wird ein Modell eingeschränkt, warten seine aktiven Abonnements wieder auf eine Entscheidung; wird die Einschränkung aufgehoben, werden die wartenden genehmigt.
model-edit-title = { $model } bearbeiten
model-delete = Modell löschen
model-delete-body = { $model } mit allen Bereitstellungen löschen? Es wird von den Schlüsseln entfernt, und seine Abonnements enden.
deployments-of = Bereitstellungen von { $model }
deployment-add = Bereitstellung hinzufügen
deployment-added = { $model } hat eine neue Bereitstellung.
deployment-required = Ein Modellname, ein Cluster und die Adresse des Servers sind erforderlich.
deployment-cluster = Cluster
deployment-api-base = Adresse
deployment-api-base-help = Die OpenAI-kompatible Basis-URL des Modellservers, etwa https://granite.apps.example.com/v1.
deployment-api-key = Zugangsdaten
deployment-api-key-help = Werden als Bearer-Token an den Modellserver gesendet; verschlüsselt gespeichert und nie wieder angezeigt.
deployment-api-key-keep = Leer lassen, um die gespeicherten Zugangsdaten zu behalten.
deployment-backend-model = Name auf dem Modellserver
deployment-backend-model-help = Der Name, unter dem der Modellserver das Modell kennt. Leer: Der Modellname wird verwendet.
deployment-weight = Gewichtung
deployment-weight-help = Ihr Anteil am Datenverkehr des Modells im Verhältnis zur Gewichtung der anderen Bereitstellungen.
deployment-timeout = Zeitlimit (ms)
deployment-timeouts = Zeitlimits
deployment-first-byte = Zeitlimit bis zum ersten Byte (ms)
deployment-first-byte-help = Wie lange höchstens auf die Antwort-Header gewartet wird. Leer: Der Standard des Gateways gilt.
deployment-first-byte-short = erstes Byte: { $time }
deployment-default = Standard
deployment-parallel = Parallele Anfragen
deployment-parallel-help = Gleichzeitig laufende Anfragen auf dieser Bereitstellung. Leer: keine Obergrenze.
deployment-cooling = Nach Fehlern bis { $until } vom Routing ausgenommen
deployment-edit-title = { $model } auf { $cluster } bearbeiten
deployment-remove = Entfernen
deployment-remove-body = { $model } von { $cluster } entfernen? Ist es die letzte Bereitstellung, wird auch das Modell entfernt.
connection-test = Verbindung testen
connection-testing = Wird getestet…
connection-ok = Der Modellserver hat geantwortet
connection-failed = Die Verbindung ist fehlgeschlagen
connection-details = HTTP-Status { $status } · { $latency }
connection-models = Angebotene Modelle:
connection-use-model = Ein angebotenes Modell verwenden
connection-use = { $model } verwenden

## Verwaltung: Nutzung
usage-everyone-lead = Anfragen, Tokens und Ausgaben aller, aufgeteilt nach Benutzer, Modell, Schlüssel oder Anbieter, mit denselben Zahlen als CSV.
split-user = Benutzer
split-provider = Anbieter
## Administration: audit log

audit-lead = Jede Änderung im Portal, über GraphQL oder mit der Admin-API: wer sie vorgenommen hat, was verlangt wurde und was daraus wurde. Geheimnisse werden nie aufgezeichnet.
audit-action = Aktion
audit-actor = Wer
audit-actor-placeholder = Name oder E-Mail-Adresse
audit-object = Objekt
audit-object-placeholder = Typ oder ID
audit-text = Alles durchsuchen
audit-text-placeholder = Beliebiger Text eines Eintrags, dann Eingabetaste
audit-since = Von
audit-until = Bis
audit-csv = CSV exportieren
audit-count = { $count ->
    [0] Keine Einträge
    [one] Ein Eintrag
   *[other] { $count } Einträge
}
audit-limit = Nur die neuesten { $count } passenden Einträge werden angezeigt; grenzen Sie Filter oder Zeitraum ein, um ältere zu sehen.
audit-empty-title = Keine passenden Änderungen
audit-empty-body = Versuchen Sie andere Filter oder einen größeren Zeitraum.
audit-when = Wann
audit-details = Details
audit-details-of = Details zu { $action } von { $actor }
audit-show = Anzeigen
audit-hide = Ausblenden
audit-before = Vorher
audit-input = Eingabe
audit-result = Ergebnis
audit-nothing = Nichts aufgezeichnet
audit-refused = Abgelehnt
audit-refused-why = Abgelehnt: { $reason }
audit-newer = Neuere
audit-older = Ältere

## Verwaltung: Benutzer
users-lead = Alle, die sich angemeldet haben oder bereitgestellt wurden: ihre Rollen, Ausgaben und ihr Status. Öffnen Sie einen Eintrag, um Limits, Zugriff und Schlüssel zu ändern.
users-empty-title = Keine passenden Benutzer
users-empty-body = Versuchen Sie einen anderen Namen, eine andere Rolle oder einen anderen Status.
users-search = Suchen
users-search-placeholder = Name, E-Mail-Adresse oder ID, dann Eingabetaste
users-count = { $count ->
    [0] Kein Benutzer
    [one] Ein Benutzer
   *[other] { $count } Benutzer
}
user-active = Aktiv
user-inactive = Deaktiviert
user-spend = Ausgaben in diesem Zeitraum
user-last-sign-in = Letzte Anmeldung (UTC)
user-never = Nie
user-back = ← Alle Benutzer
user-id = Benutzer-ID
user-sign-in = Anmeldung über
user-sso = Single Sign-On
user-local = Ein lokales Konto
user-created = Erstellt (UTC)
user-resets = Das Budget wird am { $at } (UTC) zurückgesetzt.
user-reset-spend = Ausgaben zurücksetzen
user-reset-body = Den Budgetzeitraum von { $name } wieder bei null beginnen? Die bisherigen Ausgaben bleiben in den Nutzungsberichten erhalten.
user-spend-reset = Ausgaben zurückgesetzt.
user-deactivate = Deaktivieren
user-deactivate-body = { $name } deaktivieren? Die Browser-Sitzungen enden sofort, Tokens und API-Schlüssel funktionieren nicht mehr, und eine Anmeldung ist erst nach der Reaktivierung wieder möglich. Es wird nichts gelöscht.
user-reactivate = Reaktivieren
user-active-means = Aktiv: Der Benutzer kann sich anmelden, und seine Tokens und Schlüssel funktionieren innerhalb seiner Limits.
user-inactive-means = Deaktiviert: Der Benutzer kann sich nicht anmelden, und seine Tokens und Schlüssel werden abgelehnt. Reaktivieren Sie ihn, um alles wiederherzustellen, wie es war.
user-saved = Benutzer aktualisiert.
user-roles-sso = Meldet sich über Single Sign-On an: Die Rollen werden bei der nächsten Anmeldung wieder aus den Gruppen übernommen.
user-limits = Budget und Limits
user-limits-lead = Über alle Schlüssel des Benutzers zusammen. Leer bedeutet: kein Limit.
user-max-budget = Budget
user-soft-budget = Warnung ab
user-budget-duration = Budget wird zurückgesetzt (daily, weekly, monthly, 30d…)
user-rpm = Anfragen pro Minute
user-tpm = Tokens pro Minute
user-parallel = Parallele Anfragen
user-rpd = Anfragen pro Tag
user-no-keys = Keine Schlüssel.
user-key-revoked = Schlüssel widerrufen.
user-revoke-body = Den Schlüssel { $key } von { $name } widerrufen? Anfragen damit werden abgelehnt, bis er wiederhergestellt wird.
user-no-subscriptions = Keine Abonnements.
user-grant-model = Zugriff gewähren auf
user-grant = Zugriff gewähren
user-granted = Zugriff gewährt.
user-withdraw = Entziehen
user-withdraw-body = { $name } den Zugriff auf { $model } entziehen? { $model } wird sofort von den Schlüsseln des Benutzers entfernt. Zurück bekommt er ihn nur nach einer Überprüfung.
user-withdrawn = Zugriff entzogen.
user-no-sessions = Nirgends angemeldet.
user-session-seen = zuletzt aktiv { $at } (UTC)
user-no-tokens = Keine persönlichen Zugriffstokens.
user-key-edit = Limits bearbeiten
user-key-edit-title = Limits von { $key }
user-key-edit-lead = Im Rahmen der Schlüsselrichtlinie: Ein leeres Feld übernimmt den Standardwert der Richtlinie, und kein Wert darf ihr Maximum überschreiten.
user-key-saved = Schlüssellimits gespeichert.
user-session-end = Sitzung beenden
user-session-end-body = Diese Sitzung von { $name } ({ $browser }) beenden? Der Browser wird sofort abgemeldet und muss sich erneut anmelden.
user-session-ended = Sitzung beendet.
user-token-revoke-body = Das Token { $token } von { $name } widerrufen? Skripte, die es verwenden, funktionieren sofort nicht mehr.
user-token-revoked = Token widerrufen.


## Administration: overview
overview-lead = Die ganze Plattform auf einen Blick: heute und ein Zeitraum, wohin die Ausgaben gehen und was Aufmerksamkeit braucht. Die Zahlen ändern sich, sobald Anfragen verbucht sind.
overview-today = Heute (UTC)
overview-active-users = Aktive Benutzer
overview-active-keys = Aktive Schlüssel
overview-by-model = Ausgaben nach Modell
overview-by-cluster = Ausgaben nach Cluster
overview-no-cluster = Kein Cluster
overview-no-usage = Keine Anfragen in diesem Zeitraum.
overview-queue = Abonnementanfragen
overview-pending = { $count ->
    [one] { $count } Anfrage wartet auf eine Entscheidung
   *[other] { $count } Anfragen warten auf eine Entscheidung
}
overview-open-queue = Abonnement-Warteschlange öffnen
overview-attention = Deployments, die Aufmerksamkeit brauchen
overview-all-healthy = Alle aktivierten Deployments bestehen ihre Zustandsprüfungen.
overview-cooling = pausiert bis { $until }
overview-open-models = Modelle und Deployments öffnen

## Administration: banner languages

banner-languages = Sprachen
banner-language-written = (Text vorhanden)
banner-text-in = Text auf { $language }
banner-text-english-help = Pflichtfeld. Wer eine Sprache nutzt, in der das Banner keinen Text hat, sieht diesen.
banner-text-translation-help = Optional. Wer das Portal auf { $language } nutzt, sieht diesen Text; ohne ihn den englischen.

## Verwaltung: Neue lokale Konten
user-create = Neuer Benutzer
user-create-lead = Ein lokales Konto: Die Person meldet sich mit ihrer E-Mail-Adresse und einem Passwort an, das sie über einen einmaligen Link wählt, den Sie ihr geben.
user-email = E-Mail-Adresse
user-link-title = Einmaliger Passwort-Link
user-link-body = Geben Sie diesen Link der Person: Damit kann sie ihr Passwort einmal wählen, bis zum { $at } (UTC). Er wird nur jetzt angezeigt; ein neuer Link ersetzt ihn.
user-link-done = Fertig
user-new-link = Neuer Passwort-Link
set-password-title = Wählen Sie Ihr Passwort
set-password-new = Neues Passwort
set-password-again = Dasselbe Passwort noch einmal
set-password-help = Mindestens { $count } Zeichen.
set-password-save = Passwort festlegen
set-password-short = Das Passwort ist zu kurz.
set-password-mismatch = Die beiden Passwörter stimmen nicht überein.
set-password-done = Ihr Passwort ist festgelegt. Sie können sich jetzt anmelden.
set-password-no-link = Diese Seite benötigt den Link, den Ihnen ein Administrator gegeben hat. Bitten Sie ihn um einen neuen, wenn er verloren gegangen oder abgelaufen ist.
