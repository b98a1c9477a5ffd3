# Switchyard portal: French (Français).

## Interface
skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-toggle = Afficher ou masquer la navigation
nav-home = Accueil
nav-catalog = Catalogue des modèles
nav-subscriptions = Abonnements
nav-keys = Clés d’API
nav-usage = Utilisation
nav-playground = Terrain de jeu
nav-account = Mon compte
nav-admin = Administration
nav-graphiql = Explorateur GraphQL
nav-admin-overview = Vue d’ensemble
nav-admin-queue = File des abonnements
nav-admin-queue-pending = { $count } en attente
nav-admin-users = Utilisateurs
nav-admin-models = Modèles
nav-admin-usage = Utilisation de tous
nav-admin-settings = Paramètres
nav-admin-branding = Image de marque
nav-admin-banners = Bannières
nav-admin-audit = Journal d’audit
banner = Annonce
banner-dismiss = Masquer cette annonce
sign-in = Se connecter
sign-out = Se déconnecter
language = Langue
theme = Thème
theme-system = Suivre le système
theme-light = Clair
theme-dark = Sombre
theme-to-dark = Passer au thème sombre
theme-to-light = Passer au thème clair
role-admin = Administrateur
role-admin-readonly = Administrateur en lecture seule
role-user = Utilisateur
close = Fermer
cancel = Annuler
save = Enregistrer
edit = Modifier
delete = Supprimer
send = Envoyer
apply = Appliquer
retry = Réessayer
search = Rechercher
view = Afficher
loading = Chargement…
copy = Copier
copied = Copié dans le presse-papiers.
copy-failed = Le navigateur n’a pas autorisé la copie : sélectionnez le texte et copiez-le vous-même.
go-home = Aller à la page d’accueil
revoked = Révoquée.
never-used = Jamais utilisée

## États et erreurs
not-found-title = Page introuvable
not-found-body = Il n’y a rien à cette adresse.
not-allowed-title = Accès refusé
not-allowed-body = Votre compte n’a pas accès à cette page. Demandez-le à un administrateur si nécessaire.
error-unauthenticated = Vous n’êtes pas connecté, ou votre session a expiré.
error-forbidden = Vous n’êtes pas autorisé à effectuer cette action.
error-not-found = Cet élément n’existe pas (ou plus).
error-bad-input = Le serveur n’a pas accepté les données saisies.
error-conflict = Cela entre en conflit avec un élément existant.
error-network = Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.
error-internal = Le serveur n’a pas répondu. Réessayez dans un instant.

## Connexion
login-name = Nom d’utilisateur ou e-mail
login-password = Mot de passe
login-sso = Se connecter avec { $provider }
login-sso-default = l’authentification unique
login-already = Vous êtes connecté en tant que { $name }.

## Flux en direct et alertes
live-on = En direct
live-connecting = Connexion…
live-reconnecting = Reconnexion…
alert-subject-key = Le budget d’une clé
alert-subject-user = Votre budget
alert-soft = { $whose } a dépassé sa limite souple : { $spend } sur { $budget }.
alert-80 = { $whose } est utilisé à 80 % : { $spend } sur { $budget }.
alert-100 = { $whose } est épuisé ({ $spend } sur { $budget }) : les requêtes sont refusées jusqu’à sa réinitialisation.

## Accueil
home-welcome = Bienvenue, { $name }
home-api-base = URL de base de l’API
home-budget = Mes dépenses sur cette période
home-resets = Réinitialisation { $at } (UTC)
no-budget = aucun budget défini
home-no-keys = Vous n’avez pas encore de clé.
home-manage-keys = Gérer les clés
home-subscriptions = { $active } actifs, { $pending } en attente d’approbation
home-browse-catalog = Parcourir le catalogue
home-live = Mes requêtes, en direct
home-live-empty = Les requêtes effectuées avec vos clés apparaissent ici dès qu’elles se terminent.
tokens-in-out = { $input } tokens en entrée / { $output } en sortie
keys-count = { $count ->
    [one] { $count } clé
   *[other] { $count } clés
}

