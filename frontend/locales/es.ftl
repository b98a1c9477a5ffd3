# Switchyard portal: Spanish (Español).

## Shell
skip-to-content = Ir al contenido
nav-label = Navegación principal
nav-toggle = Mostrar u ocultar la navegación
nav-home = Inicio
nav-catalog = Catálogo de modelos
nav-subscriptions = Suscripciones
nav-keys = Claves de API
nav-usage = Uso
nav-playground = Área de juegos
nav-account = Mi cuenta
nav-admin = Administración
nav-graphiql = Explorador de GraphQL
nav-admin-overview = Resumen
nav-admin-queue = Cola de suscripciones
nav-admin-queue-pending = { $count ->
    [one] { $count } pendiente
   *[other] { $count } pendientes
}
nav-admin-users = Usuarios
nav-admin-models = Modelos
nav-admin-usage = Uso de todos
nav-admin-settings = Configuración
nav-admin-branding = Imagen de marca
nav-admin-banners = Banners
nav-admin-audit = Registro de auditoría
banner = Aviso
banner-dismiss = Descartar este aviso
sign-in = Iniciar sesión
sign-out = Cerrar sesión
language = Idioma
theme = Tema
theme-system = Según el sistema
theme-light = Claro
theme-dark = Oscuro
theme-to-dark = Cambiar al tema oscuro
theme-to-light = Cambiar al tema claro
role-admin = Administrador
role-admin-readonly = Administrador de solo lectura
role-user = Usuario
close = Cerrar
cancel = Cancelar
save = Guardar
edit = Editar
delete = Eliminar
send = Enviar
apply = Aplicar
retry = Reintentar
search = Buscar
view = Ver
loading = Cargando…
copy = Copiar
copied = Copiado al portapapeles.
copy-failed = El navegador no permitió copiar: seleccione el texto y cópielo usted mismo.
go-home = Ir a la página de inicio
revoked = Revocada.
never-used = Nunca usada

## Estados y errores
not-found-title = Página no encontrada
not-found-body = No hay nada en esta dirección.
not-allowed-title = Acceso no permitido
not-allowed-body = Su cuenta no tiene acceso a esta página. Si lo necesita, pídalo a un administrador.
error-unauthenticated = No ha iniciado sesión o su sesión ha caducado.
error-forbidden = No tiene permiso para hacer esto.
error-not-found = No existe (o ya no existe).
error-bad-input = El servidor no aceptó los datos introducidos.
error-conflict = Entra en conflicto con algo que ya existe.
error-network = No se pudo conectar con el servidor. Compruebe su conexión e inténtelo de nuevo.
error-internal = El servidor no respondió. Vuelva a intentarlo en un momento.

## Inicio de sesión
login-name = Nombre de usuario o correo electrónico
login-password = Contraseña
login-sso = Iniciar sesión con { $provider }
login-sso-default = inicio de sesión único
login-already = Ha iniciado sesión como { $name }.

## Datos en directo y alertas
live-on = En directo
live-connecting = Conectando…
live-reconnecting = Reconectando…
alert-subject-key = El presupuesto de una clave
alert-subject-user = Su presupuesto
alert-soft = { $whose } ha superado su límite flexible: { $spend } de { $budget }.
alert-80 = { $whose } está usado al 80 %: { $spend } de { $budget }.
alert-100 = { $whose } está agotado ({ $spend } de { $budget }): las solicitudes se rechazarán hasta que se restablezca.

## Inicio
home-welcome = Bienvenido/a, { $name }
home-api-base = URL base de la API
home-budget = Mi gasto en este periodo
home-resets = Se restablece { $at } (UTC)
no-budget = sin presupuesto definido
home-no-keys = Aún no tiene claves.
home-manage-keys = Gestionar claves
home-subscriptions = { $active } activas, { $pending } pendientes de aprobación
home-browse-catalog = Explorar el catálogo
home-live = Mis solicitudes, en directo
home-live-empty = Las solicitudes que haga con sus claves aparecerán aquí al finalizar.
tokens-in-out = { $input } tokens de entrada / { $output } de salida
keys-count = { $count ->
    [one] { $count } clave
   *[other] { $count } claves
}

