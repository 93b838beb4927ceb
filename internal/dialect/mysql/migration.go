package mysql

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

//go:embed migration.tmpl
var migrationText string

var migrations *template.Template

// The template's functions are what only MySQL computes from the plan. A
// function that renders one of the templates is set up here, after the
// parse, so that it can refer to the template.
func init() {
	m := Dialect{}
	migrations = template.Must(template.New("migration.tmpl").Funcs(template.FuncMap{
		"move":  m.move,
		"guard": func(cond, msg string) string { return strings.Join(m.Guard(cond, msg), "\n\n") },
		"adoptGuard": func() string {
			return strings.Join(m.GuardExpr("@fsmgen_adopt <> ''", "CONCAT('cannot adopt: ', @fsmgen_adopt)"), "\n\n")
		},
		"mark":         func(enum string) string { return m.QuoteLiteral(Mark(enum)) },
		"charset":      m.Charset,
		"columnType":   func(labels []string) string { return m.QuoteLiteral(m.ColumnType(labels)) },
		"collation":    m.collation,
		"appendLabels": m.appendLabels,
		"alterHead":    m.alterHead,
		"alterTail":    m.alterTail,
		"literal":      statementLiteral,
	}).Parse(migrationText))
}

// statementLiteral renders the template called name as one statement, as
// a literal, for a statement that runs only when the catalog says so.
func statementLiteral(name string, v any) (string, error) {
	var b bytes.Buffer
	if err := migrations.ExecuteTemplate(&b, name, v); err != nil {
		return "", fmt.Errorf("mysql template %s: %v", name, err)
	}
	return Dialect{}.QuoteLiteral(strings.TrimSpace(b.String())), nil
}

// Migrations renders the statements of one direction of a migration from
// its plan.
func (Dialect) Migrations() *template.Template { return migrations }

// collation is what an adopted column's collation must be, as an
// expression: the one the history records, or the table's, which every
// MODIFY keeps by naming none (another would be converted, a copy).
func (m Dialect) collation(c dialect.AdoptColumn) string {
	if c.Collation != "" {
		return m.QuoteLiteral(c.Collation)
	}
	return m.TableCollation(c.TableLit)
}

// appendLabels is the CONCAT arguments that add each label of labels the
// catalog's column type lacks: every new label (a rename's new name too)
// goes at the end of the ENUM unless the live column has it already (a
// run that stopped half way), so that the column keeps the order the live
// one has.
func (m Dialect) appendLabels(labels []string) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("IF(%s, '', %s)", m.EnumHas("@fsmgen_type", l), m.QuoteLiteral(","+m.QuoteLiteral(l)))
	}
	return strings.Join(parts, ", ")
}

// alterHead and alterTail are the literal text around the column type of
// the MODIFY that appends labels.
func (m Dialect) alterHead(c dialect.PlanColumn) string {
	return m.QuoteLiteral("ALTER TABLE " + c.Table + " MODIFY COLUMN " + c.Column + " ")
}

func (m Dialect) alterTail(c dialect.PlanColumn) string {
	tail := m.Charset(c.Collation)
	if c.NotNull {
		tail += " NOT NULL"
	}
	if c.FromDefault != "" {
		tail += " DEFAULT " + c.FromDefault
	}
	// MODIFY replaces the comment too; it marks fsmgen's column.
	tail += " COMMENT " + m.QuoteLiteral(Mark(c.Enum))
	if !c.Convert {
		tail += m.Instant()
	}
	return m.QuoteLiteral(tail)
}

func (Dialect) Format(spec string) string { return spec }
