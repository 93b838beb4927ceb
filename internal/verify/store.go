package verify

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// Store is what the history says the generated store's objects are.
type Store struct {
	Dialect string
	// History is the history table, keyed by Key; "" for none.
	History, Key string
	// HistoryColumns are its columns besides its own.
	HistoryColumns []string
	// Enforce is what the triggers enforce; nil for none. Checkable: the
	// history records triggers of the form this fsmgen writes, whose
	// text is then compared too.
	Enforce   *dialect.Enforcement
	Checkable bool
	// EnforceName is what the enforcement's triggers and function are
	// named, or start with: with Enforce nil, each of them there is one
	// a migration left behind.
	EnforceName string
	// Fields are columns of Table the Store writes (sql.fields).
	Table  string
	Fields []string
	// Indexes are indexes of Table by which sweeps find due deadlines.
	Indexes []string
	// Dropped are columns of Table the migrations dropped.
	Dropped []string
	// Function is the function Fire calls (sql.fire_function); "" for
	// none. FunctionBase starts the name of every text of it: any other
	// there is one a migration left behind.
	Function, FunctionBase string
}

// CheckStore returns every difference between the database and s: a
// missing or changed history table, trigger or trigger function, each of
// which would leave moves unrecorded or illegal ones accepted without a
// word.
func CheckStore(ctx context.Context, db *sql.DB, s Store) ([]string, error) {
	c := &checker{ctx: ctx, db: db, cat: dialects.For(s.Dialect).Catalog()}
	if s.History != "" {
		cols, err := c.strings(c.cat.Columns, s.History)
		if err != nil {
			return nil, err
		}
		if len(cols) == 0 {
			c.diff("history table %s does not exist; the history created it", s.History)
		}
		for _, want := range append([]string{dialect.HistSeq, s.Key, dialect.HistFrom, dialect.HistTo, dialect.HistEvent, dialect.HistAt}, s.HistoryColumns...) {
			if len(cols) > 0 && !slices.Contains(cols, want) {
				c.diff("history table %s lacks column %s", s.History, want)
			}
		}
	}
	if len(s.Fields)+len(s.Dropped) > 0 {
		cols, err := c.strings(c.cat.Columns, s.Table)
		if err != nil {
			return nil, err
		}
		for _, f := range s.Fields {
			if !slices.Contains(cols, f) {
				c.diff("column %s.%s (sql field %s) is missing: the Store's moves would fail; run the migrations again, or restore it", s.Table, f, f)
			}
		}
		for _, f := range s.Dropped {
			if slices.Contains(cols, f) {
				c.diff("column %s.%s, a deadline of a timeout the migrations dropped, is there: a Down stopped half way? run it again", s.Table, f)
			}
		}
	}
	if c.cat.Routines != "" {
		left, err := c.strings(c.cat.Routines)
		if err != nil {
			return nil, err
		}
		for _, r := range left {
			c.diff("procedure %s, which a migration makes only while it runs, is still there: that migration stopped half way; run it again", r)
		}
	}
	if s.Function != "" {
		got, err := c.strings(c.cat.Function, s.Function)
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			c.diff("function %s is missing: Fire takes a transaction of several round trips instead of one call; run the migrations again, or restore it", s.Function)
		}
	}
	if s.FunctionBase != "" && c.cat.Functions != "" {
		fns, err := c.strings(c.cat.Functions, s.FunctionBase)
		if err != nil {
			return nil, err
		}
		for _, f := range fns {
			if f != s.Function && dialect.IsTextName(f, s.FunctionBase) {
				c.diff("function %s is not the one the history records: a migration that replaces or drops it stopped half way; run it again", f)
			}
		}
	}
	if len(s.Indexes) > 0 {
		have, err := c.rows(c.cat.Indexes, s.Table)
		if err != nil {
			return nil, err
		}
		for _, ix := range s.Indexes {
			switch i := slices.IndexFunc(have, func(r []string) bool { return r[0] == ix }); {
			case i < 0:
				c.diff("index %s on %s is missing: every sweep reads the whole table; run the migrations again, or restore it", ix, s.Table)
			case have[i][1] != "1":
				c.diff("index %s on %s is invalid (a build that failed part way): sweeps read the whole table; run the Down of the migration that builds it, then its Up", ix, s.Table)
			}
		}
	}
	if s.Enforce == nil && s.EnforceName != "" && c.cat.Triggers != "" {
		if err := c.unenforced(s.Table, s.EnforceName); err != nil {
			return nil, err
		}
	}
	if e := s.Enforce; e != nil {
		triggers, err := c.rows(c.cat.Triggers, e.Table)
		if err != nil {
			return nil, err
		}
		objects := dialects.For(s.Dialect).EnforceObjects(e)
		// A trigger named like the enforcement's but not one of its
		// objects stands beside them: MySQL names each after its text,
		// and a migration that stopped half way left the other rules'.
		for _, r := range triggers {
			if strings.HasPrefix(r[0], e.Trigger+"_") && !slices.ContainsFunc(objects, func(o dialect.EnforceObject) bool { return !o.Function && o.Name == r[0] }) {
				c.leftOver(fmt.Sprintf("trigger %s on %s", r[0], e.Table))
			}
		}
		for _, o := range objects {
			var got []string
			if o.Function {
				got, err = c.strings(c.cat.Function, o.Name)
				if err != nil {
					return nil, err
				}
			} else if i := slices.IndexFunc(triggers, func(r []string) bool { return r[0] == o.Name }); i >= 0 {
				got = []string{triggers[i][1]}
			}
			what := fmt.Sprintf("trigger %s on %s", o.Name, e.Table)
			if o.Function {
				what = fmt.Sprintf("trigger function %s()", o.Name)
			}
			switch {
			case o.Transient:
				if len(got) > 0 {
					c.leftOver(what)
				}
			case len(got) == 0:
				c.diff("%s is missing: transitions are not enforced; run the migrations again, or restore it", what)
			case s.Checkable && o.Def != "" && got[0] != o.Def:
				c.diff("%s differs from the one the migrations created (replaced by hand?); run fsmgen generate and the migrations, or restore it", what)
			}
		}
	}
	return c.diffs, nil
}

// unenforced reports the triggers on table, and the function, that
// enforce transitions the history no longer enforces: they would refuse
// moves the spec allows.
func (c *checker) unenforced(table, name string) error {
	triggers, err := c.strings(c.cat.Triggers, table)
	if err != nil {
		return err
	}
	var left []string
	for _, tr := range triggers {
		if tr == name || strings.HasPrefix(tr, name+"_") {
			left = append(left, fmt.Sprintf("trigger %s on %s", tr, table))
		}
	}
	if c.cat.Function != "" {
		fns, err := c.strings(c.cat.Function, name)
		if err != nil {
			return err
		}
		if len(fns) > 0 {
			left = append(left, fmt.Sprintf("trigger function %s()", name))
		}
	}
	for _, what := range left {
		c.diff("%s enforces transitions, which the history no longer does: a migration that stops enforcing them, or the Down of one that started, stopped half way; run it again", what)
	}
	return nil
}
