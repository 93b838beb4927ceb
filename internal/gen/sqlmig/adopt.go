package sqlmig

import (
	"fmt"
	"slices"
	"strings"

	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/model"
)

// adoptSource names sql.adopt where messages name a history file: the
// adopted labels are where the first migration starts from.
const adoptSource = "sql.adopt"

// adopt is the first migration of columns that exist before fsmgen: it
// checks that they are what sql.adopt and the spec's columns say (and
// changes nothing when they are not), then converges them to the spec
// with the ordinary steps, in place: the type keeps the adopted order. Its
// Down returns them to the adopted labels, again in place (what the
// convergence added stays in the type, forbidden), and never drops them.
// It returns the type the migration leaves, in the database's order.
func adopt(m *model.Machine, dialect string) (*migration, []string, error) {
	q := m.SQL
	was := adopted(q, dialect)
	fwd, err := diff(m, was, adoptSource)
	if err != nil {
		return nil, nil, err
	}
	typ := fwd.toType(dialect)
	s := &step{from: q.Adopt, to: q.Adopt}
	for i, c := range nextColumns(q, was, dialect) {
		s.cols = append(s.cols, colStep{recordedColumn: c, fromDefault: c.Default, first: i == 0})
	}
	d := base(q, dialect, s)
	lit := func(l string) string { return dialects.For(dialect).QuoteLiteral(l) }
	d.Adopt = sqldialect.Adoption{Labels: sqldialect.QuoteLiterals(dialects.For(dialect), q.Adopt), Adopted: q.Adopt, EnumName: lit(q.Enum)}
	for i, c := range d.Cols {
		rc := s.cols[i]
		ac := sqldialect.AdoptColumn{PlanColumn: c, Name: lit(rc.name()), RegLit: lit(dialects.For(dialect).QuoteIdent(rc.Table)),
			Text: rc.name(), TableText: rc.Table, DefaultLabel: rc.Default}
		if rc.Default != "" {
			ac.DefaultExpr = lit(dialects.For(dialect).QuoteLiteral(rc.Default) + "::" + q.Enum)
			ac.DefaultText = lit(dialects.For(dialect).QuoteLiteral(rc.Default))
			ac.DefaultBare = lit(rc.Default)
		}
		d.Adopt.Cols = append(d.Adopt.Cols, ac)
	}
	// Run again after its Down, the check finds the labels the
	// convergence added still in the type.
	back := fwd.reverse(typ)
	kept := back.retired(typ)
	if typ != nil && !slices.Equal(typ, q.Adopt) {
		d.Adopt.Grown = sqldialect.QuoteLiterals(dialects.For(dialect), typ)
		d.Adopt.GrownLabels = typ
	}
	mig := &migration{noTx: noTx(dialect), slug: "adopt_" + q.Enum}
	var cols []string
	for _, c := range s.cols {
		cols = append(cols, columnPhrase(c.recordedColumn, func(l string) string { return key(labelKeys(m), l) }))
	}
	mig.title = fmt.Sprintf("%s: adopt %s holding %s", q.Enum, strings.Join(cols, ", "), strings.Join(q.Adopt, ", "))
	d.Adopt.Added = fwd.added()
	d.SpecText = d.Adopt.Labels + d.Adopt.Grown
	if mig.up, err = statements(dialect, "adopt_check", d); err != nil {
		return nil, nil, err
	}
	if fwd.changes() {
		// The columns are a busy table's already: the changes commit
		// statement by statement where the dialect's do, or validating
		// the constraint would block its writers until the end.
		if why := dialects.For(dialect).ChangeNoTx(); why != "" {
			mig.noTx = why
		}
		up, err := statements(dialect, "alter", alterData(q, dialect, fwd, mig.noTx != ""))
		if err != nil {
			return nil, nil, err
		}
		if mig.down, err = statements(dialect, "alter", alterData(q, dialect, back, mig.noTx != "")); err != nil {
			return nil, nil, err
		}
		slug, title := fwd.describe(q.Enum)
		mig.slug += "_" + slug
		mig.title += ", then " + strings.TrimPrefix(title, q.Enum+": ")
		mig.up = append(mig.up, up...)
	}
	if _, ok := dialects.For(dialect).(valueTriggers); ok && !fwd.changes() {
		// The alter's triggers are not there: add them here.
		t, err := statements(dialect, "adopt_triggers", d)
		if err != nil {
			return nil, nil, err
		}
		mig.up = append(mig.up, t...)
	}
	// What fsmgen added to constrain the columns goes with the Down,
	// unless it forbids labels the Down leaves in the type.
	if len(kept) == 0 {
		release, err := statements(dialect, "adopt_release", d)
		if err != nil {
			return nil, nil, err
		}
		mig.down = append(mig.down, release...)
	}
	if len(mig.slug) > 60 {
		mig.slug = "adopt_" + q.Enum
	}
	return mig, typ, nil
}

// adopted is the history adopted columns start from: the spec's columns
// holding sql.adopt. MySQL columns keep their table's character set, or
// have mysql.Bin when a label is beyond ASCII; the adopt check
// compares.
func adopted(q *model.SQL, dialect string) *history {
	return &history{Dialect: dialect, target: target{Enum: q.Enum, Columns: specColumns(q), States: q.Adopt}}
}
