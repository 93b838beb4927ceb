package model

import "strings"

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
}

// Names returns the quoted identifiers for dialect.
func (q *SQL) Names(dialect string) SQLNames {
	id := func(s string) string { return QuoteIdent(dialect, s) }
	return SQLNames{
		Dialect:       dialect,
		Enum:          id(q.Enum),
		OldEnum:       id(derivedName(q.Enum, "_old")),
		Table:         id(q.Table),
		Column:        id(q.Column),
		InsertTrigger: id(derivedName(q.Enum, "_check_insert")),
		UpdateTrigger: id(derivedName(q.Enum, "_check_update")),
		Guard:         id(derivedName("fsmgen_guard_"+q.Enum, "")),
		GuardTrigger:  id(derivedName("fsmgen_guard_"+q.Enum, "_check")),
	}
}

func derivedName(base, suffix string) string {
	if n := MaxNameLen - len(suffix); len(base) > n {
		base = base[:n]
	}
	return base + suffix
}

// QuoteIdent quotes an identifier for dialect, doubling embedded quote
// characters, so that reserved words and odd names are safe.
func QuoteIdent(dialect, name string) string {
	if dialect == "mysql" {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteLiteral renders s as a string literal for dialect. MySQL also treats
// backslash as an escape character (unless NO_BACKSLASH_ESCAPES is set, and
// state names cannot contain one), so it is doubled there.
func QuoteLiteral(dialect, s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if dialect == "mysql" {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + s + "'"
}

// QuoteLiterals renders labels as a comma-separated list of literals.
func QuoteLiterals(dialect string, labels []string) string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = QuoteLiteral(dialect, l)
	}
	return strings.Join(out, ", ")
}
