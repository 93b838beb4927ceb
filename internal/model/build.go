package model

import (
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/spec"
)

// MaxNameLen is PostgreSQL's limit for identifiers and enum labels.
const MaxNameLen = 63

var (
	nameRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	packageRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	goNameRE  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
)

// Dialects lists the SQL dialects fsmgen emits, in canonical order.
var Dialects = dialects.Names

// Parse decodes and validates the spec in data; name is used in positions.
func Parse(name string, data []byte) (*Machine, error) {
	_, m, err := Load(name, data)
	return m, err
}

// Load is Parse that also returns the decoded spec. The decoder's problems
// and the model's are reported together, sorted: a key defined twice does
// not hide the rest.
func Load(name string, data []byte) (*spec.File, *Machine, error) {
	f, err := spec.Decode(name, data)
	var decoded diag.List
	if err != nil && (f == nil || !errors.As(err, &decoded)) {
		return nil, nil, err
	}
	m, err := Build(f)
	if decoded == nil {
		return f, m, err
	}
	var built diag.List
	errors.As(err, &built)
	return nil, nil, append(decoded, built...).Err()
}

// Build validates a decoded spec and returns the machine. All problems are
// reported at once as a sorted diag.List.
func Build(f *spec.File) (*Machine, error) {
	b := &builder{f: f, m: &Machine{SpecFile: f.Name}, states: map[string]*State{}, events: map[string]*Event{}, tags: map[string]*Tag{}, removed: map[string]*Removed{}, rejected: map[string]bool{}}
	b.build()
	if err := b.errs.Err(); err != nil {
		return nil, err
	}
	b.m.computeDiagram()
	return b.m, nil
}

type builder struct {
	f       *spec.File
	m       *Machine
	errs    diag.List
	states  map[string]*State
	events  map[string]*Event
	tags    map[string]*Tag
	removed map[string]*Removed
	// rejected holds declared names that failed their own checks, so that
	// references to them add no "undefined" noise.
	rejected map[string]bool
	// suggested counts the name comparisons spent on "did you mean"
	// hints; see didYouMean.
	suggested int
}

// suggestBudget bounds the comparisons behind "did you mean" hints. Each
// hint compares a name with every candidate, so a large spec full of broken
// references would otherwise take hours (quadratic) within the size limit;
// past the budget, messages simply carry no hint.
const suggestBudget = 1 << 20

func (b *builder) didYouMean(name string, n int, candidates func() []string) string {
	if b.suggested += n; b.suggested > suggestBudget {
		return ""
	}
	return diag.DidYouMean(name, candidates())
}

func (b *builder) errorf(p diag.Pos, format string, args ...any) {
	b.errs.Add(p, format, args...)
}

func (b *builder) build() {
	f, m := b.f, b.m
	if f.Version.Value != spec.Version {
		b.errorf(f.Version.Pos, "unsupported spec version %d; this fsmgen reads version %d", f.Version.Value, spec.Version)
	}
	m.Name, m.Doc = f.Machine.Value, f.Doc.Value
	switch {
	case !nameRE.MatchString(m.Name):
		b.errorf(f.Machine.Pos, "machine name %q must match [a-z][a-z0-9_]*%s", m.Name, whyNot(m.Name))
	case len(m.Name) > MaxNameLen:
		b.errorf(f.Machine.Pos, "machine name is %d bytes; the limit is %d", len(m.Name), MaxNameLen)
	default:
		b.checkPackage()
	}

	b.checkDocs()
	b.declareTags()
	b.declareStates()
	b.declareEvents()
	b.declareRemoved()
	b.checkSpellings()
	b.resolveEntries()
	b.resolveTransitions()
	if len(b.errs) == 0 { // the reachability of a broken machine would only add noise
		b.checkReachable()
		b.checkFinalsReachable()
	}
	b.checkEventsUsed()
	b.buildSQL()
	b.buildTimeouts()
	b.buildHistoryColumns()
	b.resolveSets()
}

// checkPackage sets the Go package name: package: when given, else the
// machine's name, which then must be one a Go program can import.
func (b *builder) checkPackage() {
	f, m := b.f, b.m
	if f.Package.Set() {
		m.Package = f.Package.Value
		if why := notAPackage(m.Package); why != "" {
			b.errorf(f.Package.Pos, "package %q cannot name the Go package: it %s", m.Package, why)
		}
		return
	}
	m.Package = m.Name
	if why := notAPackage(m.Name); why != "" {
		suggest := strings.ReplaceAll(m.Name, "_", "")
		if notAPackage(suggest) != "" {
			suggest = m.Name + "fsm"
		}
		b.errorf(f.Machine.Pos, "machine name %q cannot name the Go package: it %s; set package: to a name such as %q", m.Name, why, suggest)
	}
}

