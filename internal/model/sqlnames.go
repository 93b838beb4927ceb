package model

import (
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// Names returns the quoted identifiers for the dialect called name.
func (q *SQL) Names(name string) dialect.Names {
	return q.names(name, dialects.For(name).QuoteIdent)
}

// Unquoted returns the same names as they appear in a database's catalog.
func (q *SQL) Unquoted(name string) dialect.Names {
	return q.names(name, func(s string) string { return s })
}

func (q *SQL) names(name string, id func(string) string) dialect.Names {
	return dialect.Names{
		Dialect:      name,
		Enum:         id(q.Enum),
		OldEnum:      id(derivedName(q.Enum, "_old")),
		Guard:        id(derivedName("fsmgen_guard_"+q.Enum, "")),
		GuardTrigger: id(derivedName("fsmgen_guard_"+q.Enum, "_check")),
		EnumLit:      dialects.For(name).QuoteLiteral(id(q.Enum)),
		Move:         id(derivedName("fsmgen_move_"+q.Enum, "")),
	}
}

// ColumnNames returns the quoted identifiers for table.column. The first
// column a history binds names its triggers after the enum alone, as
// histories written before several columns did; the others add the table
// and column.
func (q *SQL) ColumnNames(name, table, column string, first bool) dialect.ColumnNames {
	return q.columnNames(dialects.For(name).QuoteIdent, table, column, first)
}

// UnquotedColumnNames returns the same names as they appear in a
// database's catalog.
func (q *SQL) UnquotedColumnNames(table, column string, first bool) dialect.ColumnNames {
	return q.columnNames(func(s string) string { return s }, table, column, first)
}

func (q *SQL) columnNames(id func(string) string, table, column string, first bool) dialect.ColumnNames {
	base := q.Enum
	if !first {
		base = q.Enum + "_" + table + "_" + column
	}
	return dialect.ColumnNames{
		Table:            id(table),
		Column:           id(column),
		InsertTrigger:    id(derivedName(base, "_check_insert")),
		UpdateTrigger:    id(derivedName(base, "_check_update")),
		States:           id(derivedName(column, "_fsmgen_states")),
		StatesInsert:     id(derivedName(table+"_"+column, "_fsmgen_ins")),
		StatesUpdate:     id(derivedName(table+"_"+column, "_fsmgen_upd")),
		StatesInsertNext: id(derivedName(table+"_"+column, "_fsmgen_ins_next")),
		StatesUpdateNext: id(derivedName(table+"_"+column, "_fsmgen_upd_next")),
		StatesInsertBase: textBase(table+"_"+column, "_fsmgen_i"),
		StatesUpdateBase: textBase(table+"_"+column, "_fsmgen_u"),
	}
}

// textBase is derivedName(base, suffix) with room for the hex digits
// dialect.TextName appends.
func textBase(base, suffix string) string {
	name := derivedName(base, suffix+strings.Repeat("0", dialect.TextHashLen))
	return name[:len(name)-dialect.TextHashLen]
}

func derivedName(base, suffix string) string {
	if n := MaxNameLen - len(suffix); len(base) > n {
		base = base[:n]
	}
	return base + suffix
}