## Catalogue et modèles
catalog-lead = Tous les modèles de tous les clusters. Abonnez-vous à un modèle pour l’ajouter à vos clés.
catalog-search-placeholder = Nom, description ou fournisseur
catalog-count = { $shown } modèles sur { $total }
catalog-empty-title = Aucun modèle pour l’instant
catalog-empty-body = Aucun administrateur n’a encore enregistré de modèle.
catalog-no-match = Aucun modèle ne correspond à ces filtres
filter-all = Tous
filter-cluster = Cluster
filter-subscribed = Abonnements uniquement
view-cards = Cartes
view-table = Tableau
col-model = Modèle
col-provider = Fournisseur
col-capabilities = Capacités
col-price = Prix par million de tokens
col-context = Longueur de contexte
col-status = Statut
col-history = Historique
col-actions = Actions
price-per-million = { $input } en entrée / { $output } en sortie par million de tokens
price-input = Entrée, par million de tokens
price-output = Sortie, par million de tokens
price-audio-minute = Audio, par minute
context-length = { $tokens } tokens de contexte
health = État
health-healthy = opérationnel
health-unhealthy = échec des contrôles d’état
health-unknown = pas encore vérifié
health-disabled = désactivé
restricted = Restreint
cap-chat = Chat
cap-completion = Complétion
cap-embeddings = Embeddings
cap-document-conversion = Conversion de documents
cap-tokenize = Tokenisation
cap-vision = Vision
cap-tools = Outils
cap-rerank = Reclassement
cap-audio-transcription = Parole en texte
cap-messages = Anthropic Messages
cap-other = Autre
subscribe = S’abonner
request-access = Demander l’accès
access-title = Demander l’accès à { $model }
access-reason = Pourquoi en avez-vous besoin ? (facultatif ; les administrateurs le lisent)
subscribed-active = Vous êtes abonné à { $model }.
subscribed-pending = Votre demande pour { $model } attend l’approbation d’un administrateur.
model-details = Détails
model-deployments = Clusters
model-my-subscription = Mon abonnement
model-how-to-call = Comment l’appeler
model-open-explained = Abonnez-vous pour utiliser ce modèle avec vos clés ; l’accès est immédiat.
model-restricted-explained = Ce modèle est restreint : un administrateur approuve chaque demande d’accès.
snippets = Exemples de code

## Abonnements
subscriptions-lead = Les modèles que vous pouvez ajouter à vos clés, et les demandes en attente d’approbation.
subscriptions-empty-title = Aucun abonnement pour l’instant
subscriptions-empty-body = Abonnez-vous à un modèle du catalogue pour l’utiliser avec vos clés.
status-active = Actif
status-pending = En attente d’approbation
status-denied = Refusé
status-cancelled = Annulé
history-start = { $to }
history-change = { $from } → { $to }
history-by-you = par vous
history-by-admin = par un administrateur
cancel-subscription = Annuler l’abonnement
cancel-subscription-body = Annuler votre abonnement à { $model } ? Il est immédiatement retiré de vos clés.
subscription-cancelled = Votre abonnement à { $model } est annulé.
request-review = Demander un réexamen
review-message = Pourquoi faudrait-il le réexaminer ? (facultatif)
review-requested = Votre demande a été envoyée aux administrateurs.

## Clés
keys-lead = Les clés permettent à votre code d’appeler les modèles auxquels vous êtes abonné. Le secret n’est affiché qu’une fois, à la création.
keys-of-cap = { $count } clés sur { $cap }
keys-empty-title = Aucune clé pour l’instant
keys-empty-body = Créez une clé pour appeler vos modèles depuis votre code.
key-create = Créer une clé
key-edit = Modifier
key-name = Nom
key-models = Modèles
key-no-subscriptions = Vous n’avez aucun abonnement actif à ajouter à une clé.
key-expiry = Expiration
key-spend = Dépenses
key-limits = Limites
key-last-used = Dernière utilisation
key-budget = Budget
key-soft-budget = Avertissement à partir de
key-budget-duration = Réinitialisation du budget
key-budget-never-resets = Jamais
key-rpm = Requêtes par minute
key-tpm = Tokens par minute
key-parallel = Requêtes simultanées
key-rpd = Requêtes par jour
key-unlimited = Aucune limite
key-max = Au maximum { $max }
key-bad-number = { $field } doit être un nombre supérieur ou égal à zéro.
key-name-and-models = Donnez un nom à la clé et choisissez au moins un modèle.
key-active = Active
key-revoked = Révoquée
key-expired = Expirée
key-rotate = Renouveler
key-rotate-title = Renouveler { $name }
key-rotate-body = Un nouveau secret remplace l’ancien ; la clé conserve ses paramètres et ses dépenses.
key-rotate-grace = L’ancien secret reste valable
key-revoke = Révoquer
key-revoke-body = Révoquer { $name } ? Les requêtes qui l’utilisent seront refusées jusqu’à sa restauration.
key-restore = Restaurer
key-restore-body = Restaurer { $name } ? Les requêtes qui l’utilisent fonctionneront de nouveau.
key-delete = Supprimer
key-delete-body = Supprimer définitivement { $name } ? Cette action est irréversible.
key-revoked-toast = { $name } est révoquée.
key-restored-toast = { $name } fonctionne de nouveau.
key-deleted-toast = { $name } est supprimée.
limit-rpm = { $n } requêtes/min
limit-tpm = { $n } tokens/min
limit-parallel = { $n } à la fois
limit-rpd = { $n } requêtes/jour
limits-none = Aucune limite
expiry-default = Valeur par défaut de la plateforme
expiry-default-days = La valeur par défaut est de { $days } jours.
expiry-1d = Dans un jour
expiry-30d = Dans 30 jours
expiry-90d = Dans 90 jours
expiry-date = À une date donnée
expiry-never = Jamais
period-daily = Quotidien
period-weekly = Hebdomadaire
period-monthly = Mensuel
grace-none = Non : l’arrêter maintenant
grace-1h = Pendant une heure
grace-24h = Pendant un jour
grace-7d = Pendant une semaine
secret-title = Le secret de { $name }
secret-once = Copiez le secret maintenant : il ne sera plus affiché et ne peut pas être récupéré.
secret-label = Secret
secret-done = Je l’ai enregistré

