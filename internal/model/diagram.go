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

// Failure reports whether the state carries one of FailureTags.
func (s *State) Failure() bool { return anyTag(s.Tags, FailureTags) }

// Active reports whether the state carries one of ActiveTags.
func (s *State) Active() bool { return anyTag(s.Tags, ActiveTags) }

// Internal reports whether the event carries one of InternalTags.
func (e *Event) Internal() bool { return anyTag(e.Tags, InternalTags) }

func anyTag(tags []*Tag, names []string) bool {
	for _, t := range tags {
		if slices.Contains(names, t.Name) {
			return true
		}
	}
	return false
}

// MermaidID names the state in Mermaid source. Mermaid reserves words such
// as "note", "state", "class" and "default" as state ids, and the set grows
// between versions, so every id gets a prefix and the name is shown through
// a `state "name" as id` declaration.
func (s *State) MermaidID() string { return "s_" + s.Name }

// Edge is one arrow of a diagram: all the events that lead from one state to
// another. Drawing one arrow per event makes the seed machine unreadable
// (error alone has five events looping or leading into it).
type Edge struct {
	From, To *State
	Events   []*Event // in event order
}

// Label lists the edge's events, comma-separated.
func (e *Edge) Label() string {
	names := make([]string, len(e.Events))
	for i, ev := range e.Events {
		names[i] = ev.Name
	}
	return strings.Join(names, ", ")
}

// Internal reports whether every event of the edge is internal, so the
// arrow is drawn dashed only when no outside request can take it.
func (e *Edge) Internal() bool {
	for _, ev := range e.Events {
		if !ev.Internal() {
			return false
		}
	}
	return true
}

// Edges groups the transitions by (from, to) pair, ordered by source state,
// then target state, in spec order.
func (m *Machine) Edges() []*Edge {
	var out []*Edge
	for _, s := range m.States {
		var edges []*Edge
		for _, t := range s.Out {
			i := slices.IndexFunc(edges, func(e *Edge) bool { return e.To == t.To })
			if i < 0 {
				edges = append(edges, &Edge{From: s, To: t.To})
				i = len(edges) - 1
			}
			edges[i].Events = append(edges[i].Events, t.Event)
		}
		slices.SortStableFunc(edges, func(a, b *Edge) int { return a.To.Index - b.To.Index })
		out = append(out, edges...)
	}
	return out
}

// OtherEntries returns the entry states besides the initial one.
func (m *Machine) OtherEntries() []*State {
	var out []*State
	for _, s := range m.Entries {
		if !s.Initial {
			out = append(out, s)
		}
	}
	return out
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
// newlines become \n so a multi-line doc stays multi-line.
func DOTString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
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
	for i, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune(markdownSpecial, r) || i == 0 && strings.ContainsRune(markdownLineStart, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Describe lists the edge's events with their docs, one per line, for a
// tooltip.
func (e *Edge) Describe() string {
	lines := make([]string, len(e.Events))
	for i, ev := range e.Events {
		lines[i] = ev.Name + ": " + strings.TrimSpace(ev.Doc)
	}
	return strings.Join(lines, "\n")
}

// EventNames lists event names, for labels.
func EventNames(events []*Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Name
	}
	return out
}

// Renamed returns the states that carry a former name.
func (m *Machine) Renamed() []*State {
	var out []*State
	for _, s := range m.States {
		if s.RenamedFrom != "" {
			out = append(out, s)
		}
	}
	return out
}

// Describe is the state's doc followed by its tags, for a tooltip.
func (s *State) Describe() string {
	d := strings.TrimSpace(s.Doc)
	if len(s.Tags) > 0 {
		d += "\ntags: " + strings.Join(TagNames(s.Tags), ", ")
	}
	return d
}
