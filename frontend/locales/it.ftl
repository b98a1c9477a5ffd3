# Switchyard portal: Italian (Italiano).

## Interfaccia
skip-to-content = Vai al contenuto
nav-label = Navigazione principale
nav-toggle = Mostra o nascondi la navigazione
nav-home = Home
nav-catalog = Catalogo dei modelli
nav-subscriptions = Abbonamenti
nav-keys = Chiavi API
nav-usage = Utilizzo
nav-playground = Playground
nav-account = Il mio account
nav-admin = Amministrazione
nav-graphiql = Esploratore GraphQL
nav-admin-overview = Panoramica
nav-admin-queue = Coda degli abbonamenti
nav-admin-queue-pending = { $count } in attesa
nav-admin-users = Utenti
nav-admin-models = Modelli
nav-admin-usage = Utilizzo di tutti
nav-admin-settings = Impostazioni
nav-admin-branding = Personalizzazione
nav-admin-banners = Banner
nav-admin-audit = Registro di controllo
banner = Avviso
banner-dismiss = Chiudi questo avviso
sign-in = Accedi
sign-out = Esci
language = Lingua
theme = Tema
theme-system = Segui il sistema
theme-light = Chiaro
theme-dark = Scuro
theme-to-dark = Passa al tema scuro
theme-to-light = Passa al tema chiaro
role-admin = Amministratore
role-admin-readonly = Amministratore in sola lettura
role-user = Utente
close = Chiudi
cancel = Annulla
save = Salva
edit = Modifica
delete = Elimina
send = Invia
apply = Applica
retry = Riprova
search = Cerca
view = Visualizza
loading = Caricamento…
copy = Copia
copied = Copiato negli appunti.
copy-failed = Il browser non ha consentito la copia: selezioni il testo e lo copi manualmente.
go-home = Vai alla pagina iniziale
revoked = Revocata.
never-used = Mai utilizzata

## Stati ed errori
not-found-title = Pagina non trovata
not-found-body = Non c'è nulla a questo indirizzo.
not-allowed-title = Accesso non consentito
not-allowed-body = Il suo account non ha accesso a questa pagina. Se le serve, lo chieda a un amministratore.
error-unauthenticated = Non ha effettuato l'accesso oppure la sessione è scaduta.
error-forbidden = Non è autorizzato a eseguire questa operazione.
error-not-found = Non esiste (o non esiste più).
error-bad-input = Il server non ha accettato i dati inseriti.
error-conflict = È in conflitto con qualcosa che esiste già.
error-network = Impossibile raggiungere il server. Controlli la connessione e riprovi.
error-internal = Il server non ha risposto. Riprovi tra un momento.

## Accesso
login-name = Nome utente o e-mail
login-password = Password
login-sso = Accedi con { $provider }
login-sso-default = single sign-on
login-already = Ha effettuato l'accesso come { $name }.

## Dati in tempo reale e avvisi
live-on = In diretta
live-connecting = Connessione in corso…
live-reconnecting = Riconnessione in corso…
alert-subject-key = Il budget di una chiave
alert-subject-user = Il suo budget
alert-soft = { $whose } ha superato il limite flessibile: { $spend } su { $budget }.
alert-80 = { $whose } è utilizzato all'80%: { $spend } su { $budget }.
alert-100 = { $whose } è esaurito ({ $spend } su { $budget }): le richieste vengono rifiutate fino al ripristino.

## Home
home-welcome = Benvenuto, { $name }
home-api-base = URL di base dell'API
home-budget = La mia spesa in questo periodo
home-resets = Si azzera { $at } (UTC)
no-budget = nessun budget impostato
home-no-keys = Non ha ancora nessuna chiave.
home-manage-keys = Gestisci chiavi
home-subscriptions = { $active } attivi, { $pending } in attesa di approvazione
home-browse-catalog = Sfoglia il catalogo
home-live = Le mie richieste, in diretta
home-live-empty = Le richieste effettuate con le sue chiavi compaiono qui al loro completamento.
tokens-in-out = { $input } token in input / { $output } in output
keys-count = { $count ->
    [one] { $count } chiave
   *[other] { $count } chiavi
}

