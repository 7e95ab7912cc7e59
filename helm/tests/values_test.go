package chart

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEveryValueCommented: each value in values.yaml is documented by a "# --" comment right
// above it, or above an enclosing key whose whole block it documents (helm-docs convention).
func TestEveryValueCommented(t *testing.T) {
	data, err := os.ReadFile("../loopserve/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`^(\s*)([\w.-]+):(.*)$`)
	type level struct {
		indent     int
		documented bool
	}
	var stack []level
	lines := strings.Split(string(data), "\n")
	undocumented := 0
	for i, line := range lines {
		m := keyRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		indent := len(m[1])
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		documented := false
		for j := i - 1; j >= 0; j-- {
			prev := strings.TrimSpace(lines[j])
			if !strings.HasPrefix(prev, "#") {
				break
			}
			if strings.HasPrefix(prev, "# --") {
				documented = true
			}
		}
		for _, l := range stack {
			documented = documented || l.documented
		}
		rest := strings.TrimSpace(m[3])
		leaf := rest != "" && !strings.HasPrefix(rest, "#")
		if leaf && !documented {
			t.Errorf("values.yaml:%d: %s has no \"# --\" comment", i+1, strings.TrimSpace(m[2]))
			undocumented++
		}
		stack = append(stack, level{indent, documented})
	}
	if len(stack) == 0 && undocumented == 0 {
		t.Fatal("no keys found in values.yaml")
	}
}
