package mysql

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
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
		"states": func(ts []dialect.StatesTrigger, prev string) string {
			return strings.Join(m.states(ts, prev), "\n\n")
		},
		"statesDrop": func(c dialect.PlanColumn, allowed string) string {
			return strings.Join(m.statesDrop(c, allowed), "\n\n")
		},
	}).Parse(migrationText))
}

// statesTrigger returns t's name, a TextName, and its text after the
// name. The text lists the labels in one order, whatever the plan's: the
// next migration derives the name again from the labels alone.
func (m Dialect) statesTrigger(t dialect.StatesTrigger) (name, text string) {
	labels := dialect.ScanLiterals(t.Allowed, true)
	slices.Sort(labels)
	text = " BEFORE " + t.Event + " ON " + t.C.Table + " FOR EACH ROW\n" +
		"BEGIN\n" +
		"    IF NEW." + t.C.Column + " NOT IN (" + dialect.QuoteLiterals(m, labels) + ") THEN\n" +
		"        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = " + t.C.Invalid + ";\n" +
		"    END IF;\n" +
		"END"
	return m.QuoteIdent(dialect.TextName(t.Base, text)), text
}

// states replaces each column's states triggers by ts, where those that
// stand let through the labels prev ("" for none standing), as Enforce
// replaces the enforcement triggers (replaceTrigger). The fixed name an
// older fsmgen gave the trigger goes too.
func (m Dialect) states(ts []dialect.StatesTrigger, prev string) []string {
	var out []string
	for _, t := range ts {
		if t.C.Guarded {
			continue
		}
		name, text := m.statesTrigger(t)
		var was, wasText string
		if prev != "" {
			was, wasText = m.statesTrigger(t.WithAllowed(prev))
		}
		// Created also when the text stays: the column may have none yet.
		out = append(out, replaceTrigger(name, was, t.Next, text, was == name && wasText != text)...)
		if prev != "" {
			out = append(out, "DROP TRIGGER IF EXISTS "+t.Name+";")
		}
	}
	return out
}

// statesDrop drops a column's states triggers, which let through the
// labels allowed, by either name.
func (m Dialect) statesDrop(c dialect.PlanColumn, allowed string) []string {
	if c.Guarded {
		return nil
	}
	var out []string
	for _, t := range dialect.ColumnTriggers(c, allowed) {
		name, _ := m.statesTrigger(t)
		out = append(out, "DROP TRIGGER IF EXISTS "+name+";", "DROP TRIGGER IF EXISTS "+t.Name+";")
	}
	return out
}

// GuardStates: a column whose transitions the enforcement triggers check
// has no states triggers (PlanColumn.Guarded). When enforcement starts,
// the column's go once the enforcement triggers stand (drop); when it
// stops, they come back before those go (create). Both let through
// labels.
func (m Dialect) GuardStates(c dialect.PlanColumn, labels []string) (create, drop []string) {
	allowed := dialect.QuoteLiterals(m, labels)
	return m.states(dialect.ColumnTriggers(c, allowed), ""), m.statesDrop(c, allowed)
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