## Catalogo e modelli
catalog-lead = Tutti i modelli su tutti i cluster. Si abboni a un modello per aggiungerlo alle sue chiavi.
catalog-search-placeholder = Nome, descrizione o fornitore
catalog-count = { $shown } di { $total } modelli
catalog-empty-title = Ancora nessun modello
catalog-empty-body = Nessun amministratore ha ancora registrato un modello.
catalog-no-match = Nessun modello corrisponde a questi filtri
filter-all = Tutti
filter-cluster = Cluster
filter-subscribed = Solo abbonati
view-cards = Schede
view-table = Tabella
col-model = Modello
col-provider = Fornitore
col-capabilities = Funzionalità
col-price = Prezzo per milione di token
col-context = Lunghezza del contesto
col-status = Stato
col-history = Cronologia
col-actions = Azioni
price-per-million = { $input } input / { $output } output per milione di token
price-input = Input, per milione di token
price-output = Output, per milione di token
price-audio-minute = Audio, al minuto
context-length = { $tokens } token di contesto
health = Integrità
health-healthy = integro
health-unhealthy = controlli di integrità non superati
health-unknown = non ancora verificato
health-disabled = disattivato
restricted = Riservato
cap-chat = Chat
cap-completion = Completamento
cap-embeddings = Embedding
cap-document-conversion = Conversione di documenti
cap-tokenize = Tokenizzazione
cap-vision = Visione
cap-tools = Strumenti
cap-rerank = Riordinamento
cap-audio-transcription = Da voce a testo
cap-messages = Anthropic Messages
cap-other = Altro
subscribe = Abbonati
request-access = Richiedi accesso
access-title = Richiedi accesso a { $model }
access-reason = A cosa le serve? (facoltativo; lo leggono gli amministratori)
subscribed-active = È abbonato a { $model }.
subscribed-pending = La sua richiesta per { $model } è in attesa dell'approvazione di un amministratore.
model-details = Dettagli
model-deployments = Cluster
model-my-subscription = Il mio abbonamento
model-how-to-call = Come chiamarlo
model-open-explained = Si abboni per usare questo modello con le sue chiavi; l'accesso è immediato.
model-restricted-explained = Questo modello è riservato: un amministratore approva ogni richiesta di accesso.
snippets = Esempi di codice

## Abbonamenti
subscriptions-lead = I modelli che può aggiungere alle sue chiavi e le richieste in attesa di approvazione.
subscriptions-empty-title = Ancora nessun abbonamento
subscriptions-empty-body = Si abboni a un modello del catalogo per usarlo con le sue chiavi.
status-active = Attivo
status-pending = In attesa di approvazione
status-denied = Rifiutato
status-cancelled = Annullato
history-start = { $to }
history-change = { $from } → { $to }
history-by-you = da lei
history-by-admin = da un amministratore
cancel-subscription = Annulla abbonamento
cancel-subscription-body = Annullare l'abbonamento a { $model }? Verrà rimosso subito dalle sue chiavi.
subscription-cancelled = L'abbonamento a { $model } è stato annullato.
request-review = Richiedi una revisione
review-message = Perché dovrebbe essere riesaminato? (facoltativo)
review-requested = La sua richiesta è stata inviata agli amministratori.

## Chiavi
keys-lead = Le chiavi consentono al suo codice di chiamare i modelli a cui è abbonato. Il segreto viene mostrato una sola volta, alla creazione.
keys-of-cap = { $count } di { $cap } chiavi
keys-empty-title = Ancora nessuna chiave
keys-empty-body = Crei una chiave per chiamare i suoi modelli dal codice.
key-create = Crea chiave
key-edit = Modifica
key-name = Nome
key-models = Modelli
key-no-subscriptions = Non ha abbonamenti attivi da aggiungere a una chiave.
key-expiry = Scadenza
key-spend = Spesa
key-limits = Limiti
key-last-used = Ultimo utilizzo
key-budget = Budget
key-soft-budget = Avviso a partire da
key-budget-duration = Azzeramento del budget
key-budget-never-resets = Mai
key-rpm = Richieste al minuto
key-tpm = Token al minuto
key-parallel = Richieste in parallelo
key-rpd = Richieste al giorno
key-unlimited = Nessun limite
key-max = Al massimo { $max }
key-bad-number = { $field } deve essere un numero maggiore o uguale a zero.
key-name-and-models = Dia un nome alla chiave e scelga almeno un modello.
key-active = Attiva
key-revoked = Revocata
key-expired = Scaduta
key-rotate = Ruota
key-rotate-title = Ruota { $name }
key-rotate-body = Un nuovo segreto sostituisce quello vecchio; la chiave mantiene impostazioni e spesa.
key-rotate-grace = Il vecchio segreto continua a funzionare
key-revoke = Revoca
key-revoke-body = Revocare { $name }? Le richieste che la usano verranno rifiutate finché non la ripristina.
key-restore = Ripristina
key-restore-body = Ripristinare { $name }? Le richieste che la usano funzioneranno di nuovo.
key-delete = Elimina
key-delete-body = Eliminare definitivamente { $name }? L'operazione non può essere annullata.
key-revoked-toast = { $name } è stata revocata.
key-restored-toast = { $name } funziona di nuovo.
key-deleted-toast = { $name } è stata eliminata.
limit-rpm = { $n } richieste/min
limit-tpm = { $n } token/min
limit-parallel = { $n } alla volta
limit-rpd = { $n } richieste/giorno
limits-none = Nessun limite
expiry-default = Predefinito della piattaforma
expiry-default-days = Il valore predefinito è { $days } giorni.
expiry-1d = Tra un giorno
expiry-30d = Tra 30 giorni
expiry-90d = Tra 90 giorni
expiry-date = In una data
expiry-never = Mai
period-daily = Giornaliero
period-weekly = Settimanale
period-monthly = Mensile
grace-none = No: disattivalo ora
grace-1h = Per un'ora
grace-24h = Per un giorno
grace-7d = Per una settimana
secret-title = Il segreto di { $name }
secret-once = Copi il segreto ora: non verrà più mostrato e non potrà essere recuperato.
secret-label = Segreto
secret-done = L'ho salvato