// notAPackage says why name cannot be the name of an importable Go
// package, or returns "".
func notAPackage(name string) string {
	switch {
	case name == "main":
		return "is main, which names a command, not a package to import"
	case token.IsKeyword(name):
		return "is a Go keyword"
	case strings.Contains(name, "_"):
		return "would need an underscore, which Go package names do not use"
	case !packageRE.MatchString(name) || len(name) > MaxNameLen:
		return fmt.Sprintf("must match [a-z][a-z0-9]* and be at most %d bytes", MaxNameLen)
	}
	return ""
}

// reservedCamel maps, per kind, the CamelCase forms whose Go names
// fsmgen already defines.
var reservedCamel = map[string]map[string]string{
	"state": {},
	"event": {"Set": "EventSet, the type Permitted returns"},
	"tag":   {},
}

// checkName validates a state, event or tag name and its go_name, and
// reports Go identifier collisions through seen (Camel -> what first took
// it). camel is goName when set, else derived from the name.
func (b *builder) checkName(what string, n, goName spec.Str, seen map[string]spec.Str) (camel string, ok bool) {
	switch {
	case !nameRE.MatchString(n.Value):
		b.errorf(n.Pos, "%s name %q must match [a-z][a-z0-9_]*%s", what, n.Value, whyNot(n.Value))
		return "", false
	case len(n.Value) > MaxNameLen:
		b.errorf(n.Pos, "%s name %q is %d bytes; the limit is %d (PostgreSQL's for enum labels)", what, n.Value, len(n.Value), MaxNameLen)
		return "", false
	}
	camel, at := Camel(n.Value), n
	if goName.Set() {
		if !goNameRE.MatchString(goName.Value) {
			b.errorf(goName.Pos, "go_name %q must be an exported Go identifier: an upper-case letter followed by letters and digits", goName.Value)
			return "", false
		}
		camel, at = goName.Value, goName
	}
	if prev, dup := seen[camel]; dup {
		b.errorf(at.Pos, "%s %q collides with %q (line %d): both become the Go name %s; set go_name on one", what, n.Value, prev.Value, prev.Pos.Line, camel)
		return "", false
	}
	if taken := reservedCamel[what][camel]; taken != "" {
		b.errorf(at.Pos, "%s %q would generate %s; set go_name to another name", what, n.Value, taken)
		return "", false
	}
	seen[camel] = n
	return camel, true
}

// reservedPredicates are methods generated on State and Event that a tag
// predicate must not shadow.
var reservedPredicates = []string{"IsValid", "IsEntry", "IsFinal"}

func (b *builder) declareTags() {
	seen := map[string]spec.Str{}
	for _, t := range b.f.Tags {
		camel, ok := b.checkName("tag", t.Name, t.GoName, seen)
		if !ok {
			b.rejected[t.Name.Value] = true
			continue
		}
		tag := &Tag{Name: t.Name.Value, Doc: t.Doc.Value, Camel: camel, Predicate: "Is" + camel}
		if slices.Contains(reservedPredicates, tag.Predicate) {
			b.errorf(t.Name.Pos, "tag name %q would generate %s, which fsmgen already defines", tag.Name, tag.Predicate)
			continue
		}
		b.tags[tag.Name] = tag
		b.m.Tags = append(b.m.Tags, tag)
	}
}

func (b *builder) tagList(refs []spec.Str, add func(*Tag)) []*Tag {
	var out []*Tag
	for _, r := range refs {
		t := b.tags[r.Value]
		switch {
		case t == nil && b.rejected[r.Value]:
		case t == nil:
			b.errorf(r.Pos, "undeclared tag %q%s; declare it under tags:", r.Value, b.didYouMean(r.Value, len(b.f.Tags), func() []string { return keys(b.f.Tags, func(t spec.Tag) string { return t.Name.Value }) }))
		case slices.Contains(out, t):
			b.errorf(r.Pos, "tag %q listed twice", r.Value)
		default:
			out = append(out, t)
			add(t)
		}
	}
	return out
}

func (b *builder) declareStates() {
	if len(b.f.States) == 0 {
		p := b.f.StatesPos
		if p.Line == 0 {
			p = diag.Pos{File: b.f.Name, Line: 1, Col: 1}
		}
		b.errorf(p, "machine has no states")
	}
	seen := map[string]spec.Str{}
	for _, s := range b.f.States {
		camel, ok := b.checkName("state", s.Name, s.GoName, seen)
		if !ok {
			b.rejected[s.Name.Value] = true
			continue
		}
		st := &State{Name: s.Name.Value, Value: b.value("state", s.Name, s.Value), Aliases: b.aliases("state", s.Aliases), Index: len(b.m.States), Doc: s.Doc.Value, Camel: camel, GoName: "State" + camel, RenamedFrom: s.RenamedFrom.Value, Final: s.Final.Value, Pos: s.Name.Pos}
		if strings.TrimSpace(st.Doc) == "" {
			b.errorf(s.Name.Pos, "state %q has no doc", st.Name)
		}
		st.Tags = b.tagList(s.Tags, func(t *Tag) { t.States = append(t.States, st) })
		b.states[st.Name] = st
		b.m.States = append(b.m.States, st)
		if st.Final {
			b.m.Finals = append(b.m.Finals, st)
		}
	}
}

