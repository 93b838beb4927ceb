package dialect

import "slices"

// Names are the quoted identifiers one dialect's migrations use (or, from
// model's Unquoted, the same as a catalog shows them). Derived
// names (the parked old type, triggers, guards) are cut to fit MaxNameLen so
// that every dialect accepts them.
type Names struct {
	Dialect string
	Enum    string // the enum type (PostgreSQL)
	OldEnum string // the type's name while it is being replaced (PostgreSQL)
	// Guard is the helper (a MySQL procedure, a SQLite temporary table)
	// that makes a Down fail loudly instead of stranding rows; GuardTrigger
	// is its SQLite trigger.
	Guard        string
	GuardTrigger string
	// EnumLit is the enum's quoted name as a literal, for ::regtype.
	EnumLit string
	// Move is the MySQL procedure that moves rows in batches.
	Move string
}

// ColumnNames are the quoted identifiers of one bound column.
type ColumnNames struct {
	Table, Column string
	// InsertTrigger and UpdateTrigger reject invalid values on SQLite,
	// which has no enum type.
	InsertTrigger, UpdateTrigger string
	// States is the PostgreSQL CHECK constraint that limits the column to
	// the spec's states while the type still holds retired labels: a label
	// leaves the type only by a rewrite, which a busy table cannot afford.
	States string
	// StatesInsert and StatesUpdate are the MySQL triggers that forbid
	// labels left in the ENUM (by the names an older fsmgen gave them);
	// the Next ones are their twins while they are replaced.
	StatesInsert, StatesUpdate         string
	StatesInsertNext, StatesUpdateNext string
	// StatesInsertBase and StatesUpdateBase, unquoted, are the states
	// triggers' TextName bases: they are named after their text, and
	// StatesInsert and StatesUpdate are the names an older fsmgen gave
	// them.
	StatesInsertBase, StatesUpdateBase string
}

// Plan is one direction of a migration as a dialect's templates
// (Migrations) render it, computed by gen/sqlmig from the diff: every
// identifier already quoted and every label already a literal, in the
// dialect's own quoting.
type Plan struct {
	N      Names
	U      Names  // the same names unquoted, as a catalog shows them
	Labels string // the set this direction ends with
	To     string // same as Labels
	From   string // the set this direction starts with

	// Cols are the columns that stay bound, Tables the same grouped by
	// table (one ALTER TABLE per table: one rewrite, not one per column);
	// Bind are added and Unbind dropped. Checked are Cols and Bind: the
	// columns PostgreSQL's constraint limits to the spec's states.
	Cols, Bind, Unbind, Checked []PlanColumn
	Tables                      []PlanTable

	Union      string // from and to together (MySQL widens to it first)
	InPlace    bool   // PostgreSQL: ALTER TYPE in place instead of a new type
	SetDefault bool   // some kept column's default changes
	Renames    []Pair
	Adds       []Added
	Remap      []Pair // renames and moves, applied to rows
	RemapFrom  string
	Guard      string // labels whose rows block this direction
	GuardCond  string // whether a kept column holds one of them
	GuardMsg   string // the guard's error, as a literal
	GuardText  string // the same, as text
	SpecText   string // the spec's text in the statements, which a block's quote must not hold

	// Type is what the type (PostgreSQL) or each column's ENUM (MySQL)
	// holds once this direction has run, in the database's order, as
	// literals; Retired tells whether it holds labels the direction's
	// set lacks, which the constraint or the triggers must forbid.
	Type    string
	Retired bool
	Restate bool // MySQL: the ENUM is restated in full (sql.compact)

	Adopt     Adoption // the first migration of existing columns (see adopt)
	Session   string   // the dialect's session settings, run first
	Moves     []Pair   // removed labels whose rows move (PostgreSQL)
	MoveFrom  string
	Batch     bool // rows move in batches that commit one by one
	BatchSize int
	// Appended are the labels a type that grows at its end (Appended)
	// gains: the new ones, a rename's new name too; unquoted.
	Appended []string
	// Bypass: the machine's triggers enforce its transitions, which a
	// row move is not; each move's transaction (PostgreSQL) or the move
	// procedure's session (MySQL) turns on the bypass the migrating role
	// is allowed, so that the triggers stay in force for every other
	// writer.
	Bypass bool
	// RowsMove: rows move in this direction or in the other, which a
	// dialect whose runner takes one kind of statement a file puts in
	// files of their own (NextFile).
	RowsMove bool
}

// NextFile, a statement of its own among a direction's, ends one file and
// starts the next, each a version of its own: the up's k-th file of n
// and the down's (n+1-k)-th are one version's two directions.
const NextFile = "-- next file"