## Utilizzo
usage-lead = Quanto hanno consumato e quanto sono costate le sue richieste, per modello o per chiave.
usage-period = Periodo
period-24h = Ultime 24 ore
period-7d = Ultimi 7 giorni
period-30d = Ultimi 30 giorni
period-90d = Ultimi 90 giorni
period-custom = Date personalizzate
usage-from = Dal
usage-to = Al
usage-range = Dal { $from } al { $to } (UTC)
usage-granularity = Intervalli
granularity-hour = Ore
granularity-day = Giorni
usage-split = Suddividi per
split-model = Modello
split-key = Chiave
split-none = Nessuna suddivisione
usage-csv = Esporta CSV
usage-empty-title = Nessun utilizzo in questo periodo
usage-empty-body = Le richieste effettuate con le sue chiavi compaiono qui entro un secondo.
usage-spend = Spesa
usage-requests = Richieste
usage-tokens = Token
usage-error-rate = Tasso di errore
usage-latency = Latenza (p50 / p95)
usage-change = { $change } rispetto al periodo precedente
usage-top = Spesa maggiore
usage-group = Modello o chiave
usage-bucket = Inizio intervallo (UTC)
usage-all = Tutti
tokens-input = Token di input
tokens-output = Token di output
chart-show-table = Mostra come tabella
chart-show-chart = Mostra come grafico

## Playground
playground-lead = Provi i suoi modelli nel browser: le risposte compaiono man mano che vengono scritte e costano come qualsiasi altra richiesta (nella pagina Utilizzo risultano come «Playground»).
playground-empty-title = Ancora nessun modello di chat da provare
playground-empty-body = Si abboni prima a un modello di chat nel catalogo.
playground-compare = Confronta con un secondo modello
playground-second-model = Secondo modello
playground-settings = Impostazioni
playground-system = Prompt di sistema
playground-temperature = Temperatura
playground-max-tokens = Numero massimo di token
playground-key = Usa invece una delle mie chiavi (facoltativo)
playground-key-help = Conservata solo in questa pagina, mai salvata: serve a verificare l'accesso e i limiti di quella chiave.
playground-prompt = Messaggio
playground-code = Visualizza codice
playground-clear = Ricomincia
playground-you = Lei:
playground-model = Modello:
playground-usage = { $input } token in input / { $output } in output · { $cost }

## Account
profile = Profilo
profile-name = Nome
profile-roles = Ruoli
preferences = Preferenze
sessions = Browser con accesso effettuato
session-browser = Browser
session-ip = Indirizzo
session-last-seen = Ultima attività (UTC)
session-current = Questo browser
session-revoke = Disconnetti quel browser
session-revoke-body = Disconnettere quel browser? Dovrà accedere di nuovo.
tokens = Token di accesso personali
tokens-lead = I token consentono agli script di usare l'API GraphQL a suo nome. Il token viene mostrato una sola volta, alla creazione.
tokens-empty = Non ha token.
token-create = Crea token
token-name = Nome
token-name-required = Dia un nome al token.
token-can-write = Può apportare modifiche (altrimenti solo lettura)
token-scope = Ambito
token-read-only = Sola lettura
token-read-write = Lettura e scrittura
token-revoke = Revoca token
token-revoke-body = Revocare il token { $name }? Gli script che lo usano smetteranno di funzionare.