func (b *builder) declareEvents() {
	seen := map[string]spec.Str{}
	for _, e := range b.f.Events {
		camel, ok := b.checkName("event", e.Name, e.GoName, seen)
		if !ok {
			b.rejected[e.Name.Value] = true
			continue
		}
		ev := &Event{Name: e.Name.Value, Value: b.value("event", e.Name, e.Value), Aliases: b.aliases("event", e.Aliases), Index: len(b.m.Events), Doc: e.Doc.Value, Camel: camel, GoName: "Event" + camel, Pos: e.Name.Pos}
		if strings.TrimSpace(ev.Doc) == "" {
			b.errorf(e.Name.Pos, "event %q has no doc", ev.Name)
		}
		ev.Tags = b.tagList(e.Tags, func(t *Tag) { t.Events = append(t.Events, ev) })
		b.events[ev.Name] = ev
		b.m.Events = append(b.m.Events, ev)
	}
}

// declareRemoved records removed states before transitions are resolved so
// that a transition into one gets a precise message. Their targets are
// resolved later, once all states are known.
func (b *builder) declareRemoved() {
	renamedFrom := map[string]spec.Str{}
	for _, s := range b.f.States {
		if r := s.RenamedFrom; r.Set() {
			switch {
			case !validName(r.Value):
				b.errorf(r.Pos, "renamed_from %q is not a valid state name", r.Value)
			case r.Value == s.Name.Value:
				b.errorf(r.Pos, "state %q is renamed from itself", r.Value)
			case b.states[r.Value] != nil:
				b.errorf(r.Pos, "renamed_from %q names a current state; a state can only be renamed from a name that no longer exists", r.Value)
			default:
				if prev, dup := renamedFrom[r.Value]; dup {
					b.errorf(r.Pos, "%q is already renamed at line %d", r.Value, prev.Pos.Line)
				}
				renamedFrom[r.Value] = r
			}
		}
	}
	for _, r := range b.f.Removed {
		n := r.Name
		switch {
		case !validName(n.Value):
			b.errorf(n.Pos, "removed state name %q must match [a-z][a-z0-9_]* and be at most %d bytes", n.Value, MaxNameLen)
			continue
		case b.states[n.Value] != nil:
			b.errorf(n.Pos, "state %q is listed as removed but is still declared under states", n.Value)
			continue
		case renamedFrom[n.Value].Set():
			b.errorf(n.Pos, "state %q is listed as removed but was renamed (line %d)", n.Value, renamedFrom[n.Value].Pos.Line)
			continue
		}
		rm := &Removed{Name: n.Value, Doc: r.Doc.Value, Pos: n.Pos}
		switch to := r.RowsTo; {
		case !to.Set():
			b.errorf(n.Pos, "removed state %q needs rows_to: the state its rows move to", n.Value)
		case to.Value == n.Value:
			b.errorf(to.Pos, "removed state %q cannot keep its rows in itself", n.Value)
		default:
			rm.RowsTo = b.stateRef(to, "rows_to")
		}
		b.removed[rm.Name] = rm
		b.m.Removed = append(b.m.Removed, rm)
	}
}

// stateRef resolves a reference to a current state, explaining near misses.
func (b *builder) stateRef(r spec.Str, what string) *State {
	if s := b.states[r.Value]; s != nil || b.rejected[r.Value] {
		return s
	}
	switch {
	case b.removed[r.Value] != nil:
		b.errorf(r.Pos, "%s: state %q was removed", what, r.Value)
	case b.tags[r.Value] != nil:
		b.errorf(r.Pos, "%s: %q is a tag, not a state", what, r.Value)
	default:
		b.errorf(r.Pos, "%s: undefined state %q%s", what, r.Value, b.didYouMean(r.Value, len(b.m.States), func() []string { return stateNames(b.m.States) }))
	}
	return nil
}

func (b *builder) eventRef(r spec.Str) *Event {
	if e := b.events[r.Value]; e != nil || b.rejected[r.Value] {
		return e
	}
	if b.tags[r.Value] != nil {
		b.errorf(r.Pos, "%q is a tag, not an event", r.Value)
	} else {
		b.errorf(r.Pos, "undefined event %q%s", r.Value, b.didYouMean(r.Value, len(b.m.Events), func() []string { return keys(b.m.Events, func(e *Event) string { return e.Name }) }))
	}
	return nil
}

