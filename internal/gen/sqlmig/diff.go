package sqlmig

import (
	"fmt"
	"slices"
	"strings"

	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/model"
)

// step is one change of the enum's label set and of the columns bound to
// it, in one direction. Labels are the states' values, which is what rows
// hold; the keys maps name the states behind them, for file names and
// titles.
//
// Only the set of labels matters to a step: the spec's order rules Go and
// the docs, while the database keeps the order its type grew in (fromType),
// unless the step restates the type (sql.compact).
type step struct {
	from, to         []string
	renames          []sqldialect.Pair // labels renamed in place
	moves            []sqldialect.Pair // labels dropped whose rows go to another label
	cols             []colStep
	fromKeys, toKeys map[string]string // label -> state name, where they differ
	// fromType is what the PostgreSQL type or MySQL ENUM holds before the
	// step, in the database's order (nil on SQLite). restate, when not
	// nil, is the list the step gives the type in full: a rewrite
	// (PostgreSQL) or a copy (MySQL) that only sql.compact asks for.
	fromType, restate []string
}

// colStep is what a step does to one column: keep it (perhaps with a new
// default), bind it (add it), or unbind it (drop it: only the Down of a
// bind, so the column is one fsmgen added).
type colStep struct {
	recordedColumn // the column; Default is the one it ends with
	fromDefault    string
	first          bool // the history's first column (see model.SQL.ColumnNames)
	bind, unbind   bool
	// convert: MySQL gives the column Collation, a copy of the table
	// (allowed by sql.compact only).
	convert bool
	// guarded: transitions are enforced before and after (PlanColumn).
	guarded bool
}

func (c colStep) kept() bool { return !c.bind && !c.unbind }

// guard marks the first column, whose transitions the triggers enforce
// before and after s, guarded.
func (s *step) guard() {
	for i := range s.cols {
		s.cols[i].guarded = s.cols[i].first
	}
}

// held returns the labels the state column holds after s of labels
// before it: renamed ones by their new names, and none of those s drops.
func (s *step) held(labels []string) []string {
	var out []string
	for _, l := range labels {
		for _, r := range s.renames {
			if r.Old == l {
				l = r.New
				break
			}
		}
		if slices.Contains(s.to, l) {
			out = append(out, l)
		}
	}
	return out
}

// gone returns the labels of from that neither survive, nor are renamed,
// nor have their rows moved: a Down must refuse to run while rows hold them.
func (s *step) gone() []string {
	var out []string
	for _, l := range s.from {
		if !slices.Contains(s.to, l) && !hasOld(s.renames, l) && !hasOld(s.moves, l) {
			out = append(out, l)
		}
	}
	return out
}

// added returns the labels of to that are new.
func (s *step) added() []string {
	var out []string
	for _, l := range s.to {
		if !slices.Contains(s.from, l) && !hasNew(s.renames, l) {
			out = append(out, l)
		}
	}
	return out
}

// changes reports whether the database needs a migration: labels come or
// go, a column is bound or its default changes, or the type is restated.
// A new order of the same labels is not a change.
func (s *step) changes() bool {
	if s.restate != nil || !sameSet(s.from, s.to) {
		return true
	}
	return slices.ContainsFunc(s.cols, func(c colStep) bool { return !c.kept() || c.fromDefault != c.Default })
}

// sameSet reports whether a and b hold the same elements, each once.
func sameSet[T comparable](a, b []T) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x T) bool { return !slices.Contains(b, x) })
}

// setDefault reports whether c's default changes other than by a rename of
// its label, which every dialect but SQLite follows by itself.
func (s *step) setDefault(c colStep) bool {
	return c.kept() && s.renamed(c.fromDefault) != c.Default
}

// reverse is the Down of s, which left the type as typ. Rows moved by s
// cannot be told apart from the target's own rows, so they stay; labels s
// added become gone, guarded, and stay in the type unless s restated it:
// then its Down restates the type s started from.
func (s *step) reverse(typ []string) *step {
	r := &step{from: s.to, to: s.from, fromKeys: s.toKeys, toKeys: s.fromKeys, fromType: typ}
	if s.restate != nil {
		r.restate = s.fromType
	}
	for _, p := range s.renames {
		r.renames = append(r.renames, sqldialect.Pair{Old: p.New, New: p.Old})
	}
	for _, c := range s.cols {
		rc := c
		rc.Default, rc.fromDefault = c.fromDefault, c.Default
		rc.bind, rc.unbind = c.unbind, c.bind
		if c.bind {
			rc.Default, rc.fromDefault = "", c.Default
		}
		r.cols = append(r.cols, rc)
	}
	return r
}

func (s *step) renamed(l string) string {
	for _, p := range s.renames {
		if p.Old == l {
			return p.New
		}
	}
	return l
}

