package golang

import (
	"strings"

	"github.com/fsmgen/fsmgen/internal/model"
)

// docLines renders a doc comment that starts with the fixed text lead and
// goes on with text from the spec, ending with a full stop, as "//" lines.
// It is the only way spec text reaches Go source, and it keeps that text
// inert by construction:
//
//   - Every line is emitted whole, starting with "//", so jennifer never
//     wraps it in /* */ and "/*" or "*/" in the text mean nothing.
//   - Every line of text follows "// " and has no leading space, so no line
//     can be a directive (//go:generate, //go:build, //go:linkname, //line,
//     //export): those need the text right after the slashes.
//   - "// +build" is the one constraint that allows the space; a line whose
//     text starts with '+' gets a backslash in front. So does one that
//     starts with "go:", which go vet would report as a misspelt //go:build.
//
// Paragraphs of the text stay paragraphs; line breaks inside one are kept.
func docLines(lead, text string) []string {
	paras := model.Paragraphs(text)
	if len(paras) == 0 {
		return []string{"// " + guard(strings.TrimSuffix(strings.TrimSpace(lead), ":")+".")}
	}
	paras[0][0] = lead + paras[0][0]
	last := paras[len(paras)-1]
	last[len(last)-1] = strings.TrimSuffix(last[len(last)-1], ".") + "."
	var out []string
	for i, p := range paras {
		if i > 0 {
			out = append(out, "//")
		}
		for _, l := range p {
			out = append(out, "// "+guard(l))
		}
	}
	return out
}

func guard(line string) string {
	if strings.HasPrefix(line, "+") || strings.HasPrefix(line, "go:") {
		return `\` + line
	}
	return line
}