func (b *builder) resolveEntries() {
	if b.f.Initial.Set() {
		b.m.Initial = b.stateRef(b.f.Initial, "initial")
	} else if len(b.m.States) > 0 {
		b.errorf(diag.Pos{File: b.f.Name, Line: 1, Col: 1}, "missing required key %q: the state a new machine starts in", "initial")
	}
	if b.m.Initial != nil {
		b.m.Initial.Initial, b.m.Initial.Entry = true, true
		b.m.ByOrd = append(b.m.ByOrd, b.m.Initial)
		for _, s := range b.m.States {
			if !s.Initial {
				s.Ord = len(b.m.ByOrd)
				b.m.ByOrd = append(b.m.ByOrd, s)
			}
		}
	}
	for _, r := range b.f.Entry {
		s := b.stateRef(r, "entry")
		if s == nil {
			continue
		}
		if s.Entry {
			b.errorf(r.Pos, "entry: state %q is already an entry state", s.Name)
		}
		s.Entry = true
	}
	for _, s := range b.m.States {
		if s.Entry {
			b.m.Entries = append(b.m.Entries, s)
		}
	}
}

type move struct {
	to          *State // nil with forbid
	machineWide bool
}

func (b *builder) resolveTransitions() {
	wide := map[*Event]*State{}
	for _, t := range b.f.Transitions {
		ev := b.eventRef(t.Event)
		if t.Forbid {
			b.errorf(t.Target.Pos, "a machine-wide transition needs a target state")
			continue
		}
		to := b.stateRef(t.Target, fmt.Sprintf("transition on %q", t.Event.Value))
		if ev != nil && to != nil {
			wide[ev] = to
		}
	}
	for _, ss := range b.f.States {
		st := b.states[ss.Name.Value]
		if st == nil {
			continue
		}
		own := map[*Event]move{}
		for _, t := range ss.Transitions {
			ev := b.eventRef(t.Event)
			if ev == nil {
				continue
			}
			if st.Final {
				b.errorf(t.Event.Pos, "state %q is final: no transition may leave it; remove the one on %q", st.Name, ev.Name)
				continue
			}
			if t.Forbid {
				if wide[ev] == nil {
					b.errorf(t.Target.Pos, "null forbids a machine-wide transition, but there is none on %q", ev.Name)
				}
				own[ev] = move{}
				continue
			}
			if to := b.stateRef(t.Target, fmt.Sprintf("transition on %q", ev.Name)); to != nil {
				own[ev] = move{to: to}
			}
		}
		st.Targets = make([]*State, len(b.m.Events))
		for _, ev := range b.m.Events {
			mv, ok := own[ev]
			if !ok && wide[ev] != nil && !st.Final {
				mv = move{to: wide[ev], machineWide: true}
			}
			if mv.to == nil {
				continue
			}
			t := &Transition{From: st, Event: ev, To: mv.to, MachineWide: mv.machineWide}
			st.Out = append(st.Out, t)
			st.Targets[ev.Index] = mv.to
			b.m.Transitions = append(b.m.Transitions, t)
		}
	}
}

func (b *builder) checkReachable() {
	if len(b.m.Entries) == 0 {
		return
	}
	seen := make([]bool, len(b.m.States))
	queue := slices.Clone(b.m.Entries)
	for _, s := range queue {
		seen[s.Index] = true
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, t := range s.Out {
			if !seen[t.To.Index] {
				seen[t.To.Index] = true
				queue = append(queue, t.To)
			}
		}
	}
	for _, s := range b.m.States {
		if !seen[s.Index] {
			b.errorf(s.Pos, "state %q is unreachable from the entry states (%s)", s.Name, strings.Join(stateNames(b.m.Entries), ", "))
		}
	}
}

// checkFinalsReachable reports, when the machine has final states, every
// state from which no sequence of events leads to one: a state with no way
// out, or a group of states whose transitions only lead among themselves.
// A machine that can get stuck there never finishes.
func (b *builder) checkFinalsReachable() {
	finals := b.m.Finals
	if len(finals) == 0 {
		return
	}
	into := make([][]*State, len(b.m.States)) // reversed edges
	for _, t := range b.m.Transitions {
		into[t.To.Index] = append(into[t.To.Index], t.From)
	}
	done := make([]bool, len(b.m.States))
	queue := slices.Clone(finals)
	for _, s := range queue {
		done[s.Index] = true
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, from := range into[s.Index] {
			if !done[from.Index] {
				done[from.Index] = true
				queue = append(queue, from)
			}
		}
	}
	names := strings.Join(stateNames(finals), ", ")
	for _, s := range b.m.States {
		if done[s.Index] {
			continue
		}
		if len(s.Out) == 0 {
			b.errorf(s.Pos, "state %q cannot reach a final state (%s): no transition leaves it; add one, or mark it final", s.Name, names)
			continue
		}
		var to []*State
		for _, t := range s.Out {
			if !slices.Contains(to, t.To) {
				to = append(to, t.To)
			}
		}
		slices.SortFunc(to, func(a, c *State) int { return a.Index - c.Index })
		b.errorf(s.Pos, "state %q cannot reach a final state (%s): its transitions lead only to %s, from which none is reachable either", s.Name, names, strings.Join(stateNames(to), ", "))
	}
}