## Utilisation
usage-lead = Ce que vos requêtes ont consommé et coûté, par modèle ou par clé.
usage-period = Période
period-24h = Dernières 24 heures
period-7d = 7 derniers jours
period-30d = 30 derniers jours
period-90d = 90 derniers jours
period-custom = Dates personnalisées
usage-from = Du
usage-to = Au
usage-range = Du { $from } au { $to } (UTC)
usage-granularity = Intervalles
granularity-hour = Heures
granularity-day = Jours
usage-split = Ventiler par
split-model = Modèle
split-key = Clé
split-none = Aucune ventilation
usage-csv = Exporter en CSV
usage-empty-title = Aucune utilisation sur cette période
usage-empty-body = Les requêtes effectuées avec vos clés apparaissent ici en moins d’une seconde.
usage-spend = Dépenses
usage-requests = Requêtes
usage-tokens = Tokens
usage-error-rate = Taux d’erreur
usage-latency = Latence (p50 / p95)
usage-change = { $change } par rapport à la période précédente
usage-top = Plus grosses dépenses
usage-group = Modèle ou clé
usage-bucket = Début de l’intervalle (UTC)
usage-all = Tout
tokens-input = Tokens en entrée
tokens-output = Tokens en sortie
chart-show-table = Afficher sous forme de tableau
chart-show-chart = Afficher sous forme de graphique

## Terrain de jeu
playground-lead = Essayez vos modèles dans le navigateur : les réponses s’affichent au fur et à mesure de leur rédaction et sont facturées comme toute autre requête (elles apparaissent sous « Playground » dans la page Utilisation).
playground-empty-title = Aucun modèle de chat à essayer pour l’instant
playground-empty-body = Abonnez-vous d’abord à un modèle de chat dans le catalogue.
playground-compare = Comparer avec un second modèle
playground-second-model = Second modèle
playground-settings = Paramètres
playground-system = Prompt système
playground-temperature = Température
playground-max-tokens = Nombre maximal de tokens
playground-key = Utiliser plutôt l’une de mes clés (facultatif)
playground-key-help = Conservée uniquement dans cette page, jamais enregistrée : pour tester l’accès et les limites de cette clé.
playground-prompt = Message
playground-code = Voir le code
playground-clear = Recommencer
playground-you = Vous :
playground-model = Modèle :
playground-usage = { $input } tokens en entrée / { $output } en sortie · { $cost }

## Compte
profile = Profil
profile-name = Nom
profile-roles = Rôles
preferences = Préférences
sessions = Navigateurs connectés
session-browser = Navigateur
session-ip = Adresse
session-last-seen = Dernière activité (UTC)
session-current = Ce navigateur
session-revoke = Déconnecter ce navigateur
session-revoke-body = Déconnecter ce navigateur ? Il devra se reconnecter.
tokens = Jetons d’accès personnels
tokens-lead = Les jetons permettent à des scripts d’utiliser l’API GraphQL en votre nom. Le jeton n’est affiché qu’une fois, à la création.
tokens-empty = Vous n’avez aucun jeton.
token-create = Créer un jeton
token-name = Nom
token-name-required = Donnez un nom au jeton.
token-can-write = Peut effectuer des modifications (sinon, lecture seule)
token-scope = Portée
token-read-only = Lecture seule
token-read-write = Lecture et écriture
token-revoke = Révoquer le jeton
token-revoke-body = Révoquer le jeton { $name } ? Les scripts qui l’utilisent cesseront de fonctionner.

