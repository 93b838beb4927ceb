package sqlmig

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"text/template"

	// Aliased: the dialect's name is called dialect throughout.
	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/model"
	"github.com/fsmgen/fsmgen/templates"
)

// migration is one version for one dialect, as statements per direction.
type migration struct {
	slug, title string
	noTx        string // why the migration runs outside a transaction; "" for none
	// alone: each direction is one statement that must be a query of its
	// own (DeadlineIndex), without the session's settings around it.
	alone    bool
	up, down []stmt
}

type stmt struct {
	Text string
	// Block marks statements that goose must be told not to split: those
	// with inner semicolons, and those with "--" in a literal, after
	// which goose stops looking for the semicolon that ends the line.
	Block bool
}

// valueTriggers is a dialect that keeps a column to its labels with
// triggers.
type valueTriggers interface {
	ValueTriggers(table, column, insert, update string, labels []string, msg string) []string
	ReplaceValueTriggers(table, column, insert, update string, labels []string, msg string) []string
}

var (
	gooseTemplate   = template.Must(template.ParseFS(templates.FS, "sql_goose.tmpl"))
	migrateTemplate = template.Must(template.ParseFS(templates.FS, "sql_migrate.tmpl"))
)

func noTx(dialect string) string { return dialects.For(dialect).DDLNoTx() }

func create(m *model.Machine, dialect string) (*migration, error) {
	q := m.SQL
	var labels, names []string
	for _, s := range m.States {
		labels = append(labels, s.Value)
		names = append(names, s.Name)
	}
	s := &step{to: labels}
	for i, c := range nextColumns(q, nil, dialect) {
		s.cols = append(s.cols, colStep{recordedColumn: c, first: i == 0, bind: true})
	}
	d := base(q, dialect, s)
	up, err := statements(dialect, "create", d)
	if err != nil {
		return nil, err
	}
	down, err := statements(dialect, "drop", d)
	if err != nil {
		return nil, err
	}
	var bound []string
	for _, c := range s.cols {
		bound = append(bound, columnPhrase(c.recordedColumn, func(l string) string { return key(labelKeys(m), l) }))
	}
	return &migration{
		slug:  "create_" + q.Enum,
		title: fmt.Sprintf("%s: create with %s, bind %s", q.Enum, strings.Join(names, ", "), strings.Join(bound, ", ")),
		noTx:  noTx(dialect),
		up:    up, down: down,
	}, nil
}

// commitEachWhy heads a golang-migrate file whose statements the dialect
// put in one query that commits after each of them.
const commitEachWhy = "golang-migrate sends a file as one query, which would run as one transaction: this one is a single block that commits after each statement, so no lock outlives it and rows move in batches. Every statement can run again after a failure."

// alter returns the migration of fwd in dialect, or nil when the database
// needs none (a new order of the same labels), and the type it leaves.
// With sql.compact, a step that would leave the type other than the spec's
// labels in the spec's order restates it instead.
func alter(m *model.Machine, dialect string, fwd *step) (*migration, []string, error) {
	mig := &migration{noTx: noTx(dialect)}
	typ := fwd.toType(dialect)
	if m.SQL.Compact && typ != nil && !slices.Equal(typ, fwd.to) {
		fwd.restate, typ = slices.Clone(fwd.to), slices.Clone(fwd.to)
	}
	if !fwd.changes() {
		return nil, typ, nil
	}
	if why := dialects.For(dialect).ChangeNoTx(); why != "" && fwd.restate == nil {
		mig.noTx = why
	}
	mig.slug, mig.title = fwd.describe(m.SQL.Enum)
	if fwd.restate != nil {
		mig.slug, mig.title = compactName(m.SQL.Enum, dialect, mig.slug, mig.title, fwd.to, fwd.toKeys)
	}
	for _, dir := range []struct {
		s   *step
		out *[]stmt
	}{{fwd, &mig.up}, {fwd.reverse(typ), &mig.down}} {
		var err error
		d := alterData(m.SQL, dialect, dir.s, mig.noTx != "")
		d.RowsMove = len(fwd.renames)+len(fwd.moves) > 0
		if *dir.out, err = statements(dialect, "alter", d); err != nil {
			return nil, nil, err
		}
	}
	return mig, typ, nil
}

