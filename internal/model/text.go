package model

import (
	"strconv"
	"strings"
)

// Text from the spec (docs today) reaches every output. Each output
// language has one function that renders it (Go comments in the golang
// emitter, DOTString, MarkdownText, MermaidText, SQLComment) and all of them
// see line breaks the same way, through Lines.

// lineBreaks are what some reader of an output takes as the end of a line:
// Go and SQL only end a comment at "\n", but editors, Markdown and
// JavaScript (Mermaid) also break at "\r", NEL and the Unicode separators.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

// newlines returns s with every line break as "\n". Most docs have none
// but "\n", and they skip the replacer's copy.
func newlines(s string) string {
	if !strings.ContainsAny(s, "\r\u0085\u2028\u2029") {
		return s
	}
	return lineBreaks.Replace(s)
}

// Lines splits s at every line break, trimming the space around each line.
func Lines(s string) []string {
	lines := strings.Split(newlines(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// Paragraphs splits s into paragraphs, separated by blank lines, of
// non-empty trimmed lines.
func Paragraphs(s string) [][]string {
	var out [][]string
	var cur []string
	for _, l := range Lines(s) {
		if l != "" {
			cur = append(cur, l)
			continue
		}
		if cur != nil {
			out = append(out, cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// OneLine joins s into one line, words separated by single spaces (every
// line break is a space to strings.Fields).
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// SQLComment renders s as the text of one "-- " comment: a line break
// would end the comment and let the rest be read as SQL or as a migration
// tool's annotation ("-- +goose Down").
func SQLComment(s string) string { return OneLine(s) }

// mermaidEntities replaces what Mermaid reads as syntax inside a label:
// '"' ends a quoted name, "%%" starts a comment or an %%{init}%% directive,
// ';' and a line break end a statement, ':' starts a transition label,
// '#' starts an entity, '<' '>' '&' are HTML to the renderer, '{' '}' and
// '\' are syntax in some diagram types, and '`' ends the Markdown fence
// the diagram sits in. Mermaid's own "#code;" entities keep the text
// readable in the picture.
var mermaidEntities = func() *strings.Replacer {
	var pairs []string
	for _, c := range "#\"%;:<>&{}\\`|[]()" {
		pairs = append(pairs, string(c), "#"+strconv.Itoa(int(c))+";")
	}
	return strings.NewReplacer(pairs...)
}()

// MermaidText renders s as text inside a Mermaid statement (a state's
// quoted name, a transition label), on one line.
func MermaidText(s string) string { return mermaidEntities.Replace(OneLine(s)) }
