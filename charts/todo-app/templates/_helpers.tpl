{{/*
How the templates are split: one file per component, the value of the objects'
app.kubernetes.io/component label. Each file holds every object of its component (workload,
Service, ServiceAccount, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy); objects
of the release as a whole have a file each: namespace.yaml, config.yaml (ConfigMap),
secret.yaml, network-policy.yaml (the default deny); the helm test component lives in tests/.
This file holds what several files share, and the component map below is the one home of
every component's name, port and health paths.
*/}}

{{/*
The components. name: the fixed name of the component's objects. Services have fixed names
because the services reach each other through them (contracts: http://todo-backend:8000, ...):
one release per namespace. values: the component's key in values.yaml. port: its container and
Service port. health / ready: the HTTP paths of its liveness and readiness probes.
*/}}
{{- define "todo-app.components" -}}
backend: {name: todo-backend, values: backend, port: 8000, health: /healthz, ready: /readyz}
ai-agent: {name: todo-ai-agent, values: aiAgent, port: 8001, health: /healthz, ready: /readyz}
frontend: {name: todo-frontend, values: frontend, port: 3000, health: /api/healthz, ready: /api/healthz}
postgresql: {name: todo-postgresql, values: postgresql, port: 5432}
test: {name: todo-app-test, values: tests}
config: {name: todo-app-config}
network-policy: {name: todo-app-default-deny}
{{- end -}}

{{/* One component's entry of the map, as JSON: (dict "component" "backend"). */}}
{{- define "todo-app.component" -}}
{{- $entry := get (include "todo-app.components" . | fromYaml) .component -}}
{{- if not $entry -}}
{{- fail (printf "todo-app: unknown component %q" .component) -}}
{{- end -}}
{{- toJson $entry -}}
{{- end -}}

{{/* The name of a component's objects: (dict "component" "backend") -> todo-backend. */}}
{{- define "todo-app.names.fullname" -}}
{{- (include "todo-app.component" . | fromJson).name -}}
{{- end -}}

{{/* A component's port: (dict "component" "backend") -> 8000. */}}
{{- define "todo-app.names.port" -}}
{{- (include "todo-app.component" . | fromJson).port | int -}}
{{- end -}}

{{/* In-cluster URL of a component's Service: (dict "component" "backend") -> http://todo-backend:8000. */}}
{{- define "todo-app.names.url" -}}
{{- printf "http://%s:%s" (include "todo-app.names.fullname" .) (include "todo-app.names.port" .) -}}
{{- end -}}

{{/* A component's values: (dict "root" $ "component" "backend") -> .Values.backend. As JSON. */}}
{{- define "todo-app.componentValues" -}}
{{- toJson (index .root.Values (include "todo-app.component" . | fromJson).values) -}}
{{- end -}}

{{- define "todo-app.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-app.namespace" -}}
{{- default .Release.Namespace .Values.namespace.name -}}
{{- end -}}

