package postgres

import (
	_ "embed"
	"text/template"
)

//go:embed migration.tmpl
var migrationText string

// lockFirst and lockAll start a block with LockFirst's patient lock on one
// table, or on several; dollar is a DO block's quote, one the spec's text
// in it does not hold.
var migrations = template.Must(template.New("migration.tmpl").Funcs(template.FuncMap{
	"dollar":    DollarTag,
	"lockFirst": func(table string) string { return Dialect{}.LockFirst(table) },
	"lockAll":   func(tables []string) string { return Dialect{}.LockFirst(tables...) },
}).Parse(migrationText))

// Migrations renders the statements of one direction of a migration from
// its plan (gen/sqlmig's data).
func (Dialect) Migrations() *template.Template { return migrations }