## Amministrazione: Personalizzazione
brand-lead = Il nome, i colori, i testi e i loghi del portale, come li vedono tutti, con o senza accesso. Nulla cambia finché non salva; l'anteprima mostra il risultato.
brand-texts = Titoli e testi
brand-title = Titolo
brand-title-help = Il nome del portale, nell'intestazione, nella scheda del browser e nella pagina di accesso.
brand-title-required = Dia un titolo al portale.
brand-subtitle = Sottotitolo
brand-subtitle-help = Una riga sotto il titolo nella pagina di accesso.
brand-login-title = Intestazione dell'accesso
brand-login-title-help = Sopra il modulo di accesso. Vuoto: «Accedi».
brand-login-text = Testo dell'accesso
brand-login-text-help = Mostrato nella pagina di accesso, per esempio chi può accedere e come. Vuoto: nessuno.
brand-footer-text = Testo del piè di pagina
brand-footer-text-help = In fondo a ogni pagina. Vuoto: nessuno.
brand-colours = Colori
brand-primary = Colore principale
brand-primary-help = Il riempimento dei pulsanti principali e delle caselle di controllo, come #rrggbb. Vuoto: il blu di PatternFly.
brand-primary-default = Si usano i colori del marchio di PatternFly, leggibili in entrambi i temi.
brand-accent = Colore d'accento
brand-accent-help = Una striscia sotto l'intestazione, come #rrggbb; non vi compare testo. Vuoto: nessuna.
brand-pick-colour = { $field }: scegli un colore
brand-bad-colour = { $field } deve essere un colore come #1a2b3c, oppure vuoto.
brand-bad-colour-here = Non è un colore: lo scriva come #1a2b3c, oppure lo lasci vuoto.
brand-text-light = bianco
brand-text-dark = scuro
brand-contrast-ok = I pulsanti di questo colore hanno testo { $text }, con un contrasto di { $ratio }:1 (WCAG AA chiede almeno 4.5:1).
brand-contrast-low = Contrasto basso: anche il testo più leggibile su questo colore raggiunge solo { $ratio }:1, sotto il 4.5:1 richiesto da WCAG AA. Scelga un colore più scuro o più chiaro.
brand-logos = Loghi
brand-logos-lead = PNG, JPEG, WebP o SVG, fino a 512 KiB ciascuno. L'immagine scelta compare qui e nell'anteprima; viene caricata al salvataggio.
brand-logo-header-light = Logo dell'intestazione, tema chiaro
brand-logo-header-light-help = Sostituisce il titolo nell'intestazione su sfondo chiaro.
brand-logo-header-dark = Logo dell'intestazione, tema scuro
brand-logo-header-dark-help = Sostituisce il titolo nell'intestazione su sfondo scuro.
brand-logo-login = Logo dell'accesso
brand-logo-login-help = Sopra il titolo nella pagina di accesso.
brand-logo-state-saved = Salvato.
brand-logo-state-new = Nuovo: caricato al salvataggio.
brand-logo-state-removed = Rimosso al salvataggio.
brand-logo-state-none = Nessun logo.
brand-logo-remove = Rimuovi
brand-logo-undo = Annulla
brand-logo-bad-type = Il file non è un'immagine PNG, JPEG, WebP o SVG.
brand-logo-too-big = Il file è vuoto o supera i 512 KiB.
brand-logo-unreadable = Il browser non è riuscito a leggere il file.
brand-preview = Anteprima
brand-preview-lead = Come appariranno l'intestazione e la pagina di accesso, secondo il modulo.
brand-preview-button = Pulsante
brand-saved = Personalizzazione salvata.

