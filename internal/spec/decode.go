package spec

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/fsmgen/fsmgen/internal/diag"
)

// Decode parses a spec. name is used in positions. On failure the error is a
// diag.List with every shape problem found.
//
// When its only problems are keys defined twice (the first of each is
// kept), it also returns what it decoded, so that the model
// can report its own problems beside these; after any other, nil.
func Decode(name string, data []byte) (*File, error) {
	d := &decoder{file: name, what: "spec"}
	f := d.decode(data)
	if d.lossy {
		f = nil
	}
	return f, d.errs.Err()
}

type decoder struct {
	file string
	what string // "spec" or "project file", for messages about the document
	errs diag.List
	// lossy: a problem left a value out or misread it (a wrong type, an
	// unknown key that is a typo of a known one), so that what was decoded
	// would make the model report problems that are only echoes of it. A
	// key defined twice loses nothing the model needs: the first stays.
	lossy bool
}

func (d *decoder) pos(n *yaml.Node) diag.Pos {
	return diag.Pos{File: d.file, Line: n.Line, Col: n.Column}
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.lossy = true
	d.note(n, format, args...)
}

// note reports a problem that leaves out nothing the model needs.
func (d *decoder) note(n *yaml.Node, format string, args ...any) {
	d.errs.Add(d.pos(n), format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) decode(data []byte) *File {
	root := d.document(data)
	if root == nil {
		return nil
	}
	f := &File{Name: d.file}
	d.mapping(root, "spec", func(key, val *yaml.Node) {
		switch key.Value {
		case "version":
			f.Version = d.int(val)
		case "machine":
			f.Machine = d.str(val)
		case "package":
			f.Package = d.str(val)
		case "doc":
			f.Doc = d.str(val)
		case "initial":
			f.Initial = d.str(val)
		case "entry":
			f.Entry = d.strList(val)
		case "tags":
			d.mapping(val, "tags", func(k, v *yaml.Node) {
				t := Tag{Name: d.name(k)}
				d.mapping(v, "tag", func(k, v *yaml.Node) {
					switch k.Value {
					case "doc":
						t.Doc = d.str(v)
					case "go_name":
						t.GoName = d.str(v)
					default:
						d.unknownKey(k, "tag", "doc", "go_name")
					}
				})
				f.Tags = append(f.Tags, t)
			})
		case "states":
			f.StatesPos = d.pos(val)
			d.mapping(val, "states", func(k, v *yaml.Node) {
				f.States = append(f.States, d.state(k, v))
			})
		case "events":
			f.EventsPos = d.pos(val)
			d.mapping(val, "events", func(k, v *yaml.Node) {
				e := Event{Name: d.name(k)}
				d.mapping(v, "event", func(k, v *yaml.Node) {
					switch k.Value {
					case "doc":
						e.Doc = d.str(v)
					case "tags":
						e.Tags = d.strList(v)
					case "value":
						e.Value = d.str(v)
					case "aliases":
						e.Aliases = d.strList(v)
					case "go_name":
						e.GoName = d.str(v)
					default:
						d.unknownKey(k, "event", "doc", "value", "aliases", "tags", "go_name")
					}
				})
				f.Events = append(f.Events, e)
			})
		case "transitions":
			f.Transitions = d.transitions(val)
		case "removed":
			d.mapping(val, "removed", func(k, v *yaml.Node) {
				r := Removed{Name: d.name(k)}
				d.mapping(v, "removed state", func(k, v *yaml.Node) {
					switch k.Value {
					case "doc":
						r.Doc = d.str(v)
					case "rows_to":
						r.RowsTo = d.str(v)
					default:
						d.unknownKey(k, "removed state", "doc", "rows_to")
					}
				})
				f.Removed = append(f.Removed, r)
			})
		case "timeouts":
			for _, e := range d.list(val, "timeouts") {
				f.Timeouts = append(f.Timeouts, d.timeout(e))
			}
		case "sql":
			f.SQL = d.sql(val)
		default:
			d.unknownKey(key, "top-level", topKeys...)
		}
	})
	if root.Kind != yaml.MappingNode {
		return f
	}
	if f.Version.Pos.Line == 0 {
		d.errs.Add(d.pos(root), "missing required key %q", "version")
	}
	if !f.Machine.Set() {
		d.errs.Add(d.pos(root), "missing required key %q", "machine")
	}
	return f
}

var topKeys = []string{"version", "machine", "package", "doc", "initial", "entry", "tags", "states", "events", "transitions", "removed", "timeouts", "sql"}

func (d *decoder) timeout(n *yaml.Node) Timeout {
	t := Timeout{Pos: d.pos(n)}
	d.mapping(n, "timeout", func(k, v *yaml.Node) {
		switch k.Value {
		case "column":
			t.Column = d.str(v)
		case "states":
			t.States = d.strList(v)
		case "after":
			t.After = d.str(v)
		case "event":
			t.Event = d.str(v)
		case "set":
			t.SetPos = d.pos(v)
			d.mapping(v, "set", func(k, v *yaml.Node) {
				t.Set = append(t.Set, Assign{Field: d.name(k), Value: d.scalar(v)})
			})
		default:
			d.unknownKey(k, "timeout", "column", "states", "after", "event", "set")
		}
	})
	return t
}

func (d *decoder) state(k, v *yaml.Node) State {
	s := State{Name: d.name(k)}
	d.mapping(v, "state", func(k, v *yaml.Node) {
		switch k.Value {
		case "doc":
			s.Doc = d.str(v)
		case "tags":
			s.Tags = d.strList(v)
		case "transitions":
			s.Transitions = d.transitions(v)
		case "renamed_from":
			s.RenamedFrom = d.str(v)
		case "final":
			s.Final = d.bool(v)
		case "value":
			s.Value = d.str(v)
		case "aliases":
			s.Aliases = d.strList(v)
		case "go_name":
			s.GoName = d.str(v)
		case "set":
			s.SetPos = d.pos(v)
			d.mapping(v, "set", func(k, v *yaml.Node) {
				s.Set = append(s.Set, Assign{Field: d.name(k), Value: d.scalar(v)})
			})
		default:
			d.unknownKey(k, "state", "doc", "value", "aliases", "tags", "transitions", "renamed_from", "final", "go_name", "set")
		}
	})
	return s
}

func (d *decoder) transitions(n *yaml.Node) []Transition {
	var ts []Transition
	d.mapping(n, "transitions", func(k, v *yaml.Node) {
		t := Transition{Event: d.name(k)}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			t.Forbid = true
			t.Target = Str{Pos: d.pos(v)}
		} else {
			t.Target = d.str(v)
		}
		ts = append(ts, t)
	})
	return ts
}

