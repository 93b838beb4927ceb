// Package gen runs every emitter over a machine and gathers their files.
package gen

import (
	"fmt"
	"maps"

	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/model"
)

// Files maps a slash-separated path relative to the output directory to the
// file's bytes.
type Files map[string][]byte

// emitters are pure functions of the machine; their outputs are disjoint.
var emitters = []func(*model.Machine) (map[string][]byte, error){
	golang.Emit,
}

// Generate returns every file fsmgen derives from m.
func Generate(m *model.Machine) (Files, error) {
	out := Files{}
	for _, emit := range emitters {
		files, err := emit(m)
		if err != nil {
			return nil, err
		}
		for p := range files {
			if _, dup := out[p]; dup {
				return nil, fmt.Errorf("internal error: two emitters produce %s", p)
			}
		}
		maps.Copy(out, files)
	}
	return out, nil
}
