package model

import "github.com/fsmgen/fsmgen/internal/dialect/dialects"

// SQLNames are the quoted identifiers one dialect's migrations use. Derived
// names (the parked old type, triggers, guards) are cut to fit MaxNameLen so
// that every dialect accepts them.
type SQLNames struct {
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

// Names returns the quoted identifiers for the dialect called name.
func (q *SQL) Names(name string) SQLNames {
	return q.names(name, dialects.For(name).QuoteIdent)
}

// Unquoted returns the same names as they appear in a database's catalog.
func (q *SQL) Unquoted(name string) SQLNames {
	return q.names(name, func(s string) string { return s })
}

func (q *SQL) names(name string, id func(string) string) SQLNames {
	return SQLNames{
		Dialect:      name,
		Enum:         id(q.Enum),
		OldEnum:      id(derivedName(q.Enum, "_old")),
		Guard:        id(derivedName("fsmgen_guard_"+q.Enum, "")),
		GuardTrigger: id(derivedName("fsmgen_guard_"+q.Enum, "_check")),
		EnumLit:      dialects.For(name).QuoteLiteral(id(q.Enum)),
		Move:         id(derivedName("fsmgen_move_"+q.Enum, "")),
	}
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
	// labels left in the ENUM; the Next ones are their twins while they
	// are replaced.
	StatesInsert, StatesUpdate         string
	StatesInsertNext, StatesUpdateNext string
}

// ColumnNames returns the quoted identifiers for table.column. The first
// column a history binds names its triggers after the enum alone, as
// histories written before several columns did; the others add the table
// and column.
func (q *SQL) ColumnNames(name, table, column string, first bool) ColumnNames {
	return q.columnNames(dialects.For(name).QuoteIdent, table, column, first)
}

// UnquotedColumnNames returns the same names as they appear in a
// database's catalog.
func (q *SQL) UnquotedColumnNames(table, column string, first bool) ColumnNames {
	return q.columnNames(func(s string) string { return s }, table, column, first)
}

func (q *SQL) columnNames(id func(string) string, table, column string, first bool) ColumnNames {
	base := q.Enum
	if !first {
		base = q.Enum + "_" + table + "_" + column
	}
	return ColumnNames{
		Table:            id(table),
		Column:           id(column),
		InsertTrigger:    id(derivedName(base, "_check_insert")),
		UpdateTrigger:    id(derivedName(base, "_check_update")),
		States:           id(derivedName(column, "_fsmgen_states")),
		StatesInsert:     id(derivedName(table+"_"+column, "_fsmgen_ins")),
		StatesUpdate:     id(derivedName(table+"_"+column, "_fsmgen_upd")),
		StatesInsertNext: id(derivedName(table+"_"+column, "_fsmgen_ins_next")),
		StatesUpdateNext: id(derivedName(table+"_"+column, "_fsmgen_upd_next")),
	}
}

func derivedName(base, suffix string) string {
	if n := MaxNameLen - len(suffix); len(base) > n {
		base = base[:n]
	}
	return base + suffix
}
