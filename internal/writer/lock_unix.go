//go:build unix

package writer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockName is the lock file Lock keeps in the output directory while a
// generate run reads and writes it. It is removed when the run ends; only a
// killed run leaves it behind, and the next run takes it over.
const LockName = ".fsmgen.lock"

// Lock takes the output directory's lock, creating the directory if needed,
// and returns the function that releases it. It waits up to wait for a live
// holder, telling note once that it waits. The lock is an flock on the lock
// file, so the kernel drops it when its holder dies: a stale file (whose
// holder is gone) never blocks, and note is told it was taken over.
func Lock(dir string, wait time.Duration, note func(string)) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(dir, LockName)
	deadline := time.Now().Add(wait)
	waiting := false
	for {
		// O_NOFOLLOW: a link there (dangling or not) could point
		// outside the project, and the lock is truncated and written.
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s is a symbolic link; fsmgen writes its lock only to a file of its own: remove the link", p)
		}
		if err != nil {
			return nil, err
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := holderOf(f)
			if holder == "" {
				holder = "pid not yet recorded"
			}
			f.Close()
			if !time.Now().Before(deadline) {
				return nil, fmt.Errorf("%s is locked by another fsmgen generate (%s) that is still running after %v; wait for it or stop it", dir, holder, wait)
			}
			if !waiting {
				note(fmt.Sprintf("waiting for another fsmgen generate (%s) to finish with %s", holder, dir))
				waiting = true
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", p, err)
		}
		// The previous holder removes the file before it unlocks, so this
		// lock may be on a file no longer at p: then it guards nothing.
		if !isAt(f, p) {
			f.Close()
			continue
		}
		// A released lock's file is removed, so one with contents was left
		// by a run that died holding it.
		if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
			prev := holderOf(f)
			if prev == "" {
				prev = "an earlier run"
			}
			note(fmt.Sprintf("taking over %s left by %s, which is no longer running", p, prev))
		}
		if err := f.Truncate(0); err == nil {
			_, _ = f.WriteAt([]byte(fmt.Sprintf("pid %d\n", os.Getpid())), 0)
		}
		return func() {
			os.Remove(p)
			f.Close()
		}, nil
	}
}

// holderOf returns "pid N" as recorded in the lock file, or "" when the
// file holds nothing recognisable (anything else is not echoed to users).
func holderOf(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, 64))
	s := strings.TrimSpace(string(b))
	if n, ok := strings.CutPrefix(s, "pid "); ok {
		if _, err := strconv.Atoi(n); err == nil {
			return s
		}
	}
	return ""
}

func isAt(f *os.File, p string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Stat(p)
	return err == nil && os.SameFile(fi, pi)
}