func (b *builder) checkEventsUsed() {
	if len(b.errs) > 0 {
		return
	}
	used := make([]bool, len(b.m.Events))
	for _, t := range b.m.Transitions {
		used[t.Event.Index] = true
	}
	for _, e := range b.m.Events {
		if !used[e.Index] {
			b.errorf(e.Pos, "event %q is used by no transition", e.Name)
		}
	}
}

func (b *builder) buildSQL() {
	s := b.f.SQL
	if s == nil {
		return
	}
	q := &SQL{Pos: s.Pos, Enum: s.Enum.Value, Format: "goose", Versions: "sequential"}
	b.sqlName("enum", s.Enum, s.Pos)
	if len(s.Columns) > 0 || s.ColumnsPos.Line != 0 {
		for _, k := range []spec.Str{s.Table, s.Column, s.Default} {
			if k.Set() {
				b.errorf(k.Pos, "sql: give either table, column and default, or columns, not both")
			}
		}
		if len(s.Columns) == 0 {
			b.errorf(s.ColumnsPos, "sql columns must list at least one column")
		}
		for _, c := range s.Columns {
			q.Columns = append(q.Columns, b.sqlColumn(c))
		}
	} else {
		q.Columns = []*Column{b.sqlColumn(spec.Column{Pos: s.Pos, Table: s.Table, Column: s.Column, Default: s.Default})}
	}
	for i, c := range q.Columns {
		for _, o := range q.Columns[:i] {
			if c.Table == o.Table && c.Column == o.Column && c.Column != "" {
				b.errorf(c.Pos, "sql column %s is listed twice (first at line %d)", c.Name(), o.Pos.Line)
			}
		}
	}
	if len(s.Dialects) == 0 {
		b.errorf(s.Pos, "sql: dialects must list at least one of %s", strings.Join(Dialects, ", "))
	}
	for _, d := range s.Dialects {
		switch {
		case !slices.Contains(Dialects, d.Value):
			b.errorf(d.Pos, "unknown sql dialect %q%s; fsmgen knows %s", d.Value, diag.DidYouMean(d.Value, Dialects), strings.Join(Dialects, ", "))
		case slices.Contains(q.Dialects, d.Value):
			b.errorf(d.Pos, "sql dialect %q listed twice", d.Value)
		default:
			q.Dialects = append(q.Dialects, d.Value)
		}
	}
	slices.SortFunc(q.Dialects, func(a, c string) int { return slices.Index(Dialects, a) - slices.Index(Dialects, c) })
	view := dialect.SpecView{Enum: q.Enum, Another: derivedName(q.Enum, "_state")}
	if s.Enum.Set() {
		view.EnumPos = s.Enum.Pos
	}
	for _, st := range b.m.States {
		view.States = append(view.States, dialect.SpecState{Name: st.Name, Value: st.Value, Pos: st.Pos})
	}
	for _, c := range q.Columns {
		view.Tables = append(view.Tables, c.Table)
	}
	view.EnforcePos = s.Enforce.Pos
	view.AdoptPos = s.AdoptPos
	refused := map[string]bool{}
	for _, d := range s.Dialects {
		if slices.Contains(q.Dialects, d.Value) && !refused[d.Value] {
			refused[d.Value] = true
			view.Pos = d.Pos
			dialects.For(d.Value).Refuse(view, b.errorf)
		}
	}
	if v := s.Format; v.Set() {
		q.Format = b.oneOf(v, "sql format", "goose", "golang-migrate")
		if why := FormatClash(q.Format, q.Dialects); why != "" {
			b.errorf(v.Pos, "%s", why)
		}
	}
	if v := s.Versions; v.Set() {
		q.Versions = b.oneOf(v, "sql versions", "sequential", "timestamp")
	}
	if s.AdoptPos.Line != 0 {
		q.AdoptPos = s.AdoptPos
		if len(s.Adopt) == 0 {
			b.errorf(s.AdoptPos, "sql adopt must list the labels the existing columns hold, in database order")
		}
		for i, l := range s.Adopt {
			if slices.ContainsFunc(s.Adopt[:i], func(o spec.Str) bool { return o.Value == l.Value }) {
				b.errorf(l.Pos, "sql adopt lists %q twice", l.Value)
			}
			q.Adopt = append(q.Adopt, l.Value)
		}
	}
	q.Compact = s.Compact.Value
	b.m.SQL = q
	q.Store = b.buildStore(s, q.Columns)
}

