package chart

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

func walkJava(dir string, fn func(string)) error {
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if strings.HasSuffix(path, ".java") {
			b, err := os.ReadFile(path)
			if err == nil {
				fn(string(b))
			}
		}
		return nil
	})
}