// compactName names a migration that restates the type for what it does,
// and says what that costs.
func compactName(enum, dialect, slug, title string, to []string, keys map[string]string) (string, string) {
	what := dialects.For(dialect).RestateCost()
	words := fmt.Sprintf("compact (%s): the type holds exactly %s, in this order", what, strings.Join(mapped(to, func(l string) string { return key(keys, l) }), ", "))
	if rest := strings.TrimPrefix(title, enum+": "); rest != "" {
		words += ", and " + rest
	}
	slug = strings.TrimSuffix("compact_"+enum+"_"+slug, "_")
	if len(slug) > 60 {
		slug = "compact_" + enum
	}
	return slug, enum + ": " + words
}

// base is what every direction needs: the columns and the labels s ends
// with.
func base(q *model.SQL, dialect string, s *step) sqldialect.Plan {
	lit := func(l string) string { return dialects.For(dialect).QuoteLiteral(l) }
	orEmpty := func(l string) string {
		if l == "" {
			return ""
		}
		return lit(l)
	}
	all := sqldialect.QuoteLiterals(dialects.For(dialect), s.to)
	d := sqldialect.Plan{N: q.Names(dialect), U: q.Unquoted(dialect), Labels: all, To: all, Session: dialects.For(dialect).MigrationSession()}
	// Labels are the only text from the spec in a block (defaults are
	// labels too); alterData widens this to what its blocks hold.
	d.SpecText = all
	for _, c := range s.cols {
		tc := sqldialect.PlanColumn{
			ColumnNames: q.ColumnNames(dialect, c.Table, c.Column, c.first),
			TableLit:    lit(c.Table), ColumnLit: lit(c.Column),
			StatesLit: lit(q.UnquotedColumnNames(c.Table, c.Column, c.first).States),
			NotNull:   !c.Nullable,
			Default:   orEmpty(c.Default), FromDefault: orEmpty(c.fromDefault),
			SetDefault: s.setDefault(c),
			Invalid:    dialects.For(dialect).RaiseMessage(invalidValue(q.Enum, c.name())),
			Labels:     all,
			Enum:       q.Enum,
			Collation:  c.Collation,
			Convert:    c.convert,
			Guarded:    c.guarded,
		}
		if vt, ok := dialects.For(dialect).(valueTriggers); ok {
			n := q.UnquotedColumnNames(c.Table, c.Column, c.first)
			tc.Triggers = strings.Join(vt.ValueTriggers(c.Table, c.Column, n.InsertTrigger, n.UpdateTrigger, s.to, invalidValue(q.Enum, c.name())), "\n\n")
		}
		switch {
		case c.bind:
			d.Bind = append(d.Bind, tc)
		case c.unbind:
			d.Unbind = append(d.Unbind, tc)
		default:
			d.Cols = append(d.Cols, tc)
			d.SetDefault = d.SetDefault || tc.SetDefault
			i := slices.IndexFunc(d.Tables, func(t sqldialect.PlanTable) bool { return t.Table == tc.Table })
			if i < 0 {
				i = len(d.Tables)
				d.Tables = append(d.Tables, sqldialect.PlanTable{Table: tc.Table})
			}
			t := &d.Tables[i]
			t.Cols = append(t.Cols, tc)
			if tc.FromDefault != "" {
				t.DropDefaults = append(t.DropDefaults, tc)
			}
			if tc.Default != "" {
				t.SetDefaults = append(t.SetDefaults, tc)
			}
		}
	}
	d.Checked = append(slices.Clone(d.Cols), d.Bind...)
	return d
}

