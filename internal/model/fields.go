package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/spec"
)

// Field is a column of the state's table that the Store writes in the
// move's own statement (sql.fields).
type Field struct {
	Name     string // the column
	Camel    string // FinishedAt: the options are SetFinishedAt, ClearFinishedAt, SetFinishedAtNow
	Index    int
	Type     string // one of FieldTypes
	Nullable bool
	// Default is what Create writes when neither an option nor the
	// state's set gives a value, and what migrations give rows that
	// exist when they add the column. Null for a nullable field without
	// one.
	Default Value
	Adopt   bool // the column exists: migrations neither add nor drop it
	// Deadline is the timeout whose deadline the column holds: moves set
	// it, no option does.
	Deadline *Timeout
	Pos      diag.Pos
}

// FieldTypes are the types a field may have.
var FieldTypes = []string{"text", "timestamp", "int", "bool", "bytes"}

// MaxFields bounds sql.fields: the Store's statements name each field's
// parameters by a letter.
const MaxFields = 26

// Value is what a field is set to: Null, the database's clock (Now), or
// a constant (Text for text, Int for int, Bool for bool). The dialects
// render it.
type Value = dialect.Value

// Assign is a field a move into a state sets, and to what.
type Assign struct {
	Field *Field
	Value Value
}

// SetOf returns what entering s does to f, and whether it does anything.
func (s *State) SetOf(f *Field) (Value, bool) {
	for _, a := range s.Set {
		if a.Field == f {
			return a.Value, true
		}
	}
	return Value{}, false
}

// buildFields validates sql.fields against the store's own columns.
func (b *builder) buildFields(s *spec.SQL, st *Store) {
	if len(s.Fields) > MaxFields {
		b.errorf(s.FieldsPos, "sql fields lists %d fields; at most %d are allowed", len(s.Fields), MaxFields)
	}
	options := map[string]*Field{}
	for i, sf := range s.Fields {
		f := &Field{Name: sf.Name.Value, Camel: Camel(sf.Name.Value), Index: i, Nullable: sf.Nullable.Value, Adopt: sf.Adopt.Value, Pos: sf.Name.Pos}
		b.sqlName("field", sf.Name, sf.Name.Pos)
		for _, own := range []struct{ what, name string }{{"the state column", st.Column}, {"the key", st.Key}, {"the version", st.Version}} {
			if f.Name == own.name {
				b.errorf(sf.Name.Pos, "sql field %q is %s, which the Store writes itself", f.Name, own.what)
			}
		}
		if !sf.Type.Set() {
			b.errorf(sf.Name.Pos, "sql field %q needs a type: one of %s", f.Name, strings.Join(FieldTypes, ", "))
		} else {
			f.Type = b.oneOf(sf.Type, "sql field type", FieldTypes...)
		}
		f.Default = Value{Null: true}
		// A default is a constant: the database's clock as a column's
		// default would make PostgreSQL rewrite the table to add it.
		constant := f.Type != "bytes" && f.Type != "timestamp"
		switch {
		case sf.Default.Set() && !constant:
			b.errorf(sf.Default.Pos, "sql field %q of type %s cannot have a default; make it nullable, and let a state's set or an option write it", f.Name, f.Type)
		case sf.Default.Set():
			f.Default = b.fieldValue(f, sf.Default)
		case !f.Nullable && !constant:
			b.errorf(sf.Name.Pos, "sql field %q of type %s must be nullable: it can have no default for the rows already there", f.Name, f.Type)
		case !f.Nullable:
			b.errorf(sf.Name.Pos, "sql field %q is not nullable, so it needs a default: what Create writes when nothing sets it, and what rows already there get", f.Name)
		}
		for _, o := range f.Options() {
			if prev, ok := options[o]; ok {
				b.errorf(sf.Name.Pos, "sql field %q's option %s is also field %q's; rename one", f.Name, o, prev.Name)
			}
			options[o] = f
		}
		st.Fields = append(st.Fields, f)
	}
}

// Options are the names of the Store options that set f.
func (f *Field) Options() []string {
	if f.Deadline != nil {
		return nil
	}
	out := []string{"Set" + f.Camel}
	if f.Nullable {
		out = append(out, "Clear"+f.Camel)
	}
	if f.Type == "timestamp" {
		out = append(out, "Set"+f.Camel+"Now")
	}
	return out
}

// resolveSets validates each state's set against the fields.
func (b *builder) resolveSets() {
	var fields []*Field
	if q := b.m.SQL; q != nil && q.Store != nil {
		fields = q.Store.Fields
	}
	for _, ss := range b.f.States {
		st := b.states[ss.Name.Value]
		if len(ss.Set) == 0 || st == nil {
			continue
		}
		if len(fields) == 0 {
			b.errorf(ss.SetPos, "state %q sets fields, but sql fields declares none (fields need sql key)", st.Name)
			continue
		}
		st.Set = b.assigns(fields, ss.Set, fmt.Sprintf("state %q", st.Name))
	}
}

