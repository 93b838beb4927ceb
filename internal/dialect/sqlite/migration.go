package sqlite

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

//go:embed migration.tmpl
var migrationText string

var migrations = template.Must(template.New("migration.tmpl").Funcs(template.FuncMap{
	"guard":      guard,
	"adoptGuard": adoptGuard,
}).Parse(migrationText))

// Migrations renders the statements of one direction of a migration from
// its plan.
func (Dialect) Migrations() *template.Template { return migrations }

// guard stops a Down whose removed labels still have rows.
func guard(p dialect.Plan) string {
	return strings.Join(Dialect{}.Guard(p.U.Guard, Check{Trigger: p.U.GuardTrigger, Cond: p.GuardCond, Msg: p.GuardText}), "\n\n")
}

// adoptGuard checks every adopted column at once: SQLite has no other way
// to raise an error than a trigger, and each trigger raises one fixed
// message, so each column has a check per difference: its shape, its
// rows, and, when the convergence adds labels, a CHECK constraint in its
// table's definition (SQLAlchemy's Enum writes one), which would reject
// them; changing it means rebuilding the table, which belongs to the
// application. CHECK counts only as a word of its own followed by a
// parenthesis or white space, so that a column named checked_at is no
// constraint; CHECK inside a quoted name or a literal still refuses, which
// errs on the side that changes nothing.
func adoptGuard(p dialect.Plan) string {
	var checks []Check
	for i, c := range p.Adopt.Cols {
		name := func(what string) string { return fmt.Sprintf("fsmgen_adopt_%d_%s", i, what) }
		info := "SELECT 1 FROM pragma_table_info(" + c.TableLit + ") WHERE name = " + c.ColumnLit
		notNull, def, nullable := "0", "NULL", "nullable"
		if c.NotNull {
			notNull, nullable = "1", "NOT NULL"
		}
		if c.DefaultText != "" {
			def = c.DefaultText
		}
		checks = append(checks,
			Check{Trigger: name("column"),
				Cond: "NOT EXISTS (" + info + ")\n    OR EXISTS (" + info + ` AND ("notnull" <> ` + notNull + " OR dflt_value IS NOT " + def + "))",
				Msg:  fmt.Sprintf("cannot adopt: %s must exist, be %s and default to %s, as the spec says", c.Text, nullable, orNone(c.DefaultLabel))},
			Check{Trigger: name("rows"),
				Cond: "EXISTS (SELECT 1 FROM " + c.Table + " WHERE " + c.Column + " NOT IN (" + p.Adopt.Labels + "))",
				Msg:  fmt.Sprintf("cannot adopt: %s holds values that are not in sql.adopt (%s)", c.Text, strings.Join(p.Adopt.Adopted, ", "))})
		if len(p.Adopt.Added) > 0 {
			checks = append(checks, Check{Trigger: name("check"),
				Cond: "EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = " + c.TableLit + " AND ' ' || replace(replace(replace(upper(sql), char(9), ' '), char(10), ' '), char(13), ' ') GLOB '*[^A-Z0-9_$]CHECK[ (]*')",
				Msg:  fmt.Sprintf("cannot adopt: %s has a CHECK constraint, which would reject %s; SQLite changes a CHECK only by rebuilding the table (its 12-step ALTER TABLE procedure): rebuild %s without it first", c.TableText, strings.Join(p.Adopt.Added, ", "), c.TableText)})
		}
	}
	return strings.Join(Dialect{}.Guard(p.U.Guard, checks...), "\n\n")
}

func (Dialect) Format(spec string) string { return spec }