// alterData computes what the alter template needs. noTx tells whether
// every statement commits on its own.
func alterData(q *model.SQL, dialect string, s *step, noTx bool) sqldialect.Plan {
	lit := func(l string) string { return dialects.For(dialect).QuoteLiteral(l) }
	lits := func(ps []sqldialect.Pair) []sqldialect.Pair {
		out := make([]sqldialect.Pair, len(ps))
		for i, p := range ps {
			out[i] = sqldialect.Pair{Old: lit(p.Old), New: lit(p.New)}
		}
		return out
	}
	d := base(q, dialect, s)
	union := slices.Clone(s.to)
	for _, l := range s.from {
		if !slices.Contains(union, l) {
			union = append(union, l)
		}
	}
	d.Union = sqldialect.QuoteLiterals(dialects.For(dialect), union)
	d.From = sqldialect.QuoteLiterals(dialects.For(dialect), s.from)
	d.Renames = lits(s.renames)
	remap := append(slices.Clone(s.renames), s.moves...)
	d.Remap = lits(remap)
	var remapFrom []string
	for _, p := range remap {
		remapFrom = append(remapFrom, p.Old)
	}
	d.RemapFrom = sqldialect.QuoteLiterals(dialects.For(dialect), remapFrom)
	if g := s.gone(); len(g) > 0 && len(d.Cols) > 0 {
		d.Guard = sqldialect.QuoteLiterals(dialects.For(dialect), g)
		var names []string
		for _, c := range s.cols {
			if c.kept() {
				names = append(names, c.name())
			}
		}
		cols, labels := strings.Join(names, " or "), strings.Join(g, ", ")
		msg := sqldialect.Message(fmt.Sprintf("cannot migrate: %s has rows in %s, which the target %s lacks; move or delete them first", cols, labels, q.Enum),
			fmt.Sprintf("cannot migrate: rows in %s, which the target %s lacks; move or delete them first (%s)", labels, q.Enum, cols))
		d.GuardMsg = dialects.For(dialect).RaiseMessage(msg)
		var held []string
		for _, c := range d.Cols {
			held = append(held, sqldialect.HoldsAny(c.Table, c.Column, d.Guard))
		}
		d.GuardCond = strings.Join(held, " OR ")
		d.GuardText = msg
	}
	d.Moves = lits(s.moves)
	var moveFrom []string
	for _, p := range s.moves {
		moveFrom = append(moveFrom, p.Old)
	}
	d.MoveFrom = sqldialect.QuoteLiterals(dialects.For(dialect), moveFrom)
	// Every label of the change is in Union, and the guard's message
	// repeats some.
	d.SpecText = d.Union + d.GuardMsg
	d.Batch, d.BatchSize = noTx, sqldialect.BatchSize
	d.Bypass = q.Store != nil && q.Store.Enforce
	typ := s.toType(dialect)
	d.Type = sqldialect.QuoteLiterals(dialects.For(dialect), typ)
	d.Retired = len(s.retired(typ)) > 0
	d.Restate = s.restate != nil
	d.Appended = s.appended()
	// In place, ADD VALUE keeps existing rows and the type's other users
	// untouched, and PostgreSQL allows it inside a transaction (an
	// adoption's) as long as the new label is not used before commit: the
	// constraint compares text. Only a compaction replaces the type.
	d.InPlace = s.restate == nil
	if d.InPlace {
		for _, a := range s.pgAdds() {
			if a.Anchor != "" {
				a.Anchor = lit(a.Anchor)
			}
			a.Label = lit(a.Label)
			d.Adds = append(d.Adds, a)
		}
	}
	return d
}

// statements renders a dialect template and splits it at blank lines.
func statements(dialect, name string, d sqldialect.Plan) ([]stmt, error) {
	var b bytes.Buffer
	if err := dialects.For(dialect).Migrations().ExecuteTemplate(&b, name, d); err != nil {
		return nil, fmt.Errorf("internal error: %s template %s: %v", dialect, name, err)
	}
	var out []stmt
	for _, chunk := range strings.Split(b.String(), "\n\n") {
		text := strings.TrimSpace(chunk)
		if text == "" {
			continue
		}
		out = append(out, stmt{Text: text, Block: strings.Count(text, ";") > 1 || strings.Contains(text, "--")})
	}
	return out, nil
}

