// Package docs emits a machine's diagrams and reference page: a Graphviz DOT
// file and a Markdown page with an embedded Mermaid diagram, both rendered
// from the templates directory.
package docs

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"text/template"

	"github.com/fsmgen/fsmgen/internal/model"
	"github.com/fsmgen/fsmgen/internal/tmpl"
)

// Template names, also the names a user's template directory overrides.
const (
	DOTTemplate      = "dot.tmpl"
	MarkdownTemplate = "markdown.tmpl"
)

// funcs are the helpers the templates may call; escaping lives in the
// model so that every output escapes the same way.
var funcs = template.FuncMap{
	"dot":          model.DOTString,
	"md":           model.MarkdownText,
	"mdParagraphs": model.MarkdownParagraphs,
	"cells":        cells,
}

// cells renders one row of the state x event table: the target's value, or
// nothing for an illegal move. It is Go rather than a template loop because
// the table has a cell per (state, event) pair, a million for a big machine,
// and each template iteration costs microseconds of reflection.
func cells(targets []*model.State) string {
	var b strings.Builder
	for _, t := range targets {
		if t == nil {
			b.WriteString(" |")
		} else {
			b.WriteString(" " + t.MDCode + " |")
		}
	}
	return b.String()
}

// Emit renders the DOT file and the Markdown reference page of m. overrides
// holds user templates replacing the embedded ones by name; nil for none.
func Emit(m *model.Machine, overrides fs.FS) (map[string][]byte, error) {
	outputs := []struct{ tmpl, path string }{
		{DOTTemplate, m.Package + "/" + m.Package + ".dot"},
		{MarkdownTemplate, m.Package + "/README.md"},
	}
	// Rendered concurrently: each is a large part of generating a big
	// machine, and neither depends on the other.
	rendered := make([][]byte, len(outputs))
	errs := make([]error, len(outputs))
	var wg sync.WaitGroup
	for i, o := range outputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rendered[i], errs[i] = render(m, overrides, o.tmpl, o.path)
		}()
	}
	wg.Wait()
	out := map[string][]byte{}
	for i, o := range outputs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[o.path] = rendered[i]
	}
	return out, nil
}

func render(m *model.Machine, overrides fs.FS, name, path string) ([]byte, error) {
	t, err := tmpl.Parse(overrides, name, funcs)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, m); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", path, err)
	}
	return buf.Bytes(), nil
}