## Administration: Image de marque
brand-lead = Le nom, les couleurs, les textes et les logos du portail, tels que tout le monde les voit, connecté ou non. Rien ne change avant l’enregistrement ; l’aperçu montre le résultat.
brand-texts = Titres et textes
brand-title = Titre
brand-title-help = Le nom du portail, dans l’en-tête, l’onglet du navigateur et sur la page de connexion.
brand-title-required = Donnez un titre au portail.
brand-subtitle = Sous-titre
brand-subtitle-help = Une ligne sous le titre sur la page de connexion.
brand-login-title = Titre de la connexion
brand-login-title-help = Au-dessus du formulaire de connexion. Vide : « Se connecter ».
brand-login-text = Texte de la connexion
brand-login-text-help = Affiché sur la page de connexion, par exemple qui peut se connecter et comment. Vide : aucun.
brand-footer-text = Texte du pied de page
brand-footer-text-help = En bas de chaque page. Vide : aucun.
brand-colours = Couleurs
brand-primary = Couleur principale
brand-primary-help = Le fond des boutons principaux et des cases à cocher, sous la forme #rrggbb. Vide : le bleu de PatternFly.
brand-primary-default = Les couleurs de marque de PatternFly sont utilisées, lisibles dans les deux thèmes.
brand-accent = Couleur d’accent
brand-accent-help = Une bande sous l’en-tête, sous la forme #rrggbb ; aucun texte ne s’y trouve. Vide : aucune.
brand-pick-colour = { $field } : choisir une couleur
brand-bad-colour = { $field } doit être une couleur comme #1a2b3c, ou rester vide.
brand-bad-colour-here = Ce n’est pas une couleur : écrivez-la comme #1a2b3c, ou laissez vide.
brand-text-light = blanc
brand-text-dark = foncé
brand-contrast-ok = Les boutons de cette couleur ont un texte { $text }, avec un contraste de { $ratio }:1 (WCAG AA demande au moins 4.5:1).
brand-contrast-low = Contraste faible : même le texte le plus lisible sur cette couleur n’atteint que { $ratio }:1, sous les 4.5:1 demandés par WCAG AA. Choisissez une couleur plus foncée ou plus claire.
brand-logos = Logos
brand-logos-lead = PNG, JPEG, WebP ou SVG, jusqu’à 512 Kio chacun. L’image choisie s’affiche ici et dans l’aperçu ; elle est envoyée à l’enregistrement.
brand-logo-header-light = Logo de l’en-tête, thème clair
brand-logo-header-light-help = Remplace le titre dans l’en-tête sur fond clair.
brand-logo-header-dark = Logo de l’en-tête, thème sombre
brand-logo-header-dark-help = Remplace le titre dans l’en-tête sur fond sombre.
brand-logo-login = Logo de la connexion
brand-logo-login-help = Au-dessus du titre sur la page de connexion.
brand-logo-state-saved = Enregistré.
brand-logo-state-new = Nouveau : envoyé à l’enregistrement.
brand-logo-state-removed = Retiré à l’enregistrement.
brand-logo-state-none = Aucun logo.
brand-logo-remove = Retirer
brand-logo-undo = Annuler
brand-logo-bad-type = Ce fichier n’est pas une image PNG, JPEG, WebP ou SVG.
brand-logo-too-big = Ce fichier est vide ou dépasse 512 Kio.
brand-logo-unreadable = Le navigateur n’a pas pu lire ce fichier.
brand-preview = Aperçu
brand-preview-lead = L’en-tête et la page de connexion tels qu’ils seront, d’après le formulaire.
brand-preview-button = Bouton
brand-saved = Image de marque enregistrée.