## Catálogo y modelos
catalog-lead = Todos los modelos de todos los clústeres. Suscríbase a un modelo para añadirlo a sus claves.
catalog-search-placeholder = Nombre, descripción o proveedor
catalog-count = { $shown } de { $total } modelos
catalog-empty-title = Aún no hay modelos
catalog-empty-body = Ningún administrador ha registrado todavía un modelo.
catalog-no-match = Ningún modelo coincide con estos filtros
filter-all = Todos
filter-cluster = Clúster
filter-subscribed = Solo suscritos
view-cards = Tarjetas
view-table = Tabla
col-model = Modelo
col-provider = Proveedor
col-capabilities = Capacidades
col-price = Precio por millón de tokens
col-context = Longitud de contexto
col-status = Estado
col-history = Historial
col-actions = Acciones
price-per-million = { $input } entrada / { $output } salida por millón de tokens
price-input = Entrada, por millón de tokens
price-output = Salida, por millón de tokens
price-audio-minute = Audio, por minuto
context-length = { $tokens } tokens de contexto
health = Estado de salud
health-healthy = correcto
health-unhealthy = falla las comprobaciones de salud
health-unknown = aún no comprobado
health-disabled = deshabilitado
restricted = Restringido
cap-chat = Chat
cap-completion = Completado
cap-embeddings = Embeddings
cap-document-conversion = Conversión de documentos
cap-tokenize = Tokenización
cap-vision = Visión
cap-tools = Herramientas
cap-rerank = Reordenación
cap-audio-transcription = Voz a texto
cap-messages = Anthropic Messages
cap-other = Otros
subscribe = Suscribirse
request-access = Solicitar acceso
access-title = Solicitar acceso a { $model }
access-reason = ¿Para qué lo necesita? (opcional; los administradores lo leen)
subscribed-active = Está suscrito a { $model }.
subscribed-pending = Su solicitud para { $model } está pendiente de la aprobación de un administrador.
model-details = Detalles
model-deployments = Clústeres
model-my-subscription = Mi suscripción
model-how-to-call = Cómo llamarlo
model-open-explained = Suscríbase para usar este modelo con sus claves; el acceso es inmediato.
model-restricted-explained = Este modelo está restringido: un administrador aprueba cada solicitud de acceso.
snippets = Ejemplos de código

## Suscripciones
subscriptions-lead = Los modelos que puede añadir a sus claves y las solicitudes pendientes de aprobación.
subscriptions-empty-title = Aún no hay suscripciones
subscriptions-empty-body = Suscríbase a un modelo del catálogo para usarlo con sus claves.
status-active = Activa
status-pending = Pendiente de aprobación
status-denied = Denegada
status-cancelled = Cancelada
history-start = { $to }
history-change = { $from } → { $to }
history-by-you = por usted
history-by-admin = por un administrador
cancel-subscription = Cancelar suscripción
cancel-subscription-body = ¿Cancelar su suscripción a { $model }? Se quitará de sus claves de inmediato.
subscription-cancelled = Su suscripción a { $model } se ha cancelado.
request-review = Solicitar una revisión
review-message = ¿Por qué debería revisarse de nuevo? (opcional)
review-requested = Su solicitud se ha enviado a los administradores.

## Claves
keys-lead = Las claves permiten que su código llame a los modelos a los que está suscrito. El secreto se muestra una sola vez, al crearla.
keys-of-cap = { $count } de { $cap } claves
keys-empty-title = Aún no hay claves
keys-empty-body = Cree una clave para llamar a sus modelos desde el código.
key-create = Crear clave
key-edit = Editar
key-name = Nombre
key-models = Modelos
key-no-subscriptions = No tiene ninguna suscripción activa para añadir a una clave.
key-expiry = Caduca
key-spend = Gasto
key-limits = Límites
key-last-used = Último uso
key-budget = Presupuesto
key-soft-budget = Aviso a partir de
key-budget-duration = Restablecimiento del presupuesto
key-budget-never-resets = Nunca
key-rpm = Solicitudes por minuto
key-tpm = Tokens por minuto
key-parallel = Solicitudes simultáneas
key-rpd = Solicitudes por día
key-unlimited = Sin límite
key-max = Como máximo { $max }
key-bad-number = { $field } debe ser un número mayor o igual que cero.
key-name-and-models = Asigne un nombre a la clave y elija al menos un modelo.
key-active = Activa
key-revoked = Revocada
key-expired = Caducada
key-rotate = Rotar
key-rotate-title = Rotar { $name }
key-rotate-body = Un nuevo secreto sustituye al anterior; la clave conserva su configuración y su gasto.
key-rotate-grace = El secreto anterior sigue funcionando
key-revoke = Revocar
key-revoke-body = ¿Revocar { $name }? Las solicitudes con ella se rechazarán hasta que la restaure.
key-restore = Restaurar
key-restore-body = ¿Restaurar { $name }? Las solicitudes con ella volverán a funcionar.
key-delete = Eliminar
key-delete-body = ¿Eliminar { $name } definitivamente? Esta acción no se puede deshacer.
key-revoked-toast = { $name } se ha revocado.
key-restored-toast = { $name } vuelve a funcionar.
key-deleted-toast = { $name } se ha eliminado.
limit-rpm = { $n } solicitudes/min
limit-tpm = { $n } tokens/min
limit-parallel = { $n } a la vez
limit-rpd = { $n } solicitudes/día
limits-none = Sin límites
expiry-default = Valor predeterminado de la plataforma
expiry-default-days = El valor predeterminado es { $days } días.
expiry-1d = En un día
expiry-30d = En 30 días
expiry-90d = En 90 días
expiry-date = En una fecha
expiry-never = Nunca
period-daily = Diario
period-weekly = Semanal
period-monthly = Mensual
grace-none = No: detenerlo ahora
grace-1h = Durante una hora
grace-24h = Durante un día
grace-7d = Durante una semana
secret-title = El secreto de { $name }
secret-once = Copie el secreto ahora: no se volverá a mostrar y no se puede recuperar.
secret-label = Secreto
secret-done = Ya lo he guardado

