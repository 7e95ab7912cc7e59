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
		scenario             string // rendered scenario to break; keda when empty
	}{
		{"config key the service lacks", "models-dir: /models", "model-dir: /models", "is not a configuration property of gateway", ""},
		{"consumer group the service does not use", "consumerGroup: loopserve-inference-loop-demo\n", "consumerGroup: loopserve-inference\n", "but inference-service consumes", ""},
		{"topic outside the request prefix", "topic: loopserve.requests.loop-demo\n", "topic: requests.loop-demo\n", "is not a loopserve.requests.<model> topic", ""},
		{"KEDA metadata key the scaler ignores", "lagThreshold:", "lagTreshold:", `"lagTreshold" is not a metadata parameter`, ""},
		{"KEDA enum value", "offsetResetPolicy: earliest", "offsetResetPolicy: oldest", "is not one of", ""},
		{"probe on a path the actuator does not serve", "path: /actuator/health/readiness", "path: /health/readiness", "readiness probe must GET /actuator/health/readiness", ""},
		{"port other than the service's", "containerPort: 8083", "containerPort: 8084", "actuator listens on 8083", ""},
		{"writable root filesystem", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "root filesystem must be read-only", ""},
		{"missing topic", "loopserve.dlq 6 delete\n", "", "does not create loopserve.dlq", ""},
		{"uncompacted results", "loopserve.results 6 compact", "loopserve.results 6 delete", "loopserve.results has cleanup.policy delete", ""},
		{"autoscaler aimed elsewhere", "name: loopserve-inference-service\n  minReplicaCount", "name: loopserve-gateway\n  minReplicaCount", "is not the inference Deployment", ""},
		{"stale checksum", "checksum/config: ", "checksum/config: 0", "is not the sha256 of its application.yaml", ""},
		{"short grace period", "terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: 25", "must exceed loopserve.inference.handoff-timeout", ""},
		{"unknown field in a built-in kind", "revisionHistoryLimit: 5", "revisionHistoryLimits: 5", `json: unknown field "revisionHistoryLimits"`, ""},
		{"unknown field in a ScaledObject", "pollingInterval: 15", "pollingIntervall: 15", `unknown field "pollingIntervall"`, ""},
		{"unknown field in a ServiceMonitor", "path: /actuator/prometheus", "paths: /actuator/prometheus", `unknown field "paths"`, ""},
		{"dashboard series nobody exports", "loopserve_tokens_total", "loopserve_tokenz_total", "uses loopserve_tokenz_total, which no service registers", ""},
		{"key file name the gateway does not know", "max-in-flight=20", "max-inflight=20", `sets "max-inflight", which is not a name`, "api-keys"},
		{"key file without a hash", "sha256=62af", "sha=62af", "has no sha256 of 64 lowercase hex digits", "api-keys"},
		{"keys read from where no Secret is", "keys-dir: /etc/loopserve/api-keys", "keys-dir: /etc/api-keys", "but no Secret is mounted there", "api-keys"},
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
	rendered := map[string]string{"keda": string(base)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scenario := c.scenario
			if scenario == "" {
				scenario = "keda"
			}
			manifest, ok := rendered[scenario]
			if !ok {
				b, err := os.ReadFile(filepath.Join(requireEnv(t, "LOOPSERVE_RENDERED"), scenario+".yaml"))
				if err != nil {
					t.Fatal(err)
				}
				manifest = string(b)
				rendered[scenario] = manifest
			}
			if !strings.Contains(manifest, c.old) {
				t.Fatalf("the %s scenario no longer contains %q; update this case", scenario, c.old)
			}
			if clean := run(manifest); strings.Contains(clean, c.want) {
				t.Fatalf("fires on the unbroken chart: %q", c.want)
			}
			if got := run(strings.Replace(manifest, c.old, c.new, 1)); !strings.Contains(got, c.want) {
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

func TestNestedRecordKeys(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Props.java": `@ConfigurationProperties("app.x")
public record Props(@DefaultValue Inner inner, Limits limits, Map<String, @Valid Key> keys, int plain) {
  record Inner(@Positive int depth) {}
  record Key(String sha256) {}
}`,
		"Limits.java": `public record Limits(@DefaultValue("20") double requestsPerSecond) {}`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &Service{keys: map[string]bool{}}
	if err := addRecordKeys(dir, s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"app.x.inner.depth", "app.x.limits.requests-per-second", "app.x.keys.alice.sha256", "app.x.plain"} {
		if !s.Accepts(k) {
			t.Errorf("%s refused", k)
		}
	}
	for _, k := range []string{"app.x.inner.width", "app.x.limits.burst", "app.x.plain.more"} {
		if s.Accepts(k) {
			t.Errorf("%s accepted", k)
		}
	}
}
