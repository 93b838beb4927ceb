// Package model is the validated state machine. Every name an emitter needs
// (Go identifiers, labels) is computed here once, so that all outputs agree.
package model

import (
	"slices"

	"github.com/fsmgen/fsmgen/internal/diag"
)

// Machine is a validated state machine. Slices are in spec order, which is
// also enum order.
type Machine struct {
	Name        string // spec name: error prefix, and Package unless the spec sets package:
	Package     string // the Go package's name, and its directory's
	Doc         string
	SpecFile    string // path of the spec as given, for generated comments
	States      []*State
	Events      []*Event
	Tags        []*Tag
	Initial     *State
	ByOrd       []*State      // states by Go constant value: Initial first, so that the zero State is Initial, then the others in spec order
	Entries     []*State      // states a machine may start in, initial included, in state order
	Finals      []*State      // final states, in state order
	Transitions []*Transition // legal moves, by state then event order
	Removed     []*Removed
	Timeouts    []*Timeout
	SQL         *SQL // nil when the spec has no sql section

	// For diagrams (see diagram.go).
	Edges        []*Edge  // transitions grouped by (from, to), by source then target
	OtherEntries []*State // entry states besides Initial
	Renamed      []*State // states that carry a former name
}

// State is one state of the machine.
type State struct {
	Name string // the key in the spec: references and Go names derive from it
	// Value is the stored spelling: String, MarshalText, Value, the SQL
	// label and the docs use it. It is Name unless the spec sets value:.
	Value string
	// Aliases are extra spellings parsing accepts; nothing produces them.
	Aliases     []string
	Index       int // position in spec order
	Ord         int // the Go constant's value, its index in Machine.ByOrd
	Doc         string
	Tags        []*Tag
	Camel       string // AbortEnd
	GoName      string // StateAbortEnd
	Initial     bool
	Entry       bool          // Initial or listed under entry
	Final       bool          // no transitions leave it
	Out         []*Transition // legal moves from this state, by event order
	Targets     []*State      // by event index: where each event leads, nil when illegal
	RenamedFrom string        // former name, "" when not renamed
	Set         []Assign      // fields every move into the state sets
	Pos         diag.Pos

	// For diagrams (see diagram.go).
	Failure, Active bool   // tagged with one of FailureTags, ActiveTags
	MermaidID       string // the state's id in Mermaid source
	MermaidName     string // the value as MermaidText
	MDCode          string // the value as a Markdown code span
	DOTLabel        string // the value quoted for DOT; "" when it is the name
	Tooltip         string // doc and tags
	DOTID           string // the name quoted for DOT, shared by every edge that names the state
}

// Event is one event of the machine.
type Event struct {
	Name    string
	Value   string   // the stored spelling, as for State
	Aliases []string // extra spellings parsing accepts
	Index   int      // position in spec order, also the Go constant's value
	Doc     string
	Tags    []*Tag
	Camel   string
	GoName  string // EventAbortEnd
	Pos     diag.Pos
	// Internal is true when tagged with one of InternalTags (see
	// diagram.go).
	Internal bool
	MDCode   string // the value as a Markdown code span
}

// Transition is one legal (state, event) pair and where it leads.
type Transition struct {
	From        *State
	Event       *Event
	To          *State
	MachineWide bool // inherited from the machine-wide transitions block
}

// Tag is a declared tag and what carries it.
type Tag struct {
	Name      string
	Doc       string
	Camel     string
	Predicate string // IsActive: the Go method that tests for the tag
	States    []*State
	Events    []*Event
}

// Removed is a state that no longer exists; rows holding it move to RowsTo.
type Removed struct {
	Name   string
	Doc    string
	RowsTo *State
	Pos    diag.Pos
}

// SQL describes the database enum that stores the state.
type SQL struct {
	Pos      diag.Pos // the sql section, for problems found against the migration history
	Enum     string   // type name (PostgreSQL), also used to name SQLite triggers
	Columns  []*Column
	Dialects []string // in the canonical order postgres, mysql, sqlite
	Format   string   // goose or golang-migrate
	Versions string   // sequential or timestamp
	Store    *Store   // nil unless sql.key is given
	// Adopt are the labels the columns already hold, in database order,
	// when they exist before fsmgen (sql.adopt); nil when fsmgen adds them.
	Adopt    []string
	AdoptPos diag.Pos
	// Compact (sql.compact) allows the migrations that rewrite or copy
	// the table, for teams that can afford it: the type is made exactly
	// the spec's labels in spec order.
	Compact bool
}

// Store is what the generated store (Fire, Move), the history table and
// the enforcement triggers need: the row's key besides the state column.
type Store struct {
	Table, Column string
	Key           string
	Version       string // column every move changes; "" for none
	Token         bool   // Version holds a token every move replaces, not a counter
	Pgx           bool   // sql.drivers lists pgx: a PgxStore too
	Fields        []*Field
	History       string // history table; "" for none
	// HistoryFields are fields each history row copies as the move left
	// them.
	HistoryFields []*Field
	// HistoryNotes are text columns of the history table a call fills with
	// its With<Camel> options (an actor, a reason), NULL when it does not.
	HistoryNotes []Note
	Enforce      bool // triggers reject moves the spec does not allow
	// FireFunction (sql.fire_function): on MySQL, Fire calls a function
	// the migrations create, which moves the row and appends its history
	// in one round trip.
	FireFunction bool
}

// Note is a column of the history table that a call fills (sql
// history_notes).
type Note struct {
	Name, Camel string // reason, Reason: the option is WithReason
}

// HistoryColumns are the history table's columns besides the key, which
// is named after Store.Key.
var HistoryColumns = []string{"seq", "from_state", "to_state", "event", "moved_at"}

// Spellings returns every text that parses to s: its value, its aliases
// and its former name, without repeats.
func (s *State) Spellings() []string {
	out := append([]string{s.Value}, s.Aliases...)
	if s.RenamedFrom != "" && !slices.Contains(out, s.RenamedFrom) {
		out = append(out, s.RenamedFrom)
	}
	return out
}

// Spellings returns every text that parses to e: its value and aliases.
func (e *Event) Spellings() []string { return append([]string{e.Value}, e.Aliases...) }

// Column is one column that stores the enum.
type Column struct {
	Table, Column string
	Default       *State // nil: no default, which only a nullable column may lack
	Nullable      bool
	Pos           diag.Pos // its entry under sql.columns, or the sql section
	DefaultPos    diag.Pos // where the default is given; Pos when it is implied
}

// Name is table.column, as messages and titles show it.
func (c *Column) Name() string { return c.Table + "." + c.Column }

// Next returns where ev leads from s, or nil when the move is illegal.
func (s *State) Next(ev *Event) *State { return s.Targets[ev.Index] }

// StateTags returns the tags carried by at least one state.
func (m *Machine) StateTags() []*Tag {
	var out []*Tag
	for _, t := range m.Tags {
		if len(t.States) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// EventTags returns the tags carried by at least one event.
func (m *Machine) EventTags() []*Tag {
	var out []*Tag
	for _, t := range m.Tags {
		if len(t.Events) > 0 {
			out = append(out, t)
		}
	}
	return out
}