## Amministrazione
admin-read-only-why = È un amministratore in sola lettura: può vedere tutto qui, ma solo un amministratore può modificarlo.
queue-lead = Gli abbonamenti di tutti. I modelli riservati attendono qui una decisione; quando rifiuta, gli utenti vedono il motivo che indica.
queue-user = Utente
queue-user-placeholder = Nome, e-mail o id, poi Invio
queue-since = Modificati dal
queue-until = Modificati fino al
queue-count = { $count ->
    [one] Un abbonamento
   *[other] { $count } abbonamenti
}
queue-select-all = Seleziona tutte le richieste in attesa
queue-select = Seleziona la richiesta di { $user } per { $model }
queue-approve-selected = Approva ({ $count })
queue-deny-selected = Rifiuta ({ $count })
queue-deny = Rifiuta
queue-deny-title = { $count ->
    [one] Rifiuta una richiesta
   *[other] Rifiuta { $count } richieste
}
queue-deny-reason = Motivo
queue-deny-reason-help = Gli utenti vedono questo motivo e possono richiedere una revisione.
queue-deny-reason-required = Indichi un motivo: gli utenti lo vedono.
queue-revert = Rimetti in attesa
queue-revert-body = Rimettere { $what } in attesa di una decisione? Un abbonamento approvato viene rimosso dalle chiavi dell'utente finché non viene approvato di nuovo.
queue-approved = { $count ->
    [one] Una richiesta approvata.
   *[other] { $count } richieste approvate.
}
queue-denied = { $count ->
    [one] Una richiesta rifiutata.
   *[other] { $count } richieste rifiutate.
}
queue-reverted = L'abbonamento è di nuovo in attesa.
queue-empty-title = Niente da mostrare
queue-empty-body = Nessun abbonamento corrisponde a questi filtri.
settings-lead = Come possono essere le chiavi, con cosa partono i nuovi utenti e la valuta. Le modifiche valgono per le chiavi create o modificate da ora in poi.
settings-none = Nessuno
settings-saved = Impostazioni salvate.
settings-key-policy = Criteri per le chiavi
settings-key-policy-lead = I valori predefiniti completano ciò che si lascia vuoto in una nuova chiave; i massimi sono il massimo che chiunque può chiedere. Vuoto significa nessun valore predefinito o nessun massimo.
settings-platform = Piattaforma
settings-new-users = Nuovi utenti
settings-new-users-lead = Con cosa parte ogni utente al primo accesso. Gli utenti esistenti mantengono i propri limiti.
policy-max-keys = Chiavi per utente
policy-max-keys-help = Quante chiavi può avere una persona, comprese quelle revocate.
policy-default-expiry = Scadenza predefinita (giorni)
policy-default-expiry-help = Quanto dura una chiave quando il proprietario non sceglie una scadenza. Vuoto: non scade.
policy-max-expiry = Scadenza massima (giorni)
policy-max-expiry-help = La durata massima di una chiave. Se impostata, non si possono più creare chiavi senza scadenza.
policy-default-budget = Budget predefinito
policy-default-budget-help = Il budget assegnato a una chiave quando non ne viene richiesto uno.
policy-max-budget = Budget massimo
policy-max-budget-help = Il budget più alto che una chiave può avere.
policy-default-rpm = Richieste al minuto predefinite
policy-default-rpm-help = Valore assegnato a una chiave quando il proprietario non ne imposta uno.
policy-max-rpm = Massimo di richieste al minuto
policy-max-rpm-help = Una chiave che ne chiede di più viene rifiutata.
policy-default-tpm = Token al minuto predefiniti
policy-default-tpm-help = Valore assegnato a una chiave quando il proprietario non ne imposta uno.
policy-max-tpm = Massimo di token al minuto
policy-max-tpm-help = Una chiave che ne chiede di più viene rifiutata.
policy-default-parallel = Richieste in parallelo predefinite
policy-default-parallel-help = Valore assegnato a una chiave quando il proprietario non ne imposta uno.
policy-max-parallel = Massimo di richieste in parallelo
policy-max-parallel-help = Una chiave che ne chiede di più viene rifiutata.
policy-default-rpd = Richieste al giorno predefinite
policy-default-rpd-help = Valore assegnato a una chiave quando il proprietario non ne imposta uno.
policy-max-rpd = Massimo di richieste al giorno
policy-max-rpd-help = Una chiave che ne chiede di più viene rifiutata.
currency = Valuta
currency-help = Il codice ISO 4217 in cui sono mostrati prezzi e spesa (USD, EUR, …). Solo un'etichetta: non viene convertito nulla.
new-user-budget = Budget
new-user-budget-help = Il limite di spesa con cui parte ogni nuovo utente. Vuoto: nessuno.
new-user-duration = Azzeramento del budget
new-user-duration-help = Ogni quanto riparte quel budget: giornaliero, settimanale, mensile o una durata come 30d.
new-user-rpm = Richieste al minuto
new-user-rpm-help = Su tutte le chiavi di un nuovo utente, insieme.
new-user-tpm = Token al minuto
new-user-tpm-help = Su tutte le chiavi di un nuovo utente, insieme.
new-user-parallel = Richieste in parallelo
new-user-parallel-help = Su tutte le chiavi di un nuovo utente, insieme.
new-user-rpd = Richieste al giorno
new-user-rpd-help = Su tutte le chiavi di un nuovo utente, insieme, per giorno di calendario in UTC.
banners-lead = Avvisi in cima a ogni pagina, per tutti o per i ruoli scelti, secondo una programmazione.
banners-empty-title = Nessun banner
banners-empty-body = Ne scriva uno per informare su manutenzioni, nuovi modelli o modifiche.
banner-create = Nuovo banner
banner-edit = Modifica banner
banner-delete = Elimina banner
banner-delete-body = Eliminare il banner «{ $text }»? Nessuno lo vedrà più.
banner-saved = Banner aggiornati.
banner-text = Testo
banner-text-help = Markdown: **grassetto**, *corsivo*, [link](https://example.com) ed elenchi. Script e stili vengono rimossi.
banner-text-required = Scriva il testo del banner.
banner-preview = Anteprima
banner-preview-empty = L'anteprima compare mentre scrive.
banner-variant = Stile
banner-variant-info = Informazione
banner-variant-success = Successo
banner-variant-warning = Attenzione
banner-variant-danger = Pericolo
banner-audience = Chi lo vede
banner-audience-help = Non selezioni nulla per mostrarlo a tutti, che abbiano effettuato l'accesso o no.
banner-audience-everyone = Tutti
banner-starts = Inizio (UTC)
banner-ends = Fine (UTC)
banner-schedule = Programmazione (UTC)
banner-schedule-help = Lasci vuoti gli orari per mostrarlo da ora finché non viene disattivato.
banner-always = Sempre
banner-active = Attivo
banner-dismissible = Gli utenti possono chiuderlo
banner-state-showing = Visibile
banner-state-scheduled = Programmato
banner-state-ended = Terminato
banner-state-off = Disattivato

## Amministrazione: modelli e distribuzioni
models-lead = Ogni modello con le sue distribuzioni su ciascun cluster, la loro integrità e come si ripartisce il traffico. I modelli dichiarati nella configurazione del server si modificano lì.
models-empty-title = Ancora nessun modello
models-empty-body = Aggiunga una distribuzione: il modello viene creato insieme a essa.
models-saved = Catalogo aggiornato.
models-reload = Ricarica la configurazione
models-reloaded-changed = { $count ->
    [one] Configurazione applicata: { $count } modello in servizio.
   *[other] Configurazione applicata: { $count } modelli in servizio.
}
models-reloaded-same = { $count ->
    [one] Configurazione invariata: { $count } modello in servizio.
   *[other] Configurazione invariata: { $count } modelli in servizio.
}
model-source-configuration = Dalla configurazione
model-configured-why = Dichiarato nella configurazione del server: lo modifichi lì, poi ricarichi.
model-declared-in = Dichiarato in { $file }
model-prices = { $input } input / { $output } output per milione di token
model-name = Nome del modello
model-name-new = Viene creato un nuovo modello con questo nome.
model-name-existing = La distribuzione si aggiunge a questo modello esistente.
model-new = Il nuovo modello
model-provider = Fornitore
model-context = Lunghezza del contesto (token)
model-input-price = Prezzo di input per milione di token
model-output-price = Prezzo di output per milione di token
model-description = Descrizione
model-restricted = Riservato: gli abbonamenti attendono l'approvazione
model-restricted-help = Rendere riservato un modello rimette in attesa i suoi abbonamenti attivi; togliere la riserva approva quelli in attesa.
model-edit-title = Modifica { $model }
model-delete = Elimina modello
model-delete-body = Eliminare { $model } con tutte le sue distribuzioni? Viene rimosso dalle chiavi e i suoi abbonamenti terminano.
deployments-of = Distribuzioni di { $model }
deployment-add = Aggiungi distribuzione
deployment-added = { $model } ha una nuova distribuzione.
deployment-required = Servono un nome di modello, un cluster e l'indirizzo del server.
deployment-cluster = Cluster
deployment-api-base = Indirizzo
deployment-api-base-help = L'URL di base compatibile con OpenAI del server del modello, ad esempio https://granite.apps.example.com/v1.
deployment-api-key = Credenziali
deployment-api-key-help = Inviate al server del modello come bearer token; conservate cifrate e mai più mostrate.
deployment-api-key-keep = Lasci vuoto per mantenere le credenziali salvate.
deployment-backend-model = Nome sul server del modello
deployment-backend-model-help = Il nome con cui lo conosce il server del modello. Vuoto: si usa il nome del modello.
deployment-weight = Peso
deployment-weight-help = La sua quota del traffico del modello rispetto ai pesi delle altre distribuzioni.
deployment-timeout = Timeout (ms)
deployment-timeouts = Timeout
deployment-first-byte = Timeout del primo byte (ms)
deployment-first-byte-help = L'attesa massima per le intestazioni della risposta. Vuoto: si usa il valore predefinito del gateway.
deployment-first-byte-short = primo byte: { $time }
deployment-default = predefinito
deployment-parallel = Richieste in parallelo
deployment-parallel-help = Richieste in corso contemporaneamente su questa distribuzione. Vuoto: nessun limite.
deployment-cooling = Esclusa dal routing dopo errori fino a { $until }
deployment-edit-title = Modifica { $model } su { $cluster }
deployment-remove = Rimuovi
deployment-remove-body = Rimuovere { $model } da { $cluster }? Se è la sua ultima distribuzione, viene rimosso anche il modello.
connection-test = Verifica la connessione
connection-testing = Verifica in corso…
connection-ok = Il server del modello ha risposto
connection-failed = La connessione non è riuscita
connection-details = Stato HTTP { $status } · { $latency }
connection-models = Modelli offerti:
connection-use-model = Usa un modello offerto
connection-use = Usa { $model }

## Amministrazione: utilizzo
usage-everyone-lead = Richieste, token e spesa di tutti, suddivisi per utente, modello, chiave o fornitore, con gli stessi numeri in CSV.
split-user = Utente
split-provider = Fornitore
## Administration: audit log

audit-lead = Ogni modifica fatta nel portale, tramite GraphQL o con l’API di amministrazione: chi l’ha fatta, cosa ha chiesto e cosa ne è risultato. I segreti non vengono mai registrati.
audit-action = Azione
audit-actor = Chi
audit-actor-placeholder = Nome o e-mail
audit-object = Oggetto
audit-object-placeholder = Tipo o id
audit-text = Cerca ovunque
audit-text-placeholder = Qualsiasi testo di una voce, poi Invio
audit-since = Dal
audit-until = Al
audit-csv = Esporta CSV
audit-count = { $count ->
    [0] Nessuna voce
    [one] Una voce
   *[other] { $count } voci
}
audit-limit = Sono elencate solo le { $count } voci corrispondenti più recenti; restringi i filtri o le date per raggiungere quelle più vecchie.
audit-empty-title = Nessuna modifica corrisponde
audit-empty-body = Prova altri filtri o un intervallo di date più ampio.
audit-when = Quando
audit-details = Dettagli
audit-details-of = Dettagli di { $action } di { $actor }
audit-show = Mostra
audit-hide = Nascondi
audit-before = Prima
audit-input = Richiesta
audit-result = Risultato
audit-nothing = Niente di registrato
audit-refused = Rifiutata
audit-refused-why = Rifiutata: { $reason }
audit-newer = Più recenti
audit-older = Meno recenti

## Amministrazione: utenti
users-lead = Tutti coloro che hanno effettuato l'accesso o sono stati registrati: ruoli, spesa e stato. Ne apra uno per modificarne limiti, accesso e chiavi.
users-empty-title = Nessuna corrispondenza
users-empty-body = Provi con un altro nome, ruolo o stato.
users-search = Cerca
users-search-placeholder = Nome, e-mail o id, poi Invio
users-count = { $count ->
    [0] Nessun utente
    [one] Un utente
   *[other] { $count } utenti
}
user-active = Attivo
user-inactive = Disattivato
user-spend = Spesa in questo periodo
user-last-sign-in = Ultimo accesso (UTC)
user-never = Mai
user-back = ← Tutti gli utenti
user-id = Id utente
user-sign-in = Accede con
user-sso = Single sign-on
user-local = Un account locale
user-created = Creato (UTC)
user-resets = Il budget si azzera il { $at } (UTC).
user-reset-spend = Azzera spesa
user-reset-body = Far ripartire da zero il periodo di budget di { $name }? Quanto ha speso resta nei report di utilizzo.
user-spend-reset = Spesa azzerata.
user-deactivate = Disattiva
user-deactivate-body = Disattivare { $name }? Le sessioni nel browser terminano subito, i token e le chiavi API smettono di funzionare e non potrà accedere finché non viene riattivato. Non viene eliminato nulla.
user-reactivate = Riattiva
user-active-means = Attivo: l'utente può accedere, e i suoi token e le sue chiavi funzionano entro i limiti impostati.
user-inactive-means = Disattivato: l'utente non può accedere, e i suoi token e le sue chiavi vengono rifiutati. Lo riattivi per ripristinare tutto com'era.
user-saved = Utente aggiornato.
user-roles-sso = Accede tramite single sign-on: i ruoli vengono reimpostati in base ai suoi gruppi al prossimo accesso.
user-limits = Budget e limiti
user-limits-lead = Su tutte le chiavi dell'utente, insieme. Vuoto significa nessun limite.
user-max-budget = Budget
user-soft-budget = Avviso a partire da
user-budget-duration = Azzeramento del budget (daily, weekly, monthly, 30d…)
user-rpm = Richieste al minuto
user-tpm = Token al minuto
user-parallel = Richieste in parallelo
user-rpd = Richieste al giorno
user-no-keys = Nessuna chiave.
user-key-revoked = Chiave revocata.
user-revoke-body = Revocare la chiave { $key } di { $name }? Le richieste che la usano verranno rifiutate finché non viene ripristinata.
user-no-subscriptions = Nessun abbonamento.
user-grant-model = Concedi l'accesso a
user-grant = Concedi l'accesso
user-granted = Accesso concesso.
user-withdraw = Ritira
user-withdraw-body = Ritirare a { $name } l'accesso a { $model }? Viene rimosso subito dalle sue chiavi. Per riaverlo servirà una revisione.
user-withdrawn = Accesso ritirato.
user-no-sessions = Nessuna sessione attiva.
user-session-seen = ultima attività { $at } (UTC)
user-no-tokens = Nessun token di accesso personale.
user-key-edit = Modifica limiti
user-key-edit-title = Limiti di { $key }
user-key-edit-lead = Entro la politica delle chiavi: un campo vuoto prende il valore predefinito della politica e nessun valore può superarne il massimo.
user-key-saved = Limiti della chiave salvati.
user-session-end = Termina sessione
user-session-end-body = Terminare questa sessione di { $name } ({ $browser })? Quel browser viene disconnesso subito e dovrà accedere di nuovo.
user-session-ended = Sessione terminata.
user-token-revoke-body = Revocare il token { $token } di { $name }? Gli script che lo usano smettono subito di funzionare.
user-token-revoked = Token revocato.


## Administration: overview
overview-lead = L’intera piattaforma a colpo d’occhio: oggi e un periodo, dove va la spesa e cosa richiede attenzione. I numeri si aggiornano man mano che le richieste vengono contabilizzate.
overview-today = Oggi (UTC)
overview-active-users = Utenti attivi
overview-active-keys = Chiavi attive
overview-by-model = Spesa per modello
overview-by-cluster = Spesa per cluster
overview-no-cluster = Nessun cluster
overview-no-usage = Nessuna richiesta in questo periodo.
overview-queue = Richieste di abbonamento
overview-pending = { $count ->
    [one] { $count } richiesta attende una decisione
   *[other] { $count } richieste attendono una decisione
}
overview-open-queue = Apri la coda degli abbonamenti
overview-attention = Deployment che richiedono attenzione
overview-all-healthy = Tutti i deployment attivi superano i controlli di integrità.
overview-cooling = in pausa fino a { $until }
overview-open-models = Apri modelli e deployment

## Administration: banner languages

banner-languages = Lingue
banner-language-written = (testo presente)
banner-text-in = Testo in { $language }
banner-text-english-help = Obbligatorio. Lo vede chi usa una lingua in cui il banner non ha testo.
banner-text-translation-help = Facoltativo. Chi usa il portale in { $language } vede questo testo; senza, vede quello in inglese.

## Amministrazione: nuovi account locali
user-create = Nuovo utente
user-create-lead = Un account locale: la persona accede con il proprio indirizzo e-mail e una password che sceglie tramite un link monouso che lei le fornisce.
user-email = Indirizzo e-mail
user-link-title = Link monouso per la password
user-link-body = Dia questo link alla persona: le consente di scegliere la password una sola volta, fino al { $at } (UTC). Viene mostrato solo ora; un nuovo link lo sostituisce.
user-link-done = Fatto
user-new-link = Nuovo link per la password
set-password-title = Scelga la sua password
set-password-new = Nuova password
set-password-again = La stessa password di nuovo
set-password-help = Almeno { $count } caratteri.
set-password-save = Imposta password
set-password-short = La password è troppo corta.
set-password-mismatch = Le due password non coincidono.
set-password-done = La sua password è stata impostata. Ora può accedere.
set-password-no-link = Questa pagina richiede il link che le ha fornito un amministratore. Gliene chieda uno nuovo se l'ha perso o se è scaduto.
