package chart

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// Problem is one failed check. ID names checks that may be listed in pending.txt (a known gap
// in another part of the suite); the rest always fail.
type Problem struct {
	ID  string
	Msg string
}

func (p Problem) String() string {
	if p.ID != "" {
		return "[" + p.ID + "] " + p.Msg
	}
	return p.Msg
}

type checker struct {
	objs     []Object
	repo     *Repo
	problems []Problem
}

func (c *checker) fail(format string, args ...any) {
	c.problems = append(c.problems, Problem{Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) failID(id, format string, args ...any) {
	c.problems = append(c.problems, Problem{ID: id, Msg: fmt.Sprintf(format, args...)})
}

// Check runs every Kubernetes and code-tie check on one rendered scenario. KEDA objects are
// checked against the kafka and prometheus scaler parameters of KEDA's source.
func Check(objs []Object, repo *Repo, crds CRDs, kafka, prometheus ScalerParams) []Problem {
	c := &checker{objs: objs, repo: repo}
	for _, o := range objs {
		if o.Typed == nil {
			for _, e := range crds.Validate(o) {
				c.fail("%s", e)
			}
		}
		c.names(o)
	}
	c.workloads()
	c.selectors()
	c.configTies()
	c.autoscalingTies(kafka, prometheus)
	c.topicTies()
	c.monitoringTies()
	c.apiKeyTies()
	return c.problems
}

func of[T any](objs []Object) []T {
	var out []T
	for _, o := range objs {
		if t, ok := o.Typed.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

func (c *checker) names(o Object) {
	// Services need DNS-1035 labels; everything else here DNS-1123 subdomains.
	var errs []string
	if o.GVK.Kind == "Service" {
		errs = validation.IsDNS1035Label(o.Name)
	} else {
		errs = validation.IsDNS1123Subdomain(o.Name)
	}
	for _, e := range errs {
		c.fail("%s: name: %s", o, e)
	}
	meta, _ := o.Raw["metadata"].(map[string]any)
	ls, _ := meta["labels"].(map[string]any)
	for k, v := range ls {
		for _, e := range validation.IsQualifiedName(k) {
			c.fail("%s: label key %q: %s", o, k, e)
		}
		for _, e := range validation.IsValidLabelValue(fmt.Sprint(v)) {
			c.fail("%s: label %s=%v: %s", o, k, v, e)
		}
	}
}

type podOwner struct {
	name string
	tmpl corev1.PodTemplateSpec
}

func (c *checker) pods() []podOwner {
	var out []podOwner
	for _, d := range of[*appsv1.Deployment](c.objs) {
		out = append(out, podOwner{"Deployment/" + d.Name, d.Spec.Template})
	}
	for _, s := range of[*appsv1.StatefulSet](c.objs) {
		out = append(out, podOwner{"StatefulSet/" + s.Name, s.Spec.Template})
	}
	for _, j := range of[*batchv1.Job](c.objs) {
		out = append(out, podOwner{"Job/" + j.Name, j.Spec.Template})
	}
	for _, p := range of[*corev1.Pod](c.objs) {
		out = append(out, podOwner{"Pod/" + p.Name, corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}})
	}
	return out
}

// workloads: pod and container settings the issue asks for, and internal consistency
// (probes on declared ports, mounts of declared volumes).
func (c *checker) workloads() {
	for _, p := range c.pods() {
		spec := p.tmpl.Spec
		devBroker := p.tmpl.Labels["app.kubernetes.io/component"] == "kafka"
		psc := spec.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			c.fail("%s: pod securityContext must set runAsNonRoot and seccomp RuntimeDefault", p.name)
		}
		volumes := map[string]bool{}
		for _, v := range spec.Volumes {
			volumes[v.Name] = true
			for _, e := range validation.IsDNS1123Label(v.Name) {
				c.fail("%s: volume %q: %s", p.name, v.Name, e)
			}
		}
		all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
		for _, ct := range all {
			where := p.name + " container " + ct.Name
			for _, e := range validation.IsDNS1123Label(ct.Name) {
				c.fail("%s: %s", where, e)
			}
			sc := ct.SecurityContext
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
				sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" ||
				sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
				c.fail("%s: securityContext must forbid privilege escalation, drop ALL capabilities and run as non-root", where)
			}
			if !devBroker && (sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem) {
				c.fail("%s: root filesystem must be read-only", where)
			}
			if ct.Resources.Requests.Memory().IsZero() || ct.Resources.Limits.Memory().IsZero() {
				c.fail("%s: memory request and limit are required", where)
			}
			ports := map[string]int32{}
			for _, port := range ct.Ports {
				if port.Name != "" {
					ports[port.Name] = port.ContainerPort
					for _, e := range validation.IsValidPortName(port.Name) {
						c.fail("%s: port %q: %s", where, port.Name, e)
					}
				}
			}
			for kind, probe := range map[string]*corev1.Probe{"liveness": ct.LivenessProbe, "readiness": ct.ReadinessProbe, "startup": ct.StartupProbe} {
				if probe == nil {
					continue
				}
				var port intstr.IntOrString
				if probe.HTTPGet != nil {
					port = probe.HTTPGet.Port
				} else if probe.TCPSocket != nil {
					port = probe.TCPSocket.Port
				}
				if port.Type == intstr.String {
					if _, ok := ports[port.StrVal]; !ok {
						c.fail("%s: %s probe uses undeclared port %q", where, kind, port.StrVal)
					}
				}
			}
			for _, m := range ct.VolumeMounts {
				if !volumes[m.Name] && !claimTemplate(c.objs, p.name, m.Name) {
					c.fail("%s: mounts undeclared volume %q", where, m.Name)
				}
			}
		}
	}
}

func claimTemplate(objs []Object, owner, volume string) bool {
	for _, s := range of[*appsv1.StatefulSet](objs) {
		if "StatefulSet/"+s.Name == owner {
			for _, t := range s.Spec.VolumeClaimTemplates {
				if t.Name == volume {
					return true
				}
			}
		}
	}
	return false
}

// selectors: every selector picks the pods it is meant for.
func (c *checker) selectors() {
	pods := c.pods()
	matching := func(sel labels.Selector) []podOwner {
		var out []podOwner
		for _, p := range pods {
			if sel.Matches(labels.Set(p.tmpl.Labels)) {
				out = append(out, p)
			}
		}
		return out
	}
	for _, d := range of[*appsv1.Deployment](c.objs) {
		if !labels.SelectorFromSet(d.Spec.Selector.MatchLabels).Matches(labels.Set(d.Spec.Template.Labels)) {
			c.fail("Deployment/%s: selector does not match its pod template", d.Name)
		}
	}
	for _, s := range of[*corev1.Service](c.objs) {
		selected := matching(labels.SelectorFromSet(s.Spec.Selector))
		if len(selected) == 0 {
			c.fail("Service/%s: selects no pods", s.Name)
		}
		for _, port := range s.Spec.Ports {
			if port.TargetPort.Type != intstr.String {
				continue
			}
			for _, p := range selected {
				if !declaresPort(p.tmpl.Spec, port.TargetPort.StrVal) {
					c.fail("Service/%s: targetPort %q is not a port of %s", s.Name, port.TargetPort.StrVal, p.name)
				}
			}
		}
	}
	for _, pdb := range of[*policyv1.PodDisruptionBudget](c.objs) {
		if len(matching(labels.SelectorFromSet(pdb.Spec.Selector.MatchLabels))) == 0 {
			c.fail("PodDisruptionBudget/%s: selects no pods", pdb.Name)
		}
	}
	for _, np := range of[*networkingv1.NetworkPolicy](c.objs) {
		selected := matching(labels.SelectorFromSet(np.Spec.PodSelector.MatchLabels))
		if len(selected) == 0 {
			c.fail("NetworkPolicy/%s: selects no pods", np.Name)
		}
		for _, rule := range np.Spec.Ingress {
			for _, port := range rule.Ports {
				if port.Port != nil && port.Port.Type == intstr.String {
					for _, p := range selected {
						if !declaresPort(p.tmpl.Spec, port.Port.StrVal) {
							c.fail("NetworkPolicy/%s: port %q is not a port of %s", np.Name, port.Port.StrVal, p.name)
						}
					}
				}
			}
		}
	}
	// Every service component has a PDB and a NetworkPolicy-free path for its own API only.
	for _, comp := range []string{"gateway", "scheduler-service", "inference-service"} {
		if c.deployment(comp) == nil {
			c.fail("no Deployment for %s", comp)
			continue
		}
		found := false
		for _, pdb := range of[*policyv1.PodDisruptionBudget](c.objs) {
			if pdb.Spec.Selector.MatchLabels["app.kubernetes.io/component"] == comp {
				found = true
			}
		}
		if !found {
			c.fail("no PodDisruptionBudget for %s", comp)
		}
	}
}

func declaresPort(spec corev1.PodSpec, name string) bool {
	for _, ct := range spec.Containers {
		for _, p := range ct.Ports {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}

func (c *checker) deployment(component string) *appsv1.Deployment {
	for _, d := range of[*appsv1.Deployment](c.objs) {
		if d.Spec.Template.Labels["app.kubernetes.io/component"] == component {
			return d
		}
	}
	return nil
}

func (c *checker) configMap(name string) *corev1.ConfigMap {
	for _, cm := range of[*corev1.ConfigMap](c.objs) {
		if cm.Name == name {
			return cm
		}
	}
	return nil
}

// effective is a service's configuration as it will run: its application.yml, overlaid by the
// chart's ConfigMap, with ${NAME:default} placeholders resolved against the container's env.
type effective struct {
	values map[string]any
	env    map[string]string
}

func (e effective) get(key, def string) string {
	envKey := strings.ToUpper(strings.NewReplacer(".", "_", "-", "").Replace(key))
	if v, ok := e.env[envKey]; ok {
		return v
	}
	v, ok := e.values[key]
	if !ok {
		return def
	}
	s := fmt.Sprint(v)
	if m := regexp.MustCompile(`^\$\{([^:}]+):?([^}]*)\}$`).FindStringSubmatch(s); m != nil {
		if ev, ok := e.env[m[1]]; ok {
			return ev
		}
		return m[2]
	}
	return s
}

// configTies: the chart's application settings exist in the service, its probes and ports are
// the service's actuator, and config changes roll the pods.
func (c *checker) configTies() {
	for name, svc := range c.repo.Services {
		d := c.deployment(name)
		if d == nil {
			continue
		}
		ct := d.Spec.Template.Spec.Containers[0]
		env := map[string]string{}
		for _, e := range ct.Env {
			env[e.Name] = e.Value
		}
		values := map[string]any{}
		for k, v := range svc.AppConfig {
			values[k] = v
		}
		var cm *corev1.ConfigMap
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.ConfigMap != nil && v.Name == "config" {
				cm = c.configMap(v.ConfigMap.Name)
			}
		}
		if cm == nil {
			c.fail("Deployment/%s: no config volume from a rendered ConfigMap", d.Name)
			continue
		}
		if cm.Annotations["loopserve.dev/spring-application"] != name {
			c.fail("ConfigMap/%s: annotated for %q, mounted by %s", cm.Name, cm.Annotations["loopserve.dev/spring-application"], name)
		}
		if env["SPRING_CONFIG_ADDITIONAL_LOCATION"] != "optional:file:/etc/loopserve/config/" || !mounted(ct, "config", "/etc/loopserve/config") {
			c.fail("Deployment/%s: the ConfigMap is not where SPRING_CONFIG_ADDITIONAL_LOCATION reads it", d.Name)
		}
		appYaml := cm.Data["application.yaml"]
		var tree map[string]any
		if err := yaml.Unmarshal([]byte(appYaml), &tree); err != nil {
			c.fail("ConfigMap/%s: application.yaml: %v", cm.Name, err)
			continue
		}
		keys := Flatten(tree)
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if !svc.Accepts(k) {
				c.fail("ConfigMap/%s: %s is not a configuration property of %s", cm.Name, k, name)
			}
			if strings.HasPrefix(canonical(k), "spring.cloud.stream") && !svc.DependsOn("spring-cloud-stream-binder-kafka") {
				c.fail("ConfigMap/%s: %s sets a Spring Cloud Stream key but does not use it", cm.Name, name)
			}
			values[k] = keys[k]
		}
		// ${VAR} placeholders in the chart's settings must be filled from the container's env.
		for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`).FindAllStringSubmatch(appYaml, -1) {
			if !hasEnv(ct, m[1]) {
				c.fail("ConfigMap/%s: placeholder ${%s} has no env var in %s", cm.Name, m[1], d.Name)
			}
		}
		sum := sha256.Sum256([]byte(strings.TrimSuffix(appYaml, "\n")))
		if got := d.Spec.Template.Annotations["checksum/config"]; got != hex.EncodeToString(sum[:]) {
			c.fail("Deployment/%s: checksum/config %q is not the sha256 of its application.yaml", d.Name, got)
		}

		eff := effective{values: values, env: env}
		serverPort := eff.get("server.port", "8080")
		mgmtPort := eff.get("management.server.port", serverPort)
		base := eff.get("management.endpoints.web.base-path", "/actuator")
		exposure := "," + strings.ReplaceAll(eff.get("management.endpoints.web.exposure.include", "health"), " ", "") + ","
		ports := map[string]string{}
		for _, p := range ct.Ports {
			ports[p.Name] = strconv.Itoa(int(p.ContainerPort))
		}
		if p, ok := ports["http"]; ok && p != serverPort {
			c.fail("Deployment/%s: port http is %s but %s's server.port is %s", d.Name, p, name, serverPort)
		}
		if ports["management"] != mgmtPort {
			c.fail("Deployment/%s: port management is %s but %s's actuator listens on %s", d.Name, ports["management"], name, mgmtPort)
		}
		if eff.get("management.endpoint.health.probes.enabled", "false") != "true" {
			c.fail("%s: management.endpoint.health.probes.enabled is not true, so the liveness/readiness groups do not exist", name)
		}
		if !strings.Contains(exposure, ",health,") && !strings.Contains(exposure, ",*,") {
			c.fail("%s: the health endpoint is not exposed over HTTP", name)
		}
		for kind, probe := range map[string]*corev1.Probe{"liveness": ct.LivenessProbe, "readiness": ct.ReadinessProbe, "startup": ct.StartupProbe} {
			if probe == nil {
				if kind != "startup" {
					c.fail("Deployment/%s: no %s probe", d.Name, kind)
				}
				continue
			}
			want := base + "/health/" + kind
			if kind == "startup" {
				want = base + "/health/liveness"
			}
			if probe.HTTPGet == nil || probe.HTTPGet.Path != want || ports[probe.HTTPGet.Port.String()] != mgmtPort {
				c.fail("Deployment/%s: %s probe must GET %s on the management port %s", d.Name, kind, want, mgmtPort)
			}
		}
		if name == "inference-service" {
			if ct.StartupProbe == nil {
				c.fail("Deployment/%s: no startup probe while models load", d.Name)
			}
			handoff, err := time.ParseDuration(eff.get("loopserve.inference.handoff-timeout", recordDefault(c.repo, "inference-service/src/main/java/dev/loopserve/inference/InferenceProperties.java", "handoffTimeout")))
			grace := d.Spec.Template.Spec.TerminationGracePeriodSeconds
			if err != nil {
				c.fail("inference-service: cannot read handoff-timeout: %v", err)
			} else if grace == nil || time.Duration(*grace)*time.Second < handoff+10*time.Second {
				c.fail("Deployment/%s: terminationGracePeriodSeconds must exceed loopserve.inference.handoff-timeout (%s) by 10s so running requests drain", d.Name, handoff)
			}
		}
	}
}

func mounted(ct corev1.Container, volume, path string) bool {
	for _, m := range ct.VolumeMounts {
		if m.Name == volume && m.MountPath == path {
			return true
		}
	}
	return false
}

func hasEnv(ct corev1.Container, name string) bool {
	for _, e := range ct.Env {
		if e.Name == name {
			return true
		}
	}
	return false
}

// recordDefault reads the @DefaultValue of a record component, in Spring's duration syntax
// turned into Go's ("20s" stays "20s", "10m" stays "10m").
func recordDefault(r *Repo, rel, component string) string {
	src, err := r.Source(rel)
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`@DefaultValue\("([^"]*)"\)\s*(?:final\s+)?[\w.<>]+\s+` + component + `\b`).FindStringSubmatch(src)
	if m == nil {
		return ""
	}
	return m[1]
}

func (c *checker) inferenceDeploymentName() string {
	if d := c.deployment("inference-service"); d != nil {
		return d.Name
	}
	return ""
}

// Topic and group naming, read from the messages module: Topics.REQUESTS_PREFIX and
// Topics.inferenceGroup.
func (c *checker) naming() (requestsPrefix, groupPrefix string, shared, compacted []string) {
	src, err := c.repo.Source("messages/src/main/java/dev/loopserve/messages/Topics.java")
	if err != nil {
		c.fail("messages Topics class: %v", err)
		return
	}
	consts := map[string]string{}
	for _, m := range regexp.MustCompile(`static final String (\w+)\s*=\s*([^;]+);`).FindAllStringSubmatch(src, -1) {
		var sb strings.Builder
		for _, part := range strings.Split(m[2], "+") {
			part = strings.TrimSpace(part)
			if strings.HasPrefix(part, `"`) {
				sb.WriteString(strings.Trim(part, `"`))
			} else {
				sb.WriteString(consts[part])
			}
		}
		consts[m[1]] = sb.String()
	}
	list := func(name string) []string {
		m := regexp.MustCompile(name + `\s*=\s*List\.of\(([^)]*)\)`).FindStringSubmatch(src)
		if m == nil {
			c.fail("Topics.%s not found", name)
			return nil
		}
		var out []string
		for _, id := range strings.Split(m[1], ",") {
			out = append(out, consts[strings.TrimSpace(id)])
		}
		return out
	}
	g := regexp.MustCompile(`inferenceGroup\(String \w+\)\s*\{\s*return\s+"([^"]+)"\s*\+`).FindStringSubmatch(src)
	if g == nil {
		c.fail("Topics.inferenceGroup not found")
		return
	}
	return consts["REQUESTS_PREFIX"], g[1], list("SHARED"), list("COMPACTED")
}

// autoscalingTies: HPA and ScaledObject target the inference Deployment, and the KEDA kafka
// trigger watches the very group and topic inference-service consumes.
func (c *checker) autoscalingTies(kafka, prometheus ScalerParams) {
	target := c.inferenceDeploymentName()
	requestsPrefix, groupPrefix, _, _ := c.naming()
	// The group and topic the service really uses: it must name them through Topics.
	inferenceSrc := sourcesOf(c.repo, "inference-service/src/main/java")
	for _, call := range []string{"Topics.inferenceGroup(", "Topics.requestsTopic("} {
		if !strings.Contains(inferenceSrc, call) {
			c.fail("inference-service does not call %s; the autoscaler cannot know its group/topic", call)
		}
	}
	docs, _ := c.repo.Source("docs/messages.md")
	if !strings.Contains(docs, "`"+requestsPrefix+"<model>`") || !strings.Contains(docs, "`"+groupPrefix+"<model>`") {
		c.fail("docs/messages.md and Topics disagree on %s<model> / %s<model>", requestsPrefix, groupPrefix)
	}
	bootstrap := ""
	if cm := c.configMap(target); cm != nil {
		var tree map[string]any
		_ = yaml.Unmarshal([]byte(cm.Data["application.yaml"]), &tree)
		bootstrap = fmt.Sprint(Flatten(tree)["spring.kafka.bootstrap-servers"])
	}
	for _, h := range of[*autoscalingv2.HorizontalPodAutoscaler](c.objs) {
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != target {
			c.fail("HorizontalPodAutoscaler/%s: targets %s/%s, not the inference Deployment %s", h.Name, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name, target)
		}
		for _, m := range h.Spec.Metrics {
			if m.External != nil {
				c.metricExported(m.External.Metric.Name, "HorizontalPodAutoscaler/"+h.Name)
			}
		}
		if d := c.deployment("inference-service"); d != nil && d.Spec.Replicas != nil {
			c.fail("Deployment/%s: sets replicas while an HPA owns them (every upgrade would reset the scale)", d.Name)
		}
	}
	for _, o := range c.objs {
		if o.GVK.Kind != "ScaledObject" {
			continue
		}
		spec, _ := o.Raw["spec"].(map[string]any)
		ref, _ := spec["scaleTargetRef"].(map[string]any)
		if ref["name"] != target || (ref["kind"] != nil && ref["kind"] != "Deployment") {
			c.fail("%s: scaleTargetRef %v is not the inference Deployment %s", o, ref, target)
		}
		if d := c.deployment("inference-service"); d != nil && d.Spec.Replicas != nil {
			c.fail("Deployment/%s: sets replicas while KEDA owns them", d.Name)
		}
		triggers, _ := spec["triggers"].([]any)
		kafkaModels := map[string]bool{}
		for i, t := range triggers {
			tr, _ := t.(map[string]any)
			md, _ := tr["metadata"].(map[string]any)
			where := fmt.Sprintf("%s trigger %d (%v)", o, i, tr["type"])
			switch tr["type"] {
			case "kafka":
				for _, e := range kafka.CheckMetadata(where, md) {
					c.fail("%s", e)
				}
				topic := fmt.Sprint(md["topic"])
				model := strings.TrimPrefix(topic, requestsPrefix)
				if !strings.HasPrefix(topic, requestsPrefix) || model == "" {
					c.fail("%s: topic %q is not a %s<model> topic", where, topic, requestsPrefix)
				}
				if md["consumerGroup"] != groupPrefix+model {
					c.fail("%s: consumerGroup %v, but inference-service consumes %s with group %s%s", where, md["consumerGroup"], topic, groupPrefix, model)
				}
				if md["bootstrapServers"] != bootstrap {
					c.fail("%s: bootstrapServers %v differ from inference-service's %s", where, md["bootstrapServers"], bootstrap)
				}
				if md["offsetResetPolicy"] != nil && !strings.Contains(inferenceSrc, fmt.Sprintf("AUTO_OFFSET_RESET_CONFIG, \"%v\"", md["offsetResetPolicy"])) {
					c.fail("%s: offsetResetPolicy %v is not the consumer's auto.offset.reset", where, md["offsetResetPolicy"])
				}
				kafkaModels[model] = true
			case "prometheus":
				for _, e := range prometheus.CheckMetadata(where, md) {
					c.fail("%s", e)
				}
				for _, m := range regexp.MustCompile(`loopserve_\w+`).FindAllString(fmt.Sprint(md["query"]), -1) {
					c.metricExported(m, where)
				}
			default:
				c.fail("%s: unexpected trigger type", where)
			}
		}
		if len(kafkaModels) == 0 {
			c.fail("%s: no kafka trigger", o)
		}
	}
	for _, o := range c.objs {
		if o.GVK.Kind != "TriggerAuthentication" {
			continue
		}
		spec, _ := o.Raw["spec"].(map[string]any)
		refs, _ := spec["secretTargetRef"].([]any)
		for _, r := range refs {
			ref, _ := r.(map[string]any)
			if p, ok := kafka[fmt.Sprint(ref["parameter"])]; !ok || !p.Auth {
				c.fail("%s: %v is not an auth parameter of the kafka scaler", o, ref["parameter"])
			}
		}
	}
}

func sourcesOf(r *Repo, rel string) string {
	var sb strings.Builder
	_ = walkJava(r.Root+"/"+rel, func(src string) { sb.WriteString(src) })
	return sb.String()
}

// metricExported: a loopserve_* series the chart relies on is registered by some service.
func (c *checker) metricExported(name, where string) {
	if !strings.HasPrefix(name, "loopserve_") {
		return
	}
	if !c.repo.Metrics[name] {
		c.failID("metric:"+name, "%s uses %s, which no service registers", where, name)
	}
}

// topicTies: the topic Job creates exactly the topics of the messages module, with the
// compacted ones compacted, and enough request partitions for the autoscaler's maximum.
func (c *checker) topicTies() {
	requestsPrefix, _, shared, compacted := c.naming()
	for _, j := range of[*batchv1.Job](c.objs) {
		var spec string
		for _, e := range j.Spec.Template.Spec.Containers[0].Env {
			if e.Name == "LOOPSERVE_TOPICS" {
				spec = e.Value
			}
		}
		if spec == "" {
			continue
		}
		got := map[string][2]string{}
		for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 {
				c.fail("Job/%s: bad topic line %q", j.Name, line)
				continue
			}
			got[f[0]] = [2]string{f[1], f[2]}
		}
		for _, t := range shared {
			want := "delete"
			if contains(compacted, t) {
				want = "compact"
			}
			if g, ok := got[t]; !ok {
				c.fail("Job/%s: does not create %s", j.Name, t)
			} else if g[1] != want {
				c.fail("Job/%s: %s has cleanup.policy %s, the messages module says %s", j.Name, t, g[1], want)
			}
		}
		maxReplicas := c.maxReplicas()
		for t, g := range got {
			if !contains(shared, t) && !strings.HasPrefix(t, requestsPrefix) {
				c.fail("Job/%s: creates %s, which is not a loopserve topic", j.Name, t)
			}
			if strings.HasPrefix(t, requestsPrefix) {
				if n, _ := strconv.Atoi(g[0]); maxReplicas > n {
					c.fail("Job/%s: %s has %d partitions but inference may scale to %d replicas", j.Name, t, n, maxReplicas)
				}
			}
		}
	}
}

