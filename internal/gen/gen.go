// Package gen runs every emitter over a machine and gathers their files.
package gen

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"sync"
	"time"

	"github.com/fsmgen/fsmgen/internal/gen/docs"
	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
	"github.com/fsmgen/fsmgen/internal/gen/store"
	"github.com/fsmgen/fsmgen/internal/model"
)

// Files maps a slash-separated path relative to the output directory to the
// file's bytes.
type Files map[string][]byte

// Options are the inputs besides the machine. Emitters only read them.
type Options struct {
	// Out is the output directory as it is on disk, for emitters whose
	// output depends on what was generated before (migration history).
	// Nil stands for an empty directory.
	Out fs.FS
	// Templates holds user templates that replace the embedded ones of the
	// same name. Nil uses the embedded templates only.
	Templates fs.FS
	// Package is the directory of the machine's Go package, its diagrams
	// and its Markdown, relative to Out; "" puts them in a directory named
	// for the machine.
	Package string
	// Migrations maps a dialect to its migration directory relative to
	// Out; a dialect missing from it uses migrations/<dialect> (see
	// sqlmig.Dir). Other machines and the service's own migrations may
	// share these directories.
	Migrations map[string]string
	// LegacyHistory, when not empty, is an older single history file to
	// take over (see sqlmig.LegacyHistory).
	LegacyHistory string
	// Now is the clock for timestamp migration versions; the CLI passes
	// time.Now, tests a fixed time. Emitters never read the real clock.
	Now func() time.Time
	// Source is the spec's path, relative to Out, which the package's
	// files record (see stamp); "" records none.
	Source string
}

// emitters are pure functions of the machine and options; their outputs are
// disjoint.
var emitters = []func(*model.Machine, Options) (map[string][]byte, error){
	func(m *model.Machine, o Options) (map[string][]byte, error) { return o.inPackage(golang.Emit(m)) },
	func(m *model.Machine, o Options) (map[string][]byte, error) {
		return o.inPackage(docs.Emit(m, o.Templates))
	},
	func(m *model.Machine, o Options) (map[string][]byte, error) {
		return sqlmig.Emit(m, o.Out, o.Migrations, o.LegacyHistory, o.Now)
	},
	func(m *model.Machine, o Options) (map[string][]byte, error) { return o.inPackage(store.Emit(m)) },
}

// inPackage moves an emitter's files, which it names under a directory of
// the machine's name, into the package directory the project gives, and
// stamps them with the spec they come from.
func (o Options) inPackage(files map[string][]byte, err error) (map[string][]byte, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(files))
	for p, b := range files {
		if o.Package != "" {
			p = path.Join(o.Package, path.Base(p))
		}
		out[p] = stamp(b, o.Source)
	}
	return out, nil
}

// Generate returns every file fsmgen derives from m. The emitters run
// concurrently: they only read the machine, and on a big one each takes a
// good part of a second. Results are merged in emitter order, so the first
// error reported is the same on every run.
func Generate(m *model.Machine, opts Options) (Files, error) {
	type result struct {
		files map[string][]byte
		err   error
	}
	results := make([]result, len(emitters))
	var wg sync.WaitGroup
	for i, emit := range emitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			files, err := emit(m, opts)
			results[i] = result{files, err}
		}()
	}
	wg.Wait()
	out := Files{}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		for p := range r.files {
			if _, dup := out[p]; dup {
				return nil, fmt.Errorf("internal error: two emitters produce %s", p)
			}
		}
		maps.Copy(out, r.files)
	}
	return out, nil
}
