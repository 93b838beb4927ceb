package model

import "github.com/fsmgen/fsmgen/internal/dialect"

// SQLNames are the quoted identifiers one dialect's migrations use. Derived
// names (the parked old type, triggers, guards) are cut to fit MaxNameLen so
// that every dialect accepts them.
type SQLNames struct {
	Dialect string
	Enum    string // the enum type (PostgreSQL)
	OldEnum string // the type's name while it is being replaced (PostgreSQL)
	Table   string
	Column  string
	// InsertTrigger and UpdateTrigger reject invalid values on SQLite,
	// which has no enum type.
	InsertTrigger string
	UpdateTrigger string
	// Guard is the helper (a MySQL procedure, a SQLite temporary table)
	// that makes a Down fail loudly instead of stranding rows; GuardTrigger
	// is its SQLite trigger.
	Guard        string
	GuardTrigger string
	// States is the PostgreSQL CHECK constraint that limits the column to
	// the spec's states while the type still holds retired labels: a label
	// leaves the type only by a rewrite, which a busy table cannot afford.
	States string
	// EnumLit is the enum's quoted name as a literal, for ::regtype.
	EnumLit string
}

// Names returns the quoted identifiers for the dialect called name.
func (q *SQL) Names(name string) SQLNames {
	return q.names(name, dialect.For(name).QuoteIdent)
}

// Unquoted returns the same names as they appear in a database's catalog.
func (q *SQL) Unquoted(name string) SQLNames {
	return q.names(name, func(s string) string { return s })
}

func (q *SQL) names(name string, id func(string) string) SQLNames {
	return SQLNames{
		Dialect:       name,
		Enum:          id(q.Enum),
		OldEnum:       id(derivedName(q.Enum, "_old")),
		Table:         id(q.Table),
		Column:        id(q.Column),
		InsertTrigger: id(derivedName(q.Enum, "_check_insert")),
		UpdateTrigger: id(derivedName(q.Enum, "_check_update")),
		Guard:         id(derivedName("fsmgen_guard_"+q.Enum, "")),
		GuardTrigger:  id(derivedName("fsmgen_guard_"+q.Enum, "_check")),
		States:        id(derivedName(q.Column, "_fsmgen_states")),
		EnumLit:       dialect.For(name).QuoteLiteral(id(q.Enum)),
	}
}

func derivedName(base, suffix string) string {
	if n := MaxNameLen - len(suffix); len(base) > n {
		base = base[:n]
	}
	return base + suffix
}
