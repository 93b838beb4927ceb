package gen

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing/fstest"
)

// Overlay returns base with files laid over it: what a later machine of
// the same run must see of an earlier one's output, such as migration
// versions already taken in a shared directory. A nil file hides the one
// below, as it stands for a removal.
func Overlay(base fs.FS, files Files) fs.FS {
	top := fstest.MapFS{} // a complete in-memory fs.FS from the standard library
	hidden := map[string]bool{}
	for p, b := range files {
		if b == nil {
			hidden[p] = true
			continue
		}
		top[p] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return overlay{base, top, hidden}
}

type overlay struct {
	base   fs.FS
	top    fstest.MapFS
	hidden map[string]bool
}

func (o overlay) Open(name string) (fs.File, error) {
	if o.hidden[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if _, ok := o.top[name]; ok {
		return o.top.Open(name)
	}
	if o.base == nil {
		return o.top.Open(name)
	}
	f, err := o.base.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return o.top.Open(name) // a directory only the top layer has
	}
	return f, err
}

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	seen := map[string]bool{}
	top, errTop := fs.ReadDir(o.top, name)
	for _, e := range top {
		seen[e.Name()] = true
		out = append(out, e)
	}
	var errBase error = fs.ErrNotExist
	if o.base != nil {
		var below []fs.DirEntry
		below, errBase = fs.ReadDir(o.base, name)
		for _, e := range below {
			p := e.Name()
			if name != "." {
				p = name + "/" + p
			}
			if !seen[e.Name()] && !o.hidden[p] {
				out = append(out, e)
			}
		}
	}
	if errTop != nil && errBase != nil {
		return nil, errBase
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}