// FormatClash says why a migration format set explicitly cannot be, with
// a dialect that writes its files in another for its own runner; "" when
// it can.
func FormatClash(format string, names []string) string {
	for _, n := range names {
		if f := dialects.For(n).Format(format); f != format {
			return fmt.Sprintf("migration format %s: %s writes its migrations in %s's file names, for its own runner (docs/%s.md), and %s cannot apply them; set %s or leave the format out", format, n, f, n, format, f)
		}
	}
	return ""
}

// buildStore validates the keys of the generated store. They all hang on
// the row's key, so none means anything without sql.key.
func (b *builder) buildStore(s *spec.SQL, columns []*Column) *Store {
	if !s.Key.Set() {
		for _, v := range []struct {
			key string
			v   spec.Str
		}{{"version", s.Version}, {"version_kind", s.VersionKind}, {"history", s.History}, {"enforce", s.Enforce}} {
			if v.v.Set() {
				b.errorf(v.v.Pos, "sql %s needs sql key: the column that identifies a row", v.key)
			}
		}
		if s.FieldsPos.Line != 0 {
			b.errorf(s.FieldsPos, "sql fields needs sql key: the column that identifies a row")
		}
		for _, d := range s.Drivers {
			b.errorf(d.Pos, "sql drivers needs sql key: the column that identifies a row")
		}
		if f := s.FireFunction; f.Value {
			b.errorf(f.Pos, "sql fire_function needs sql key: the column that identifies a row")
		}
		return nil
	}
	// The Store, the triggers and the history follow one column; with
	// several, writes to the others would pass unchecked and unrecorded.
	if len(columns) > 1 {
		var at []string
		for _, c := range columns {
			at = append(at, fmt.Sprintf("%s (line %d)", c.Name(), c.Pos.Line))
		}
		b.errorf(s.Key.Pos, "sql key works with one state column, but sql columns lists %d: %s; the Store, enforce and history would cover only the first, so bind the enum to that column alone", len(columns), strings.Join(at, ", "))
	}
	table, column := columns[0].Table, columns[0].Column
	st := &Store{Table: table, Column: column, Key: s.Key.Value, Version: s.Version.Value, History: s.History.Value}
	for _, id := range []struct {
		key string
		v   spec.Str
	}{{"key", s.Key}, {"version", s.Version}, {"history", s.History}} {
		if id.v.Set() {
			b.sqlName(id.key, id.v, s.Pos)
		}
	}
	if st.Key == column {
		b.errorf(s.Key.Pos, "sql key %q is the state column; name the column that identifies a row", st.Key)
	}
	if st.Version == column {
		b.errorf(s.Version.Pos, "sql version %q is the state column; name a column of its own", st.Version)
	}
	if st.Version != "" && st.Version == st.Key {
		b.errorf(s.Version.Pos, "sql version %q is also the key", st.Version)
	}
	if v := s.VersionKind; v.Set() {
		if !s.Version.Set() {
			b.errorf(v.Pos, "sql version_kind needs sql version: the column it describes")
		}
		st.Token = b.oneOf(v, "sql version_kind", "counter", "token") == "token"
	}
	if st.History != "" {
		switch {
		case st.History == table:
			b.errorf(s.History.Pos, "sql history %q is the state's own table; name a new table", st.History)
		case slices.Contains(runnerTables, strings.ToLower(st.History)):
			b.errorf(s.History.Pos, "sql history %q is the table goose or golang-migrate keeps its versions in; name a new table", st.History)
		case strings.EqualFold(st.History, s.Enum.Value):
			b.errorf(s.History.Pos, "sql history %q is the enum's name, which on PostgreSQL the table's row type would take; name a new table", st.History)
		}
		if slices.Contains(HistoryColumns, st.Key) {
			b.errorf(s.Key.Pos, "sql key %q is also the name of a history column (%s); with sql history the key needs another name", st.Key, strings.Join(HistoryColumns, ", "))
		}
	}
	if v := s.Enforce; v.Set() {
		st.Enforce = b.oneOf(v, "sql enforce", "transitions") == "transitions"
	}
	b.buildFields(s, st)
	for _, d := range s.Drivers {
		switch b.oneOf(d, "sql driver", "database/sql", "pgx") {
		case "pgx":
			if _, ok := dialects.DrivenBy("pgx", b.m.SQL.Dialects); !ok {
				b.errorf(d.Pos, "sql driver pgx needs postgres among the sql dialects")
			}
			st.Pgx = true
		}
	}
	if f := s.FireFunction; f.Value {
		st.FireFunction = true
		var with []string
		for _, d := range dialects.All() {
			if _, ok := d.(dialect.FireFunctioner); ok {
				with = append(with, d.Name())
			}
		}
		if !slices.ContainsFunc(b.m.SQL.Dialects, func(n string) bool { return slices.Contains(with, n) }) {
			b.errorf(f.Pos, "sql fire_function needs %s among the sql dialects: the others move a row and append its history in one statement already", strings.Join(with, " or "))
		}
	}
	return st
}

