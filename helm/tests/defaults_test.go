package chart

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestDefaultsMatchRepository: installed with its defaults, the chart serves the models this
// repository ships, from where the inference Dockerfile puts them, as the user the images run as.
func TestDefaultsMatchRepository(t *testing.T) {
	f := load(t)
	manifest, err := os.ReadFile(filepath.Join(requireEnv(t, "LOOPSERVE_RENDERED"), "defaults.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := Decode(manifest)
	if err != nil {
		t.Fatal(err)
	}
	c := &checker{objs: objs, repo: f.repo}
	requestsPrefix, _, _, _ := c.naming()

	// Every model the default topic Job provisions is a package in models/ of that name.
	var topics string
	for _, o := range objs {
		if o.GVK.Kind == "Job" {
			for _, e := range o.Raw["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["env"].([]any) {
				if m := e.(map[string]any); m["name"] == "LOOPSERVE_TOPICS" {
					topics = m["value"].(string)
				}
			}
		}
	}
	models := 0
	for _, line := range strings.Split(topics, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], requestsPrefix) {
			continue
		}
		model := strings.TrimPrefix(fields[0], requestsPrefix)
		models++
		data, err := os.ReadFile(filepath.Join(f.repo.Root, "models", model, "model.json"))
		if err != nil {
			t.Errorf("default model %s: %v", model, err)
			continue
		}
		var manifest struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(data, &manifest); err != nil || manifest.Name != model {
			t.Errorf("models/%s/model.json names %q", model, manifest.Name)
		}
	}
	if models == 0 {
		t.Error("the default topic Job provisions no request topic")
	}

	// Where the inference image keeps its packages, and the user every image runs as.
	dockerfile, err := f.repo.Source("inference-service/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^COPY models/ (\S+?)/?$`).FindStringSubmatch(dockerfile)
	if m == nil {
		t.Fatal("inference-service/Dockerfile does not copy models/")
	}
	var cm *corev1.ConfigMap
	for _, x := range of[*corev1.ConfigMap](objs) {
		if x.Annotations["loopserve.dev/spring-application"] == "inference-service" {
			cm = x
		}
	}
	var tree map[string]any
	if cm == nil || yaml.Unmarshal([]byte(cm.Data["application.yaml"]), &tree) != nil {
		t.Fatal("no inference-service configuration rendered")
	}
	if got := Flatten(tree)["loopserve.inference.models-dir"]; got != m[1] {
		t.Errorf("inference-service reads models from %v, the image has them in %s", got, m[1])
	}
	for _, svc := range []string{"gateway", "scheduler-service", "inference-service"} {
		src, err := f.repo.Source(svc + "/Dockerfile")
		if err != nil {
			t.Error(err)
			continue
		}
		u := regexp.MustCompile(`(?m)^USER (\d+)`).FindStringSubmatch(src)
		for _, d := range of[*appsv1.Deployment](objs) {
			if d.Spec.Template.Labels["app.kubernetes.io/component"] != svc {
				continue
			}
			sc := d.Spec.Template.Spec.SecurityContext
			if u == nil || sc == nil || sc.RunAsUser == nil || strconv.FormatInt(*sc.RunAsUser, 10) != u[1] {
				t.Errorf("%s: the Dockerfile's numeric USER and the pod's runAsUser differ", svc)
			}
		}
	}
}
