// Package verify compares a live database with what a machine's migration
// history says it must hold: the enum's labels and their order, the bound
// column's type, default and nullability, and fsmgen's constraints and
// triggers. A hand-applied change to the live enum then shows up in CI or
// at deploy time, not when the next migration breaks on it.
package verify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// Want is what the history says the database holds.
type Want struct {
	Dialect, Enum, Table, Column string
	Default                      string // "" for none
	Nullable                     bool
	States                       []string
	// Type is what the PostgreSQL type or the MySQL ENUM holds, in the
	// database's order, labels that left the spec included.
	Type []string
	// StatesCheck is the PostgreSQL constraint that forbids labels left
	// in the type; InsertTrigger and UpdateTrigger are the triggers that
	// keep the column to its labels on SQLite, and on MySQL those that
	// forbid labels left in the ENUM.
	StatesCheck, InsertTrigger, UpdateTrigger string
	// Twins are the MySQL triggers that stand in for InsertTrigger and
	// UpdateTrigger only while a migration replaces them. MySQL's are
	// named after their text now (dialect.TextName of InsertBase and
	// UpdateBase); InsertTrigger and UpdateTrigger are then the names an
	// older fsmgen gave them.
	Twins                  []string
	InsertBase, UpdateBase string
	// Enforced: the enforcement triggers keep the column to the states,
	// which needs no states triggers of MySQL's then. Guarded: they are
	// of this fsmgen's form, and a states trigger the column has is left
	// by a migration that stopped half way.
	Enforced, Guarded bool
	// Collation is the MySQL column's, as the history records it; "" for
	// its table's, which verify does not check.
	Collation string
}

