package chart

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Inputs come from helm/ci.sh:
//   LOOPSERVE_RENDERED      directory of <scenario>.yaml files from `helm template`
//   LOOPSERVE_REPO          repository root (default ../..)
//   KEDA_DIR                KEDA source tree of the pinned version (CRDs and scaler sources)
//   PROMETHEUS_OPERATOR_DIR Prometheus Operator source tree (ServiceMonitor CRD)
//   SPRING_METADATA_JARS    ':'-separated jars whose spring-configuration-metadata.json lists
//                           Spring's own configuration keys

type fixture struct {
	repo       *Repo
	crds       CRDs
	kafka      ScalerParams
	prometheus ScalerParams
	pending    map[string]string
}

var (
	fixtureOnce sync.Once
	fix         fixture
	fixErr      error
)

func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set; run helm/ci.sh", name)
	}
	return v
}

func load(t *testing.T) fixture {
	t.Helper()
	keda := requireEnv(t, "KEDA_DIR")
	promOp := requireEnv(t, "PROMETHEUS_OPERATOR_DIR")
	jars := strings.Split(requireEnv(t, "SPRING_METADATA_JARS"), ":")
	root := os.Getenv("LOOPSERVE_REPO")
	if root == "" {
		root = "../.."
	}
	fixtureOnce.Do(func() {
		f := fixture{}
		if f.repo, fixErr = LoadRepo(root, jars); fixErr != nil {
			return
		}
		if f.crds, fixErr = LoadCRDs(
			filepath.Join(keda, "config/crd/bases/keda.sh_scaledobjects.yaml"),
			filepath.Join(keda, "config/crd/bases/keda.sh_triggerauthentications.yaml"),
			filepath.Join(promOp, "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"),
		); fixErr != nil {
			return
		}
		if f.kafka, fixErr = LoadScalerParams(keda, "kafka"); fixErr != nil {
			return
		}
		if f.prometheus, fixErr = LoadScalerParams(keda, "prometheus"); fixErr != nil {
			return
		}
		f.pending, fixErr = loadPending("pending.txt")
		fix = f
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// loadPending reads pending.txt: "<check id> <why>" per line. A pending check that fails is
// reported but tolerated; one that passes fails the run, so the list cannot go stale.
func loadPending(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, why, _ := strings.Cut(line, " ")
		out[id] = strings.TrimSpace(why)
	}
	return out, s.Err()
}

func scenarios(t *testing.T) map[string][]byte {
	dir := requireEnv(t, "LOOPSERVE_RENDERED")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rendered scenarios in %s", dir)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = b
	}
	return out
}

// TestRenderedChart validates every scenario `helm template` rendered.
func TestRenderedChart(t *testing.T) {
	f := load(t)
	failedPending := map[string]bool{}
	names := []string{}
	all := scenarios(t)
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		manifest := all[name]
		t.Run(name, func(t *testing.T) {
			objs, err := Decode(manifest)
			if err != nil {
				t.Errorf("strict decoding:\n%v", err)
			}
			kinds := map[string]int{}
			for _, o := range objs {
				kinds[o.GVK.Kind]++
			}
			t.Logf("%d objects: %v", len(objs), kinds)
			for _, p := range Check(objs, f.repo, f.crds, f.kafka, f.prometheus) {
				if why, ok := f.pending[p.ID]; ok && p.ID != "" {
					failedPending[p.ID] = true
					t.Logf("PENDING %s (%s)", p, why)
					continue
				}
				t.Error(p)
			}
		})
	}
	for id := range f.pending {
		if !failedPending[id] {
			t.Errorf("pending check %s passes now: remove it from helm/tests/pending.txt", id)
		}
	}
}
