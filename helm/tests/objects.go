// Package chart checks the manifests `helm template` renders for the loopserve chart: every
// object decodes strictly into its Kubernetes API type (or, for custom resources, validates
// against its CRD's schema), and the chart agrees with the services' code.
package chart

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Object is one rendered document: its raw form, its kind and, for built-in kinds, the typed
// value it decoded into.
type Object struct {
	GVK   schema.GroupVersionKind
	Name  string
	Raw   map[string]any
	Typed any
}

func (o Object) String() string { return o.GVK.Kind + "/" + o.Name }

// builtin are the Kubernetes kinds the chart may render, each with its Go API type.
var builtin = map[schema.GroupVersionKind]func() any{
	corev1.SchemeGroupVersion.WithKind("ConfigMap"):             func() any { return &corev1.ConfigMap{} },
	corev1.SchemeGroupVersion.WithKind("Secret"):                func() any { return &corev1.Secret{} },
	corev1.SchemeGroupVersion.WithKind("Service"):               func() any { return &corev1.Service{} },
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"):        func() any { return &corev1.ServiceAccount{} },
	corev1.SchemeGroupVersion.WithKind("Pod"):                   func() any { return &corev1.Pod{} },
	appsv1.SchemeGroupVersion.WithKind("Deployment"):            func() any { return &appsv1.Deployment{} },
	appsv1.SchemeGroupVersion.WithKind("StatefulSet"):           func() any { return &appsv1.StatefulSet{} },
	batchv1.SchemeGroupVersion.WithKind("Job"):                  func() any { return &batchv1.Job{} },
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"): func() any { return &policyv1.PodDisruptionBudget{} },
	autoscalingv2.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"): func() any {
		return &autoscalingv2.HorizontalPodAutoscaler{}
	},
	networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"): func() any { return &networkingv1.NetworkPolicy{} },
}

// Decode splits a multi-document manifest and decodes each document. Built-in kinds are
// decoded with unknown and duplicate fields rejected, which is what the API server's strict
// field validation does; custom resources are returned raw for the CRD check.
func Decode(manifest []byte) ([]Object, error) {
	reader := utilyaml.NewYAMLReader(bufioReader(manifest))
	var out []Object
	var errs []string
	for {
		doc, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var raw map[string]any
		if err := yaml.UnmarshalStrict(doc, &raw); err != nil {
			errs = append(errs, fmt.Sprintf("unparsable document: %v", err))
			continue
		}
		apiVersion, _ := raw["apiVersion"].(string)
		kind, _ := raw["kind"].(string)
		gv, err := schema.ParseGroupVersion(apiVersion)
		if err != nil || kind == "" {
			errs = append(errs, fmt.Sprintf("document without apiVersion/kind: %.80q", doc))
			continue
		}
		meta, _ := raw["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		obj := Object{GVK: gv.WithKind(kind), Name: name, Raw: raw}
		if factory, ok := builtin[obj.GVK]; ok {
			typed := factory()
			if err := yaml.UnmarshalStrict(doc, typed); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", obj, err))
				continue
			}
			obj.Typed = typed
		}
		out = append(out, obj)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.Bytes()
}