// Check returns every difference between the database and w, in readable
// sentences; none when they agree.
func Check(ctx context.Context, db *sql.DB, w Want) ([]string, error) {
	c := &checker{ctx: ctx, db: db, w: w, cat: dialects.For(w.Dialect).Catalog()}
	where := w.Table + "." + w.Column
	var typ, nullable string
	var def sql.NullString
	err := db.QueryRowContext(ctx, c.cat.Column, w.Table, w.Column).Scan(&typ, &nullable, &def)
	if errors.Is(err, sql.ErrNoRows) {
		return []string{fmt.Sprintf("%s does not exist; the history ends with it bound to %s", where, w.Enum)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", where, err)
	}
	switch {
	case !w.Nullable && nullable != "NO":
		c.diff("%s is nullable; the history made it NOT NULL", where)
	case w.Nullable && nullable == "NO":
		c.diff("%s is NOT NULL; the history made it nullable", where)
	}
	noDefault := !def.Valid || strings.EqualFold(def.String, "NULL")
	switch {
	case w.Default == "" && !noDefault:
		c.diff("%s defaults to %s; the history says it has no default", where, def.String)
	case w.Default != "" && (noDefault || c.literal(def) != w.Default):
		c.diff("%s defaults to %s; the history says %q", where, orNone(def), w.Default)
	}
	// How the database holds the labels: a type of their own, an ENUM
	// column that only grows at its end, or text kept to them by triggers.
	switch dialects.For(w.Dialect).TypeGrowth() {
	case dialect.Anchored:
		err = c.enumType(typ)
	case dialect.Appended:
		err = c.enumColumn(typ)
	case dialect.NoType:
		err = c.textColumn(typ)
	}
	return c.diffs, err
}

type checker struct {
	ctx   context.Context
	db    *sql.DB
	w     Want
	cat   dialect.Catalog
	diffs []string
}

func (c *checker) diff(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

// leftOver reports an object that stands only while a migration runs.
func (c *checker) leftOver(what string) {
	c.diff("%s, which a migration makes only while it replaces a trigger, is still there: that migration stopped half way; run it again", what)
}

func (c *checker) enumType(typ string) error {
	w := c.w
	if typ != w.Enum {
		c.diff("%s.%s has type %s; the history says %s", w.Table, w.Column, typ, w.Enum)
	}
	labels, err := c.strings(c.cat.Labels, w.Enum)
	if err != nil {
		return err
	}
	if len(labels) == 0 {
		c.diff("type %s does not exist", w.Enum)
		return nil
	}
	extra := c.sameType("type "+w.Enum, labels)
	rows, err := c.rows(c.cat.Checks, w.Table)
	if err != nil {
		return err
	}
	var check []string
	for _, r := range rows {
		if r[0] != w.StatesCheck {
			continue
		}
		check = c.quoted(r[1])
		if r[2] != "1" {
			c.diff("constraint %s on %s is not validated: a migration stopped half way; run it again", w.StatesCheck, w.Table)
		}
	}
	switch {
	case check == nil && len(extra) > 0:
		c.diff("type %s keeps label(s) %s that left the spec, and no constraint %s on %s forbids them", w.Enum, list(extra), w.StatesCheck, w.Table)
	case check != nil && !sameSet(check, w.States):
		c.diff("constraint %s on %s allows %s; the history says %s", w.StatesCheck, w.Table, list(check), list(w.States))
	}
	return nil
}

func (c *checker) enumColumn(typ string) error {
	w := c.w
	if !strings.HasPrefix(strings.ToLower(typ), "enum(") {
		c.diff("%s.%s has type %s; the history says an ENUM", w.Table, w.Column, typ)
		return nil
	}
	extra := c.sameType(w.Table+"."+w.Column, c.quoted(typ))
	if w.Collation != "" {
		var coll string
		if err := c.db.QueryRowContext(c.ctx, c.cat.Collation, w.Table, w.Column).Scan(&coll); err != nil {
			return fmt.Errorf("reading %s.%s: %w", w.Table, w.Column, err)
		}
		if coll != w.Collation {
			c.diff("%s.%s has collation %s; the history says %s, which every migration restates (converting the column back copies the table)", w.Table, w.Column, coll, w.Collation)
		}
	}
	rows, err := c.rows(c.cat.Triggers, w.Table)
	if err != nil {
		return err
	}
	for _, name := range w.Twins {
		if slices.ContainsFunc(rows, func(r []string) bool { return r[0] == name }) {
			c.leftOver(fmt.Sprintf("trigger %s on %s", name, w.Table))
		}
	}
	// NOT IN (labels) … SQLSTATE '45000' … MESSAGE_TEXT = '…'
	allows := func(r []string) []string {
		lits := c.quoted(r[1])
		if len(lits) >= 2 {
			lits = lits[:len(lits)-2]
		}
		return lits
	}
	found := 0
	for k, name := range []string{w.InsertTrigger, w.UpdateTrigger} {
		base := []string{w.InsertBase, w.UpdateBase}[k]
		var named [][]string
		for _, r := range rows {
			if r[0] == name || base != "" && dialect.IsTextName(r[0], base) {
				named = append(named, r)
			}
		}
		if len(named) == 0 {
			continue
		}
		if w.Guarded {
			for _, r := range named {
				c.leftOver(fmt.Sprintf("trigger %s on %s", r[0], w.Table))
			}
			continue
		}
		found++
		// Two of one event: a migration stopped between creating the
		// new one and dropping the old.
		i := max(0, slices.IndexFunc(named, func(r []string) bool { return sameSet(allows(r), w.States) }))
		for j, r := range named {
			if j != i {
				c.leftOver(fmt.Sprintf("trigger %s on %s", r[0], w.Table))
			}
		}
		if lits := allows(named[i]); !sameSet(lits, w.States) {
			c.diff("trigger %s on %s allows %s; the history says %s", named[i][0], w.Table, list(lits), list(w.States))
		}
	}
	switch {
	case w.Enforced:
	case len(extra) > 0 && found < 2:
		c.diff("%s.%s keeps label(s) %s that left the spec, and no fsmgen triggers forbid them", w.Table, w.Column, list(extra))
	case found == 1:
		c.diff("one of the triggers %s and %s on %s is missing", w.InsertTrigger, w.UpdateTrigger, w.Table)
	}
	return nil
}

// sameType compares the labels of the live type (what names it) with the
// history's, labels and order: a label added or renamed by hand, or the
// type restated in another order, is a difference. It returns the labels
// the history keeps outside the states, which fsmgen's constraint or
// triggers must forbid (those it does not know are reported here).
func (c *checker) sameType(what string, labels []string) (retired []string) {
	w := c.w
	for _, l := range labels {
		if !slices.Contains(w.States, l) && slices.Contains(w.Type, l) {
			retired = append(retired, l)
		}
	}
	switch {
	case slices.Equal(labels, w.Type):
	case sameSet(labels, w.Type):
		c.diff("%s orders its labels %s; the history says %s", what, list(labels), list(w.Type))
	default:
		var more, less []string
		for _, l := range labels {
			if !slices.Contains(w.Type, l) {
				more = append(more, l)
			}
		}
		for _, l := range w.Type {
			if !slices.Contains(labels, l) {
				less = append(less, l)
			}
		}
		if len(more) > 0 {
			c.diff("%s has label(s) %s, which the history does not (a hand-applied change?)", what, list(more))
		}
		if len(less) > 0 {
			c.diff("%s lacks label(s) %s, which the history has", what, list(less))
		}
	}
	return retired
}

func (c *checker) textColumn(typ string) error {
	w := c.w
	if !strings.EqualFold(typ, c.cat.Text) {
		c.diff("%s.%s has type %s; the history says %s", w.Table, w.Column, typ, c.cat.Text)
	}
	if c.cat.Triggers == "" {
		return c.statesConstraint()
	}
	rows, err := c.rows(c.cat.Triggers, w.Table)
	if err != nil {
		return err
	}
	for _, name := range []string{w.InsertTrigger, w.UpdateTrigger} {
		i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == name })
		if i < 0 {
			c.diff("trigger %s on %s is missing", name, w.Table)
			continue
		}
		// The labels are the trigger's NOT IN (…) list; its message is
		// the last literal.
		lits := c.quoted(rows[i][1])
		if len(lits) > 0 {
			lits = lits[:len(lits)-1]
		}
		if !sameSet(lits, w.States) {
			c.diff("trigger %s on %s allows %s; the history says %s", name, w.Table, list(lits), list(w.States))
		}
	}
	return nil
}

