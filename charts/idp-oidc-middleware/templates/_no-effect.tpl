{{/*
Keys accepted for compatibility with the plugin-based chart that have no effect (values.yaml
says "Accepted, no effect"), each with the default that means "not set". NOTES.txt names the
ones a release sets to anything else, so a team learns that a setting it relies on is ignored
before the next major version removes the key. Keys set by the platform (idp_oidc_provider_url,
idp_aws_account) are left out: teams do not set them.
*/}}
{{- define "idp-oidc-middleware.noEffectDefaults" -}}
provider.usePkce: "true"
provider.tokenValidation: IdToken
provider.tokenRenewalThreshold: "0.5"
provider.validateIssuer: "true"
provider.validIssuer: ""
provider.validateAudience: "true"
provider.validAudience: ""
provider.insecureSkipVerify: "false"
provider.useClaimsFromUserInfo: "false"
sessionCookie.HttpOnly: "true"
sessionCookie.Path: /
validPostLoginRedirectUris: "[]"
validPostLogoutRedirectUris: "[]"
authorizationCookie.name: ""
authorization.checkOnEveryRequest: "false"
errorPages.unauthenticated.filePath: ""
errorPages.unauthenticated.redirectTo: ""
errorPages.unauthorized.filePath: ""
errorPages.unauthorized.redirectTo: ""
bypassAuthenticationRule: ""
requestedResources: "[]"
{{- end -}}

{{/* The no-effect keys this release sets away from their default, comma-separated (empty: none). */}}
{{- define "idp-oidc-middleware.noEffectKeys" -}}
{{- $set := list -}}
{{- range $path, $default := include "idp-oidc-middleware.noEffectDefaults" . | fromYaml -}}
{{- $value := $.Values.AsMap -}}
{{- range splitList "." $path -}}
{{- $value = kindIs "map" $value | ternary (index $value .) nil -}}
{{- end -}}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) (toString $default)) -}}
{{- $set = append $set $path -}}
{{- end -}}
{{- end -}}
{{- join ", " $set -}}
{{- end -}}
