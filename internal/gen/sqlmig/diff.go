package sqlmig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/model"
)

// step is one change of the enum's label set, in one direction.
// Labels are the states' values, which is what rows hold; the keys maps
// name the states behind them, for file names and titles.
type step struct {
	from, to         []string
	renames          []pair // labels renamed in place
	moves            []pair // labels dropped whose rows go to another label
	fromDefault      string
	toDefault        string
	fromKeys, toKeys map[string]string // label -> state name, where they differ
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
	r := &step{from: s.to, to: s.from, fromDefault: s.toDefault, toDefault: s.fromDefault, fromKeys: s.toKeys, toKeys: s.fromKeys}
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
//
// The history records labels (values) and the state each belongs to. A
// state whose label changed, under its own name or one it was renamed
// from, is a rename of the label; a label that stays but now belongs to
// another state would silently change what its rows mean, and is refused.
func diff(m *model.Machine, l *history, hp string) (*step, error) {
	s := &step{from: l.States, fromDefault: l.Default, toDefault: m.SQL.Default.Value, fromKeys: l.Names, toKeys: labelKeys(m)}
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
		default:
			s.renames = append(s.renames, pair{old, st.Value})
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
		s.moves = append(s.moves, pair{old, m.Removed[i].RowsTo.Value})
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if slices.Equal(s.from, s.to) && s.fromDefault == s.toDefault {
		return nil, nil
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

// describe names the change for the file name and title. Both speak of
// state names, never of values: a value may hold any character, and a
// file name or a comment line must not.
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
	if len(parts) == 0 || s.renamed(s.fromDefault) != s.toDefault {
		parts = append(parts, "default_"+to(s.toDefault))
		words = append(words, "default "+to(s.toDefault))
	}
	slug = strings.Join(parts, "_")
	if len(slug) > 60 {
		slug = "alter_" + enum
	}
	return slug, enum + ": " + strings.Join(words, ", ")
}