## Uso
usage-lead = Lo que han consumido y costado sus solicitudes, por modelo o por clave.
usage-period = Periodo
period-24h = Últimas 24 horas
period-7d = Últimos 7 días
period-30d = Últimos 30 días
period-90d = Últimos 90 días
period-custom = Fechas personalizadas
usage-from = Desde
usage-to = Hasta
usage-range = Del { $from } al { $to } (UTC)
usage-granularity = Intervalos
granularity-hour = Horas
granularity-day = Días
usage-split = Desglosar por
split-model = Modelo
split-key = Clave
split-none = Nada
usage-csv = Exportar CSV
usage-empty-title = Sin uso en este periodo
usage-empty-body = Las solicitudes hechas con sus claves aparecen aquí en menos de un segundo.
usage-spend = Gasto
usage-requests = Solicitudes
usage-tokens = Tokens
usage-error-rate = Tasa de errores
usage-latency = Latencia (p50 / p95)
usage-change = { $change } respecto al periodo anterior
usage-top = Mayor gasto
usage-group = Modelo o clave
usage-bucket = Inicio del periodo (UTC)
usage-all = Todos
tokens-input = Tokens de entrada
tokens-output = Tokens de salida
chart-show-table = Mostrar como tabla
chart-show-chart = Mostrar como gráfico

## Área de juegos
playground-lead = Pruebe sus modelos en el navegador: las respuestas se muestran a medida que se escriben y cuestan como cualquier otra solicitud (aparecen como «Playground» en la página de uso).
playground-empty-title = Aún no hay ningún modelo de chat para probar
playground-empty-body = Primero suscríbase a un modelo de chat en el catálogo.
playground-compare = Comparar con un segundo modelo
playground-second-model = Segundo modelo
playground-settings = Configuración
playground-system = Instrucciones del sistema
playground-temperature = Temperatura
playground-max-tokens = Máximo de tokens
playground-key = Usar una de mis claves en su lugar (opcional)
playground-key-help = Solo se conserva en esta página y nunca se almacena: sirve para probar el acceso y los límites de esa clave.
playground-prompt = Mensaje
playground-code = Ver código
playground-clear = Empezar de nuevo
playground-you = Usted:
playground-model = Modelo:
playground-usage = { $input } tokens de entrada / { $output } de salida · { $cost }

## Cuenta
profile = Perfil
profile-name = Nombre
profile-roles = Roles
preferences = Preferencias
sessions = Navegadores con sesión iniciada
session-browser = Navegador
session-ip = Dirección
session-last-seen = Última actividad (UTC)
session-current = Este navegador
session-revoke = Cerrar sesión allí
session-revoke-body = ¿Cerrar la sesión de ese navegador? Tendrá que volver a iniciar sesión.
tokens = Tokens de acceso personal
tokens-lead = Los tokens permiten que los scripts usen la API de GraphQL en su nombre. El token se muestra una sola vez, al crearlo.
tokens-empty = No tiene tokens.
token-create = Crear token
token-name = Nombre
token-name-required = Asigne un nombre al token.
token-can-write = Puede hacer cambios (si no, solo puede leer)
token-scope = Alcance
token-read-only = Solo lectura
token-read-write = Lectura y escritura
token-revoke = Revocar token
token-revoke-body = ¿Revocar el token { $name }? Los scripts que lo usan dejarán de funcionar.