func (d *decoder) sql(n *yaml.Node) *SQL {
	s := &SQL{Pos: d.pos(n)}
	d.mapping(n, "sql", func(k, v *yaml.Node) {
		switch k.Value {
		case "enum":
			s.Enum = d.str(v)
		case "table":
			s.Table = d.str(v)
		case "column":
			s.Column = d.str(v)
		case "default":
			s.Default = d.str(v)
		case "columns":
			s.ColumnsPos = d.pos(v)
			s.Columns = d.columns(v)
		case "dialects":
			s.Dialects = d.strList(v)
		case "format":
			s.Format = d.str(v)
		case "versions":
			s.Versions = d.str(v)
		case "key":
			s.Key = d.str(v)
		case "version":
			s.Version = d.str(v)
		case "version_kind":
			s.VersionKind = d.str(v)
		case "drivers":
			s.Drivers = d.strList(v)
		case "history":
			s.History = d.str(v)
		case "history_fields":
			s.HistoryFields = d.strList(v)
		case "history_notes":
			s.HistoryNotes = d.strList(v)
		case "enforce":
			s.Enforce = d.str(v)
		case "adopt":
			s.AdoptPos = d.pos(v)
			s.Adopt = d.strList(v)
		case "compact":
			s.Compact = d.bool(v)
		case "fire_function":
			s.FireFunction = d.bool(v)
		case "fields":
			s.FieldsPos = d.pos(v)
			d.mapping(v, "sql fields", func(k, v *yaml.Node) {
				s.Fields = append(s.Fields, d.field(k, v))
			})
		default:
			d.unknownKey(k, "sql", "enum", "table", "column", "default", "columns", "dialects", "format", "versions", "key", "version", "version_kind", "drivers", "history", "history_fields", "history_notes", "enforce", "adopt", "compact", "fire_function", "fields")
		}
	})
	return s
}

// document parses data as a single YAML document of plain data and returns
// its root node, or nil after reporting why it cannot be one.
func (d *decoder) document(data []byte) *yaml.Node {
	if len(data) > MaxSize {
		// Point at where the limit is crossed: the file as a whole has no
		// line, and every message should have one.
		d.errs.Add(d.offsetPos(data, MaxSize), "%s exceeds the size limit of %d bytes here", d.what, MaxSize)
		return nil
	}
	if i, msg := badText(data, d.what); i >= 0 {
		d.errs.Add(d.offsetPos(data, i), "%s", msg)
		return nil
	}
	// A decoder, not yaml.Unmarshal, so that a second document after
	// "---" is reported instead of silently ignored.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		d.yamlError(data, err)
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.errs.Add(diag.Pos{File: d.file, Line: 1, Col: 1}, "%s is empty", d.what)
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		d.yamlError(data, err)
		return nil
	default:
		n := &extra
		if len(extra.Content) > 0 {
			n = extra.Content[0]
		}
		d.errorf(n, "a %s is a single YAML document; remove this second one (after ---)", d.what)
		return nil
	}
	root := doc.Content[0]
	if !d.checkNodes(root, 0) {
		return nil
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		// "~", "null" or a lone "!": mapping would take it for an empty
		// mapping and leave every later message without a position.
		d.errorf(root, "%s is empty", d.what)
		return nil
	}
	if root.Kind != yaml.MappingNode {
		// Named by its kind alone: a file that is not a spec (a .env, a
		// key) must not have its text printed.
		d.errorf(root, "%s must be a mapping of keys, not %s; is this a %s?", d.what, kindOnly(root), d.what)
		return nil
	}
	return root
}

