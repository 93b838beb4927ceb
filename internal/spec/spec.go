// Package spec decodes a state machine spec from YAML, keeping the position
// of every value so that later checks can point at the offending line.
//
// Decoding checks only the shape of the document (known keys, value kinds);
// what the names mean is checked when the model is built.
package spec

import "github.com/fsmgen/fsmgen/internal/diag"

// Version is the only spec format version this fsmgen reads.
const Version = 1

// MaxSize bounds the spec file so that a stray multi-megabyte file fails
// fast instead of exhausting memory.
const MaxSize = 8 << 20

// File is a decoded spec. Slices keep declaration order.
type File struct {
	Name        string
	Version     Int
	Machine     Str
	Package     Str // the Go package name, when the machine's name cannot be one
	Doc         Str
	Initial     Str
	Entry       []Str
	Tags        []Tag
	States      []State
	Events      []Event
	Transitions []Transition // machine-wide: apply to every state that does not override them
	Removed     []Removed
	Timeouts    []Timeout
	SQL         *SQL
	// StatesPos and EventsPos locate the mappings themselves, for
	// diagnostics about them as a whole (such as "no states").
	StatesPos, EventsPos diag.Pos
}

// Str is a scalar string with its position; Pos.Line is 0 when absent.
type Str struct {
	Value string
	Pos   diag.Pos
}

// Set reports whether the value appeared in the spec.
func (s Str) Set() bool { return s.Pos.Line != 0 }

// Int is a scalar integer with its position.
type Int struct {
	Value int
	Pos   diag.Pos
}

// Bool is a scalar boolean with its position.
type Bool struct {
	Value bool
	Pos   diag.Pos
}

// Tag declares a tag that states and events may carry.
type Tag struct {
	Name   Str
	Doc    Str
	GoName Str // replaces the CamelCase form of Name in Go identifiers
}

// State is one entry of the states mapping.
type State struct {
	Name        Str
	Value       Str // the stored spelling; unset means the name
	Aliases     []Str
	Doc         Str
	Tags        []Str
	Transitions []Transition
	RenamedFrom Str
	Final       Bool     // a final state: the machine's work is over, nothing leaves it
	GoName      Str      // replaces the CamelCase form of Name in Go identifiers
	Set         []Assign // fields every move into the state sets
	SetPos      diag.Pos
}

// Assign sets a field to a value.
type Assign struct {
	Field Str
	Value Scalar
}

// Scalar is a YAML scalar as written: Kind is "null", "str", "int" or
// "bool" (the last three as YAML reads them unquoted).
type Scalar struct {
	Value, Kind string
	Pos         diag.Pos
}

// Set reports whether the value appeared in the spec.
func (s Scalar) Set() bool { return s.Pos.Line != 0 }

// Field is a column of the state's table besides the state that the
// Store writes with a move (sql.fields).
type Field struct {
	Name     Str
	Type     Str
	Nullable Bool
	Default  Scalar
	Adopt    Bool // the column exists: migrations neither add nor drop it
}

// Event is one entry of the events mapping.
type Event struct {
	Name    Str
	Value   Str // the stored spelling; unset means the name
	Aliases []Str
	Doc     Str
	Tags    []Str
	GoName  Str // replaces the CamelCase form of Name in Go identifiers
}

// Transition maps an event to a target state. A null target (Forbid) removes
// a machine-wide transition from one state.
type Transition struct {
	Event  Str
	Target Str
	Forbid bool
}

// Timeout is a group of states with a deadline: entering the group from
// outside starts it, moves inside keep it, leaving ends it; Expire fires
// Event on a row whose deadline passed.
type Timeout struct {
	Pos    diag.Pos
	Column Str // the deadline's column
	States []Str
	After  Str // a Go duration
	Event  Str
	Set    []Assign
	SetPos diag.Pos
}

// Removed records a state that no longer exists and where its rows go.
type Removed struct {
	Name   Str
	Doc    Str
	RowsTo Str
}

// SQL configures the database enum that stores the state. Table, Column
// and Default are the one-column form; Columns binds the enum to several.
type SQL struct {
	Pos     diag.Pos
	Enum    Str
	Table   Str
	Column  Str
	Default Str
	Columns []Column
	// ColumnsPos locates the columns list, Columns being empty when it is.
	ColumnsPos diag.Pos
	Dialects   []Str
	Format     Str
	Versions   Str
	// The generated store (see model.Store).
	Key, Version, History, Enforce Str
	// VersionKind is counter (the default) or token.
	VersionKind Str
	// HistoryFields are fields each history row copies as the move left
	// them; HistoryNotes, text columns of the history row a call fills.
	HistoryFields, HistoryNotes []Str
	// Drivers are the Go database interfaces the Store is generated for.
	Drivers []Str
	// Adopt lists the labels the columns already hold, in database order:
	// they exist, and the first migration takes them over. AdoptPos
	// locates the list.
	Adopt     []Str
	AdoptPos  diag.Pos
	Fields    []Field
	FieldsPos diag.Pos
	// Compact asks for the one migration that rewrites the table: the
	// type becomes exactly the spec's labels in spec order.
	Compact Bool
	// FireFunction asks for a MySQL function that makes Fire's move and
	// history row in one call.
	FireFunction Bool
}

// Column is one column bound to the enum.
type Column struct {
	Pos      diag.Pos
	Table    Str
	Column   Str
	Default  Str
	Nullable Bool
}
