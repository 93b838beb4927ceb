package dialect

import (
	"slices"
)

// Schema is what one enum's migrations leave in a database, for the plain
// schema file that tools reading DDL take (sqlc's schema:). Its statements
// describe the end state, for a parser; they are not a way to get there:
// the migrations are, with their locks, guards and batches.
type Schema struct {
	Enum string
	// Type is what the PostgreSQL type or the MySQL ENUM holds, in the
	// database's order, retired labels included; States are the labels a
	// row may hold.
	Type, States []string
	// Adopt are the labels the type or column held before fsmgen took it
	// over (sql.adopt), in the database's order; nil when fsmgen made it.
	Adopt   []string
	Columns []SchemaColumn
	// Store is the generated Store's table: Fields are the columns the
	// migrations added to it, History its history table. Nil without a
	// Store.
	Store *Table
	// HistoryColumns are the history table's columns besides its own.
	HistoryColumns []Field
	// Indexes are the deadline indexes sweeps use.
	Indexes []SchemaIndex
	// Enforce is what the triggers enforce; nil for none.
	Enforce *Enforcement
}

// SchemaColumn is a column that stores the enum.
type SchemaColumn struct {
	Table, Column string
	Default       string // a label; "" for none
	Nullable      bool
	// Adopted: the column was there before fsmgen (sql.adopt).
	Adopted bool
	// Collation is the MySQL column's (mysql.Bin), "" for its table's.
	Collation string
	// States names what keeps the column to Schema.States where the type
	// holds more (PostgreSQL's CHECK constraint); InsertTrigger and
	// UpdateTrigger, SQLite's triggers that keep it to its labels, and
	// Invalid their message.
	States, InsertTrigger, UpdateTrigger, Invalid string
}

// SchemaIndex is a deadline's index.
type SchemaIndex struct{ Name, Field string }

// Schemer renders a Schema.
type Schemer interface {
	// SchemaDDL returns s as statements a schema parser takes: no
	// procedural blocks, guards or session settings.
	SchemaDDL(s Schema) []string
}

// Retired reports whether the type holds labels rows may no longer hold.
func (s Schema) Retired() bool {
	for _, l := range s.Type {
		if !slices.Contains(s.States, l) {
			return true
		}
	}
	return false
}

// SchemaStore is what every dialect states the same way: the columns the
// migrations added, the deadline indexes, the history table and its
// columns. addColumn renders one ALTER TABLE … ADD COLUMN; partial tells
// whether an index can hold only the rows with a deadline.
func SchemaStore(d Dialect, s Schema, addColumn func(table string, f Field) string, partial bool) []string {
	t := s.Store
	if t == nil {
		return nil
	}
	var out []string
	for _, f := range t.Fields {
		out = append(out, addColumn(t.Name, f))
	}
	for _, ix := range s.Indexes {
		stmt := "CREATE INDEX " + d.QuoteIdent(ix.Name) + " ON " + d.QuoteIdent(t.Name) + " (" + d.QuoteIdent(ix.Field) + ")"
		if partial {
			stmt += " WHERE " + d.QuoteIdent(ix.Field) + " IS NOT NULL"
		}
		out = append(out, stmt+";")
	}
	if t.History != "" {
		out = append(out, d.CreateHistory(*t)...)
		for _, f := range s.HistoryColumns {
			out = append(out, addColumn(t.History, f))
		}
	}
	return out
}
