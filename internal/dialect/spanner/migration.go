package spanner

import (
	_ "embed"
	"fmt"
	"slices"
	"text/template"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

//go:embed migration.tmpl
var migrationText string

var migrations = template.Must(template.New("migration.tmpl").Funcs(template.FuncMap{
	"columnType": func(c dialect.PlanColumn) string { return columnType(c.NotNull, c.Default) },
	"checkName": func(c dialect.PlanColumn, labels string) string {
		name, _ := check(c.Table, c.Column, labels)
		return name
	},
	"checkDef": func(c dialect.PlanColumn, labels string) string {
		_, def := check(c.Table, c.Column, labels)
		return def
	},
	"sameSet": func(a, b string) bool {
		x, y := dialect.ScanLiterals(a, true), dialect.ScanLiterals(b, true)
		slices.Sort(x)
		slices.Sort(y)
		return slices.Equal(x, y)
	},
	// sets is p replacing the constraint of set from by that of set to.
	"sets": func(p dialect.Plan, from, to string) dialect.Plan {
		p.From, p.To = from, to
		return p
	},
	"nextFile": func() string { return dialect.NextFile },
	"refused": func(what string) (string, error) {
		return "", fmt.Errorf("spanner refuses %s", what)
	},
}).Parse(migrationText))

// Migrations renders the statements of one direction of a migration from
// its plan.
func (Dialect) Migrations() *template.Template { return migrations }
