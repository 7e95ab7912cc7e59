package chart

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Service is what the code says about one Spring Boot service: the configuration keys it
// accepts and its own application.yml.
type Service struct {
	Name string // spring.application.name, also the module directory
	Dir  string
	// AppConfig is src/main/resources/application.yml, flattened to dotted keys.
	AppConfig map[string]any
	// Keys accepted: the service's and its sibling modules' @ConfigurationProperties records,
	// the keys of its application.yml, and Spring's own metadata.
	keys map[string]bool
	// mapPrefixes are properties of Map type: any key below them is accepted.
	mapPrefixes []string
	Pom         string
}

// canonical folds Spring's relaxed binding: max-batch, maxBatch and max_batch are one key.
func canonical(key string) string {
	return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(key))
}

// Accepts reports whether key is a property this service binds.
func (s *Service) Accepts(key string) bool {
	c := canonical(key)
	if s.keys[c] {
		return true
	}
	for _, p := range s.mapPrefixes {
		if strings.HasPrefix(c, p+".") {
			return true
		}
	}
	return false
}

// DependsOn reports whether the service's pom declares a dependency on artifactId.
func (s *Service) DependsOn(artifactID string) bool {
	return strings.Contains(s.Pom, "<artifactId>"+artifactID+"</artifactId>")
}

// Repo reads the facts the chart must agree with from the repository.
type Repo struct {
	Root     string
	Services map[string]*Service
	// Metrics are the Prometheus names of the meters the Java code registers.
	Metrics map[string]bool
}

var (
	configPropsRe = regexp.MustCompile(`@ConfigurationProperties\(\s*(?:prefix\s*=\s*|value\s*=\s*)?"([^"]+)"\s*\)`)
	recordRe      = regexp.MustCompile(`record\s+\w+\s*\(`)
	namedRecordRe = regexp.MustCompile(`record\s+(\w+)\s*\(`)
	annotationRe  = regexp.MustCompile(`@[\w.]+(\((?:[^()]|\([^()]*\))*\))?`)
	meterRe       = regexp.MustCompile(`(Timer|Counter|DistributionSummary|Gauge|LongTaskTimer|FunctionCounter|FunctionTimer|TimeGauge)\s*\.\s*builder\(\s*"(loopserve\.[^"]+)"`)
	registryRe    = regexp.MustCompile(`\.(gauge|counter|timer|summary)\(\s*"(loopserve\.[^"]+)"`)
)

// LoadRepo reads the services under root, using the Spring configuration metadata in the
// given jars (spring-configuration-metadata.json) for Spring's own keys.
func LoadRepo(root string, metadataJars []string) (*Repo, error) {
	meta, err := loadMetadata(metadataJars)
	if err != nil {
		return nil, err
	}
	r := &Repo{Root: root, Services: map[string]*Service{}, Metrics: map[string]bool{}}
	for _, name := range []string{"gateway", "scheduler-service", "inference-service"} {
		s, err := loadService(root, name, meta)
		if err != nil {
			return nil, err
		}
		r.Services[name] = s
	}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "target" || d.Name() == "test" || strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "helm") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".java") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range meterRe.FindAllStringSubmatch(string(src), -1) {
			for _, n := range prometheusNames(m[1], m[2]) {
				r.Metrics[n] = true
			}
		}
		for _, m := range registryRe.FindAllStringSubmatch(string(src), -1) {
			kind := map[string]string{"gauge": "Gauge", "counter": "Counter", "timer": "Timer", "summary": "DistributionSummary"}[m[1]]
			for _, n := range prometheusNames(kind, m[2]) {
				r.Metrics[n] = true
			}
		}
		return nil
	})
	return r, err
}

// prometheusNames are the series names Micrometer's Prometheus registry gives a meter.
func prometheusNames(kind, name string) []string {
	base := strings.ReplaceAll(name, ".", "_")
	switch kind {
	case "Counter", "FunctionCounter":
		return []string{base + "_total"}
	case "Timer", "FunctionTimer", "LongTaskTimer":
		b := base + "_seconds"
		return []string{b, b + "_bucket", b + "_count", b + "_sum", b + "_max"}
	case "DistributionSummary":
		return []string{base, base + "_bucket", base + "_count", base + "_sum", base + "_max"}
	case "TimeGauge":
		return []string{base + "_seconds"}
	default:
		return []string{base}
	}
}

type metadata struct {
	keys        map[string]bool
	mapPrefixes []string
}

