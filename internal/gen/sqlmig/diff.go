package sqlmig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/model"
)

// step is one change of the enum's label set, in one direction.
type step struct {
	from, to    []string
	renames     []pair // labels renamed in place
	moves       []pair // labels dropped whose rows go to another label
	fromDefault string
	toDefault   string
}

type pair struct{ Old, New string }

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

// dropped returns the labels of from that do not survive as they are.
func (s *step) dropped() []string {
	var out []string
	for _, l := range s.from {
		if !slices.Contains(s.to, l) && !hasOld(s.renames, l) {
			out = append(out, l)
		}
	}
	return out
}

// reverse is the Down of s. Rows moved by s cannot be told apart from the
// target's own rows, so they stay; labels s added become gone, guarded.
func (s *step) reverse() *step {
	r := &step{from: s.to, to: s.from, fromDefault: s.toDefault, toDefault: s.fromDefault}
	for _, p := range s.renames {
		r.renames = append(r.renames, pair{p.New, p.Old})
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

func hasOld(ps []pair, l string) bool {
	return slices.ContainsFunc(ps, func(p pair) bool { return p.Old == l })
}

func hasNew(ps []pair, l string) bool {
	return slices.ContainsFunc(ps, func(p pair) bool { return p.New == l })
}

// diff compares the spec with the history's end. It returns nil when the
// database needs no change, and a positioned error for every state the
// history holds that the spec no longer accounts for.
func diff(m *model.Machine, l *history, hp string) (*step, error) {
	s := &step{from: l.States, fromDefault: l.Default, toDefault: m.SQL.Default.Name}
	for _, st := range m.States {
		s.to = append(s.to, st.Name)
		if st.RenamedFrom != "" && !slices.Contains(l.States, st.Name) && slices.Contains(l.States, st.RenamedFrom) {
			s.renames = append(s.renames, pair{st.RenamedFrom, st.Name})
		}
	}
	var errs diag.List
	for _, old := range l.States {
		if slices.Contains(s.to, old) || hasOld(s.renames, old) {
			continue
		}
		i := slices.IndexFunc(m.Removed, func(r *model.Removed) bool { return r.Name == old })
		if i < 0 || m.Removed[i].RowsTo == nil {
			errs.Add(m.SQL.Pos, "state %q is in the migration history (%s) but not in the spec: declare it under states, rename it (renamed_from: %s on its new name), or list it under removed: with rows_to: naming the state its rows move to", old, hp, old)
			continue
		}
		s.moves = append(s.moves, pair{old, m.Removed[i].RowsTo.Name})
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if slices.Equal(s.from, s.to) && s.fromDefault == s.toDefault {
		return nil, nil
	}
	return s, nil
}

// describe names the change for the file name and title.
func (s *step) describe(enum string) (slug, title string) {
	var parts, words []string
	for _, l := range s.added() {
		parts = append(parts, "add_"+l)
		words = append(words, "add "+l)
	}
	for _, p := range s.renames {
		parts = append(parts, "rename_"+p.Old+"_to_"+p.New)
		words = append(words, "rename "+p.Old+" to "+p.New)
	}
	for _, p := range s.moves {
		parts = append(parts, "remove_"+p.Old)
		words = append(words, fmt.Sprintf("remove %s (its rows move to %s)", p.Old, p.New))
	}
	for _, l := range s.gone() {
		parts = append(parts, "remove_"+l)
		words = append(words, "remove "+l)
	}
	if len(parts) == 0 || s.renamed(s.fromDefault) != s.toDefault {
		parts = append(parts, "default_"+s.toDefault)
		words = append(words, "default "+s.toDefault)
	}
	slug = strings.Join(parts, "_")
	if len(slug) > 60 {
		slug = "alter_" + enum
	}
	return slug, enum + ": " + strings.Join(words, ", ")
}
