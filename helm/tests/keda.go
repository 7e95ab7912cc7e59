package chart

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ScalerParams are the parameters one KEDA scaler reads, taken from its `keda:"name=..."`
// struct tags in KEDA's own source, with where each may come from and its allowed values.
type ScalerParams map[string]ScalerParam

type ScalerParam struct {
	Metadata bool     // may be set in trigger metadata
	Auth     bool     // may come from a TriggerAuthentication
	Enum     []string // allowed values, if restricted
}

var kedaTagRe = regexp.MustCompile("keda:\"([^\"]+)\"")

// LoadScalerParams parses pkg/scalers/<scaler>_scaler.go of a KEDA source tree.
func LoadScalerParams(kedaDir, scaler string) (ScalerParams, error) {
	src, err := os.ReadFile(filepath.Join(kedaDir, "pkg/scalers", scaler+"_scaler.go"))
	if err != nil {
		return nil, err
	}
	params := ScalerParams{}
	for _, m := range kedaTagRe.FindAllStringSubmatch(string(src), -1) {
		var p ScalerParam
		var name string
		for _, part := range strings.Split(m[1], ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "name":
				name = strings.TrimSpace(v)
			case "order":
				for _, o := range strings.Split(v, ";") {
					switch strings.TrimSpace(o) {
					case "triggerMetadata":
						p.Metadata = true
					case "authParams":
						p.Auth = true
					}
				}
			case "enum":
				for _, e := range strings.Split(v, ";") {
					p.Enum = append(p.Enum, strings.TrimSpace(e))
				}
			}
		}
		if name != "" {
			params[name] = p
		}
	}
	if len(params) == 0 {
		return nil, fmt.Errorf("no keda parameter tags in the %s scaler", scaler)
	}
	return params, nil
}

func (p ScalerParams) CheckMetadata(trigger string, md map[string]any) []string {
	var errs []string
	for k, v := range md {
		param, ok := p[k]
		if !ok || !param.Metadata {
			errs = append(errs, fmt.Sprintf("%s: %q is not a metadata parameter of this scaler", trigger, k))
			continue
		}
		if len(param.Enum) > 0 && !contains(param.Enum, fmt.Sprint(v)) {
			errs = append(errs, fmt.Sprintf("%s: %s=%v is not one of %v", trigger, k, v, param.Enum))
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