## Administration
admin-read-only-why = Vous êtes administrateur en lecture seule : vous pouvez tout voir ici, mais seul un administrateur peut le modifier.
queue-lead = Les abonnements de tous les utilisateurs. Les modèles restreints attendent ici une décision ; en cas de refus, les utilisateurs voient le motif que vous indiquez.
queue-user = Utilisateur
queue-user-placeholder = Nom, e-mail ou identifiant, puis Entrée
queue-since = Modifiés à partir du
queue-until = Modifiés jusqu’au
queue-count = { $count ->
    [0] Aucun abonnement
    [one] Un abonnement
   *[other] { $count } abonnements
}
queue-select-all = Sélectionner toutes les demandes en attente
queue-select = Sélectionner la demande de { $user } pour { $model }
queue-approve-selected = Approuver ({ $count })
queue-deny-selected = Refuser ({ $count })
queue-deny = Refuser
queue-deny-title = { $count ->
    [one] Refuser une demande
   *[other] Refuser { $count } demandes
}
queue-deny-reason = Motif
queue-deny-reason-help = Les utilisateurs voient ce motif et peuvent demander un réexamen.
queue-deny-reason-required = Indiquez un motif : les utilisateurs le voient.
queue-revert = Remettre en attente
queue-revert-body = Remettre { $what } en attente de décision ? Un abonnement approuvé est retiré des clés de l’utilisateur jusqu’à ce qu’il soit de nouveau approuvé.
queue-approved = { $count ->
    [one] Une demande approuvée.
   *[other] { $count } demandes approuvées.
}
queue-denied = { $count ->
    [one] Une demande refusée.
   *[other] { $count } demandes refusées.
}
queue-reverted = L’abonnement est de nouveau en attente.
queue-empty-title = Rien ici
queue-empty-body = Aucun abonnement ne correspond à ces filtres.
settings-lead = Ce que peuvent être les clés, ce dont disposent les nouveaux utilisateurs au départ, et la devise. Les modifications s’appliquent aux clés créées ou modifiées à partir de maintenant.
settings-none = Aucun
settings-saved = Paramètres enregistrés.
settings-key-policy = Règles des clés
settings-key-policy-lead = Les valeurs par défaut complètent ce qui est laissé vide sur une nouvelle clé ; les maximums sont le plus que l’on puisse demander. Vide signifie aucune valeur par défaut, ou aucun maximum.
settings-platform = Plateforme
settings-new-users = Nouveaux utilisateurs
settings-new-users-lead = Ce dont dispose chaque utilisateur lors de sa première connexion. Les utilisateurs existants conservent leurs propres limites.
policy-max-keys = Clés par utilisateur
policy-max-keys-help = Le nombre de clés qu’une personne peut détenir, clés révoquées comprises.
policy-default-expiry = Expiration par défaut (jours)
policy-default-expiry-help = La durée de vie d’une clé lorsque son propriétaire ne choisit pas d’expiration. Vide : elle n’expire pas.
policy-max-expiry = Expiration maximale (jours)
policy-max-expiry-help = La durée de vie maximale d’une clé. Si elle est définie, il n’est plus possible de créer des clés sans expiration.
policy-default-budget = Budget par défaut
policy-default-budget-help = Le budget attribué à une clé lorsqu’aucun n’est demandé.
policy-max-budget = Budget maximal
policy-max-budget-help = Le budget le plus élevé qu’une clé peut avoir.
policy-default-rpm = Requêtes par minute par défaut
policy-default-rpm-help = Attribué à une clé lorsque son propriétaire ne définit aucune valeur.
policy-max-rpm = Maximum de requêtes par minute
policy-max-rpm-help = Une clé qui en demande davantage est refusée.
policy-default-tpm = Tokens par minute par défaut
policy-default-tpm-help = Attribué à une clé lorsque son propriétaire ne définit aucune valeur.
policy-max-tpm = Maximum de tokens par minute
policy-max-tpm-help = Une clé qui en demande davantage est refusée.
policy-default-parallel = Requêtes simultanées par défaut
policy-default-parallel-help = Attribué à une clé lorsque son propriétaire ne définit aucune valeur.
policy-max-parallel = Maximum de requêtes simultanées
policy-max-parallel-help = Une clé qui en demande davantage est refusée.
policy-default-rpd = Requêtes par jour par défaut
policy-default-rpd-help = Attribué à une clé lorsque son propriétaire ne définit aucune valeur.
policy-max-rpd = Maximum de requêtes par jour
policy-max-rpd-help = Une clé qui en demande davantage est refusée.
currency = Devise
currency-help = Le code ISO 4217 dans lequel les prix et les dépenses sont affichés (USD, EUR, …). Un simple libellé : rien n’est converti.
new-user-budget = Budget
new-user-budget-help = La limite de dépenses de chaque nouvel utilisateur au départ. Vide : aucune.
new-user-duration = Réinitialisation du budget
new-user-duration-help = La fréquence à laquelle ce budget repart de zéro : quotidien, hebdomadaire, mensuel ou une durée comme 30d.
new-user-rpm = Requêtes par minute
new-user-rpm-help = Sur l’ensemble des clés d’un nouvel utilisateur.
new-user-tpm = Tokens par minute
new-user-tpm-help = Sur l’ensemble des clés d’un nouvel utilisateur.
new-user-parallel = Requêtes simultanées
new-user-parallel-help = Sur l’ensemble des clés d’un nouvel utilisateur.
new-user-rpd = Requêtes par jour
new-user-rpd-help = Sur l’ensemble des clés d’un nouvel utilisateur, par jour calendaire en UTC.
banners-lead = Des annonces en haut de chaque page, pour tout le monde ou pour les rôles choisis, selon un calendrier.
banners-empty-title = Aucune bannière
banners-empty-body = Rédigez-en une pour informer d’une maintenance, de nouveaux modèles ou de changements.
banner-create = Nouvelle bannière
banner-edit = Modifier la bannière
banner-delete = Supprimer la bannière
banner-delete-body = Supprimer la bannière « { $text } » ? Plus personne ne la verra.
banner-saved = Bannières mises à jour.
banner-text = Texte
banner-text-help = Markdown : **gras**, *italique*, [liens](https://example.com) et listes. Les scripts et les styles sont supprimés.
banner-text-required = Rédigez le texte de la bannière.
banner-preview = Aperçu
banner-preview-empty = L’aperçu s’affiche au fur et à mesure de la saisie.
banner-variant = Style
banner-variant-info = Information
banner-variant-success = Succès
banner-variant-warning = Avertissement
banner-variant-danger = Danger
banner-audience = Qui la voit
banner-audience-help = Ne cochez rien pour l’afficher à tout le monde, connecté ou non.
banner-audience-everyone = Tout le monde
banner-starts = Début (UTC)
banner-ends = Fin (UTC)
banner-schedule = Calendrier (UTC)
banner-schedule-help = Laissez les heures vides pour l’afficher dès maintenant et jusqu’à sa désactivation.
banner-always = Toujours
banner-active = Activée
banner-dismissible = Les utilisateurs peuvent la masquer
banner-state-showing = Affichée
banner-state-scheduled = Programmée
banner-state-ended = Terminée
banner-state-off = Désactivée

## Administration : modèles et déploiements
models-lead = Chaque modèle avec ses déploiements sur chaque cluster, leur état et la répartition du trafic. Les modèles déclarés dans la configuration du serveur se modifient là-bas.
models-empty-title = Aucun modèle pour l’instant
models-empty-body = Ajoutez un déploiement : le modèle est créé avec lui.
models-saved = Catalogue mis à jour.
models-reload = Recharger la configuration
models-reloaded-changed = { $count ->
    [one] Configuration appliquée : { $count } modèle en service.
   *[other] Configuration appliquée : { $count } modèles en service.
}
models-reloaded-same = { $count ->
    [one] Configuration inchangée : { $count } modèle en service.
   *[other] Configuration inchangée : { $count } modèles en service.
}
model-source-configuration = Issu de la configuration
model-configured-why = Déclaré dans la configuration du serveur : modifiez-le là-bas, puis rechargez.
model-declared-in = Déclaré dans { $file }
model-prices = { $input } en entrée / { $output } en sortie par million de tokens
model-name = Nom du modèle
model-name-new = Un nouveau modèle est créé sous ce nom.
model-name-existing = Le déploiement rejoint ce modèle existant.
model-new = Le nouveau modèle
model-provider = Fournisseur
model-context = Longueur de contexte (tokens)
model-input-price = Prix en entrée par million de tokens
model-output-price = Prix en sortie par million de tokens
model-description = Description
model-restricted = Restreint : les abonnements attendent une approbation
model-restricted-help = Restreindre un modèle remet ses abonnements actifs en attente ; lever la restriction approuve ceux qui sont en attente.
model-edit-title = Modifier { $model }
model-delete = Supprimer le modèle
model-delete-body = Supprimer { $model } avec tous ses déploiements ? Il est retiré des clés et ses abonnements prennent fin.
deployments-of = Déploiements de { $model }
deployment-add = Ajouter un déploiement
deployment-added = { $model } a un nouveau déploiement.
deployment-required = Il faut un nom de modèle, un cluster et l’adresse du serveur.
deployment-cluster = Cluster
deployment-api-base = Adresse
deployment-api-base-help = L’URL de base compatible OpenAI du serveur de modèle, par exemple https://granite.apps.example.com/v1.
deployment-api-key = Identifiants
deployment-api-key-help = Envoyés au serveur de modèle comme jeton bearer ; stockés chiffrés, jamais réaffichés.
deployment-api-key-keep = Laissez vide pour conserver les identifiants enregistrés.
deployment-backend-model = Nom sur le serveur de modèle
deployment-backend-model-help = Le nom sous lequel le serveur de modèle le connaît. Vide : le nom du modèle est utilisé.
deployment-weight = Poids
deployment-weight-help = Sa part du trafic du modèle par rapport aux poids des autres déploiements.
deployment-timeout = Délai d’attente (ms)
deployment-timeouts = Délais d’attente
deployment-first-byte = Délai d’attente du premier octet (ms)
deployment-first-byte-help = L’attente maximale des en-têtes de la réponse. Vide : la valeur par défaut de la passerelle s’applique.
deployment-first-byte-short = premier octet : { $time }
deployment-default = par défaut
deployment-parallel = Requêtes simultanées
deployment-parallel-help = Requêtes traitées en même temps sur ce déploiement. Vide : aucune limite.
deployment-cooling = Écarté du routage après des échecs jusqu’à { $until }
deployment-edit-title = Modifier { $model } sur { $cluster }
deployment-remove = Retirer
deployment-remove-body = Retirer { $model } de { $cluster } ? S’il s’agit de son dernier déploiement, le modèle est supprimé aussi.
connection-test = Tester la connexion
connection-testing = Test en cours…
connection-ok = Le serveur de modèle a répondu
connection-failed = La connexion a échoué
connection-details = Statut HTTP { $status } · { $latency }
connection-models = Modèles proposés :
connection-use-model = Utiliser un modèle proposé
connection-use = Utiliser { $model }

## Administration : utilisation
usage-everyone-lead = Les requêtes, jetons et dépenses de tous, répartis par utilisateur, modèle, clé ou fournisseur, avec les mêmes chiffres en CSV.
split-user = Utilisateur
split-provider = Fournisseur
## Administration: audit log

audit-lead = Chaque modification faite dans le portail, par GraphQL ou avec l’API d’administration : qui l’a faite, ce qui a été demandé et ce qui en est résulté. Les secrets ne sont jamais enregistrés.
audit-action = Action
audit-actor = Qui
audit-actor-placeholder = Nom ou e-mail
audit-object = Objet
audit-object-placeholder = Type ou identifiant
audit-text = Rechercher partout
audit-text-placeholder = N’importe quel texte d’une entrée, puis Entrée
audit-since = Du
audit-until = Au
audit-csv = Exporter en CSV
audit-count = { $count ->
    [0] Aucune entrée
    [one] Une entrée
   *[other] { $count } entrées
}
audit-limit = Seules les { $count } entrées correspondantes les plus récentes sont listées ; resserrez les filtres ou les dates pour atteindre les plus anciennes.
audit-empty-title = Aucune modification ne correspond
audit-empty-body = Essayez d’autres filtres ou une période plus large.
audit-when = Quand
audit-details = Détails
audit-details-of = Détails de { $action } par { $actor }
audit-show = Afficher
audit-hide = Masquer
audit-before = Avant
audit-input = Demande
audit-result = Résultat
audit-nothing = Rien d’enregistré
audit-refused = Refusé
audit-refused-why = Refusé : { $reason }
audit-newer = Plus récentes
audit-older = Plus anciennes

## Administration : utilisateurs
users-lead = Toutes les personnes qui se sont connectées ou ont été provisionnées : leurs rôles, leurs dépenses et leur état. Ouvrez-en une pour modifier ses limites, ses accès et ses clés.
users-empty-title = Personne ne correspond
users-empty-body = Essayez un autre nom, rôle ou état.
users-search = Rechercher
users-search-placeholder = Nom, e-mail ou identifiant, puis Entrée
users-count = { $count ->
    [0] Aucun utilisateur
    [one] Un utilisateur
   *[other] { $count } utilisateurs
}
user-active = Actif
user-inactive = Désactivé
user-spend = Dépenses sur cette période
user-last-sign-in = Dernière connexion (UTC)
user-never = Jamais
user-back = ← Tous les utilisateurs
user-id = Identifiant de l’utilisateur
user-sign-in = Se connecte avec
user-sso = L’authentification unique
user-local = Un compte local
user-created = Création (UTC)
user-resets = Le budget est réinitialisé le { $at } (UTC).
user-reset-spend = Réinitialiser les dépenses
user-reset-body = Faire repartir de zéro la période budgétaire de { $name } ? Ses dépenses passées restent dans les rapports d’utilisation.
user-spend-reset = Dépenses réinitialisées.
user-deactivate = Désactiver
user-deactivate-body = Désactiver { $name } ? Ses sessions de navigateur prennent fin immédiatement, ses jetons et clés d’API cessent de fonctionner, et la connexion lui est impossible jusqu’à sa réactivation. Rien n’est supprimé.
user-reactivate = Réactiver
user-active-means = Actif : l’utilisateur peut se connecter, et ses jetons et clés fonctionnent dans les limites fixées.
user-inactive-means = Désactivé : l’utilisateur ne peut pas se connecter, et ses jetons et clés sont refusés. Réactivez-le pour tout lui rendre comme avant.
user-saved = Utilisateur mis à jour.
user-roles-sso = Se connecte par authentification unique : ses rôles sont redéfinis d’après ses groupes à sa prochaine connexion.
user-limits = Budget et limites
user-limits-lead = Sur l’ensemble de ses clés. Vide signifie aucune limite.
user-max-budget = Budget
user-soft-budget = Avertissement à partir de
user-budget-duration = Réinitialisation du budget (daily, weekly, monthly, 30d…)
user-rpm = Requêtes par minute
user-tpm = Tokens par minute
user-parallel = Requêtes simultanées
user-rpd = Requêtes par jour
user-no-keys = Aucune clé.
user-key-revoked = Clé révoquée.
user-revoke-body = Révoquer la clé { $key } de { $name } ? Les requêtes qui l’utilisent seront refusées jusqu’à sa restauration.
user-no-subscriptions = Aucun abonnement.
user-grant-model = Donner accès à
user-grant = Donner accès
user-granted = Accès accordé.
user-withdraw = Retirer
user-withdraw-body = Retirer à { $name } l’accès à { $model } ? Le modèle est immédiatement retiré de ses clés. Pour le récupérer, une révision sera nécessaire.
user-withdrawn = Accès retiré.
user-no-sessions = Aucune session ouverte.
user-session-seen = dernière activité : { $at } (UTC)
user-no-tokens = Aucun jeton d’accès personnel.
user-key-edit = Modifier les limites
user-key-edit-title = Limites de { $key }
user-key-edit-lead = Dans le cadre de la politique des clés : un champ vide prend la valeur par défaut de la politique, et aucune valeur ne peut dépasser son maximum.
user-key-saved = Limites de la clé enregistrées.
user-session-end = Fermer la session
user-session-end-body = Fermer cette session de { $name } ({ $browser }) ? Ce navigateur est déconnecté immédiatement et devra se reconnecter.
user-session-ended = Session fermée.
user-token-revoke-body = Révoquer le jeton { $token } de { $name } ? Les scripts qui l’utilisent cessent aussitôt de fonctionner.
user-token-revoked = Jeton révoqué.


## Administration: overview
overview-lead = Toute la plateforme en un coup d’œil : aujourd’hui et une période, où va la dépense et ce qui demande de l’attention. Les chiffres évoluent à mesure que les requêtes sont comptabilisées.
overview-today = Aujourd’hui (UTC)
overview-active-users = Utilisateurs actifs
overview-active-keys = Clés actives
overview-by-model = Dépense par modèle
overview-by-cluster = Dépense par cluster
overview-no-cluster = Aucun cluster
overview-no-usage = Aucune requête sur cette période.
overview-queue = Demandes d’abonnement
overview-pending = { $count ->
    [one] { $count } demande attend une décision
   *[other] { $count } demandes attendent une décision
}
overview-open-queue = Ouvrir la file des abonnements
overview-attention = Déploiements à surveiller
overview-all-healthy = Tous les déploiements activés passent leurs contrôles d’état.
overview-cooling = en pause jusqu’à { $until }
overview-open-models = Ouvrir les modèles et déploiements

## Administration: banner languages

banner-languages = Langues
banner-language-written = (texte rédigé)
banner-text-in = Texte en { $language }
banner-text-english-help = Obligatoire. Les personnes dont la langue n’a pas de texte dans la bannière voient celui-ci.
banner-text-translation-help = Facultatif. Les personnes dont le portail est en { $language } voient ce texte ; sans lui, elles voient le texte anglais.

## Administration : nouveaux comptes locaux
user-create = Nouvel utilisateur
user-create-lead = Un compte local : la personne se connecte avec son adresse e-mail et un mot de passe qu’elle choisit grâce à un lien à usage unique que vous lui donnez.
user-email = Adresse e-mail
user-link-title = Lien de mot de passe à usage unique
user-link-body = Donnez ce lien à la personne : il lui permet de choisir son mot de passe une seule fois, jusqu’au { $at } (UTC). Il n’est affiché que maintenant ; un nouveau lien le remplace.
user-link-done = Terminé
user-new-link = Nouveau lien de mot de passe
set-password-title = Choisissez votre mot de passe
set-password-new = Nouveau mot de passe
set-password-again = Le même mot de passe, encore une fois
set-password-help = Au moins { $count } caractères.
set-password-save = Définir le mot de passe
set-password-short = Le mot de passe est trop court.
set-password-mismatch = Les deux mots de passe sont différents.
set-password-done = Votre mot de passe est défini. Vous pouvez maintenant vous connecter.
set-password-no-link = Cette page nécessite le lien qu’un administrateur vous a donné. Demandez-lui-en un nouveau s’il est perdu ou a expiré.