func loadMetadata(jars []string) (*metadata, error) {
	m := &metadata{keys: map[string]bool{}}
	found := 0
	for _, jar := range jars {
		z, err := zip.OpenReader(jar)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", jar, err)
		}
		for _, f := range z.File {
			if f.Name != "META-INF/spring-configuration-metadata.json" && f.Name != "META-INF/additional-spring-configuration-metadata.json" {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				z.Close()
				return nil, err
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			var doc struct {
				Properties []struct {
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"properties"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				z.Close()
				return nil, fmt.Errorf("%s!%s: %w", jar, f.Name, err)
			}
			found++
			for _, p := range doc.Properties {
				c := canonical(p.Name)
				m.keys[c] = true
				if strings.HasPrefix(p.Type, "java.util.Map<") {
					m.mapPrefixes = append(m.mapPrefixes, c)
				}
			}
		}
		z.Close()
	}
	if found == 0 {
		return nil, fmt.Errorf("no Spring configuration metadata in %d jars", len(jars))
	}
	sort.Strings(m.mapPrefixes)
	return m, nil
}

func loadService(root, name string, meta *metadata) (*Service, error) {
	dir := filepath.Join(root, name)
	pom, err := os.ReadFile(filepath.Join(dir, "pom.xml"))
	if err != nil {
		return nil, err
	}
	s := &Service{Name: name, Dir: dir, Pom: string(pom), keys: map[string]bool{}}
	for k := range meta.keys {
		s.keys[k] = true
	}
	s.mapPrefixes = append(s.mapPrefixes, meta.mapPrefixes...)
	var yml []byte
	for _, f := range []string{"application.yml", "application.yaml"} {
		if b, err := os.ReadFile(filepath.Join(dir, "src/main/resources", f)); err == nil {
			yml = b
		}
	}
	if yml == nil {
		return nil, fmt.Errorf("%s has no src/main/resources/application.yml", name)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(yml, &tree); err != nil {
		return nil, fmt.Errorf("%s application.yml: %w", name, err)
	}
	s.AppConfig = Flatten(tree)
	for k := range s.AppConfig {
		s.keys[canonical(k)] = true
	}
	// The service's own records, and those of every sibling module its pom depends on.
	modules := []string{name}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if e.IsDir() && e.Name() != name && s.DependsOn(e.Name()) {
			modules = append(modules, e.Name())
		}
	}
	for _, mod := range modules {
		if err := addRecordKeys(filepath.Join(root, mod, "src/main/java"), s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// addRecordKeys adds <prefix>.<component> for every @ConfigurationProperties record, descending
// into components whose type is a record of the same module (nested settings such as
// loopserve.gateway.retention.max-finished); a Map component accepts any key below it.
func addRecordKeys(dir string, s *Service) error {
	type root struct{ src, prefix, header string }
	var roots []root
	records := map[string]string{} // simple name -> header text after "("
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !strings.HasSuffix(path, ".java") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(data)
		for _, r := range namedRecordRe.FindAllStringSubmatchIndex(src, -1) {
			if _, seen := records[src[r[2]:r[3]]]; !seen {
				records[src[r[2]:r[3]]] = src[r[1]:]
			}
		}
		m := configPropsRe.FindStringSubmatchIndex(src)
		if m == nil {
			return nil
		}
		loc := recordRe.FindStringIndex(src[m[1]:])
		if loc == nil {
			return nil
		}
		roots = append(roots, root{src, src[m[2]:m[3]], src[m[1]+loc[1]:]})
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range roots {
		addComponents(r.src, r.prefix, r.header, records, s, 0)
	}
	return nil
}

// addComponents adds the keys of one record header (the text after its "("), recursing into
// component types that are records: first one declared in the same file, else in the module.
func addComponents(src, prefix, header string, records map[string]string, s *Service, depth int) {
	for _, f := range recordFields(header) {
		key := canonical(prefix + "." + f.name)
		s.keys[key] = true
		if strings.HasPrefix(f.typ, "Map<") {
			s.mapPrefixes = append(s.mapPrefixes, key)
			continue
		}
		if depth >= 8 {
			continue
		}
		if loc := regexp.MustCompile(`record\s+` + regexp.QuoteMeta(f.typ) + `\s*\(`).FindStringIndex(src); loc != nil {
			addComponents(src, key, src[loc[1]:], records, s, depth+1)
		} else if nested, ok := records[f.typ]; ok {
			addComponents(nested, key, nested, records, s, depth+1)
		}
	}
}

type recordField struct{ typ, name string }

// recordComponents returns the component names of a record header, given the text after "(".
func recordComponents(rest string) []string {
	var names []string
	for _, f := range recordFields(rest) {
		names = append(names, f.name)
	}
	return names
}

// recordFields returns the type (annotations removed) and name of each component of a record
// header, given the text after "(".
func recordFields(rest string) []recordField {
	depth := 0
	end := 0
	for i, ch := range rest {
		if ch == '(' {
			depth++
		} else if ch == ')' {
			if depth == 0 {
				end = i
				break
			}
			depth--
		}
	}
	header := annotationRe.ReplaceAllString(rest[:end], "")
	var fields []recordField
	depth = 0
	start := 0
	for i := 0; i <= len(header); i++ {
		if i < len(header) {
			switch header[i] {
			case '<':
				depth++
				continue
			case '>':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		words := strings.Fields(header[start:i])
		if len(words) > 0 {
			fields = append(fields, recordField{
				typ:  strings.Join(words[:len(words)-1], " "),
				name: words[len(words)-1],
			})
		}
		start = i + 1
	}
	return fields
}

// Flatten turns a YAML tree into dotted keys (lists are leaves).
func Flatten(tree map[string]any) map[string]any {
	out := map[string]any{}
	var rec func(prefix string, v any)
	rec = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k, sub := range m {
				key := k
				if prefix != "" {
					key = prefix + "." + k
				}
				rec(key, sub)
			}
			return
		}
		out[prefix] = v
	}
	rec("", tree)
	return out
}

// Source returns the text of a file under the repository root.
func (r *Repo) Source(rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(r.Root, rel))
	return string(b), err
}
