package chart

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// CRDs holds the openAPIV3Schema of each custom kind, read from the CRD manifests the
// operators themselves ship (KEDA, Prometheus Operator). Validating against the schema rather
// than Go types keeps their large dependency trees out of this module, and is exactly the check
// the API server applies to a custom resource.
type CRDs map[schema.GroupVersionKind]map[string]any

// LoadCRDs reads CustomResourceDefinition manifests (multi-document YAML files).
func LoadCRDs(files ...string) (CRDs, error) {
	crds := CRDs{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		reader := utilyaml.NewYAMLReader(bufioReader(data))
		for {
			doc, err := reader.Read()
			if err != nil {
				break
			}
			var crd struct {
				Kind string `json:"kind"`
				Spec struct {
					Group string `json:"group"`
					Names struct {
						Kind string `json:"kind"`
					} `json:"names"`
					Versions []struct {
						Name   string `json:"name"`
						Schema struct {
							OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
						} `json:"schema"`
					} `json:"versions"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(doc, &crd); err != nil || crd.Kind != "CustomResourceDefinition" {
				continue
			}
			for _, v := range crd.Spec.Versions {
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
				crds[gvk] = v.Schema.OpenAPIV3Schema
			}
		}
	}
	if len(crds) == 0 {
		return nil, fmt.Errorf("no CustomResourceDefinition in %v", files)
	}
	return crds, nil
}

// Validate checks a custom resource against its CRD schema. Unknown fields are errors (the API
// server's strict field validation), except where the schema preserves unknown fields.
func (c CRDs) Validate(obj Object) []string {
	s, ok := c[obj.GVK]
	if !ok {
		return []string{fmt.Sprintf("%s: no CRD schema for %s", obj, obj.GVK)}
	}
	var errs []string
	// metadata is not described by CRD schemas; it must still be a valid ObjectMeta.
	meta, _ := json.Marshal(obj.Raw["metadata"])
	var om metav1.ObjectMeta
	if err := yaml.UnmarshalStrict(meta, &om); err != nil {
		errs = append(errs, fmt.Sprintf("%s: metadata: %v", obj, err))
	}
	rest := map[string]any{}
	for k, v := range obj.Raw {
		if k != "metadata" {
			rest[k] = v
		}
	}
	props, _ := s["properties"].(map[string]any)
	if props != nil {
		// apiVersion and kind are implicit in every schema.
		if _, ok := props["apiVersion"]; !ok {
			delete(rest, "apiVersion")
		}
		if _, ok := props["kind"]; !ok {
			delete(rest, "kind")
		}
		if _, ok := props["metadata"]; ok {
			rest["metadata"] = map[string]any{}
		}
	}
	walk(obj.String(), rest, s, &errs)
	return errs
}

func walk(path string, v any, s map[string]any, errs *[]string) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, path+": "+fmt.Sprintf(format, args...))
	}
	if v == nil {
		if nullable, _ := s["nullable"].(bool); !nullable {
			fail("null is not allowed")
		}
		return
	}
	if ios, _ := s["x-kubernetes-int-or-string"].(bool); ios {
		switch v.(type) {
		case string, float64:
		default:
			fail("must be an integer or a string")
		}
		return
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		subs, _ := s[key].([]any)
		if len(subs) == 0 {
			continue
		}
		passed := 0
		for _, sub := range subs {
			var se []string
			subSchema, _ := sub.(map[string]any)
			walk(path, v, subSchema, &se)
			if len(se) == 0 {
				passed++
			} else if key == "allOf" {
				*errs = append(*errs, se...)
			}
		}
		if key == "anyOf" && passed == 0 || key == "oneOf" && passed != 1 {
			fail("does not match %s", key)
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			fail("%v is not one of %v", v, enum)
		}
	}
	preserve, _ := s["x-kubernetes-preserve-unknown-fields"].(bool)
	switch t, _ := s["type"].(string); t {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("must be an object")
			return
		}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k].(map[string]any); ok {
				walk(path+"."+k, m[k], p, errs)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case map[string]any:
				walk(path+"."+k, m[k], ap, errs)
			case bool:
				if !ap {
					fail("unknown field %q", k)
				}
			default:
				if !preserve {
					fail("unknown field %q", k)
				}
			}
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				fail("missing required field %q", r)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			fail("must be an array")
			return
		}
		items, _ := s["items"].(map[string]any)
		for i, e := range a {
			if items != nil {
				walk(fmt.Sprintf("%s[%d]", path, i), e, items, errs)
			}
		}
		if min, ok := s["minItems"].(float64); ok && float64(len(a)) < min {
			fail("fewer than %v items", min)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			fail("must be a string, not %T", v)
			return
		}
		if p, ok := s["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(str) {
				fail("%q does not match %s", str, p)
			}
		}
		if min, ok := s["minLength"].(float64); ok && float64(len(str)) < min {
			fail("shorter than %v", min)
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok {
			fail("must be a %s, not %T", t, v)
			return
		}
		if t == "integer" && n != math.Trunc(n) {
			fail("must be an integer")
		}
		if min, ok := s["minimum"].(float64); ok && n < min {
			fail("below the minimum %v", min)
		}
		if max, ok := s["maximum"].(float64); ok && n > max {
			fail("above the maximum %v", max)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("must be a boolean")
		}
	case "":
	default:
		if !strings.HasPrefix(t, "x-") {
			fail("unsupported schema type %q", t)
		}
	}
}
