{{/* The name of every object of one deployment: lutflow-<deployment id>, at most 63 characters. */}}
{{- define "model-server.name" -}}
{{- printf "lutflow-%s" (required "deploymentId is required" .Values.deploymentId) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "model-server.selector" -}}
app.kubernetes.io/name: lutflow-model-server
lutflow.dev/deployment: {{ .Values.deploymentId | quote }}
{{- end -}}

{{- define "model-server.labels" -}}
{{ include "model-server.selector" . }}
app.kubernetes.io/managed-by: lutflow
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end -}}