## Administración: Imagen de marca
brand-lead = El nombre, los colores, los textos y los logotipos del portal, tal como los ve todo el mundo, haya iniciado sesión o no. Nada cambia hasta que guarde; la vista previa muestra cómo quedará.
brand-texts = Títulos y textos
brand-title = Título
brand-title-help = El nombre del portal, en la cabecera, en la pestaña del navegador y en la página de inicio de sesión.
brand-title-required = Dé un título al portal.
brand-subtitle = Subtítulo
brand-subtitle-help = Una línea bajo el título en la página de inicio de sesión.
brand-login-title = Encabezado de inicio de sesión
brand-login-title-help = Encima del formulario de inicio de sesión. Vacío: «Iniciar sesión».
brand-login-text = Texto de inicio de sesión
brand-login-text-help = Se muestra en la página de inicio de sesión, por ejemplo quién puede iniciar sesión y cómo. Vacío: ninguno.
brand-footer-text = Texto del pie de página
brand-footer-text-help = Al final de cada página. Vacío: ninguno.
brand-colours = Colores
brand-primary = Color principal
brand-primary-help = El relleno de los botones principales y de las casillas, como #rrggbb. Vacío: el azul propio de PatternFly.
brand-primary-default = Se usan los colores de marca propios de PatternFly, legibles en ambos temas.
brand-accent = Color de acento
brand-accent-help = Una franja bajo la cabecera, como #rrggbb; no lleva texto encima. Vacío: ninguna.
brand-pick-colour = { $field }: elegir un color
brand-bad-colour = { $field } debe ser un color como #1a2b3c, o quedar vacío.
brand-bad-colour-here = No es un color: escríbalo como #1a2b3c, o déjelo vacío.
brand-text-light = blanco
brand-text-dark = oscuro
brand-contrast-ok = Los botones de este color llevan texto { $text }, con un contraste de { $ratio }:1 (WCAG AA pide al menos 4.5:1).
brand-contrast-low = Contraste bajo: incluso el texto más legible sobre este color solo alcanza { $ratio }:1, por debajo del 4.5:1 que pide WCAG AA. Elija un color más oscuro o más claro.
brand-logos = Logotipos
brand-logos-lead = PNG, JPEG, WebP o SVG, de hasta 512 KiB cada uno. La imagen elegida se muestra aquí y en la vista previa; se sube al guardar.
brand-logo-header-light = Logotipo de la cabecera, tema claro
brand-logo-header-light-help = Sustituye al título en la cabecera sobre fondo claro.
brand-logo-header-dark = Logotipo de la cabecera, tema oscuro
brand-logo-header-dark-help = Sustituye al título en la cabecera sobre fondo oscuro.
brand-logo-login = Logotipo de inicio de sesión
brand-logo-login-help = Encima del título en la página de inicio de sesión.
brand-logo-state-saved = Guardado.
brand-logo-state-new = Nuevo: se sube al guardar.
brand-logo-state-removed = Se quita al guardar.
brand-logo-state-none = Sin logotipo.
brand-logo-remove = Quitar
brand-logo-undo = Deshacer
brand-logo-bad-type = Ese archivo no es una imagen PNG, JPEG, WebP ni SVG.
brand-logo-too-big = Ese archivo está vacío o supera los 512 KiB.
brand-logo-unreadable = El navegador no pudo leer ese archivo.
brand-preview = Vista previa
brand-preview-lead = Cómo quedarán la cabecera y la página de inicio de sesión, según el formulario.
brand-preview-button = Botón
brand-saved = Imagen de marca guardada.