// runnerTables are the tables goose and golang-migrate keep their versions
// in by default: a history table of that name would collide with them
// (MySQL's CREATE TABLE IF NOT EXISTS would silently take theirs).
var runnerTables = []string{"goose_db_version", "schema_migrations"}

// validName reports whether s may name a state, an event or an identifier
// fsmgen writes into SQL.
func validName(s string) bool { return nameRE.MatchString(s) && len(s) <= MaxNameLen }

// sqlName checks an identifier fsmgen writes into SQL.
func (b *builder) sqlName(key string, v spec.Str, section diag.Pos) {
	switch {
	case !v.Set():
		b.errorf(section, "sql: missing required key %q", key)
	case !validName(v.Value):
		b.errorf(v.Pos, "sql %s %q must match [a-z][a-z0-9_]* and be at most %d bytes", key, v.Value, MaxNameLen)
	}
}

func (b *builder) sqlColumn(c spec.Column) *Column {
	b.sqlName("table", c.Table, c.Pos)
	b.sqlName("column", c.Column, c.Pos)
	col := &Column{Table: c.Table.Value, Column: c.Column.Value, Nullable: c.Nullable.Value, Pos: c.Pos, DefaultPos: c.Pos}
	switch {
	case c.Default.Set():
		col.Default = b.stateRef(c.Default, "sql default")
		col.DefaultPos = c.Default.Pos
	case !col.Nullable:
		col.Default = b.m.Initial
	}
	return col
}

func (b *builder) oneOf(v spec.Str, what string, allowed ...string) string {
	if !slices.Contains(allowed, v.Value) {
		b.errorf(v.Pos, "%s must be one of %s, not %q%s", what, strings.Join(allowed, ", "), v.Value, diag.DidYouMean(v.Value, allowed))
	}
	return v.Value
}

// checkDocs keeps docs to text that can sit in a Go comment and read the
// same in every editor: escapes such as "\0" in a quoted YAML string would
// otherwise put bytes Go rejects (NUL, a BOM) or that make a comment look
// unlike what it is (bidirectional overrides, "Trojan Source") into
// generated code.
func (b *builder) checkDocs() {
	docs := []spec.Str{b.f.Doc}
	for _, t := range b.f.Tags {
		docs = append(docs, t.Doc)
	}
	for _, s := range b.f.States {
		docs = append(docs, s.Doc)
	}
	for _, e := range b.f.Events {
		docs = append(docs, e.Doc)
	}
	for _, r := range b.f.Removed {
		docs = append(docs, r.Doc)
	}
	for _, d := range docs {
		for _, r := range d.Value {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f || r == 0xfeff || r == utf8.RuneError ||
				r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c {
				b.errorf(d.Pos, "doc contains %U, which is not allowed in generated comments; remove it", r)
				break
			}
		}
	}
}

// value returns the stored spelling of the state or event named name.
func (b *builder) value(what string, name, v spec.Str) string {
	if !v.Set() {
		return name.Value
	}
	b.checkSpelling(what+" value", v)
	return v.Value
}

func (b *builder) aliases(what string, as []spec.Str) []string {
	var out []string
	for _, a := range as {
		b.checkSpelling(what+" alias", a)
		out = append(out, a.Value)
	}
	return out
}

// checkSpelling keeps a value or alias to text that every output can carry
// and every reader sees as it is: a PostgreSQL enum label (at most 63
// bytes), one line, no invisible or reordering characters, and one
// normalization form, so that two spellings that look the same are the
// same bytes.
func (b *builder) checkSpelling(what string, v spec.Str) {
	s := v.Value
	switch {
	case s == "":
		b.errorf(v.Pos, "%s is empty", what)
		return
	case !utf8.ValidString(s):
		b.errorf(v.Pos, "%s %q is not valid UTF-8", what, s)
		return
	case len(s) > MaxNameLen:
		b.errorf(v.Pos, "%s %q is %d bytes; the limit is %d (PostgreSQL's for enum labels)", what, s, len(s), MaxNameLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			b.errorf(v.Pos, "%s %q contains %U, a control, format or line-break character; remove it", what, s, r)
			return
		}
	}
	if strings.TrimSpace(s) != s {
		// MySQL strips trailing spaces from ENUM labels, and its PAD SPACE
		// collations compare "a" and "a " equal.
		b.errorf(v.Pos, "%s %q starts or ends with white space; remove it", what, s)
	}
	if !norm.NFC.IsNormalString(s) {
		b.errorf(v.Pos, "%s %+q is not in Unicode normalization form NFC; write it as %+q", what, s, norm.NFC.String(s))
	}
}