// kindOnly is kind without the value.
func kindOnly(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return "a scalar"
	}
	return kind(n)
}

func (d *decoder) field(k, v *yaml.Node) Field {
	f := Field{Name: d.name(k)}
	d.mapping(v, "sql field", func(k, v *yaml.Node) {
		switch k.Value {
		case "type":
			f.Type = d.str(v)
		case "nullable":
			f.Nullable = d.bool(v)
		case "default":
			f.Default = d.scalar(v)
		case "adopt":
			f.Adopt = d.bool(v)
		default:
			d.unknownKey(k, "sql field", "type", "nullable", "default", "adopt")
		}
	})
	return f
}

// scalar decodes a value a field may take: a string, a number, a boolean
// or null, each as YAML reads it.
func (d *decoder) scalar(n *yaml.Node) Scalar {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "expected a value (a string, a number, true, false or null), not %s", kind(n))
		return Scalar{Pos: d.pos(n)}
	}
	k := "str"
	if n.Style == 0 {
		switch n.Tag {
		case "!!str":
			if slices.Contains(yaml11Words, strings.ToLower(n.Value)) {
				d.note(n, "%s is read as a boolean or null by YAML 1.1 tools; quote it (%q) or write true, false or null", n.Value, n.Value)
			}
		case "!!null":
			k = "null"
		case "!!int":
			k = "int"
		case "!!bool":
			k = "bool"
		case "!!float":
			d.errorf(n, "expected a string, an integer, true, false or null, not %s", kind(n))
		}
	}
	return Scalar{Value: n.Value, Kind: k, Pos: d.pos(n)}
}

func (d *decoder) columns(n *yaml.Node) []Column {
	var out []Column
	for _, e := range d.list(n, "sql columns") {
		c := Column{Pos: d.pos(e)}
		d.mapping(e, "sql column", func(k, v *yaml.Node) {
			switch k.Value {
			case "table":
				c.Table = d.str(v)
			case "column":
				c.Column = d.str(v)
			case "default":
				c.Default = d.str(v)
			case "nullable":
				c.Nullable = d.bool(v)
			default:
				d.unknownKey(k, "sql column", "table", "column", "default", "nullable")
			}
		})
		out = append(out, c)
	}
	return out
}

// list returns the elements of a sequence node, or none after reporting
// that n is not one.
func (d *decoder) list(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, not %s", what, kind(n))
		return nil
	}
	return n.Content
}

// mapping calls fn for each key/value pair of a mapping node in order,
// reporting duplicate keys and non-string keys. A null value stands for an
// empty mapping so that "states:" with nothing under it is not a type error.
func (d *decoder) mapping(n *yaml.Node, what string, fn func(key, val *yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", what, kind(n))
		return
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s keys must be plain names, not %s", what, kind(k))
			continue
		}
		if k.Tag == "!!merge" {
			d.errorf(k, "merge keys (<<) are not supported")
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.note(k, "%q is defined twice in %s (first at line %d)", k.Value, what, prev.Line)
			continue
		}
		seen[k.Value] = k
		fn(k, v)
	}
}

func (d *decoder) unknownKey(k *yaml.Node, where string, known ...string) {
	d.errorf(k, "unknown %s key %q%s", where, k.Value, diag.DidYouMean(k.Value, known))
}

// yaml11Words are plain scalars that YAML 1.1 tools read as booleans or null.
// yaml.v3 reads them as strings, but a spec must mean the same to every tool
// that reads it, so such names must be quoted.
var yaml11Words = []string{"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"}

// name decodes a mapping key that is a user-chosen name.
func (d *decoder) name(k *yaml.Node) Str {
	if k.Style == 0 && slices.Contains(yaml11Words, strings.ToLower(k.Value)) {
		d.errorf(k, "key %s is read as a boolean or null by YAML 1.1 tools; quote it: %q", k.Value, k.Value)
	}
	return Str{Value: k.Value, Pos: d.pos(k)}
}

func (d *decoder) str(n *yaml.Node) Str {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Style == 0 && n.Tag != "!!int" && n.Tag != "!!float") {
		d.errorf(n, "expected a string, not %s", kind(n))
		return Str{Pos: d.pos(n)}
	}
	return Str{Value: n.Value, Pos: d.pos(n)}
}

