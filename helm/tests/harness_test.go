package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each case breaks one rendered scenario on purpose; the named check must catch it, and must
// not fire on the unbroken render. This keeps every check able to fail.
func TestChecksCatchBreakage(t *testing.T) {
	f := load(t)
	base, err := os.ReadFile(filepath.Join(requireEnv(t, "LOOPSERVE_RENDERED"), "keda.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new, want string
	}{
		{"config key the service lacks", "models-dir: /models", "model-dir: /models", "is not a configuration property of gateway"},
		{"consumer group the service does not use", "consumerGroup: loopserve-inference-loop-demo\n", "consumerGroup: loopserve-inference\n", "but inference-service consumes"},
		{"topic outside the request prefix", "topic: loopserve.requests.loop-demo\n", "topic: requests.loop-demo\n", "is not a loopserve.requests.<model> topic"},
		{"KEDA metadata key the scaler ignores", "lagThreshold:", "lagTreshold:", `"lagTreshold" is not a metadata parameter`},
		{"KEDA enum value", "offsetResetPolicy: earliest", "offsetResetPolicy: oldest", "is not one of"},
		{"probe on a path the actuator does not serve", "path: /actuator/health/readiness", "path: /health/readiness", "readiness probe must GET /actuator/health/readiness"},
		{"port other than the service's", "containerPort: 8083", "containerPort: 8084", "actuator listens on 8083"},
		{"writable root filesystem", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "root filesystem must be read-only"},
		{"missing topic", "loopserve.dlq 6 delete\n", "", "does not create loopserve.dlq"},
		{"uncompacted results", "loopserve.results 6 compact", "loopserve.results 6 delete", "loopserve.results has cleanup.policy delete"},
		{"autoscaler aimed elsewhere", "name: loopserve-inference-service\n  minReplicaCount", "name: loopserve-gateway\n  minReplicaCount", "is not the inference Deployment"},
		{"stale checksum", "checksum/config: ", "checksum/config: 0", "is not the sha256 of its application.yaml"},
		{"short grace period", "terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: 25", "must exceed loopserve.inference.handoff-timeout"},
		{"unknown field in a built-in kind", "revisionHistoryLimit: 5", "revisionHistoryLimits: 5", `json: unknown field "revisionHistoryLimits"`},
		{"unknown field in a ScaledObject", "pollingInterval: 15", "pollingIntervall: 15", `unknown field "pollingIntervall"`},
		{"unknown field in a ServiceMonitor", "path: /actuator/prometheus", "paths: /actuator/prometheus", `unknown field "paths"`},
		{"dashboard series nobody exports", "loopserve_tokens_total", "loopserve_tokenz_total", "uses loopserve_tokenz_total, which no service registers"},
	}
	run := func(manifest string) string {
		objs, err := Decode([]byte(manifest))
		var msgs []string
		if err != nil {
			msgs = append(msgs, err.Error())
		}
		for _, p := range Check(objs, f.repo, f.crds, f.kafka, f.prometheus) {
			msgs = append(msgs, p.String())
		}
		return strings.Join(msgs, "\n")
	}
	clean := run(string(base))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(base), c.old) {
				t.Fatalf("the keda scenario no longer contains %q; update this case", c.old)
			}
			if strings.Contains(clean, c.want) {
				t.Fatalf("fires on the unbroken chart: %q", c.want)
			}
			if got := run(strings.Replace(string(base), c.old, c.new, 1)); !strings.Contains(got, c.want) {
				t.Errorf("breakage not caught; wanted %q in:\n%s", c.want, got)
			}
		})
	}
}

func TestRecordComponents(t *testing.T) {
	got := recordComponents(`
    @NotNull @DefaultValue("models") Path modelsDir,
    @Min(1) @Max(1024) @DefaultValue("16") int maxBatch,
    Map<String, List<String>> extra,
    @DecimalMin(value = "0", inclusive = false) Double topP) {}`)
	want := []string{"modelsDir", "maxBatch", "extra", "topP"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRelaxedBinding(t *testing.T) {
	s := &Service{keys: map[string]bool{canonical("loopserve.inference.max-batch"): true}, mapPrefixes: []string{canonical("spring.kafka.properties")}}
	for _, k := range []string{"loopserve.inference.max-batch", "loopserve.inference.maxBatch", "spring.kafka.properties.sasl.jaas.config"} {
		if !s.Accepts(k) {
			t.Errorf("%s refused", k)
		}
	}
	for _, k := range []string{"loopserve.inference.max-batches", "spring.kafka.propertie.x", "spring.kafka.properties"} {
		if s.Accepts(k) {
			t.Errorf("%s accepted", k)
		}
	}
}
