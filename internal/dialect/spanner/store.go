package spanner

import (
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

// The Store's statements, triggers, fields and deadlines: Refuse refuses
// sql key, on which all of them hang, so none is ever asked for.

func (Dialect) FireStmt(dialect.Table, string, []dialect.Arc, bool) dialect.Stmt {
	return dialect.Stmt{}
}
func (Dialect) MoveStmt(dialect.Table) dialect.Stmt      { return dialect.Stmt{} }
func (Dialect) StateStmt(dialect.Table) dialect.Stmt     { return dialect.Stmt{} }
func (Dialect) GetStmt(dialect.Table, bool) dialect.Stmt { return dialect.Stmt{} }
func (Dialect) HistoryStmt(dialect.Table) dialect.Stmt   { return dialect.Stmt{} }
func (Dialect) CreateStmt(dialect.Table) (dialect.Stmt, dialect.Stmt) {
	return dialect.Stmt{}, dialect.Stmt{}
}
func (Dialect) LastIDStmt() dialect.Stmt                                    { return dialect.Stmt{} }
func (Dialect) Prepare() bool                                               { return false }
func (Dialect) TimeLayout() string                                          { return "" }
func (Dialect) SerialWrites() bool                                          { return false }
func (Dialect) Enforce(*dialect.Enforcement, *dialect.Enforcement) []string { return nil }
func (Dialect) EnforceObjects(*dialect.Enforcement) []dialect.EnforceObject { return nil }
func (Dialect) BypassOn() string                                            { return "" }
func (Dialect) BypassOff() string                                           { return "" }
func (Dialect) CreateHistory(dialect.Table) []string                        { return nil }
func (Dialect) DropHistory(dialect.Table) ([]string, []string)              { return nil, nil }
func (Dialect) RenameInHistory(dialect.Table, []dialect.Arc, bool) []string { return nil }
func (Dialect) ExpireStmt(dialect.Table, dialect.Expiry) dialect.Stmt       { return dialect.Stmt{} }
func (Dialect) DueStmt(dialect.Table, dialect.Expiry) dialect.Stmt          { return dialect.Stmt{} }
func (Dialect) ClearStmt(dialect.Table, dialect.Expiry) dialect.Stmt        { return dialect.Stmt{} }
func (Dialect) SweepReadCommitted() bool                                    { return false }
func (Dialect) SweepBatch() int                                             { return 0 }
func (Dialect) FieldType(string) string                                     { return "" }
func (Dialect) AddField(dialect.Table, dialect.Field) []string              { return nil }
func (Dialect) DropField(dialect.Table, dialect.Field) ([]string, []string) { return nil, nil }
func (Dialect) Deadlines(dialect.Table, dialect.Field, []string, int64) ([]string, bool) {
	return nil, false
}
func (Dialect) DeadlineIndex(dialect.Table, dialect.Field, string) ([]string, []string, string) {
	return nil, nil, ""
}

// SchemaDDL states each column and its constraint.
func (s Dialect) SchemaDDL(sc dialect.Schema) []string {
	var out []string
	labels := dialect.QuoteLiterals(s, sc.States)
	for _, c := range sc.Columns {
		table, col := s.QuoteIdent(c.Table), s.QuoteIdent(c.Column)
		out = append(out, "ALTER TABLE "+table+" ADD COLUMN "+col+" "+columnType(!c.Nullable, defaultLit(s, c.Default))+";")
		_, def := Check(table, col, labels)
		out = append(out, "ALTER TABLE "+table+" ADD "+def+";")
	}
	return out
}

// columnType is a bound column's type: STRING(MAX), since the constraint
// is what limits its values, and a length would have to be restated (with
// the column's nullability and default) whenever a longer label came.
func columnType(notNull bool, def string) string {
	var b strings.Builder
	b.WriteString("STRING(MAX)")
	if notNull {
		b.WriteString(" NOT NULL")
	}
	if def != "" {
		b.WriteString(" DEFAULT (" + def + ")")
	}
	return b.String()
}

func defaultLit(s Dialect, label string) string {
	if label == "" {
		return ""
	}
	return s.QuoteLiteral(label)
}
