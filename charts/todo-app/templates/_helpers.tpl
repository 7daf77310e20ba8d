{{/*
Names. Services (and the workloads behind them) have fixed names because the services reach
each other through them (contracts: http://todo-backend:8000, ...): one release per namespace.
*/}}
{{- define "todo-app.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-app.namespace" -}}
{{- default .Release.Namespace .Values.namespace.name -}}
{{- end -}}

{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-app.configMapName" -}}todo-app-config{{- end -}}

{{/* Labels on every object. */}}
{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" . }}
app.kubernetes.io/name: {{ include "todo-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-app
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "backend"). */}}
{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component's objects and pods. */}}
{{- define "todo-app.componentLabels" -}}
{{ include "todo-app.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* metadata.namespace + labels for a component object: (dict "root" $ "component" "backend"). */}}
{{- define "todo-app.metadata" -}}
namespace: {{ include "todo-app.namespace" .root }}
labels:
  {{- include "todo-app.componentLabels" . | nindent 2 }}
{{- end -}}

{{/* image reference: (dict "root" $ "image" .Values.backend.image). */}}
{{- define "todo-app.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{/* Pod-level security of the application pods. */}}
{{- define "todo-app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security of every container (the user comes from the pod). */}}
{{- define "todo-app.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
checksum/secret pod annotation: the installer's checksum of the Secret data when given,
otherwise a hash of the chart-managed Secret, otherwise nothing (the installer owns the Secret).
*/}}
{{- define "todo-app.secretChecksum" -}}
{{- if .Values.checksums.secret -}}
checksum/secret: {{ .Values.checksums.secret | quote }}
{{- else if .Values.createSecret.enabled -}}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum | quote }}
{{- end -}}
{{- end -}}

{{- define "todo-app.configChecksum" -}}
{{- /* Over the data only: releaseContentHash (a ConfigMap annotation) must not roll pods. */ -}}
{{- $cm := include (print .Template.BasePath "/configmap.yaml") . | fromYaml -}}
checksum/config: {{ $cm.data | toJson | sha256sum | quote }}
{{- end -}}

{{/* env entry read from the ConfigMap: (dict "root" $ "key" "LOG_LEVEL"). */}}
{{- define "todo-app.configEnv" -}}
- name: {{ .key }}
  valueFrom:
    configMapKeyRef:
      name: {{ include "todo-app.configMapName" .root }}
      key: {{ .key }}
{{- end -}}

{{/* env entry read from existingSecret: (dict "root" $ "key" "JWT_SECRET" "optional" false). */}}
{{- define "todo-app.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.existingSecret }}
      key: {{ .key }}
      optional: {{ .optional }}
{{- end -}}

{{/* The backend's environment, shared by the migration init container and the server. */}}
{{- define "todo-app.backendEnv" -}}
{{- $root := . -}}
{{- range list "APP_ENV" "LOG_LEVEL" "ACCESS_TOKEN_EXPIRE_MINUTES" }}
{{ include "todo-app.configEnv" (dict "root" $root "key" .) }}
{{- end }}
{{ include "todo-app.secretEnv" (dict "root" . "key" "JWT_SECRET" "optional" false) }}
{{- if .Values.postgresql.enabled }}
{{- range list "POSTGRES_HOST" "POSTGRES_PORT" "POSTGRES_DB" "POSTGRES_USER" }}
{{ include "todo-app.configEnv" (dict "root" $root "key" .) }}
{{- end }}
{{ include "todo-app.secretEnv" (dict "root" . "key" "POSTGRES_PASSWORD" "optional" false) }}
{{ include "todo-app.secretEnv" (dict "root" . "key" "DATABASE_URL" "optional" true) }}
{{- else }}
{{ include "todo-app.secretEnv" (dict "root" . "key" "DATABASE_URL" "optional" false) }}
{{- end }}
{{- end -}}

{{/* Writable /tmp for a read-only root filesystem. */}}
{{- define "todo-app.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{/* Pod spec fields shared by the application pods. */}}
{{- define "todo-app.podCommon" -}}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "todo-app.podSecurityContext" . | nindent 2 }}
{{- end -}}

{{/* An HTTP probe: (dict "path" "/healthz" "port" "http"). */}}
{{- define "todo-app.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: http
periodSeconds: {{ default 10 .period }}
timeoutSeconds: 3
failureThreshold: {{ default 3 .failures }}
{{- end -}}
