{{/*
Named templates for running the service as a container in the app's own pod, with the
token API (docs/token-api.md) on loopback. This file stands alone: teams copy it into
their own chart's templates/ and include the templates in their Deployment
(examples/kubernetes/token-sidecar.yaml shows the rendered result):

  containers:
    - name: app
      image: my-app:1.0.0
      env:
        {{- include "idp-oidc-middleware.tokenApiEnv" (dict "port" 7164) | nindent 8 }}
    {{- include "idp-oidc-middleware.tokenSidecarContainer" (dict
          "image" "ghcr.io/example/idp-oidc-middleware:1.0.0"
          "domain" "app.example.com"
          "tenantId" "<tenant id>"
          "secretName" "my-app-idp"
          "upstreamPort" 8080
          "downstreamApis" (dict "graph" (dict "BaseUrl" "https://graph.microsoft.com/v1.0/" "RelativePath" "me" "Scopes" (list "User.Read")))
        ) | nindent 4 }}

Parameters of tokenSidecarContainer: image, domain, secretName (keys client_id,
client_secret, session_secret) and issuerUrl or tenantId are required; upstreamPort
(default 8080: the app's port, proxied on 4180 as UPSTREAM_URL), tokenApiPort (default
7164), downstreamApis (DOWNSTREAM_APIS), env (extra [{name, value}]) and resources are optional.
*/}}

{{/* The app container's environment: where the texas-compatible endpoints are. */}}
{{- define "idp-oidc-middleware.tokenApiEnv" -}}
{{- $port := int (default 7164 .port) -}}
- name: NAIS_TOKEN_ENDPOINT
  value: "http://127.0.0.1:{{ $port }}/api/v1/token"
- name: NAIS_TOKEN_EXCHANGE_ENDPOINT
  value: "http://127.0.0.1:{{ $port }}/api/v1/token/exchange"
- name: NAIS_TOKEN_INTROSPECTION_ENDPOINT
  value: "http://127.0.0.1:{{ $port }}/api/v1/introspect"
{{- end }}

{{/* The service as a container in the app's pod: sidecar mode (UPSTREAM_URL) plus the token API on loopback. */}}
{{- define "idp-oidc-middleware.tokenSidecarContainer" -}}
{{- $image := required "tokenSidecarContainer: image is required" .image -}}
{{- $domain := required "tokenSidecarContainer: domain is required" .domain -}}
{{- $secret := required "tokenSidecarContainer: secretName is required" .secretName -}}
{{- $_ := required "tokenSidecarContainer: issuerUrl or tenantId is required" (or .issuerUrl .tenantId) -}}
- name: idp-oidc-middleware
  image: {{ $image | quote }}
  ports:
    - name: http
      containerPort: 4180
      protocol: TCP
    - name: probes
      containerPort: 4181
      protocol: TCP
  env:
    - name: DOMAIN
      value: {{ $domain | quote }}
    {{- if .issuerUrl }}
    - name: OIDC_ISSUER_URL
      value: {{ .issuerUrl | quote }}
    {{- else }}
    - name: AZURE_TENANT_ID
      value: {{ .tenantId | quote }}
    {{- end }}
    - name: OIDC_CLIENT_ID
      valueFrom:
        secretKeyRef:
          name: {{ $secret }}
          key: client_id
    - name: OIDC_CLIENT_SECRET
      valueFrom:
        secretKeyRef:
          name: {{ $secret }}
          key: client_secret
    - name: SESSION_SECRET
      valueFrom:
        secretKeyRef:
          name: {{ $secret }}
          key: session_secret
    - name: UPSTREAM_URL
      value: "http://127.0.0.1:{{ int (default 8080 .upstreamPort) }}"
    - name: PORT
      value: "4180"
    - name: PROBE_PORT
      value: "4181"
    - name: TOKEN_API_ADDRESS
      value: "127.0.0.1:{{ int (default 7164 .tokenApiPort) }}"
    {{- with .downstreamApis }}
    - name: DOWNSTREAM_APIS
      value: {{ toJson . | quote }}
    {{- end }}
    {{- with .env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  livenessProbe:
    httpGet:
      path: /healthz
      port: probes
  readinessProbe:
    httpGet:
      path: /readyz
      port: probes
  resources:
    {{- toYaml (default (dict "requests" (dict "cpu" "50m" "memory" "64Mi") "limits" (dict "memory" "128Mi")) .resources) | nindent 4 }}
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    runAsNonRoot: true
    capabilities:
      drop: ["ALL"]
{{- end }}
