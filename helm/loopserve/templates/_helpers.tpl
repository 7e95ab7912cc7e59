{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "loopserve.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource-name prefix; leaves room for the longest suffix ("-inference-service"). */}}
{{- define "loopserve.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The three services: values key, Spring application name (also the image name and the
component label) and whether the service has Kafka Streams/Binder work only (no public API).
*/}}
{{- define "loopserve.components" -}}
- {key: gateway, name: gateway}
- {key: scheduler, name: scheduler-service}
- {key: inference, name: inference-service}
{{- end -}}

{{- define "loopserve.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "loopserve.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: loopserve
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "gateway"). */}}
{{- define "loopserve.selectorLabels" -}}
app.kubernetes.io/name: {{ include "loopserve.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "loopserve.componentLabels" -}}
{{ include "loopserve.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "loopserve.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* Image of one service (dict root, key, name). */}}
{{- define "loopserve.image" -}}
{{- $c := index .root.Values .key -}}
{{- $repo := $c.image.repository | default (printf "%s/%s" .root.Values.image.registry .name) -}}
{{- printf "%s:%s" $repo (include "loopserve.imageTag" .root) -}}
{{- end -}}

{{/* Image that holds the model packages when models.source is image. */}}
{{- define "loopserve.modelsImage" -}}
{{- $m := .Values.models.image -}}
{{- if $m.repository -}}
{{- printf "%s:%s" $m.repository ($m.tag | default (include "loopserve.imageTag" .)) -}}
{{- else -}}
{{- include "loopserve.image" (dict "root" . "key" "inference" "name" "inference-service") -}}
{{- end -}}
{{- end -}}

{{- define "loopserve.kafkaBootstrap" -}}
{{- if .Values.kafka.dev.enabled -}}
{{- printf "%s-kafka:9092" (include "loopserve.fullname" .) -}}
{{- else -}}
{{- required "kafka.bootstrapServers is required" .Values.kafka.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/* Kafka security.protocol from the TLS and SASL switches (the dev broker is plaintext). */}}
{{- define "loopserve.kafkaProtocol" -}}
{{- $k := .Values.kafka -}}
{{- if $k.dev.enabled -}}PLAINTEXT
{{- else if and $k.tls.enabled $k.sasl.enabled -}}SASL_SSL
{{- else if $k.tls.enabled -}}SSL
{{- else if $k.sasl.enabled -}}SASL_PLAINTEXT
{{- else -}}PLAINTEXT
{{- end -}}
{{- end -}}

{{- define "loopserve.kafkaTls" -}}
{{- and .Values.kafka.tls.enabled (not .Values.kafka.dev.enabled) -}}
{{- end -}}

{{- define "loopserve.kafkaSasl" -}}
{{- and .Values.kafka.sasl.enabled (not .Values.kafka.dev.enabled) -}}
{{- end -}}

{{- define "loopserve.saslLoginModule" -}}
{{- if eq .Values.kafka.sasl.mechanism "PLAIN" -}}org.apache.kafka.common.security.plain.PlainLoginModule
{{- else -}}org.apache.kafka.common.security.scram.ScramLoginModule
{{- end -}}
{{- end -}}

{{/*
The application settings one service gets (call with dict root, key, name): the Kafka connection
and the models directory, with the service's own `config` values merged over them. Each key is a
real property of that service; helm/tests checks them against the code.
*/}}
{{- define "loopserve.appConfig" -}}
{{- $root := .root -}}
{{- $kafka := dict "bootstrap-servers" (include "loopserve.kafkaBootstrap" $root) -}}
{{- $protocol := include "loopserve.kafkaProtocol" $root -}}
{{- if ne $protocol "PLAINTEXT" -}}
{{- $_ := set $kafka "security" (dict "protocol" $protocol) -}}
{{- end -}}
{{- if eq (include "loopserve.kafkaTls" $root) "true" -}}
{{- $_ := set $kafka "ssl" (dict "trust-store-type" "PEM" "trust-store-location" (printf "file:/etc/loopserve/kafka-tls/%s" $root.Values.kafka.tls.caKey)) -}}
{{- end -}}
{{- if eq (include "loopserve.kafkaSasl" $root) "true" -}}
{{- $jaas := printf "%s required username=\"${LOOPSERVE_KAFKA_SASL_USERNAME}\" password=\"${LOOPSERVE_KAFKA_SASL_PASSWORD}\";" (include "loopserve.saslLoginModule" $root) -}}
{{- $_ := set $kafka "properties" (dict "sasl.mechanism" $root.Values.kafka.sasl.mechanism "sasl.jaas.config" $jaas) -}}
{{- end -}}
{{- $modelsDir := $root.Values.models.mountPath -}}
{{- if and (eq .key "inference") (eq $root.Values.models.source "image") (not $root.Values.models.image.repository) -}}
{{- $modelsDir = $root.Values.models.image.path -}}
{{- end -}}
{{- $own := dict "models-dir" $modelsDir -}}
{{- if and (eq .key "gateway") (include "loopserve.apiKeysSecret" $root) -}}
{{- $_ := set $own "auth" (dict "keys-dir" "/etc/loopserve/api-keys") -}}
{{- end -}}
{{- $generated := dict "spring" (dict "kafka" $kafka) "loopserve" (dict .key $own) -}}
{{- $c := index $root.Values .key -}}
{{- toYaml (mergeOverwrite $generated (deepCopy $c.config)) -}}
{{- end -}}

{{- define "loopserve.apiKeysSecret" -}}
{{- if .Values.apiKeys.create -}}
{{- printf "%s-api-keys" (include "loopserve.fullname" .) -}}
{{- else -}}
{{- .Values.apiKeys.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Whether the inference-service Deployment is scaled by an HPA or KEDA (no replicas field). */}}
{{- define "loopserve.autoscaled" -}}
{{- or .Values.keda.enabled .Values.autoscaling.enabled -}}
{{- end -}}

{{- define "loopserve.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "loopserve.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Init containers and volumes that put the model packages at models.mountPath (dict root, key).
*/}}
{{- define "loopserve.modelInitContainers" -}}
{{- $root := .root -}}
{{- $m := $root.Values.models -}}
{{- if eq $m.source "image" -}}
{{- if or $m.image.repository (ne .key "inference") }}
- name: copy-models
  image: {{ include "loopserve.modelsImage" $root | quote }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  command: ["sh", "-c", "cp -R {{ $m.image.path }}/. {{ $m.mountPath }}/"]
  securityContext:
    {{- include "loopserve.containerSecurityContext" $root | nindent 4 }}
  resources:
    requests: {cpu: 50m, memory: 64Mi}
    limits: {memory: 128Mi}
  volumeMounts:
    - {name: models, mountPath: {{ $m.mountPath }}}
{{- end }}
{{- else if eq $m.source "download" }}
- name: fetch-models
  image: {{ printf "%s:%s" $m.download.image.repository $m.download.image.tag | quote }}
  imagePullPolicy: {{ $m.download.image.pullPolicy }}
  command:
    - sh
    - -ec
    - |
      # Each package is unpacked only after its archive matches the pinned sha256;
      # inference-service then checks every file against model.json.
      {{- range $m.download.packages }}
      archive={{ $m.mountPath }}/.{{ .name }}.tar.gz
      curl -fsSL --retry 5 -o "$archive" {{ .url | quote }}
      echo "{{ .sha256 }}  $archive" | sha256sum -c -
      mkdir -p {{ $m.mountPath }}/{{ .name }}
      tar -xzf "$archive" -C {{ $m.mountPath }}/{{ .name }}
      rm "$archive"
      {{- end }}
  securityContext:
    {{- include "loopserve.containerSecurityContext" $root | nindent 4 }}
  resources:
    requests: {cpu: 50m, memory: 64Mi}
    limits: {memory: 256Mi}
  volumeMounts:
    - {name: models, mountPath: {{ $m.mountPath }}}
{{- end }}
{{- end -}}

{{- define "loopserve.modelVolume" -}}
{{- $m := .root.Values.models -}}
{{- if eq $m.source "pvc" }}
- name: models
  persistentVolumeClaim:
    claimName: {{ required "models.pvc.claimName is required when models.source is pvc" $m.pvc.claimName }}
    readOnly: true
{{- else if eq $m.source "download" }}
- name: models
  emptyDir:
    sizeLimit: {{ $m.download.sizeLimit }}
{{- else if or $m.image.repository (ne .key "inference") }}
- name: models
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "loopserve.modelMount" -}}
{{- $m := .root.Values.models -}}
{{- if or (ne $m.source "image") $m.image.repository (ne .key "inference") }}
- name: models
  mountPath: {{ $m.mountPath }}
  readOnly: true
  {{- if and (eq $m.source "pvc") $m.pvc.subPath }}
  subPath: {{ $m.pvc.subPath }}
  {{- end }}
{{- end }}
{{- end -}}