// assigns resolves what a state or a timeout (who) sets against fields.
func (b *builder) assigns(fields []*Field, set []spec.Assign, who string) []Assign {
	var out []Assign
	var names []string
	for _, f := range fields {
		if f.Deadline == nil {
			names = append(names, f.Name)
		}
	}
	for _, a := range set {
		j := fieldIndex(fields, a.Field.Value)
		if j < 0 || fields[j].Deadline != nil {
			b.errorf(a.Field.Pos, "%s sets %q, which is not in sql fields%s", who, a.Field.Value, diag.DidYouMean(a.Field.Value, names))
			continue
		}
		f := fields[j]
		out = append(out, Assign{Field: f, Value: b.fieldValue(f, a.Value)})
	}
	return out
}

func fieldIndex(fields []*Field, name string) int {
	for i, f := range fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// fieldValue reads v as a value of f.
func (b *builder) fieldValue(f *Field, v spec.Scalar) Value {
	bad := func(want string) Value {
		b.errorf(v.Pos, "sql field %q of type %s takes %s, not the %s %s", f.Name, f.Type, want, map[string]string{"str": "string", "int": "integer", "bool": "boolean"}[v.Kind], strconv.Quote(v.Value))
		return Value{Null: true}
	}
	if v.Kind == "null" {
		if !f.Nullable {
			b.errorf(v.Pos, "sql field %q is not nullable; it cannot be set to null", f.Name)
		}
		return Value{Null: true}
	}
	switch f.Type {
	case "text":
		if v.Kind == "bool" {
			return bad("a string (quote it)")
		}
		return Value{Text: v.Value}
	case "timestamp":
		if v.Value != "now" {
			return bad("now (the database's clock) or null")
		}
		return Value{Now: true}
	case "int":
		n, err := strconv.ParseInt(v.Value, 0, 64)
		if v.Kind != "int" || err != nil {
			return bad("a 64-bit integer")
		}
		return Value{Int: n}
	case "bool":
		if v.Kind != "bool" {
			return bad("true or false")
		}
		return Value{Bool: v.Value == "true" || v.Value == "True" || v.Value == "TRUE"}
	case "bytes":
		return bad("null")
	}
	return Value{Null: true}
}

// Timeout is a group of states with a deadline (timeouts:): a row that
// enters the group from outside it gets one After from then, keeps it
// while it moves inside, and loses it when it leaves. Expire fires Event
// on a row whose deadline passed, with what Set sets.
type Timeout struct {
	Index  int
	States []*State
	After  time.Duration
	Event  *Event
	Set    []Assign
	Field  *Field // the deadline's column, among the store's fields
	Pos    diag.Pos
}

// MaxTimeouts bounds timeouts: the Store's statements name each group's
// duration by a digit.
const MaxTimeouts = 10

// Has reports whether s is one of the group's states.
func (t *Timeout) Has(s *State) bool { return slices.Contains(t.States, s) }

// buildTimeouts validates timeouts, each of which adds its deadline to the
// store's fields.
func (b *builder) buildTimeouts() {
	if len(b.f.Timeouts) == 0 {
		return
	}
	var st *Store
	if q := b.m.SQL; q != nil {
		st = q.Store
	}
	if st == nil {
		b.errorf(b.f.Timeouts[0].Pos, "timeouts need sql key: the deadlines are columns of the state's table")
		return
	}
	if len(b.f.Timeouts) > MaxTimeouts {
		b.errorf(b.f.Timeouts[MaxTimeouts].Pos, "at most %d timeouts are allowed", MaxTimeouts)
	}
	for i, ft := range b.f.Timeouts {
		t := &Timeout{Index: i, Pos: ft.Pos}
		b.sqlName("timeout column", ft.Column, ft.Pos)
		name := ft.Column.Value
		for _, own := range []struct{ what, name string }{{"the state column", st.Column}, {"the key", st.Key}, {"the version", st.Version}} {
			if name == own.name && name != "" { // "": missing, said above
				b.errorf(ft.Column.Pos, "timeout column %q is %s", name, own.what)
			}
		}
		if j := fieldIndex(st.Fields, name); j >= 0 {
			b.errorf(ft.Column.Pos, "timeout column %q is also a field's (line %d)", name, st.Fields[j].Pos.Line)
		}
		if len(ft.States) == 0 {
			b.errorf(ft.Pos, "a timeout needs states: the group its deadline covers")
		}
		for _, r := range ft.States {
			s := b.stateRef(r, "timeout")
			switch {
			case s == nil:
			case t.Has(s):
				b.errorf(r.Pos, "timeout lists state %q twice", s.Name)
			default:
				t.States = append(t.States, s)
			}
		}
		if !ft.After.Set() {
			b.errorf(ft.Pos, "a timeout needs after: how long a row may stay in its states, such as 1h or 90s")
		} else if d, err := time.ParseDuration(ft.After.Value); err != nil || d < time.Millisecond || d > 100*365*24*time.Hour {
			b.errorf(ft.After.Pos, "timeout after %q must be a Go duration from 1ms to 100 years, such as 1h or 90s", ft.After.Value)
		} else {
			t.After = d
		}
		if !ft.Event.Set() {
			b.errorf(ft.Pos, "a timeout needs event: what Expire fires on a row whose deadline passed")
		} else if t.Event = b.eventRef(ft.Event); t.Event != nil {
			for _, s := range t.States {
				switch to := s.Next(t.Event); {
				case to == nil:
					b.errorf(ft.Event.Pos, "timeout event %q is not allowed in state %q; every state of the group must take it", t.Event.Name, s.Name)
				case t.Has(to):
					b.errorf(ft.Event.Pos, "timeout event %q leads from %q to %q, inside the group: the deadline would hold, passed, and fire again", t.Event.Name, s.Name, to.Name)
				}
			}
		}
		t.Set = b.assigns(st.Fields, ft.Set, fmt.Sprintf("timeout %q", name))
		t.Field = &Field{Name: name, Camel: Camel(name), Index: len(st.Fields), Type: "timestamp", Nullable: true, Default: Value{Null: true}, Deadline: t, Pos: ft.Column.Pos}
		st.Fields = append(st.Fields, t.Field)
		b.m.Timeouts = append(b.m.Timeouts, t)
	}
	if len(st.Fields) > MaxFields {
		b.errorf(b.f.Timeouts[0].Pos, "sql fields and timeouts add %d columns; at most %d are allowed", len(st.Fields), MaxFields)
	}
}

// MaxNotes bounds sql history_notes: the Store's statements name each
// note's parameter with a letter of its own, a to d.
const MaxNotes = 4

// buildHistoryColumns resolves sql history_fields and history_notes, the
// history table's columns besides its own.
func (b *builder) buildHistoryColumns() {
	q := b.m.SQL
	if q == nil || q.Store == nil {
		return
	}
	s, st := b.f.SQL, q.Store
	if st.History == "" {
		for _, v := range [][]spec.Str{s.HistoryFields, s.HistoryNotes} {
			if len(v) > 0 {
				b.errorf(v[0].Pos, "sql history_fields and history_notes are columns of the history table: they need sql history")
				return
			}
		}
		return
	}
	taken := map[string]string{st.Key: "the key"}
	for _, c := range HistoryColumns {
		taken[c] = "a column of every history table"
	}
	var names []string
	for _, f := range st.Fields {
		names = append(names, f.Name)
	}
	for _, v := range s.HistoryFields {
		j := fieldIndex(st.Fields, v.Value)
		switch {
		case j < 0:
			b.errorf(v.Pos, "sql history_fields lists %q, which is not in sql fields or a timeout's column%s", v.Value, diag.DidYouMean(v.Value, names))
		case taken[v.Value] != "":
			b.errorf(v.Pos, "sql history_fields lists %q, which is %s", v.Value, taken[v.Value])
		default:
			taken[v.Value] = "a history field"
			st.HistoryFields = append(st.HistoryFields, st.Fields[j])
		}
	}
	if len(s.HistoryNotes) > MaxNotes {
		b.errorf(s.HistoryNotes[MaxNotes].Pos, "sql history_notes lists %d notes; at most %d are allowed", len(s.HistoryNotes), MaxNotes)
	}
	// A timeout's With<Column>After is in the same package.
	options := map[string]string{}
	for _, t := range b.m.Timeouts {
		options["With"+t.Field.Camel+"After"] = "timeout " + strconv.Quote(t.Field.Name) + "'s"
	}
	for _, v := range s.HistoryNotes {
		b.sqlName("history_notes", v, s.Pos)
		if what := taken[v.Value]; what != "" {
			b.errorf(v.Pos, "sql history_notes lists %q, which is %s", v.Value, what)
			continue
		}
		taken[v.Value] = "a history note"
		n := Note{Name: v.Value, Camel: Camel(v.Value)}
		if who, ok := options["With"+n.Camel]; ok {
			b.errorf(v.Pos, "sql history_notes lists %q, whose option With%s is also %s", v.Value, n.Camel, who)
		}
		st.HistoryNotes = append(st.HistoryNotes, n)
	}
}
