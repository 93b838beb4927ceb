package postgres

import (
	_ "embed"
	"text/template"
)

//go:embed migration.tmpl
var migrationText string

var migrations = template.Must(template.New("migration.tmpl").Parse(migrationText))

// Migrations renders the statements of one direction of a migration from
// its plan (gen/sqlmig's data).
func (Dialect) Migrations() *template.Template { return migrations }