func hasOld(ps []sqldialect.Pair, l string) bool {
	return slices.ContainsFunc(ps, func(p sqldialect.Pair) bool { return p.Old == l })
}

func hasNew(ps []sqldialect.Pair, l string) bool {
	return slices.ContainsFunc(ps, func(p sqldialect.Pair) bool { return p.New == l })
}

// specColumns returns the spec's columns as a history records them.
func specColumns(q *model.SQL) []recordedColumn {
	var out []recordedColumn
	for _, c := range q.Columns {
		lc := recordedColumn{Table: c.Table, Column: c.Column, Nullable: c.Nullable}
		if c.Default != nil {
			lc.Default = c.Default.Value
		}
		out = append(out, lc)
	}
	return out
}

// nextColumns orders the spec's columns as the history bound them, new
// ones last, so that the history's first column stays first. Each keeps
// its collation (history.charset), and a new one gets the dialect's
// ColumnCollation.
func nextColumns(q *model.SQL, l *history, dialectName string) []recordedColumn {
	cols := specColumns(q)
	for i := range cols {
		cols[i].Collation = dialects.For(dialectName).ColumnCollation()
	}
	if l == nil {
		return cols
	}
	var out []recordedColumn
	for _, lc := range l.Columns {
		if i := slices.IndexFunc(cols, func(c recordedColumn) bool { return c.name() == lc.name() }); i >= 0 {
			c := cols[i]
			c.Collation = l.collation(lc)
			out = append(out, c)
		}
	}
	for _, c := range cols {
		if !slices.ContainsFunc(out, func(o recordedColumn) bool { return o.name() == c.name() }) {
			out = append(out, c)
		}
	}
	return out
}

