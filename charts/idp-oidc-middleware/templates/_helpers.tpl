{{/* Chart name, for the app.kubernetes.io/name label. */}}
{{- define "idp-oidc-middleware.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of every object. The release name by default (not <release>-<chart>), so the
Middleware keeps the name the 0.3.x chart gave it and ingress references
(<namespace>-<release>@kubernetescrd) keep working.
*/}}
{{- define "idp-oidc-middleware.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "idp-oidc-middleware.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "idp-oidc-middleware.selectorLabels" -}}
app.kubernetes.io/name: {{ include "idp-oidc-middleware.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "idp-oidc-middleware.labels" -}}
helm.sh/chart: {{ include "idp-oidc-middleware.chart" . }}
{{ include "idp-oidc-middleware.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Container port of the service; fixed, the Middleware address depends on it. */}}
{{- define "idp-oidc-middleware.port" -}}4180{{- end }}

{{/* The probe listener (PROBE_PORT): /healthz, /readyz and /metrics, never on the public port. */}}
{{- define "idp-oidc-middleware.probePort" -}}4181{{- end }}

{{/* Name of the Secret holding client_id, client_secret and session_secret. */}}
{{- define "idp-oidc-middleware.secretName" -}}
{{- if .Values.existingSecret }}{{ .Values.existingSecret }}{{ else }}{{ include "idp-oidc-middleware.fullname" . }}{{ end }}
{{- end }}

{{/* Cookie name prefix: cookieNamePrefix, or _<release>_ (release cut to 30 characters; the service allows 32). */}}
{{- define "idp-oidc-middleware.cookiePrefix" -}}
{{- .Values.cookieNamePrefix | default (printf "_%s_" (trunc 30 .Release.Name)) }}
{{- end }}

{{/* Replicas the workload runs with at least: replicaCount, or the HPA minimum. */}}
{{- define "idp-oidc-middleware.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/* Reduce a path or a full URL to its path (and query). */}}
{{- define "idp-oidc-middleware.pathOf" -}}
{{- $u := urlParse . }}
{{- $p := $u.path | default "/" }}
{{- if $u.query }}{{ printf "%s?%s" $p $u.query }}{{ else }}{{ $p }}{{ end }}
{{- end }}

{{/*
UNAUTHENTICATED_BEHAVIOR from unauthorizedBehavior (Challenge/Unauthorized/Pass), autoLogin
(false: pass, the sidecar vocabulary) and loginUri; validate.yaml refuses contradictions.
*/}}
{{- define "idp-oidc-middleware.unauthenticatedBehavior" -}}
{{- $b := lower (toString .Values.unauthorizedBehavior) }}
{{- if eq $b "unauthorized" }}unauthorized
{{- else if or (eq $b "challenge") (eq $b "auto") }}auto
{{- else if eq $b "pass" }}pass
{{- else if eq (toString .Values.autoLogin) "false" }}pass
{{- else if .Values.loginUri }}unauthorized
{{- else }}auto
{{- end }}
{{- end }}

{{/* LOG_LEVEL from logLevel, accepting the plugin's spellings (DEBUG, WARNING, ...). */}}
{{- define "idp-oidc-middleware.logLevel" -}}
{{- $l := lower (toString .Values.logLevel) }}
{{- if eq $l "warning" }}warn{{ else }}{{ $l }}{{ end }}
{{- end }}

{{/*
Every header name the service may set, as JSON: the built-in five (user, email, subject, client id and name), the `headers`
names, authorizationHeader.name, and AUTHORIZATION_HEADER / ID_TOKEN_HEADER when
set through extraEnv.
*/}}
{{- define "idp-oidc-middleware.identityHeaderNames" -}}
{{- $names := list "X-Forwarded-User" "X-Forwarded-Email" "X-Forwarded-Subject" "X-Forwarded-Client-Id" "X-Forwarded-Client-Name" }}
{{- range .Values.headers }}
{{- $names = append $names .name }}
{{- end }}
{{- with .Values.authorizationHeader.name }}
{{- $names = append $names . }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if and (has .name (list "AUTHORIZATION_HEADER" "ID_TOKEN_HEADER")) .value }}
{{- $names = append $names (toString .value) }}
{{- end }}
{{- end }}
{{- toJson (uniq $names) }}
{{- end }}

{{/* The identity header names for forwardAuth: Traefik copies these to the request and drops client copies in this spelling. */}}
{{- define "idp-oidc-middleware.authResponseHeaders" -}}
{{- include "idp-oidc-middleware.identityHeaderNames" . }}
{{- end }}

{{/*
A regular expression matching every spelling of every identity header name: any
case, `-` or `_` at each separator. forwardAuth deletes every request header that
matches it before copying the service's, so no spelling the client sent survives.
*/}}
{{- define "idp-oidc-middleware.authResponseHeadersRegex" -}}
{{- $alternatives := list }}
{{- range include "idp-oidc-middleware.identityHeaderNames" . | fromJsonArray }}
{{- $parts := list }}
{{- range regexSplit "[-_]" . -1 }}
{{- $parts = append $parts (regexQuoteMeta .) }}
{{- end }}
{{- $alternatives = append $alternatives (join "[-_]" $parts) }}
{{- end }}
{{- printf "(?i)^(?:%s)$" (join "|" $alternatives) }}
{{- end }}

{{/*
Every `_`/`-` spelling of every identity header name, as JSON (2^k for k separators;
Traefik ignores case in header names, so one case each). A name that differs from
another only in case is listed once.
*/}}
{{- define "idp-oidc-middleware.identityHeaderSpellings" -}}
{{- $seen := dict }}
{{- range include "idp-oidc-middleware.identityHeaderNames" . | fromJsonArray }}
{{- $parts := regexSplit "[-_]" . -1 }}
{{- $spellings := list (first $parts) }}
{{- range rest $parts }}
{{- $part := . }}
{{- $next := list }}
{{- range $spellings }}
{{- $next = append $next (printf "%s-%s" . $part) }}
{{- $next = append $next (printf "%s_%s" . $part) }}
{{- end }}
{{- $spellings = $next }}
{{- end }}
{{- range $spellings }}
{{- $_ := set $seen (lower .) . }}
{{- end }}
{{- end }}
{{- $out := list }}
{{- range $key := keys $seen | sortAlpha }}
{{- $out = append $out (get $seen $key) }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/* Session cookie names: <prefix>session and its chunks _1.._5 (the cookie store splits into up to 6). */}}
{{- define "idp-oidc-middleware.sessionCookies" -}}
{{- $p := include "idp-oidc-middleware.cookiePrefix" . }}
{{- $names := list (printf "%ssession" $p) }}
{{- range $i := untilStep 1 6 1 }}
{{- $names = append $names (printf "%ssession_%d" $p $i) }}
{{- end }}
{{- if eq (toString (dig "fallback" "mode" "none" .Values.sessionStore)) "cookie" }}
{{- $names = append $names (printf "%ssession_fb" $p) }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/*
ASSERT_CLAIMS as JSON, or empty. The service takes exactly one of anyOf/allOf per rule;
a 0.3.x rule with both becomes two rules on the same claim (the plugin required both too).
*/}}
{{- define "idp-oidc-middleware.assertClaims" -}}
{{- $rules := list }}
{{- range .Values.authorization.assertClaims }}
{{- if .anyOf }}{{ $rules = append $rules (dict "name" .name "anyOf" .anyOf) }}{{ end }}
{{- if .allOf }}{{ $rules = append $rules (dict "name" .name "allOf" .allOf) }}{{ end }}
{{- end }}
{{- if $rules }}{{ toJson $rules }}{{ end }}
{{- end }}

{{/* A Traefik rule matching exactly these paths: Path(`a`) || Path(`b`) … */}}
{{- define "idp-oidc-middleware.directPaths" -}}
{{- $rules := list }}
{{- range . }}{{ $rules = append $rules (printf "Path(`%s`)" .) }}{{ end }}
{{- join " || " $rules }}
{{- end }}

{{/* How the client authenticates: "jwk" (provider.clientAuth.jwkSecret), "workloadIdentity" (azure.workloadIdentity) or "secret". */}}
{{- define "idp-oidc-middleware.clientAuth" -}}
{{- if .Values.provider.clientAuth.jwkSecret.name -}}jwk
{{- else if .Values.azure.workloadIdentity.enabled -}}workloadIdentity
{{- else -}}secret
{{- end -}}
{{- end }}

{{/* Where the private JWK Secret is mounted. */}}
{{- define "idp-oidc-middleware.jwkDir" -}}/var/run/secrets/idp-oidc-middleware/client-jwk{{- end }}

{{/*
ACCESS_POLICY (JSON) from the NAIS-style keys: accessPolicy.inbound.rules (matched on
clientId, named cluster:namespace:application), bearer.appRoles, bearer.userScopes,
azure.application.allowAllUsers and azure.application.claims.groups.
*/}}
{{- define "idp-oidc-middleware.accessPolicy" -}}
{{- $v := .Values }}
{{- $apps := list }}
{{- range $v.accessPolicy.inbound.rules }}
{{- $name := printf "%s:%s" (.namespace | default $.Release.Namespace) .application }}
{{- with .cluster }}{{ $name = printf "%s:%s" . $name }}{{ end }}
{{- $apps = append $apps (dict "name" $name "clientId" .clientId) }}
{{- end }}
{{- $groups := list }}
{{- range $v.azure.application.claims.groups }}
{{- $groups = append $groups .id }}
{{- end }}
{{- $users := dict "allowAll" $v.azure.application.allowAllUsers "groups" $groups "scopes" $v.bearer.userScopes }}
{{- toJson (dict "applications" $apps "appRoles" $v.bearer.appRoles "users" $users) }}
{{- end }}

{{/*
"true" when the service connects to Redis: always for sessionStore.type redis; for the
cookie store only with redis.enabledForCookieStore (revocable cookie sessions, shared
refresh locks), so a redis.url left over in a cookie-store values file changes nothing.
*/}}
{{- define "idp-oidc-middleware.redisEnabled" -}}
{{- $v := .Values }}
{{- if or (eq $v.sessionStore.type "redis") (and (eq $v.sessionStore.type "cookie") $v.redis.enabledForCookieStore) }}true{{ end }}
{{- end }}
