package sqlmig

import (
	"fmt"
	"strings"

	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/model"
)

// adoptSource names sql.adopt where messages name a history file: the
// adopted labels are where the first migration starts from.
const adoptSource = "sql.adopt"

// adopt is the first migration of columns that exist before fsmgen: it
// checks that they are what sql.adopt and the spec's columns say (and
// changes nothing when they are not), then converges them to the spec
// with the ordinary steps. Its Down returns them to the adopted labels and
// never drops them.
func adopt(m *model.Machine, dialect string) (*migration, error) {
	q := m.SQL
	was := &history{target: target{Enum: q.Enum, Columns: specColumns(q), States: q.Adopt}}
	fwd, err := diff(m, was, adoptSource)
	if err != nil {
		return nil, err
	}
	s := &step{from: q.Adopt, to: q.Adopt}
	for i, c := range specColumns(q) {
		s.cols = append(s.cols, colStep{recordedColumn: c, fromDefault: c.Default, first: i == 0})
	}
	d := base(q, dialect, s)
	lit := func(l string) string { return sqldialect.QuoteLiteral(dialect, l) }
	d.Adopt = adoptData{Labels: sqldialect.QuoteLiterals(dialect, q.Adopt), EnumName: lit(q.Enum), Temp: q.Names(dialect).Guard}
	for i, c := range d.Cols {
		rc := s.cols[i]
		ac := adoptCol{col: c, Name: lit(rc.name()), RegLit: lit(sqldialect.QuoteIdent(dialect, rc.Table))}
		trig := func(what string) string {
			return sqldialect.QuoteIdent(dialect, fmt.Sprintf("fsmgen_adopt_%d_%s", i, what))
		}
		ac.TrigColumn, ac.TrigRows, ac.TrigCheck = trig("column"), trig("rows"), trig("check")
		if rc.Default != "" {
			ac.DefaultExpr = lit(sqldialect.QuoteLiteral(dialect, rc.Default) + "::" + q.Enum)
			ac.DefaultText = lit(sqldialect.QuoteLiteral(dialect, rc.Default))
			ac.DefaultBare = lit(rc.Default)
		}
		ac.MsgColumn = lit(fmt.Sprintf("cannot adopt: %s must exist, be %s and default to %s, as the spec says", rc.name(), nullWord(rc.Nullable), orNone(rc.Default)))
		ac.MsgRows = lit(fmt.Sprintf("cannot adopt: %s holds values that are not in sql.adopt (%s)", rc.name(), strings.Join(q.Adopt, ", ")))
		d.Adopt.Cols = append(d.Adopt.Cols, ac)
	}
	// The catalog spells each label as a literal (quotes and backslashes
	// doubled), separated by bare commas.
	var parts []string
	for _, l := range q.Adopt {
		parts = append(parts, sqldialect.QuoteLiteral("mysql", l))
	}
	d.Adopt.MySQLType = lit("enum(" + strings.Join(parts, ",") + ")")
	mig := &migration{noTx: noTx(dialect), slug: "adopt_" + q.Enum}
	var cols []string
	for _, c := range s.cols {
		cols = append(cols, columnPhrase(c.recordedColumn, func(l string) string { return key(labelKeys(m), l) }))
	}
	mig.title = fmt.Sprintf("%s: adopt %s holding %s", q.Enum, strings.Join(cols, ", "), strings.Join(q.Adopt, ", "))
	if fwd != nil && len(fwd.added()) > 0 {
		d.Adopt.Added = sqldialect.QuoteLiterals(dialect, fwd.added())
		for i := range d.Adopt.Cols {
			table := s.cols[i].Table
			d.Adopt.Cols[i].MsgCheck = lit(fmt.Sprintf("cannot adopt: %s has a CHECK constraint, which would reject %s; SQLite changes a CHECK only by rebuilding the table (its 12-step ALTER TABLE procedure): rebuild %s without it first", table, strings.Join(fwd.added(), ", "), table))
		}
	}
	d.Dollar = sqldialect.DollarTag(d.Adopt.Labels)
	if mig.up, err = statements(dialect, "adopt_check", d); err != nil {
		return nil, err
	}
	if fwd != nil {
		// One transaction where the dialect has them: adopting happens
		// once, and the Down below replaces the type.
		up, err := statements(dialect, "alter", alterData(q, dialect, fwd, false, false))
		if err != nil {
			return nil, err
		}
		back := alterData(q, dialect, fwd.reverse(), false, false)
		// A label added in place would stay in the type (PostgreSQL) or
		// the ENUM (MySQL); the adopted column gets its labels back
		// exactly, so that the check passes when the migration runs again.
		switch dialect {
		case "postgres":
			back.InPlace, back.Adds = false, nil
		case "mysql":
			back.Reordered = true
		}
		if mig.down, err = statements(dialect, "alter", back); err != nil {
			return nil, err
		}
		slug, title := fwd.describe(q.Enum)
		mig.slug += "_" + slug
		mig.title += ", then " + strings.TrimPrefix(title, q.Enum+": ")
		mig.up = append(mig.up, up...)
	}
	// What fsmgen added to constrain the columns goes with the Down.
	release, err := statements(dialect, "adopt_release", d)
	if err != nil {
		return nil, err
	}
	if dialect == "sqlite" && fwd == nil {
		// The alter's triggers are not there: add them here.
		t, err := statements(dialect, "adopt_triggers", d)
		if err != nil {
			return nil, err
		}
		mig.up = append(mig.up, t...)
	}
	mig.down = append(mig.down, release...)
	if len(mig.slug) > 60 {
		mig.slug = "adopt_" + q.Enum
	}
	return mig, nil
}

// adoptData is what the adopt templates see.
type adoptData struct {
	Labels    string // the adopted labels, as literals
	EnumName  string // the enum's name, as a literal
	MySQLType string // the column type MySQL reports for them, as a literal
	Added     string // labels the convergence adds; "" for none
	Temp      string // SQLite's temporary table for the checks
	Cols      []adoptCol
}

type adoptCol struct {
	col
	Name   string // table.column, as a literal
	RegLit string // the quoted table name, as a literal (::regclass)
	// The default as PostgreSQL prints it, as SQLite keeps it, and as MySQL
	// reports it (MariaDB quotes it, MySQL does not); "" for none.
	DefaultExpr, DefaultText, DefaultBare string
	// SQLite's messages, which RAISE takes only as literals, and the
	// temporary triggers that raise them.
	MsgColumn, MsgRows, MsgCheck    string
	TrigColumn, TrigRows, TrigCheck string
}