// diff compares the spec with the history's end: the step from one to the
// other (see changes), or a positioned error for every state the history
// holds that the spec no longer accounts for.
//
// The history records labels (values) and the state each belongs to. A
// state whose label changed, under its own name or one it was renamed
// from, is a rename of the label; a label that stays but now belongs to
// another state would silently change what its rows mean, and is refused.
func diff(m *model.Machine, l *history, hp string) (*step, error) {
	s := &step{from: l.States, fromKeys: l.Names, toKeys: labelKeys(m), fromType: l.dbType()}
	var errs diag.List
	oldLabel := map[string]string{} // state name in the history -> its label
	for _, lb := range l.States {
		oldLabel[key(l.Names, lb)] = lb
	}
	for _, st := range m.States {
		s.to = append(s.to, st.Value)
	}
	refused := map[string]bool{} // old labels already reported
	for _, st := range m.States {
		old, ok := oldLabel[st.Name]
		if !ok && st.RenamedFrom != "" {
			old, ok = oldLabel[st.RenamedFrom]
		}
		switch {
		case !ok || old == st.Value:
		case slices.Contains(s.to, old):
			refused[old] = true
			errs.Add(st.Pos, "the database holds %q for state %q, but the spec gives that value to another state: existing rows would silently change state; give the value back, or change it in two releases", old, st.Name)
		case slices.Contains(l.States, st.Value):
			refused[old] = true
			errs.Add(st.Pos, "state %q takes the value %q, which the database holds for another state: existing rows would silently change state; pick an unused value", st.Name, st.Value)
		case slices.Contains(s.fromType, st.Value):
			// RENAME VALUE, and MySQL's append, would find it there.
			refused[old] = true
			errs.Add(st.Pos, "state %q takes the value %q, which a removed state left in the database's type (the history's type lists it): pick an unused value, or drop it first with sql.compact: true", st.Name, st.Value)
		default:
			s.renames = append(s.renames, sqldialect.Pair{Old: old, New: st.Value})
		}
	}
	for _, old := range l.States {
		if slices.Contains(s.to, old) || hasOld(s.renames, old) || refused[old] {
			continue
		}
		name := key(l.Names, old)
		i := slices.IndexFunc(m.Removed, func(r *model.Removed) bool { return r.Name == name })
		if i < 0 || m.Removed[i].RowsTo == nil {
			errs.Add(m.SQL.Pos, "state %q is in the migration history (%s) but not in the spec: declare it under states, rename it (renamed_from: %s on its new name), or list it under removed: with rows_to: naming the state its rows move to", name, hp, name)
			continue
		}
		s.moves = append(s.moves, sqldialect.Pair{Old: old, New: m.Removed[i].RowsTo.Value})
	}
	// A label the table's own collation may not hold needs another, which
	// only a copy of the table converts a column to.
	need := dialects.For(l.Dialect).LabelCollation(s.to)
	change := sqldialect.ChangeView{Pos: m.SQL.Pos, History: hp, Compact: m.SQL.Compact}
	for _, st := range m.States {
		change.States = append(change.States, sqldialect.SpecState{Name: st.Name, Value: st.Value, Pos: st.Pos})
	}
	for i, c := range nextColumns(m.SQL, l, l.Dialect) {
		cs := colStep{recordedColumn: c, first: i == 0, bind: true}
		if j := slices.IndexFunc(l.Columns, func(lc recordedColumn) bool { return lc.name() == c.name() }); j >= 0 {
			cs.bind, cs.fromDefault = false, l.Columns[j].Default
		}
		if cs.Collation == "" && need != "" {
			cs.Collation, cs.convert = need, true
		}
		change.Columns = append(change.Columns, sqldialect.ChangedColumn{Name: c.name(), Table: c.Table, Kept: cs.kept(),
			From: cs.fromDefault, To: cs.Default, DefaultPos: specColumn(m.SQL, c).DefaultPos, Converted: cs.convert})
		s.cols = append(s.cols, cs)
	}
	// The type holds both sets while it changes, beside the labels it
	// kept.
	change.Union = slices.Clone(s.to)
	for _, l := range append(slices.Clone(s.from), s.fromType...) {
		if !slices.Contains(change.Union, l) {
			change.Union = append(change.Union, l)
		}
	}
	for _, name := range m.SQL.Dialects {
		dialects.For(name).RefuseChange(change, errs.Add)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// labelKeys maps each state's value to its name where the two differ.
func labelKeys(m *model.Machine) map[string]string {
	var out map[string]string
	for _, st := range m.States {
		if st.Value != st.Name {
			if out == nil {
				out = map[string]string{}
			}
			out[st.Value] = st.Name
		}
	}
	return out
}

// key returns the name of the state holding label.
func key(keys map[string]string, label string) string {
	if k, ok := keys[label]; ok {
		return k
	}
	return label
}

func specColumn(q *model.SQL, c recordedColumn) *model.Column {
	for _, sc := range q.Columns {
		if sc.Table == c.Table && sc.Column == c.Column {
			return sc
		}
	}
	return nil
}

// describe names the change for the file name and title: exactly what the
// migration does, in the order it does it. Both speak of state names,
// never of values: a value may hold any character, and a file name or a
// comment line must not.
func (s *step) describe(enum string) (slug, title string) {
	var parts, words []string
	from := func(l string) string { return key(s.fromKeys, l) }
	to := func(l string) string { return key(s.toKeys, l) }
	for _, l := range s.added() {
		parts = append(parts, "add_"+to(l))
		words = append(words, "add "+to(l))
	}
	for _, p := range s.renames {
		if o, n := from(p.Old), to(p.New); o != n {
			parts = append(parts, "rename_"+o+"_to_"+n)
			words = append(words, "rename "+o+" to "+n)
		} else {
			parts = append(parts, "revalue_"+n)
			words = append(words, "change the value of "+n)
		}
	}
	for _, p := range s.moves {
		parts = append(parts, "remove_"+from(p.Old))
		words = append(words, fmt.Sprintf("remove %s (its rows move to %s)", from(p.Old), to(p.New)))
	}
	for _, l := range s.gone() {
		parts = append(parts, "remove_"+from(l))
		words = append(words, "remove "+from(l))
	}
	kept := 0
	for _, c := range s.cols {
		if c.kept() {
			kept++
		}
	}
	for _, c := range s.cols {
		if c.convert {
			parts = append(parts, "utf8mb4_"+c.Table+"_"+c.Column)
			words = append(words, "convert "+c.name()+" to utf8mb4 (copies the table)")
		}
	}
	for _, c := range s.cols {
		switch {
		case c.bind:
			parts = append(parts, "bind_"+c.Table+"_"+c.Column)
			words = append(words, "bind "+columnPhrase(c.recordedColumn, to))
		case s.setDefault(c) && kept == 1:
			parts = append(parts, "default_"+orNoneSlug(to(c.Default)))
			words = append(words, "default "+orNoneWord(to(c.Default)))
		case s.setDefault(c):
			parts = append(parts, "default_"+c.Column+"_"+orNoneSlug(to(c.Default)))
			words = append(words, c.name()+" default "+orNoneWord(to(c.Default)))
		}
	}
	slug = strings.Join(parts, "_")
	if len(slug) > 60 {
		slug = "alter_" + enum
	}
	return slug, enum + ": " + strings.Join(words, ", ")
}

func orNoneSlug(def string) string {
	if def == "" {
		return "none"
	}
	return def
}

func orNoneWord(def string) string {
	if def == "" {
		return "none (NULL)"
	}
	return def
}

// columnPhrase describes a column for a title: "nodes.state (default
// finished)", "nodes.target (nullable)".
func columnPhrase(c recordedColumn, name func(string) string) string {
	var what []string
	if c.Nullable {
		what = append(what, "nullable")
	}
	if c.Default != "" {
		what = append(what, "default "+name(c.Default))
	}
	return c.name() + " (" + strings.Join(what, ", ") + ")"
}

func mapped(ls []string, f func(string) string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = f(l)
	}
	return out
}