func (c *checker) maxReplicas() int {
	for _, h := range of[*autoscalingv2.HorizontalPodAutoscaler](c.objs) {
		return int(h.Spec.MaxReplicas)
	}
	for _, o := range c.objs {
		if o.GVK.Kind == "ScaledObject" {
			spec, _ := o.Raw["spec"].(map[string]any)
			if n, ok := spec["maxReplicaCount"].(float64); ok {
				return int(n)
			}
		}
	}
	return 0
}

// monitoringTies: what Prometheus scrapes is served, and the dashboard's loopserve_* series
// exist.
func (c *checker) monitoringTies() {
	for _, o := range c.objs {
		switch o.GVK.Kind {
		case "ServiceMonitor":
			spec, _ := o.Raw["spec"].(map[string]any)
			sel, _ := spec["selector"].(map[string]any)
			ml, _ := sel["matchLabels"].(map[string]any)
			comp := fmt.Sprint(ml["app.kubernetes.io/component"])
			svc := c.repo.Services[comp]
			if svc == nil {
				c.fail("%s: selects component %q, not a loopserve service", o, comp)
				continue
			}
			exposure := fmt.Sprint(svc.AppConfig["management.endpoints.web.exposure.include"])
			if !svc.DependsOn("micrometer-registry-prometheus") || !strings.Contains(","+strings.ReplaceAll(exposure, " ", "")+",", ",prometheus,") {
				c.failID("scrape:"+comp, "%s: %s does not serve /actuator/prometheus (needs micrometer-registry-prometheus and the prometheus endpoint exposed)", o, comp)
			}
		case "ConfigMap":
			cm := o.Typed.(*corev1.ConfigMap)
			for key, data := range cm.Data {
				if !strings.HasSuffix(key, ".json") {
					continue
				}
				seen := map[string]bool{}
				for _, m := range regexp.MustCompile(`loopserve_[a-z0-9_]+`).FindAllString(data, -1) {
					if !seen[m] {
						seen[m] = true
						c.metricExported(m, "ConfigMap/"+cm.Name+" dashboard")
					}
				}
			}
		}
	}
}
