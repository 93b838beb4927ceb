// Package writer puts generated files on disk, touching only files whose
// bytes changed, and reports drift without writing.
package writer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fsmgen/fsmgen/internal/textdiff"
)

// Change is one file whose on-disk bytes differ from the generated ones.
type Change struct {
	Path string // slash-separated, relative to the output directory
	Old  []byte // nil when the file does not exist
	New  []byte
}

// Changes compares files with what is under dir and returns the differing
// ones in path order. It writes nothing.
func Changes(dir string, files map[string][]byte) ([]Change, error) {
	var out []Change
	for _, p := range sortedKeys(files) {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if err == nil && bytes.Equal(old, files[p]) {
			continue
		}
		out = append(out, Change{Path: p, Old: old, New: files[p]})
	}
	return out, nil
}

// Diff renders changes as one unified diff.
func Diff(dir string, changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		name := path.Join(filepath.ToSlash(dir), c.Path)
		oldName := name
		if c.Old == nil {
			oldName = "/dev/null"
		}
		b.WriteString(textdiff.Unified(oldName, name, c.Old, c.New))
	}
	return b.String()
}

// Write applies changes under dir. Every new file is first written in full
// to a temporary file beside its destination; only when all of them are on
// disk are they renamed into place, so a failure leaves every output either
// entirely old or entirely new and, before the renames, untouched.
func Write(dir string, changes []Change) error {
	type pending struct{ tmp, dst string }
	var staged []pending
	cleanup := func() {
		for _, p := range staged {
			os.Remove(p.tmp)
		}
	}
	for _, c := range changes {
		if err := checkPath(c.Path); err != nil {
			cleanup()
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(c.Path))
		tmp, err := stage(dst, c.New)
		if err != nil {
			cleanup()
			return err
		}
		staged = append(staged, pending{tmp, dst})
	}
	for i, p := range staged {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			cleanup()
			return fmt.Errorf("%w (%d of %d files were updated)", err, i, len(staged))
		}
	}
	return nil
}

func stage(dst string, data []byte) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing %s: %w", dst, err)
	}
	return f.Name(), nil
}

// checkPath keeps every output inside the output directory.
func checkPath(p string) error {
	if p == "" || path.IsAbs(p) || strings.Contains(p, `\`) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("internal error: output path %q escapes the output directory", p)
	}
	return nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
