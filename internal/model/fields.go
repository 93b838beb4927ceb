package model

import (
	"strconv"
	"strings"

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
	Pos     diag.Pos
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
		for _, a := range ss.Set {
			j := fieldIndex(fields, a.Field.Value)
			if j < 0 {
				var names []string
				for _, f := range fields {
					names = append(names, f.Name)
				}
				b.errorf(a.Field.Pos, "state %q sets %q, which is not in sql fields%s", st.Name, a.Field.Value, diag.DidYouMean(a.Field.Value, names))
				continue
			}
			f := fields[j]
			st.Set = append(st.Set, Assign{Field: f, Value: b.fieldValue(f, a.Value)})
		}
	}
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