// render lays the migration out as files named after version, in dir,
// each direction ending with the dialect's session reset.
func (mig *migration) render(dialect, format, dir, version string) (map[string][]byte, error) {
	dl := dialects.For(dialect)
	up, down := mig.up, mig.down
	if r := dl.MigrationSessionReset(); r != "" && !mig.alone {
		up, down = slices.Clone(up), slices.Clone(down)
		for _, text := range strings.Split(r, "\n\n") {
			up, down = append(up, stmt{Text: text}), append(down, stmt{Text: text})
		}
	}
	base := path.Join(dir, version+"_"+mig.slug)
	exec := func(t *template.Template, name string, v any) ([]byte, error) {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, v); err != nil {
			return nil, fmt.Errorf("internal error: %s: %v", name, err)
		}
		return b.Bytes(), nil
	}
	// The title names states, and goes into a "-- " line of its own.
	title := model.SQLComment(mig.title)
	if format == "golang-migrate" {
		// Statements that must commit one by one go into one query the
		// dialect makes commit after each, where it needs to.
		why := ""
		if mig.noTx != "" && !mig.alone {
			for _, p := range []*[]stmt{&up, &down} {
				texts := make([]string, len(*p))
				for i, st := range *p {
					texts[i] = st.Text
				}
				if one := dl.CommitEach(texts); one != "" {
					*p, why = []stmt{{Text: one}}, commitEachWhy
				}
			}
		}
		files := map[string][]byte{}
		for _, f := range []struct {
			suffix string
			stmts  []stmt
			what   string
		}{{".up.sql", up, "up"}, {".down.sql", down, "down"}} {
			why := why
			if len(f.stmts) == 0 {
				why = nothingToUndo
			}
			b, err := exec(migrateTemplate, "file", map[string]any{"Title": title + " (" + f.what + ")", "Why": why, "Stmts": f.stmts})
			if err != nil {
				return nil, err
			}
			files[base+f.suffix] = b
		}
		return files, nil
	}
	b, err := exec(gooseTemplate, "sql_goose.tmpl", map[string]any{
		"Title": title, "NoTx": mig.noTx != "", "NoTxWhy": mig.noTx, "Up": up, "Down": down,
	})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{base + ".sql": b}, nil
}

// nothingToUndo heads the empty Down of a file that moved rows off a
// removed label (split).
const nothingToUndo = "Nothing to undo: the rows this version moved stay where they went."

// splitAll splits each migration whose directions the dialect cut into
// files (NextFile) into one migration per file.
func splitAll(migs []*migration) ([]*migration, error) {
	var out []*migration
	for _, mig := range migs {
		parts, err := mig.split()
		if err != nil {
			return nil, err
		}
		out = append(out, parts...)
	}
	return out, nil
}

// cut reports whether the dialect cut mig into files (NextFile).
func (mig *migration) cut() bool {
	return slices.ContainsFunc(mig.up, func(s stmt) bool { return s.Text == sqldialect.NextFile })
}

// split cuts mig at NextFile into versions: the up's k-th file of n and
// the down's (n+1-k)-th undo each other. A version with nothing to do
// either way is left out; one whose up does nothing is a dialect's error,
// since a runner could not apply it, while a Down may have nothing to
// undo (rows moved off a removed label stay where they went).
func (mig *migration) split() ([]*migration, error) {
	cut := func(stmts []stmt) [][]stmt {
		parts := [][]stmt{nil}
		for _, st := range stmts {
			if st.Text == sqldialect.NextFile {
				parts = append(parts, nil)
				continue
			}
			parts[len(parts)-1] = append(parts[len(parts)-1], st)
		}
		return parts
	}
	ups, downs := cut(mig.up), cut(mig.down)
	if len(ups) == 1 && len(downs) == 1 {
		return []*migration{mig}, nil
	}
	if len(ups) != len(downs) {
		return nil, fmt.Errorf("internal error: %s: %d files up but %d down", mig.slug, len(ups), len(downs))
	}
	var out []*migration
	for k, up := range ups {
		down := downs[len(downs)-1-k]
		switch {
		case len(up) == 0 && len(down) == 0:
			continue
		case len(up) == 0:
			return nil, fmt.Errorf("internal error: %s: file %d does nothing up but has a Down", mig.slug, k+1)
		}
		part := *mig
		part.up, part.down = up, down
		out = append(out, &part)
	}
	if len(out) == 1 {
		return out, nil
	}
	for i, part := range out {
		part.slug = fmt.Sprintf("%s_%d_of_%d", mig.slug, i+1, len(out))
		part.title = fmt.Sprintf("%s (%d of %d)", mig.title, i+1, len(out))
	}
	return out, nil
}

// restateValueTriggers are the statements that write h's columns' value
// triggers anew, for the states h ends with: none where the dialect has
// no value triggers.
func restateValueTriggers(q *model.SQL, dialect string, h *history) []string {
	vt, ok := dialects.For(dialect).(valueTriggers)
	if !ok {
		return nil
	}
	var out []string
	for i, c := range h.Columns {
		n := q.UnquotedColumnNames(c.Table, c.Column, i == 0)
		out = append(out, vt.ReplaceValueTriggers(c.Table, c.Column, n.InsertTrigger, n.UpdateTrigger, h.States, invalidValue(q.Enum, c.name()))...)
	}
	return out
}