## Administración
admin-read-only-why = Es administrador de solo lectura: puede ver todo lo que hay aquí, pero solo un administrador puede cambiarlo.
queue-lead = Las suscripciones de todos. Los modelos restringidos esperan aquí una decisión; al denegar, los usuarios ven el motivo que usted indique.
queue-user = Usuario
queue-user-placeholder = Nombre, correo electrónico o id, y luego Intro
queue-since = Cambiadas desde
queue-until = Cambiadas hasta
queue-count = { $count ->
    [one] Una suscripción
   *[other] { $count } suscripciones
}
queue-select-all = Seleccionar todas las solicitudes pendientes
queue-select = Seleccionar la solicitud de { $user } para { $model }
queue-approve-selected = Aprobar ({ $count })
queue-deny-selected = Denegar ({ $count })
queue-deny = Denegar
queue-deny-title = { $count ->
    [one] Denegar una solicitud
   *[other] Denegar { $count } solicitudes
}
queue-deny-reason = Motivo
queue-deny-reason-help = Los usuarios ven este motivo y pueden solicitar una revisión.
queue-deny-reason-required = Indique un motivo: los usuarios lo ven.
queue-revert = Volver a pendiente
queue-revert-body = ¿Devolver { $what } a pendiente de decisión? Una suscripción aprobada se quita de las claves del usuario hasta que se vuelva a aprobar.
queue-approved = { $count ->
    [one] Se ha aprobado una solicitud.
   *[other] Se han aprobado { $count } solicitudes.
}
queue-denied = { $count ->
    [one] Se ha denegado una solicitud.
   *[other] Se han denegado { $count } solicitudes.
}
queue-reverted = La suscripción vuelve a estar pendiente.
queue-empty-title = No hay nada aquí
queue-empty-body = Ninguna suscripción coincide con estos filtros.
settings-lead = Cómo pueden ser las claves, con qué empiezan los usuarios nuevos y la moneda. Los cambios se aplican a las claves que se creen o modifiquen a partir de ahora.
settings-none = Ninguno
settings-saved = Configuración guardada.
settings-key-policy = Política de claves
settings-key-policy-lead = Los valores predeterminados rellenan lo que se deja vacío en una clave nueva; los máximos son lo más que se puede pedir. Vacío significa sin valor predeterminado o sin máximo.
settings-platform = Plataforma
settings-new-users = Usuarios nuevos
settings-new-users-lead = Con lo que empieza cada usuario la primera vez que inicia sesión. Los usuarios existentes conservan sus propios límites.
policy-max-keys = Claves por usuario
policy-max-keys-help = Cuántas claves puede tener una persona, incluidas las revocadas.
policy-default-expiry = Caducidad predeterminada (días)
policy-default-expiry-help = Cuánto dura una clave cuando su propietario no elige caducidad. Vacío: no caduca.
policy-max-expiry = Caducidad máxima (días)
policy-max-expiry-help = Lo máximo que puede durar una clave. Si se define, ya no se pueden crear claves sin caducidad.
policy-default-budget = Presupuesto predeterminado
policy-default-budget-help = El presupuesto que recibe una clave cuando no se pide ninguno.
policy-max-budget = Presupuesto máximo
policy-max-budget-help = El mayor presupuesto que puede tener una clave.
policy-default-rpm = Solicitudes por minuto predeterminadas
policy-default-rpm-help = Se asigna a una clave cuando su propietario no define ningún valor.
policy-max-rpm = Máximo de solicitudes por minuto
policy-max-rpm-help = Se rechaza una clave que pida más.
policy-default-tpm = Tokens por minuto predeterminados
policy-default-tpm-help = Se asigna a una clave cuando su propietario no define ningún valor.
policy-max-tpm = Máximo de tokens por minuto
policy-max-tpm-help = Se rechaza una clave que pida más.
policy-default-parallel = Solicitudes simultáneas predeterminadas
policy-default-parallel-help = Se asigna a una clave cuando su propietario no define ningún valor.
policy-max-parallel = Máximo de solicitudes simultáneas
policy-max-parallel-help = Se rechaza una clave que pida más.
policy-default-rpd = Solicitudes por día predeterminadas
policy-default-rpd-help = Se asigna a una clave cuando su propietario no define ningún valor.
policy-max-rpd = Máximo de solicitudes por día
policy-max-rpd-help = Se rechaza una clave que pida más.
currency = Moneda
currency-help = El código ISO 4217 en el que se muestran los precios y el gasto (USD, EUR, …). Es solo una etiqueta: no se convierte nada.
new-user-budget = Presupuesto
new-user-budget-help = El límite de gasto con el que empieza cada usuario nuevo. Vacío: ninguno.
new-user-duration = Restablecimiento del presupuesto
new-user-duration-help = Cada cuánto se reinicia ese presupuesto: diario, semanal, mensual o una duración como 30d.
new-user-rpm = Solicitudes por minuto
new-user-rpm-help = Entre todas las claves de un usuario nuevo.
new-user-tpm = Tokens por minuto
new-user-tpm-help = Entre todas las claves de un usuario nuevo.
new-user-parallel = Solicitudes simultáneas
new-user-parallel-help = Entre todas las claves de un usuario nuevo.
new-user-rpd = Solicitudes por día
new-user-rpd-help = Entre todas las claves de un usuario nuevo, por día natural en UTC.
banners-lead = Avisos en la parte superior de todas las páginas, para todos o para los roles elegidos, según un calendario.
banners-empty-title = No hay banners
banners-empty-body = Escriba uno para informar sobre mantenimientos, modelos nuevos o cambios.
banner-create = Nuevo banner
banner-edit = Editar banner
banner-delete = Eliminar banner
banner-delete-body = ¿Eliminar el banner «{ $text }»? Nadie lo volverá a ver.
banner-saved = Banners actualizados.
banner-text = Texto
banner-text-help = Markdown: **negrita**, *cursiva*, [enlaces](https://example.com) y listas. Los scripts y los estilos se eliminan.
banner-text-required = Escriba el texto del banner.
banner-preview = Vista previa
banner-preview-empty = La vista previa aparece mientras escribe.
banner-variant = Estilo
banner-variant-info = Información
banner-variant-success = Éxito
banner-variant-warning = Advertencia
banner-variant-danger = Peligro
banner-audience = Quién lo ve
banner-audience-help = No marque nada para mostrarlo a todos, hayan iniciado sesión o no.
banner-audience-everyone = Todos
banner-starts = Inicio (UTC)
banner-ends = Fin (UTC)
banner-schedule = Programación (UTC)
banner-schedule-help = Deje las horas vacías para mostrarlo desde ahora hasta que se desactive.
banner-always = Siempre
banner-active = Activado
banner-dismissible = Los usuarios pueden descartarlo
banner-state-showing = Visible
banner-state-scheduled = Programado
banner-state-ended = Finalizado
banner-state-off = Desactivado

## Administración: modelos y despliegues
models-lead = Todos los modelos con sus despliegues en cada clúster, su estado de salud y cómo se reparte el tráfico. Los modelos declarados en la configuración del servidor se cambian allí.
models-empty-title = Aún no hay modelos
models-empty-body = Añada un despliegue: el modelo se crea con él.
models-saved = Catálogo actualizado.
models-reload = Recargar la configuración
models-reloaded-changed = { $count ->
    [one] Configuración aplicada: { $count } modelo en servicio.
   *[other] Configuración aplicada: { $count } modelos en servicio.
}
models-reloaded-same = { $count ->
    [one] Configuración sin cambios: { $count } modelo en servicio.
   *[other] Configuración sin cambios: { $count } modelos en servicio.
}
model-source-configuration = Desde la configuración
model-configured-why = Declarado en la configuración del servidor: cámbielo allí y luego recargue.
model-declared-in = Declarado en { $file }
model-prices = { $input } entrada / { $output } salida por millón de tokens
model-name = Nombre del modelo
model-name-new = Se crea un modelo nuevo con este nombre.
model-name-existing = El despliegue se añade a este modelo existente.
model-new = El modelo nuevo
model-provider = Proveedor
model-context = Longitud de contexto (tokens)
model-input-price = Precio de entrada por millón de tokens
model-output-price = Precio de salida por millón de tokens
model-description = Descripción
model-restricted = Restringido: las suscripciones esperan aprobación
model-restricted-help = Al restringir un modelo, sus suscripciones activas vuelven a estar pendientes; al quitar la restricción, se aprueban las pendientes.
model-edit-title = Editar { $model }
model-delete = Eliminar modelo
model-delete-body = ¿Eliminar { $model } con todos sus despliegues? Se quita de las claves y sus suscripciones terminan.
deployments-of = Despliegues de { $model }
deployment-add = Añadir despliegue
deployment-added = { $model } tiene un despliegue nuevo.
deployment-required = Se necesitan un nombre de modelo, un clúster y la dirección del servidor.
deployment-cluster = Clúster
deployment-api-base = Dirección
deployment-api-base-help = La URL base compatible con OpenAI del servidor del modelo, como https://granite.apps.example.com/v1.
deployment-api-key = Credencial
deployment-api-key-help = Se envía al servidor del modelo como token de portador (bearer); se guarda cifrada y no se vuelve a mostrar.
deployment-api-key-keep = Déjelo vacío para conservar la credencial guardada.
deployment-backend-model = Nombre en el servidor del modelo
deployment-backend-model-help = El nombre con el que lo conoce el servidor del modelo; si se deja vacío, se usa el nombre del modelo.
deployment-weight = Peso
deployment-weight-help = Su parte del tráfico del modelo frente a los pesos de los demás despliegues.
deployment-timeout = Tiempo de espera (ms)
deployment-timeouts = Tiempos de espera
deployment-first-byte = Tiempo de espera del primer byte (ms)
deployment-first-byte-help = Lo máximo que se esperan las cabeceras de la respuesta; si se deja vacío, se usa el valor predeterminado de la pasarela.
deployment-first-byte-short = primer byte: { $time }
deployment-default = predeterminado
deployment-parallel = Solicitudes simultáneas
deployment-parallel-help = Solicitudes en curso a la vez en este despliegue; vacío para no poner límite.
deployment-cooling = Fuera del enrutamiento tras varios fallos hasta { $until }
deployment-edit-title = Editar { $model } en { $cluster }
deployment-remove = Quitar
deployment-remove-body = ¿Quitar { $model } de { $cluster }? Si es su último despliegue, también se elimina el modelo.
connection-test = Probar la conexión
connection-testing = Probando…
connection-ok = El servidor del modelo respondió
connection-failed = La conexión falló
connection-details = Estado HTTP { $status } · { $latency }
connection-models = Modelos que ofrece:
connection-use-model = Usar un modelo que ofrece
connection-use = Usar { $model }

## Administración: uso
usage-everyone-lead = Solicitudes, tokens y gasto de todos, divididos por usuario, modelo, clave o proveedor, con las mismas cifras en CSV.
split-user = Usuario
split-provider = Proveedor
## Administration: audit log

audit-lead = Cada cambio hecho en el portal, por GraphQL o con la API de administración: quién lo hizo, qué pidió y qué resultó. Los secretos nunca se registran.
audit-action = Acción
audit-actor = Quién
audit-actor-placeholder = Nombre o correo electrónico
audit-object = Objeto
audit-object-placeholder = Tipo o id
audit-text = Buscar en todo
audit-text-placeholder = Cualquier texto de una entrada, y luego Intro
audit-since = Desde
audit-until = Hasta
audit-csv = Exportar CSV
audit-count = { $count ->
    [0] Ninguna entrada
    [one] Una entrada
   *[other] { $count } entradas
}
audit-limit = Solo se muestran las { $count } entradas más recientes que coinciden; acote los filtros o las fechas para llegar a las anteriores.
audit-empty-title = Ningún cambio coincide
audit-empty-body = Pruebe con otros filtros o un intervalo de fechas más amplio.
audit-when = Cuándo
audit-details = Detalles
audit-details-of = Detalles de { $action } por { $actor }
audit-show = Mostrar
audit-hide = Ocultar
audit-before = Antes
audit-input = Entrada
audit-result = Resultado
audit-nothing = Nada registrado
audit-refused = Rechazado
audit-refused-why = Rechazado: { $reason }
audit-newer = Más recientes
audit-older = Más antiguas

## Administración: usuarios
users-lead = Todos los que han iniciado sesión o se han dado de alta: sus roles, su gasto y su estado. Abra uno para cambiar sus límites, su acceso y sus claves.
users-empty-title = Nadie coincide
users-empty-body = Pruebe con otro nombre, rol o estado.
users-search = Buscar
users-search-placeholder = Nombre, correo electrónico o id, y luego Intro
users-count = { $count ->
    [0] Ningún usuario
    [one] Un usuario
   *[other] { $count } usuarios
}
user-active = Activo
user-inactive = Desactivado
user-spend = Gasto en este periodo
user-last-sign-in = Último inicio de sesión (UTC)
user-never = Nunca
user-back = ← Todos los usuarios
user-id = Id de usuario
user-sign-in = Inicia sesión con
user-sso = Inicio de sesión único
user-local = Una cuenta local
user-created = Creado (UTC)
user-resets = El presupuesto se restablece el { $at } (UTC).
user-reset-spend = Restablecer el gasto
user-reset-body = ¿Reiniciar desde cero el periodo de presupuesto de { $name }? Lo que ha gastado se conserva en los informes de uso.
user-spend-reset = Gasto restablecido.
user-deactivate = Desactivar
user-deactivate-body = ¿Desactivar a { $name }? Sus sesiones del navegador terminan de inmediato, sus tokens y claves de API dejan de funcionar y no podrá iniciar sesión hasta que se reactive. No se elimina nada.
user-reactivate = Reactivar
user-active-means = Activo: el usuario puede iniciar sesión y sus tokens y claves funcionan dentro de sus límites.
user-inactive-means = Desactivado: el usuario no puede iniciar sesión y sus tokens y claves se rechazan. Reactívelo para devolverle todo tal como estaba.
user-saved = Usuario actualizado.
user-roles-sso = Usa el inicio de sesión único: sus roles se vuelven a asignar según sus grupos la próxima vez que inicie sesión.
user-limits = Presupuesto y límites
user-limits-lead = Entre todas sus claves. Vacío significa sin límite.
user-max-budget = Presupuesto
user-soft-budget = Aviso a partir de
user-budget-duration = Restablecimiento del presupuesto (daily, weekly, monthly, 30d…)
user-rpm = Solicitudes por minuto
user-tpm = Tokens por minuto
user-parallel = Solicitudes simultáneas
user-rpd = Solicitudes por día
user-no-keys = No hay claves.
user-key-revoked = Clave revocada.
user-revoke-body = ¿Revocar la clave { $key } de { $name }? Las solicitudes con ella se rechazarán hasta que se restaure.
user-no-subscriptions = No hay suscripciones.
user-grant-model = Dar acceso a
user-grant = Dar acceso
user-granted = Acceso concedido.
user-withdraw = Retirar
user-withdraw-body = ¿Retirar a { $name } el acceso a { $model }? Se quita de sus claves de inmediato. Para recuperarlo necesitará una revisión.
user-withdrawn = Acceso retirado.
user-no-sessions = Ninguna sesión iniciada.
user-session-seen = última actividad: { $at } (UTC)
user-no-tokens = No hay tokens de acceso personal.
user-key-edit = Editar límites
user-key-edit-title = Límites de { $key }
user-key-edit-lead = Dentro de la política de claves: un campo vacío toma el valor predeterminado de la política y ningún valor puede superar su máximo.
user-key-saved = Límites de la clave guardados.
user-session-end = Cerrar sesión
user-session-end-body = ¿Cerrar esta sesión de { $name } ({ $browser })? Ese navegador queda desconectado de inmediato y tendrá que volver a iniciar sesión.
user-session-ended = Sesión cerrada.
user-token-revoke-body = ¿Revocar el token { $token } de { $name }? Los scripts que lo usan dejan de funcionar de inmediato.
user-token-revoked = Token revocado.


## Administration: overview
overview-lead = Toda la plataforma de un vistazo: hoy y un periodo, en qué se gasta y qué requiere atención. Las cifras se actualizan a medida que se liquidan las solicitudes.
overview-today = Hoy (UTC)
overview-active-users = Usuarios activos
overview-active-keys = Claves activas
overview-by-model = Gasto por modelo
overview-by-cluster = Gasto por clúster
overview-no-cluster = Sin clúster
overview-no-usage = No hay solicitudes en este periodo.
overview-queue = Solicitudes de suscripción
overview-pending = { $count ->
    [one] { $count } solicitud espera una decisión
   *[other] { $count } solicitudes esperan una decisión
}
overview-open-queue = Abrir la cola de suscripciones
overview-attention = Despliegues que requieren atención
overview-all-healthy = Todos los despliegues habilitados superan sus comprobaciones de salud.
overview-cooling = en pausa hasta { $until }
overview-open-models = Abrir modelos y despliegues

## Administration: banner languages

banner-languages = Idiomas
banner-language-written = (tiene texto)
banner-text-in = Texto en { $language }
banner-text-english-help = Obligatorio. Lo ven las personas en cuyo idioma el banner no tiene texto.
banner-text-translation-help = Opcional. Las personas con el portal en { $language } ven este texto; sin él, ven el texto en inglés.

## Administración: nuevas cuentas locales
user-create = Nuevo usuario
user-create-lead = Una cuenta local: la persona inicia sesión con su dirección de correo electrónico y una contraseña que elige mediante un enlace de un solo uso que usted le da.
user-email = Dirección de correo electrónico
user-link-title = Enlace de contraseña de un solo uso
user-link-body = Dé este enlace a la persona: le permite elegir su contraseña una sola vez, hasta el { $at } (UTC). Solo se muestra ahora; un enlace nuevo lo sustituye.
user-link-done = Hecho
user-new-link = Nuevo enlace de contraseña
set-password-title = Elija su contraseña
set-password-new = Nueva contraseña
set-password-again = La misma contraseña otra vez
set-password-help = Al menos { $count } caracteres.
set-password-save = Establecer contraseña
set-password-short = La contraseña es demasiado corta.
set-password-mismatch = Las dos contraseñas no coinciden.
set-password-done = Su contraseña está establecida. Ya puede iniciar sesión.
set-password-no-link = Esta página necesita el enlace que le dio un administrador. Pídale uno nuevo si lo ha perdido o ha caducado.