// PlanColumn is one column as the templates see it.
type PlanColumn struct {
	ColumnNames
	TableLit, ColumnLit string // the names as literals, to look them up
	StatesLit           string // the states constraint's name as a literal
	NotNull             bool
	Default             string // the literal it ends with; "" for none
	FromDefault         string // the literal it starts with; "" for none
	SetDefault          bool
	Invalid             string // the triggers' message for a rejected value
	Labels              string // the set the direction ends with
	// Triggers keep the column to Labels where the dialect has no enum
	// type (SQLite's ValueTriggers).
	Triggers string
	// Enum is the enum's name, unquoted (MySQL marks its columns with it).
	Enum string
	// Collation is the collation the column's labels need (the dialect's
	// LabelCollation, as the history records it), "" for its table's;
	// Convert: restating the column converts it to that (sql.compact).
	Collation string
	Convert   bool
	// Guarded: the enforcement triggers keep the column to the machine's
	// labels at both ends of the direction, and MySQL's states triggers
	// would repeat them; the column has none.
	Guarded bool
}

// StatesTrigger is one MySQL states trigger as the template sees it.
type StatesTrigger struct {
	C                 PlanColumn
	Name, Next, Event string
	Base              string // its TextName base
	Allowed           string
}

// WithAllowed is t letting through other labels.
func (t StatesTrigger) WithAllowed(allowed string) StatesTrigger { t.Allowed = allowed; return t }

// Triggers returns the states triggers of every kept column, letting
// through the direction's labels, or during a rename or move (widened)
// those of both ends.
func (d Plan) Triggers(widened bool) []StatesTrigger {
	if widened {
		return triggers(d.Cols, d.Union)
	}
	return triggers(d.Cols, d.To)
}

// KeptTables are the tables of the kept columns, CheckedTables those of
// the kept and bound ones.
func (d Plan) KeptTables() []string { return tablesOf(d.Cols) }

func (d Plan) CheckedTables() []string { return tablesOf(d.Checked) }

func tablesOf(cols []PlanColumn) []string {
	var out []string
	for _, c := range cols {
		if !slices.Contains(out, c.Table) {
			out = append(out, c.Table)
		}
	}
	return out
}

// BindTriggers returns the states triggers of the columns being bound.
func (d Plan) BindTriggers() []StatesTrigger { return triggers(d.Bind, d.To) }

func triggers(cols []PlanColumn, allowed string) []StatesTrigger {
	var out []StatesTrigger
	for _, c := range cols {
		out = append(out, ColumnTriggers(c, allowed)...)
	}
	return out
}

// ColumnTriggers are c's INSERT and UPDATE states triggers.
func ColumnTriggers(c PlanColumn, allowed string) []StatesTrigger {
	return []StatesTrigger{
		{C: c, Name: c.StatesInsert, Next: c.StatesInsertNext, Event: "INSERT", Base: c.StatesInsertBase, Allowed: allowed},
		{C: c, Name: c.StatesUpdate, Next: c.StatesUpdateNext, Event: "UPDATE", Base: c.StatesUpdateBase, Allowed: allowed},
	}
}

// Moving is what the "move" template needs for one table.
type Moving struct {
	Table    PlanTable
	Moves    []Pair
	MoveFrom string
}

// Move pairs t with the direction's moves.
func (d Plan) Move(t PlanTable) Moving { return Moving{Table: t, Moves: d.Moves, MoveFrom: d.MoveFrom} }

// PlanTable is a table's kept columns, changed in one ALTER TABLE.
type PlanTable struct {
	Table                     string
	Cols                      []PlanColumn
	DropDefaults, SetDefaults []PlanColumn // Cols that start, end with a default
}

// Added is a label the type gains in place: Rel (AFTER or BEFORE) the
// nearest label the type has beside it in the spec, Anchor ("" for none).
type Added struct{ Label, Rel, Anchor string }

// Pair is a label and the one it becomes (a rename, or a removed label and
// its rows_to).
type Pair struct{ Old, New string }

// Adoption is what the adopt templates see.
type Adoption struct {
	Labels   string   // the adopted labels, as literals
	Adopted  []string // the same, unquoted
	EnumName string   // the enum's name, as a literal
	// Grown and GrownLabels are the same for the type the migration
	// leaves, which its Down keeps; "" and nil when that is the adopted
	// one.
	Grown       string
	GrownLabels []string
	// Added are the labels the adopted type gains on the way to the
	// spec's.
	Added []string
	Cols  []AdoptColumn
}

// AdoptColumn is one adopted column as the adopt templates see it.
type AdoptColumn struct {
	PlanColumn
	Name   string // table.column, as a literal
	RegLit string // the quoted table name, as a literal (::regclass)
	// The default as PostgreSQL prints it, as SQLite keeps it, and as MySQL
	// reports it (MariaDB quotes it, MySQL does not); "" for none.
	DefaultExpr, DefaultText, DefaultBare string
	// Text is table.column and TableText the table, DefaultLabel the
	// default's label ("" for none), all unquoted, for messages.
	Text, TableText, DefaultLabel string
}

// HoldsAny is the condition that a row of table holds one of labels (as
// literals) in column (both quoted), in SQL every dialect reads.
func HoldsAny(table, column, labels string) string {
	return "EXISTS (SELECT 1 FROM " + table + " WHERE " + column + " IN (" + labels + "))"
}