func (d *decoder) int(n *yaml.Node) Int {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.errorf(n, "expected an integer, not %s", kind(n))
		return Int{Pos: d.pos(n)}
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		d.errorf(n, "expected a small integer, not %s", n.Value)
	}
	return Int{Value: v, Pos: d.pos(n)}
}

// bool accepts only true and false: yaml.v3 reads YAML 1.1's yes and on
// as strings, and a spec must mean the same to every tool.
func (d *decoder) bool(n *yaml.Node) Bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, "expected true or false, not %s", kind(n))
		return Bool{Pos: d.pos(n)}
	}
	v, _ := strconv.ParseBool(n.Value) // yaml.v3 tags true, True and TRUE (and the falses) only
	return Bool{Value: v, Pos: d.pos(n)}
}

func (d *decoder) strList(n *yaml.Node) []Str {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "expected a list, not %s", kind(n))
		return nil
	}
	out := make([]Str, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, d.str(c))
	}
	return out
}

// checkNodes rejects what the spec format never needs before any value is
// interpreted: deep nesting, anchors and aliases (they buy little in a spec
// and open the door to exponential "billion laughs" expansion), and tags
// that change a value's meaning.
func (d *decoder) checkNodes(n *yaml.Node, depth int) bool {
	if depth > 64 {
		d.errorf(n, "%s is nested more than 64 levels deep", d.what)
		return false
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.errorf(n, "YAML anchors and aliases are not supported in %ss; write the value out", d.what)
		return false
	}
	if n.Style&yaml.TaggedStyle != 0 && !slices.Contains(coreTags, n.Tag) {
		d.errorf(n, "YAML tag %s is not supported in %ss; remove it", n.Tag, d.what)
		return false
	}
	for _, c := range n.Content {
		if !d.checkNodes(c, depth+1) {
			return false
		}
	}
	return true
}

// coreTags are the explicit tags a spec may use: they only restate what
// the plain value already is. Others (!!binary, !custom) change meaning in
// ways no check here expects.
var coreTags = []string{"!!str", "!!int", "!!null", "!!bool", "!!float", "!!map", "!!seq"}

func (d *decoder) yamlError(data []byte, err error) {
	var lines []string
	if te, ok := err.(*yaml.TypeError); ok {
		lines = te.Errors
	} else {
		lines = []string{err.Error()}
	}
	for _, l := range lines {
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			line, _ := strconv.Atoi(m[1])
			if p, ok := d.indentTab(data, line, m[2]); ok {
				d.errs.Add(p, "tab character in indentation; YAML indents with spaces only")
				continue
			}
			d.errs.Add(diag.Pos{File: d.file, Line: line, Col: 1}, "invalid YAML: %s", m[2])
			continue
		}
		d.errs.Add(diag.Pos{File: d.file, Line: 1, Col: 1}, "invalid YAML: %s", strings.TrimPrefix(l, "yaml: "))
	}
}

// indentTab finds the tab behind a YAML scanner error. The parser reports
// such errors in terms of tokens, and sometimes one line early, which
// leaves a reader staring at a line that looks fine.
func (d *decoder) indentTab(data []byte, line int, msg string) (diag.Pos, bool) {
	if !strings.Contains(msg, "tab") && !strings.Contains(msg, "cannot start any token") {
		return diag.Pos{}, false
	}
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 < line-1 || i+1 > line+1 {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if c := strings.IndexByte(indent, '\t'); c >= 0 {
			return diag.Pos{File: d.file, Line: i + 1, Col: c + 1}, true
		}
	}
	return diag.Pos{}, false
}

func (d *decoder) offsetPos(data []byte, i int) diag.Pos {
	line := 1 + bytes.Count(data[:i], []byte("\n"))
	col := 1 + utf8.RuneCount(data[bytes.LastIndexByte(data[:i], '\n')+1:i])
	return diag.Pos{File: d.file, Line: line, Col: col}
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean (" + n.Value + ")"
	case "!!int", "!!float":
		return "a number (" + n.Value + ")"
	}
	return fmt.Sprintf("%q", n.Value)
}

// badText returns the offset of the first byte that cannot appear in a
// spec, and why: invalid UTF-8, or a control character that YAML forbids
// (the parser would report it without a position).
func badText(b []byte, what string) (int, string) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return i, fmt.Sprintf("invalid UTF-8 byte 0x%02x; %ss are UTF-8 text", b[i], what)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f, r >= 0x80 && r <= 0x9f && r != 0x85, r == 0xfffe, r == 0xffff:
			return i, fmt.Sprintf("control character %U is not allowed in a %s", r, what)
		}
		i += size
	}
	return -1, ""
}