// statesConstraint finds the CHECK constraint that keeps the column to
// its states, where a dialect keeps text that way (Spanner): by its
// labels, not its name, which its migration derived from them. Another
// one on the column is a swap that stopped half way, or a hand's.
func (c *checker) statesConstraint() error {
	w := c.w
	rows, err := c.rows(c.cat.Checks, w.Table)
	if err != nil {
		return err
	}
	found, column := false, regexp.MustCompile(`\b`+regexp.QuoteMeta(w.Column)+`\b`)
	for _, r := range rows {
		name, clause, valid := r[0], r[1], r[2]
		if !column.MatchString(clause) {
			continue
		}
		switch lits := c.quoted(clause); {
		case !sameSet(lits, w.States):
			c.diff("CHECK constraint %s on %s allows %s; the history says %s (a migration stopped half way? run it again)", name, w.Table, list(lits), list(w.States))
		case valid != "1":
			c.diff("CHECK constraint %s on %s is still being validated: a migration is running, or stopped half way", name, w.Table)
		default:
			found = true
		}
	}
	if !found {
		c.diff("no CHECK constraint keeps %s.%s to %s: any value can be written; run the migrations again, or restore it", w.Table, w.Column, list(w.States))
	}
	return nil
}

func (c *checker) strings(q string, args ...any) ([]string, error) {
	rows, err := c.rows(q, args...)
	var out []string
	for _, r := range rows {
		out = append(out, r[0])
	}
	return out, err
}

func (c *checker) rows(q string, args ...any) ([][]string, error) {
	rs, err := c.db.QueryContext(c.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rs.Next() {
		row := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		vals := make([]string, len(cols))
		for i, v := range row {
			vals[i] = v.String
		}
		out = append(out, vals)
	}
	return out, rs.Err()
}

// literal is a default expression's value: 'x'::type on PostgreSQL,
// 'x' on MariaDB and SQLite, x on MySQL.
func (c *checker) literal(def sql.NullString) string {
	if ls := c.quoted(def.String); len(ls) > 0 {
		return ls[0]
	}
	return def.String
}

// quoted returns the string literals in SQL text from the catalog,
// unquoted.
func (c *checker) quoted(text string) []string { return dialects.For(c.w.Dialect).Literals(text) }

func orNone(def sql.NullString) string {
	if !def.Valid {
		return "nothing"
	}
	return def.String
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func list(ls []string) string { return "(" + strings.Join(ls, ", ") + ")" }
