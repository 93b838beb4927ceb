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
	"time"

	"github.com/fsmgen/fsmgen/internal/textdiff"
)

// Change is one file whose on-disk bytes differ from the generated ones.
type Change struct {
	Path string // slash-separated, relative to the output directory
	Old  []byte // nil when the file does not exist
	New  []byte // nil when the file is to be removed
}

// Changes compares files with what is under dir and returns the differing
// ones in path order. A nil value asks for the file's removal, a change
// only when it exists. It writes nothing.
func Changes(dir string, files map[string][]byte) ([]Change, error) {
	var out []Change
	for _, p := range sortedKeys(files) {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		if err := checkLinks(dir, p); err != nil {
			return nil, err
		}
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		exists, remove := err == nil, files[p] == nil
		if remove && !exists || !remove && exists && bytes.Equal(old, files[p]) {
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
		if c.New == nil {
			name = "/dev/null"
		}
		b.WriteString(textdiff.Unified(oldName, name, c.Old, c.New))
	}
	return b.String()
}

// Write applies changes under dir, which the caller has locked with Lock.
// Every new file is first written in full to a temporary file beside its
// destination; only when all of them are on disk are they renamed into
// place, so a failure leaves every output either entirely old or entirely
// new and, before the renames, untouched. Removals come last, once every
// new file is in place.
func Write(dir string, changes []Change) error {
	type pending struct{ tmp, dst string }
	var staged []pending
	var removals []string
	cleanup := func() {
		for _, p := range staged {
			os.Remove(p.tmp)
		}
	}
	for _, c := range changes {
		err := checkPath(c.Path)
		if err == nil {
			err = checkLinks(dir, c.Path)
		}
		if err != nil {
			cleanup()
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(c.Path))
		if c.New == nil {
			removals = append(removals, dst)
			continue
		}
		tmp, err := stage(dst, c.New)
		if err == nil {
			staged = append(staged, pending{tmp, dst})
			err = hook("stage", len(staged))
		}
		if err != nil {
			cleanup()
			return err
		}
	}
	for i, p := range staged {
		err := hook("rename", i)
		if err == nil {
			err = os.Rename(p.tmp, p.dst)
		}
		if err != nil {
			cleanup()
			return fmt.Errorf("%w (%d of %d files were updated)", err, i, len(staged))
		}
	}
	for _, p := range removals {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// hook runs after the n-th file is staged ("stage", 1-based) and before the
// i-th rename ("rename", 0-based). Tests make it fail or stop there to show
// what an interrupted Write leaves behind.
var hook = func(step string, n int) error { return nil }

// pauseAt makes a binary linked with
//
//	-ldflags "-X github.com/fsmgen/fsmgen/internal/writer.pauseAt=rename:1"
//
// announce the point on stderr and stop there, so that a test can kill a
// real process mid-write. It is empty, and inert, in every normal build.
var pauseAt string

func init() {
	if pauseAt == "" {
		return
	}
	hook = func(step string, n int) error {
		if fmt.Sprintf("%s:%d", step, n) == pauseAt {
			fmt.Fprintf(os.Stderr, "fsmgen: paused at %s\n", pauseAt)
			for {
				// Not select{}: the runtime would call that a deadlock
				// and exit, releasing the lock the test wants held.
				time.Sleep(time.Hour)
			}
		}
		return nil
	}
}

func stage(dst string, data []byte) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	// A run killed between staging and renaming leaves its temporary
	// files behind; the caller holds the output's Lock, so any found now
	// are such leftovers and would otherwise litter the package.
	prefix := "." + filepath.Base(dst) + ".tmp"
	if leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(dst), prefix+"*")); err == nil {
		for _, l := range leftovers {
			os.Remove(l)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(dst), prefix+"*")
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

// checkPath keeps every output inside the output directory. IsLocal adds
// the platform's own traps (volume names, reserved names on Windows); ":"
// is refused everywhere so that a path means the same on every platform.
func checkPath(p string) error {
	if p == "" || p == "." || path.IsAbs(p) || strings.ContainsAny(p, `\:`) || path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../") || !filepath.IsLocal(filepath.FromSlash(p)) {
		return fmt.Errorf("internal error: output path %q escapes the output directory", p)
	}
	return nil
}

// checkLinks refuses a directory on the way to p that is a symbolic link:
// a checked-out tree could otherwise point part of the output anywhere on
// the machine, and generate would write there.
func checkLinks(dir, p string) error {
	parts := strings.Split(p, "/")
	cur := dir
	for _, part := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link; fsmgen does not write through links inside the output directory", cur)
		}
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
