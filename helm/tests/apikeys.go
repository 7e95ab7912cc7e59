package chart

import (
	"regexp"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const apiKeyFilesSource = "gateway/src/main/java/dev/loopserve/gateway/security/ApiKeyFiles.java"

var sha256HexRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// apiKeyNames reads the names a gateway key file may set from ApiKeyFiles' NAMES set.
func (c *checker) apiKeyNames() map[string]bool {
	src, err := c.repo.Source(apiKeyFilesSource)
	if err != nil {
		c.fail("%s: %v", apiKeyFilesSource, err)
		return nil
	}
	m := regexp.MustCompile(`(?s)NAMES\s*=\s*Set\.of\((.*?)\);`).FindStringSubmatch(src)
	if m == nil {
		c.fail("%s: no NAMES = Set.of(...) to read the key-file names from", apiKeyFilesSource)
		return nil
	}
	names := map[string]bool{}
	for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
		names[q[1]] = true
	}
	return names
}

// apiKeyTies: the gateway reads its keys from where the Secret is mounted, and every entry of
// the Secret the chart renders is a key file the gateway accepts (known names, a sha256 hash,
// a tenant), so a bad value fails `helm template` checks rather than the gateway's start.
func (c *checker) apiKeyTies() {
	d := c.deployment("gateway")
	if d == nil {
		return
	}
	ct := d.Spec.Template.Spec.Containers[0]
	secretByVolume := map[string]string{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secretByVolume[v.Name] = v.Secret.SecretName
		}
	}
	keysDir := ""
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap == nil || v.Name != "config" {
			continue
		}
		if cm := c.configMap(v.ConfigMap.Name); cm != nil {
			var tree map[string]any
			if yaml.Unmarshal([]byte(cm.Data["application.yaml"]), &tree) == nil {
				if dir, ok := Flatten(tree)["loopserve.gateway.auth.keys-dir"]; ok {
					keysDir, _ = dir.(string)
				}
			}
		}
	}
	var keysSecret string
	for _, m := range ct.VolumeMounts {
		if secret, ok := secretByVolume[m.Name]; ok && m.MountPath == keysDir {
			keysSecret = secret
		}
	}
	mountsKeys := false
	for _, m := range ct.VolumeMounts {
		mountsKeys = mountsKeys || m.Name == "api-keys"
	}
	switch {
	case keysDir != "" && keysSecret == "":
		c.fail("Deployment/%s: loopserve.gateway.auth.keys-dir is %s but no Secret is mounted there", d.Name, keysDir)
	case keysDir == "" && mountsKeys:
		c.fail("Deployment/%s: mounts API keys but loopserve.gateway.auth.keys-dir does not point at them", d.Name)
	}
	for _, s := range of[*corev1.Secret](c.objs) {
		if s.Name != keysSecret {
			continue
		}
		names := c.apiKeyNames()
		if names == nil {
			return
		}
		ids := make([]string, 0, len(s.StringData))
		for id := range s.StringData {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			c.apiKeyFile(s.Name, id, s.StringData[id], names)
		}
	}
}

func (c *checker) apiKeyFile(secret, id, content string, names map[string]bool) {
	set := map[string]string{}
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok || !names[strings.TrimSpace(name)] {
			c.fail("Secret/%s: entry %s sets %q, which is not a name the gateway's key files know", secret, id, strings.TrimSpace(name))
			continue
		}
		set[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	if !sha256HexRe.MatchString(set["sha256"]) {
		c.fail("Secret/%s: entry %s has no sha256 of 64 lowercase hex digits", secret, id)
	}
	if set["tenant"] == "" {
		c.fail("Secret/%s: entry %s names no tenant", secret, id)
	}
}
