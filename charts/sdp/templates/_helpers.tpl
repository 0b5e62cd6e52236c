{{/* Chart name, truncated to fit Kubernetes name limits. */}}
{{- define "sdp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already holds the chart name. */}}
{{- define "sdp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sdp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "sdp.labels" -}}
helm.sh/chart: {{ include "sdp.chart" . }}
{{ include "sdp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sdp
{{- end }}

{{- define "sdp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sdp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Names of the parts. */}}
{{- define "sdp.mgmt.fullname" -}}{{ include "sdp.fullname" . | trunc 58 | trimSuffix "-" }}-mgmt{{- end }}
{{- define "sdp.worker.fullname" -}}{{ include "sdp.fullname" . | trunc 56 | trimSuffix "-" }}-worker{{- end }}
{{- define "sdp.migrate.fullname" -}}{{ include "sdp.fullname" . | trunc 55 | trimSuffix "-" }}-migrate{{- end }}
{{- define "sdp.configName" -}}{{ include "sdp.fullname" . | trunc 56 | trimSuffix "-" }}-config{{- end }}

{{/* The Secret holding the credentials: an existing one, or the chart's. */}}
{{- define "sdp.secretName" -}}
{{- if .Values.credentials.existingSecret }}
{{- .Values.credentials.existingSecret }}
{{- else }}
{{- include "sdp.fullname" . }}
{{- end }}
{{- end }}

{{- define "sdp.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion | toString }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Where the ConfigMap's pipeline-config.yaml is mounted. */}}
{{- define "sdp.configDir" -}}/etc/sdp{{- end }}

{{/*
Environment shared by every sdp container. Credentials only ever come from the Secret
(valueFrom.secretKeyRef); the ConfigMap holds no secret. Args: dict "root" $ "secretName" name.
*/}}
{{- define "sdp.env" -}}
{{- $root := .root }}
{{- $secret := .secretName }}
{{- $keys := $root.Values.credentials.keys }}
- name: SDP_CONFIG
  value: {{ printf "%s/pipeline-config.yaml" (include "sdp.configDir" $root) | quote }}
- name: SDP_MYSQL_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.mysqlUrl }}
- name: SDP_MQ_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.mqUsername }}
      optional: true
- name: SDP_MQ_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.mqPassword }}
      optional: true
- name: SDP_OPENSEARCH_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.opensearchUsername }}
      optional: true
- name: SDP_OPENSEARCH_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.opensearchPassword }}
      optional: true
- name: SDP_ADMIN_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.adminToken }}
      optional: true
{{- with $root.Values.kafkaBrokers }}
- name: SDP_KAFKA_BROKERS
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the Deployments and the migration Job. */}}
{{- define "sdp.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .Values.serviceAccountName }}
serviceAccountName: {{ .Values.serviceAccountName }}
{{- end }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Probes on the app's /health (alive) and /ready (MariaDB, Kafka and OpenSearch reachable). */}}
{{- define "sdp.probes" -}}
{{- $p := .Values.probes }}
startupProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ $p.startup.periodSeconds }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /ready
    port: http
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end }}

{{- define "sdp.terminationGracePeriodSeconds" -}}
{{- if .Values.terminationGracePeriodSeconds }}
{{- .Values.terminationGracePeriodSeconds }}
{{- else }}
{{- add (int .Values.config.server.shutdownTimeoutSec) 15 }}
{{- end }}
{{- end }}

{{/* The migration container (hook Job or init container). Args: dict "root" $ "secretName" name. */}}
{{- define "sdp.migrateContainer" -}}
- name: migrate
  image: {{ include "sdp.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  args: ["node", "dist/server/common/db/migrate-cli.js"]
  env:
    - name: SDP_MYSQL_URL
      valueFrom:
        secretKeyRef:
          name: {{ .secretName }}
          key: {{ .root.Values.credentials.keys.mysqlUrl }}
    - name: SDP_LOG_LOG_LEVEL
      value: {{ .root.Values.config.log.logLevel | quote }}
  securityContext:
    {{- toYaml .root.Values.securityContext | nindent 4 }}
  resources:
    {{- toYaml .root.Values.migrations.resources | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end }}
