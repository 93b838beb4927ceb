package sqlmig

import (
	"slices"

	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// The database's own list of labels. ORDER BY on the column, and < and >
// on PostgreSQL, follow it, and a migration that changes the type in place
// can only extend it: PostgreSQL puts a new label where ADD VALUE's anchor
// says, MySQL keeps it INSTANT only at the end of the ENUM, and neither
// drops a label without rewriting or copying the table. So the type grows
// in its own order, which the history records (target.Type) for verify
// and for the next step to build on.

// toType returns what the type holds after the step, in the database's
// order; nil on SQLite, which has none. Only a step that restates the type
// (sql.compact) replaces it; every other changes it in place.
func (s *step) toType(dialect string) []string {
	growth := dialects.For(dialect).TypeGrowth()
	switch {
	case growth == sqldialect.NoType:
		return nil
	case s.restate != nil:
		return slices.Clone(s.restate)
	}
	typ := slices.Clone(s.fromType)
	if growth == sqldialect.Appended {
		for _, l := range s.appended() {
			if !slices.Contains(typ, l) {
				typ = append(typ, l)
			}
		}
		return typ
	}
	for i, l := range typ {
		typ[i] = s.renamed(l)
	}
	for _, a := range s.pgAdds() {
		switch i := slices.Index(typ, a.Anchor); {
		case slices.Contains(typ, a.Label):
			// A label a removal left behind: ADD VALUE IF NOT EXISTS
			// leaves it where it is.
		case a.Rel == "AFTER":
			typ = slices.Insert(typ, i+1, a.Label)
		case a.Rel == "BEFORE":
			typ = slices.Insert(typ, i, a.Label)
		default:
			typ = append(typ, a.Label)
		}
	}
	return typ
}

// pgAdds returns PostgreSQL's ADD VALUE for each new label, unquoted, in
// the spec's order: after the nearest label before it in the spec that the
// type already has, else before the nearest one after it.
func (s *step) pgAdds() []sqldialect.Added {
	added := s.added()
	present := make([]string, 0, len(s.to))
	for _, l := range s.from {
		present = append(present, s.renamed(l))
	}
	var out []sqldialect.Added
	for i, l := range s.to {
		if !slices.Contains(added, l) {
			continue
		}
		a := sqldialect.Added{Label: l}
		if j := lastPresent(s.to[:i], present); j >= 0 {
			a.Rel, a.Anchor = "AFTER", s.to[j]
		} else if j := firstPresent(s.to[i+1:], present); j >= 0 {
			a.Rel, a.Anchor = "BEFORE", s.to[i+1+j]
		}
		out = append(out, a)
		present = append(present, l)
	}
	return out
}

// appended returns the labels MySQL appends to the ENUM, in order, unless
// the live column has them already: every new label and a rename's new
// name (the old one stays).
func (s *step) appended() []string {
	out := s.added()
	for _, p := range s.renames {
		out = append(out, p.New)
	}
	return out
}

// retired returns the labels of typ the step's target set lacks: kept in
// the type, forbidden by the constraint or triggers.
func (s *step) retired(typ []string) []string {
	var out []string
	for _, l := range typ {
		if !slices.Contains(s.to, l) {
			out = append(out, l)
		}
	}
	return out
}

func lastPresent(ls, present []string) int {
	for i := len(ls) - 1; i >= 0; i-- {
		if slices.Contains(present, ls[i]) {
			return i
		}
	}
	return -1
}

func firstPresent(ls, present []string) int {
	for i, l := range ls {
		if slices.Contains(present, l) {
			return i
		}
	}
	return -1
}
