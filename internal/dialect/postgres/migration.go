package postgres

import (
	_ "embed"
	"text/template"
)

//go:embed migration.tmpl
var migrationText string

// dollar is a DO block's quote, one the spec's text (spec) in it does not
// hold; doLocked and doLockedAll open a DO block that takes LockFirst's
// patient lock on one table, or on several, and doEnd closes a block.
var migrations = template.Must(template.New("migration.tmpl").Funcs(template.FuncMap{
	"dollar":      DollarTag,
	"doLocked":    func(spec, table string) string { return doLocked(spec, table) },
	"doLockedAll": func(spec string, tables []string) string { return doLocked(spec, tables...) },
	"doEnd":       func(spec string) string { return "END\n" + DollarTag(spec) + ";" },
}).Parse(migrationText))

func doLocked(spec string, tables ...string) string {
	return "DO " + DollarTag(spec) + "\nBEGIN\n" + Dialect{}.LockFirst(tables...)
}

// Migrations renders the statements of one direction of a migration from
// its plan (gen/sqlmig's data).
func (Dialect) Migrations() *template.Template { return migrations }

func (Dialect) Format(spec string) string { return spec }