{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

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
{{- $cm := include (print .Template.BasePath "/config.yaml") . | fromYaml -}}
checksum/config: {{ $cm.data | toJson | sha256sum | quote }}
{{- end -}}

{{/* env entry read from the ConfigMap: (dict "root" $ "key" "LOG_LEVEL"). */}}
{{- define "todo-app.configEnv" -}}
- name: {{ .key }}
  valueFrom:
    configMapKeyRef:
      name: {{ include "todo-app.names.fullname" (dict "component" "config") }}
      key: {{ .key }}
{{- end -}}

{{/*
env entries for optional ConfigMap keys: (dict "root" $ "keys" (list "OPENAI_BASE_URL")). Only
the keys the ConfigMap holds, that is the ones whose value is set; config.yaml alone decides.
*/}}
{{- define "todo-app.optionalConfigEnv" -}}
{{- $root := .root -}}
{{- $data := (include (print $root.Template.BasePath "/config.yaml") $root | fromYaml).data -}}
{{- range .keys }}
{{- if hasKey $data . }}
{{ include "todo-app.configEnv" (dict "root" $root "key" .) }}
{{- end }}
{{- end }}
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

{{/* The backend's database settings: what the wait-for-database step needs. */}}
{{- define "todo-app.backendDatabaseEnv" -}}
{{- $root := . -}}
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

{{/* The backend's environment, shared by the migration init container and the server. */}}
{{- define "todo-app.backendEnv" -}}
{{- $root := . -}}
{{- range list "APP_ENV" "LOG_LEVEL" "ACCESS_TOKEN_EXPIRE_MINUTES" }}
{{ include "todo-app.configEnv" (dict "root" $root "key" .) }}
{{- end }}
{{- include "todo-app.optionalConfigEnv" (dict "root" . "keys" (list "TRUSTED_PROXIES")) }}
{{ include "todo-app.secretEnv" (dict "root" . "key" "JWT_SECRET" "optional" false) }}
{{- include "todo-app.backendDatabaseEnv" . }}
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

{{/*
An HTTP probe: (dict "path" "/healthz"), optionally with "port" (a container port's name or
number; default: the port named http), "period" (seconds, default 10) and "failures" (default 3).
*/}}
{{- define "todo-app.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: {{ default "http" .port }}
periodSeconds: {{ default 10 .period }}
timeoutSeconds: 3
failureThreshold: {{ default 3 .failures }}
{{- end -}}

{{/* The liveness, readiness and startup probes of a component that serves HTTP: $c. */}}
{{- define "todo-app.httpProbes" -}}
{{- $entry := include "todo-app.component" . | fromJson -}}
livenessProbe:
  {{- include "todo-app.httpProbe" (dict "path" $entry.health) | nindent 2 }}
readinessProbe:
  {{- include "todo-app.httpProbe" (dict "path" $entry.ready "period" 5) | nindent 2 }}
startupProbe:
  {{- include "todo-app.httpProbe" (dict "path" $entry.health "period" 2 "failures" 30) | nindent 2 }}
{{- end -}}

{{/* The ServiceAccount of a component ($c): none of them talks to the Kubernetes API, so no token. */}}
{{- define "todo-app.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "todo-app.names.fullname" . }}
  {{- include "todo-app.metadata" . | nindent 2 }}
automountServiceAccountToken: false
{{- end -}}

{{/* The Service of a component in front of its container port named http ($c); ClusterIP. */}}
{{- define "todo-app.httpService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "todo-app.names.fullname" . }}
  {{- include "todo-app.metadata" . | nindent 2 }}
spec:
  type: {{ default "ClusterIP" .type }}
  selector:
    {{- include "todo-app.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ include "todo-app.names.port" . }}
      targetPort: http
      protocol: TCP
      {{- with .nodePort }}
      nodePort: {{ . }}
      {{- end }}
{{- end -}}

{{/* The HorizontalPodAutoscaler of a Deployment ($c), when its values enable one. */}}
{{- define "todo-app.autoscaler" -}}
{{- $v := include "todo-app.componentValues" . | fromJson -}}
{{- if $v.autoscaling.enabled -}}
{{- $name := include "todo-app.names.fullname" . -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  {{- include "todo-app.metadata" . | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}
{{- end -}}

{{/* The PodDisruptionBudget of a component ($c), when its values enable one. */}}
{{- define "todo-app.disruptionBudget" -}}
{{- $v := include "todo-app.componentValues" . | fromJson -}}
{{- if $v.pdb.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "todo-app.names.fullname" . }}
  {{- include "todo-app.metadata" . | nindent 2 }}
spec:
  maxUnavailable: {{ $v.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "todo-app.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}

{{/* A NetworkPolicy peer: the pods of one component, as JSON ($c). */}}
{{- define "todo-app.peer" -}}
{{- toJson (dict "podSelector" (dict "matchLabels" (include "todo-app.selectorLabels" . | fromYaml))) -}}
{{- end -}}

{{/* A NetworkPolicy egress rule to one component's port, as JSON ($c). */}}
{{- define "todo-app.egressTo" -}}
{{- toJson (dict "to" (list (include "todo-app.peer" . | fromJson)) "ports" (list (dict "protocol" "TCP" "port" (include "todo-app.names.port" . | int)))) -}}
{{- end -}}

{{/* A NetworkPolicy ingress rule: (dict "root" $ "component" "backend" "from" (list "frontend" ...)). */}}
{{- define "todo-app.ingressFrom" -}}
{{- $root := .root -}}
{{- $peers := list -}}
{{- range .from -}}
{{- $peers = append $peers (include "todo-app.peer" (dict "root" $root "component" .) | fromJson) -}}
{{- end -}}
{{- toJson (dict "from" $peers "ports" (list (dict "protocol" "TCP" "port" (include "todo-app.names.port" . | int)))) -}}
{{- end -}}

{{/* The egress rule every client needs: name lookups in the cluster DNS, as JSON (root). */}}
{{- define "todo-app.dnsEgress" -}}
{{- $np := .Values.networkPolicy -}}
{{- $dns := dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" $np.dnsNamespace)) "podSelector" (dict "matchLabels" $np.dnsPodLabels) -}}
{{- toJson (dict "to" (list $dns) "ports" (list (dict "protocol" "UDP" "port" 53) (dict "protocol" "TCP" "port" 53))) -}}
{{- end -}}

{{/* The head of a component's NetworkPolicy: name, metadata, podSelector, policyTypes ($c). */}}
{{- define "todo-app.networkPolicyHead" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "todo-app.names.fullname" . }}
  {{- include "todo-app.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "todo-app.selectorLabels" . | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
{{- end -}}