// spelling is one text that parses to a state or an event.
type spelling struct {
	text, kind, owner string
	pos               diag.Pos
}

// checkSpellings makes every text that parses to a state (its value,
// aliases and former name) name one state only, and likewise for events:
// a generated Parse could not tell two owners of one text apart.
func (b *builder) checkSpellings() {
	var states, events []spelling
	for _, s := range b.f.States {
		if b.states[s.Name.Value] == nil {
			continue
		}
		states = append(states, spellingsOf(s.Name, s.Value, s.Aliases)...)
		// declareRemoved has reported former names that are no name, or
		// a current state's.
		if r := s.RenamedFrom; r.Set() && validName(r.Value) && b.states[r.Value] == nil && r.Value != s.Name.Value {
			states = append(states, spelling{r.Value, "former name", s.Name.Value, r.Pos})
		}
	}
	for _, e := range b.f.Events {
		if b.events[e.Name.Value] != nil {
			events = append(events, spellingsOf(e.Name, e.Value, e.Aliases)...)
		}
	}
	b.uniqueSpellings("state", states)
	b.uniqueSpellings("event", events)
}

func spellingsOf(name, value spec.Str, aliases []spec.Str) []spelling {
	v := spelling{name.Value, "value", name.Value, name.Pos}
	if value.Set() {
		v.text, v.pos = value.Value, value.Pos
	}
	out := []spelling{v}
	for _, a := range aliases {
		out = append(out, spelling{a.Value, "alias", name.Value, a.Pos})
	}
	return out
}

func (b *builder) uniqueSpellings(what string, sp []spelling) {
	seen := map[string]spelling{}
	for _, s := range sp {
		prev, dup := seen[s.text]
		switch {
		case s.text == "", dup && prev.kind == "former name" && s.kind == "former name":
			// Reported by checkSpelling and declareRemoved.
		case !dup:
			seen[s.text] = s
		case prev.owner == s.owner && s.kind == "former name":
			// The key was renamed and the stored spelling kept.
		case prev.owner == s.owner:
			b.errorf(s.pos, "%s %q lists %q twice (its %s and an alias)", what, s.owner, s.text, prev.kind)
		default:
			b.errorf(s.pos, "%s %q %s %q is already the %s of %s %q (line %d); each spelling must name one %s", what, s.owner, s.kind, s.text, prev.kind, what, prev.owner, prev.pos.Line, what)
		}
	}
}

// whyNot names the first character that keeps s from being a valid name.
// Look-alike letters (Cyrillic "о" for "o") and quotes are invisible or
// easy to miss in a quoted name, so the message spells out the code point.
func whyNot(s string) string {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_'):
		case i == 0 && (r >= '0' && r <= '9' || r == '_'):
			return fmt.Sprintf(": it must start with a lower-case letter, not %q", r)
		default:
			return fmt.Sprintf(": %q (%U) is not allowed", r, r)
		}
	}
	return ""
}

// Camel converts a snake_case name to the CamelCase used in Go identifiers,
// spelling initialisms the way Go code does: awaiting_http_response becomes
// AwaitingHTTPResponse, json_error JSONError, ids IDs.
func Camel(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		switch {
		case part == "":
		case initialisms[strings.ToUpper(part)]:
			b.WriteString(strings.ToUpper(part))
		case len(part) > 2 && part[len(part)-1] == 's' && initialisms[strings.ToUpper(part[:len(part)-1])]:
			b.WriteString(strings.ToUpper(part[:len(part)-1]) + "s")
		default:
			b.WriteString(strings.ToUpper(part[:1]))
			b.WriteString(part[1:])
		}
	}
	return b.String()
}

// initialisms are the words Go writes in one case, as listed by staticcheck's
// ST1003 (its default "initialisms" setting), which make test runs on the
// generated code.
var initialisms = map[string]bool{
	"ACL": true, "AMQP": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DB": true, "DNS": true,
	"EOF": true, "GID": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true,
	"JSON": true, "QPS": true, "RAM": true, "RPC": true, "RTP": true, "SIP": true, "SLA": true, "SMTP": true,
	"SQL": true, "SSH": true, "TCP": true, "TLS": true, "TS": true, "TTL": true, "UDP": true, "UI": true,
	"UID": true, "URI": true, "URL": true, "UTF8": true, "UUID": true, "VM": true, "XML": true, "XMPP": true,
	"XSRF": true, "XSS": true,
}

func stateNames(xs []*State) []string { return keys(xs, func(s *State) string { return s.Name }) }

func keys[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}
