package model

import (
	"slices"
	"strings"
)

// Diagram styling follows a fixed convention on tag names rather than extra
// spec keys, so that any spec gets a readable picture without configuration.
// The names are matched exactly; a spec that uses other words gets an
// unstyled (but otherwise complete) diagram.
var (
	// FailureTags mark a state as a failure: drawn red, and the edges into
	// it too.
	FailureTags = []string{"failure", "error", "failed", "fatal"}
	// ActiveTags mark a state in which work is being done: drawn filled.
	ActiveTags = []string{"active"}
	// InternalTags mark an event the machine's owner raises itself rather
	// than one requested from outside: drawn dashed.
	InternalTags = []string{"internal"}
)

// Edge is one arrow of a diagram: all the events that lead from one state to
// another. Drawing one arrow per event makes the seed machine unreadable
// (error alone has five events looping or leading into it).
type Edge struct {
	From, To *State
	Events   []*Event // in event order
	Label    string   // the events' values, comma-separated, as MermaidText
	Lines    string   // the events' values, one per line
	Tooltip  string   // each event with its doc, one per line
	// DOTLabel and DOTTooltip are Lines and Tooltip quoted for DOT. A big
	// machine has ten times more edges than states, and quoting them here
	// rather than through a template function halves the DOT rendering.
	DOTLabel, DOTTooltip string
	// Internal is true when every event is internal, so the arrow is drawn
	// dashed only when no outside request can take it.
	Internal bool
}

// computeDiagram fills in what the diagram templates read. It runs once,
// when the machine is built: a template looks up a method by reflection on
// every call, which for a machine of 10k states was most of the time
// fsmgen spent generating it.
func (m *Machine) computeDiagram() {
	for _, e := range m.Events {
		e.Internal = anyTag(e.Tags, InternalTags)
		e.MDCode = MarkdownCode(e.Value)
	}
	for _, s := range m.States {
		s.Failure = anyTag(s.Tags, FailureTags)
		s.Active = anyTag(s.Tags, ActiveTags)
		// Mermaid reserves words such as "note", "state", "class" and
		// "default" as state ids, and the set grows between versions, so
		// every id gets a prefix and the name is shown through a
		// `state "name" as id` declaration.
		s.MermaidID = "s_" + s.Name
		s.MermaidName = MermaidText(s.Value)
		s.DOTID = DOTString(s.Name)
		if s.Value != s.Name {
			s.DOTLabel = DOTString(s.Value)
		}
		s.MDCode = MarkdownCode(s.Value)
		s.Tooltip = strings.TrimSpace(s.Doc)
		if len(s.Tags) > 0 {
			s.Tooltip += "\ntags: " + strings.Join(TagNames(s.Tags), ", ")
		}
		if s.Entry && !s.Initial {
			m.OtherEntries = append(m.OtherEntries, s)
		}
		if s.RenamedFrom != "" {
			m.Renamed = append(m.Renamed, s)
		}
		m.Edges = append(m.Edges, edgesFrom(s)...)
	}
}

// edgesFrom groups the state's transitions by target, in target order.
func edgesFrom(s *State) []*Edge {
	var edges []*Edge
	byTarget := map[*State]*Edge{}
	for _, t := range s.Out {
		e := byTarget[t.To]
		if e == nil {
			e = &Edge{From: s, To: t.To, Internal: true}
			byTarget[t.To] = e
			edges = append(edges, e)
		}
		e.Events = append(e.Events, t.Event)
		e.Internal = e.Internal && t.Event.Internal
	}
	slices.SortStableFunc(edges, func(a, b *Edge) int { return a.To.Index - b.To.Index })
	for _, e := range edges {
		values := EventValues(e.Events)
		e.Label = MermaidText(strings.Join(values, ", "))
		e.Lines = strings.Join(values, "\n")
		docs := make([]string, len(e.Events))
		for i, ev := range e.Events {
			docs[i] = ev.Value + ": " + strings.TrimSpace(ev.Doc)
		}
		e.Tooltip = strings.Join(docs, "\n")
		e.DOTLabel, e.DOTTooltip = DOTString(e.Lines), DOTString(e.Tooltip)
	}
	return edges
}

func anyTag(tags []*Tag, names []string) bool {
	for _, t := range tags {
		if slices.Contains(names, t.Name) {
			return true
		}
	}
	return false
}

// TagNames lists tag names, for a compact "tags: a, b" line.
func TagNames(tags []*Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.Name
	}
	return out
}

// DOTString quotes s as a DOT string. Backslashes are doubled because
// Graphviz gives \n, \l, \N and friends a meaning in labels and tooltips;
// line breaks become \n so a multi-line doc stays multi-line. The string is
// always quoted, never an HTML-like <label>, so '<' is plain text.
func DOTString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range newlines(s) {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// markdownSpecial are the characters that start Markdown, HTML or entity
// syntax anywhere in a line; '|' also ends a table cell. Escaping only these
// keeps prose such as "timed-out" readable in the Markdown source.
const markdownSpecial = "\\`*_[]<>|~&"

// markdownLineStart start a heading, list, quote or rule at the beginning of
// a line only.
const markdownLineStart = "#+-=>"

// MarkdownText escapes s for use inside a Markdown paragraph or table cell:
// markup characters are backslash-escaped and line breaks become spaces, as
// a table row cannot span lines.
func MarkdownText(s string) string {
	var b strings.Builder
	s = OneLine(s)
	// "1. " or "1) " at the start would begin an ordered list.
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	for i, r := range s {
		if strings.ContainsRune(markdownSpecial, r) || i == 0 && strings.ContainsRune(markdownLineStart, r) ||
			i == digits && digits > 0 && (r == '.' || r == ')') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MarkdownParagraphs escapes s like MarkdownText, keeping its paragraphs.
func MarkdownParagraphs(s string) string {
	paras := Paragraphs(s)
	out := make([]string, len(paras))
	for i, p := range paras {
		out[i] = MarkdownText(strings.Join(p, " "))
	}
	return strings.Join(out, "\n\n")
}

// EventValues lists the events' values, for labels.
func EventValues(events []*Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Value
	}
	return out
}

// MarkdownCode renders s as a code span that is safe in a table cell:
// the fence is longer than any run of backticks in s, padded with spaces
// (which Markdown strips) when s starts or ends with a backtick or a
// space, and "|", which would end the cell even inside code, is escaped.
func MarkdownCode(s string) string {
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.ContainsRune(s, '`') || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}
