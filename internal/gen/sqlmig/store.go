package sqlmig

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/store"
	"github.com/fsmgen/fsmgen/internal/model"
)

// storeRecord records the database objects of the generated store that
// migrations created: the history table and the enforcement triggers with
// the moves they allow, so that a change of the transitions alone is a
// migration too, whose Down restores the triggers it replaced.
type storeRecord struct {
	Key     string         `json:"key"`
	History string         `json:"history,omitempty"`
	Enforce *enforceRecord `json:"enforce,omitempty"`
	Fields  []fieldRecord  `json:"fields,omitempty"`
	// HistoryColumns are the history table's columns besides its own:
	// copied fields and notes. Like a field's, a column the spec drops
	// stays, retired.
	HistoryColumns []fieldRecord `json:"history_columns,omitempty"`
	// Function is the function Fire calls (sql.fire_function), as the
	// dialect created it: its Down creates it again.
	Function *functionRecord `json:"function,omitempty"`
}

type functionRecord struct {
	Name   string `json:"name"`
	Create string `json:"create"`
	Drop   string `json:"drop"`
}

// function returns l's function; nil for none.
func (l *storeRecord) function() *functionRecord {
	if l == nil {
		return nil
	}
	return l.Function
}

func (f *functionRecord) name() string {
	if f == nil {
		return ""
	}
	return f.Name
}

// fieldRecord is a field whose column the migrations added, or took over
// (Adopt).
type fieldRecord struct {
	Name     string         `json:"name"`
	Type     string         `json:"type"`
	Nullable bool           `json:"nullable,omitempty"`
	Default  *dialect.Value `json:"default,omitempty"` // nil: NULL
	Adopt    bool           `json:"adopt,omitempty"`
	// Deadline: the column holds a timeout's deadlines, which moves
	// write; a Down drops it whatever it holds.
	Deadline bool `json:"deadline,omitempty"`
	// States are a deadline's states, the rows of which have one; nil in
	// a history written before they were recorded.
	States []string `json:"states,omitempty"`
	// Index names the index by which a sweep finds the due rows, once a
	// migration built it.
	Index string `json:"index,omitempty"`
	// AfterUS is a deadline's default timeout in microseconds, which a
	// Down that brings its deadlines back starts them with.
	AfterUS int64 `json:"after_us,omitempty"`
	// Retired: the spec no longer lists it. Its column stays, with the
	// values rows hold: fsmgen drops a field's column only in the Down of
	// the migration that added it. A timeout's deadline is the exception:
	// its column went with the timeout.
	Retired bool `json:"retired,omitempty"`
}

func fieldRecordOf(f *model.Field) fieldRecord {
	l := fieldRecord{Name: f.Name, Type: f.Type, Nullable: f.Nullable, Adopt: f.Adopt, Deadline: f.Deadline != nil}
	if g := f.Deadline; g != nil {
		for _, s := range g.States {
			l.States = append(l.States, s.Value)
		}
		l.AfterUS = g.After.Microseconds()
	}
	if !f.Default.Null {
		v := f.Default
		l.Default = &v
	}
	return l
}

func (l fieldRecord) field() dialect.Field {
	f := dialect.Field{Name: l.Name, Type: l.Type, Default: dialect.Value{Null: true}}
	if l.Default != nil {
		f.Default = *l.Default
	}
	if l.Deadline {
		// A migration names no timeout's parameter: any Timeout above
		// 0 says the column holds deadlines.
		f.Timeout = 1
	}
	return f
}

type enforceRecord struct {
	Moves   [][2]string `json:"moves"` // (from, to), from != to, by state order
	Entries []string    `json:"entries"`
	// Form is the triggers' form (the dialect's EnforceForm when written
	// by this fsmgen); 0 in a history written before forms were recorded.
	Form int `json:"form,omitempty"`
}

// bypassForm is the first form of the triggers that only a privileged role
// can bypass (dialect.Enforcer's EnforceForm).
const bypassForm = 2

// storeRecordOf is what the history records of m's store, its triggers
// written in form.
func storeRecordOf(m *model.Machine, form int) *storeRecord {
	st := m.SQL.Store
	if st == nil || (st.History == "" && !st.Enforce && len(st.Fields) == 0 && !st.FireFunction) {
		return nil
	}
	l := &storeRecord{Key: st.Key, History: st.History}
	for _, f := range st.HistoryFields {
		l.HistoryColumns = append(l.HistoryColumns, fieldRecord{Name: f.Name, Type: f.Type, Nullable: true})
	}
	for _, n := range st.HistoryNotes {
		l.HistoryColumns = append(l.HistoryColumns, fieldRecord{Name: n.Name, Type: "text", Nullable: true})
	}
	for _, f := range st.Fields {
		fl := fieldRecordOf(f)
		if fl.Deadline {
			fl.Index = store.DueIndex(store.Table(m), f.Name)
		}
		l.Fields = append(l.Fields, fl)
	}
	if st.Enforce {
		e := &enforceRecord{Form: form}
		for _, s := range m.States {
			for _, t := range s.Out {
				mv := [2]string{s.Value, t.To.Value}
				if t.To != s && !slices.Contains(e.Moves, mv) {
					e.Moves = append(e.Moves, mv)
				}
			}
		}
		for _, s := range m.Entries {
			e.Entries = append(e.Entries, s.Value)
		}
		l.Enforce = e
	}
	return l
}

// checkStore refuses changes to the history table that would lose rows,
// and to a field's column, which the migrations added as it was.
func checkStore(m *model.Machine, prev *storeRecord, hp string) error {
	if prev == nil {
		return nil
	}
	var errs diag.List
	if st := m.SQL.Store; st != nil {
		for _, f := range st.Fields {
			i := slices.IndexFunc(prev.Fields, func(l fieldRecord) bool { return l.Name == f.Name })
			if i < 0 {
				continue
			}
			was, now := prev.Fields[i], fieldRecordOf(f)
			// A deadline's states, index and timeout change by migration.
			was.Retired, was.States, was.Index, was.AfterUS = false, now.States, "", now.AfterUS
			if !reflect.DeepEqual(was, now) {
				errs.Add(f.Pos, "sql field %q was %s in the migration history (%s) and is %s now; a field's type, nullable, default and adopt cannot change: add a field of another name", f.Name, was.describe(), hp, now.describe())
			}
		}
	}
	if next := storeRecordOf(m, 0); next != nil {
		for _, now := range next.HistoryColumns {
			i := slices.IndexFunc(prev.HistoryColumns, func(l fieldRecord) bool { return l.Name == now.Name })
			if i >= 0 && prev.HistoryColumns[i].Type != now.Type {
				errs.Add(m.SQL.Pos, "history column %q was of type %s in the migration history (%s) and is %s now; a history column's type cannot change: record it under another name", now.Name, prev.HistoryColumns[i].Type, hp, now.Type)
			}
		}
	}
	if prev.History == "" {
		return errs.Err()
	}
	var now string
	if st := m.SQL.Store; st != nil {
		now = st.History
	}
	if now != prev.History {
		errs.Add(m.SQL.Pos, "sql history is %q but the migration history (%s) created the table %q; a migration dropping it would lose every recorded move: keep history: %s", now, hp, prev.History, prev.History)
	} else if m.SQL.Store.Key != prev.Key {
		errs.Add(m.SQL.Pos, "sql key is %q but the history table %q records keys of %q; keep key: %s", m.SQL.Store.Key, prev.History, prev.Key, prev.Key)
	}
	return errs.Err()
}

// describe says what the history records of the field, as a spec writes it.
func (l fieldRecord) describe() string {
	s := "{type: " + l.Type
	if l.Nullable {
		s += ", nullable: true"
	}
	if v := l.Default; v != nil {
		s += ", default: "
		switch l.Type {
		case "int":
			s += strconv.FormatInt(v.Int, 10)
		case "bool":
			s += strconv.FormatBool(v.Bool)
		default:
			s += strconv.Quote(v.Text)
		}
	}
	if l.Adopt {
		s += ", adopt: true"
	}
	return s + "}"
}

// retire keeps in next the fields prev records that the spec no longer
// lists, marked retired: their columns stay.
func retire(next, prev *storeRecord) *storeRecord {
	if prev == nil {
		return next
	}
	if next == nil {
		next = &storeRecord{Key: prev.Key}
	}
	next.Fields = withRetired(next.Fields, prev.Fields)
	next.HistoryColumns = withRetired(next.HistoryColumns, prev.HistoryColumns)
	if next.History == "" && next.Enforce == nil && next.Function == nil && len(next.Fields)+len(next.HistoryColumns) == 0 {
		return nil
	}
	return next
}

// withRetired appends to next the columns of prev it lacks, retired.
func withRetired(next, prev []fieldRecord) []fieldRecord {
	for _, l := range prev {
		if !slices.ContainsFunc(next, func(n fieldRecord) bool { return n.Name == l.Name }) {
			l.Retired = true
			next = append(next, l)
		}
	}
	return next
}

// enforcement is the rules l records, Outdated when its triggers are in an
// older form than form, the one the dialect writes now.
func enforcement(q *model.SQL, l *storeRecord, form int) *dialect.Enforcement {
	if l == nil || l.Enforce == nil {
		return nil
	}
	e := &dialect.Enforcement{
		Table: q.Columns[0].Table, Key: l.Key, Column: q.Columns[0].Column, Enum: q.Enum,
		Trigger: enforceName(q.Enum),
		Entries: l.Enforce.Entries, Outdated: l.Enforce.Form < form,
	}
	for _, mv := range l.Enforce.Moves {
		e.Moves = append(e.Moves, dialect.Arc{From: mv[0], To: mv[1]})
	}
	return e
}

// enforceName is what the enforcement triggers of enum and their
// function are named, or start with.
func enforceName(enum string) string {
	return cutName(enum+"_enforce", dialect.EnforceSuffixLen)
}

// cutName shortens base so that a suffix of room bytes still fits the
// identifier limit every dialect accepts.
func cutName(base string, room int) string {
	if n := model.MaxNameLen - room; len(base) > n {
		return base[:n]
	}
	return base
}

// statesGuard is a dialect whose states triggers an enforced column does
// without (MySQL's GuardStates).
type statesGuard interface {
	GuardStates(c dialect.PlanColumn, labels []string) (create, drop []string)
}

// states are the labels of m's states.
func states(m *model.Machine) []string {
	out := make([]string, len(m.States))
	for i, s := range m.States {
		out[i] = s.Value
	}
	return out
}

// withStore adds to mig (nil: no enum change) what the store's database
// objects need to go from prev to what the spec asks: the history table,
// created once, the enforcement triggers, replaced whenever the moves
// they allow change, and the fields' columns. It returns the migrations
// in their order: mig, or none when neither the enum nor the store
// changes, and around it those that must run alone. values returns the
// statements that write the columns' value triggers anew, where the
// dialect keeps the labels with triggers: a migration that replaces the
// enforcement triggers by a new form of them (harden) replaces these too.
func withStore(mig *migration, m *model.Machine, name string, prev *storeRecord, fwd *step, values func() []string) []*migration {
	return storeMigrations(mig, m, name, prev, storeRecordIn(m, name), fwd, values)
}

// storeRecordIn is what the history records of m's store in dialect name.
func storeRecordIn(m *model.Machine, name string) *storeRecord {
	d := dialects.For(name)
	l := storeRecordOf(m, d.EnforceForm())
	if f, ok := d.(dialect.FireFunctioner); ok && l != nil && m.SQL.Store.FireFunction {
		fn, create, drop := f.FireFunction(store.Table(m), store.FireBase(m))
		l.Function = &functionRecord{Name: fn, Create: create, Drop: drop}
	}
	return l
}

func storeMigrations(mig *migration, m *model.Machine, name string, prev, next *storeRecord, fwd *step, values func() []string) []*migration {
	d := dialects.For(name)
	oldE, newE := enforcement(m.SQL, prev, d.EnforceForm()), enforcement(m.SQL, next, d.EnforceForm())
	// A new order of the states reorders the moves, which the triggers
	// allow all the same.
	sameEnforce := (oldE == nil) == (newE == nil) && (oldE == nil || (sameSet(oldE.Moves, newE.Moves) && sameSet(oldE.Entries, newE.Entries)))
	harden := sameEnforce && newE != nil && oldE.Outdated
	newHistory := next != nil && next.History != "" && (prev == nil || prev.History == "")
	// Without mig, the store's changes follow an enum change (fwd) in a
	// migration of their own.
	var held func([]string) []string
	if fwd != nil {
		held = fwd.held
	}
	fields := changedFields(m, d, prev, next, held, mig == nil && fwd != nil)
	if mig != nil && (fields.batch && mig.noTx == "" || mig.cut() && !fields.empty()) {
		// The enum's migration runs in one transaction (a creation, a
		// compaction), and the deadlines commit batch by batch; or the
		// dialect cut it into files whose up and Down pair one to one,
		// which the fields' statements among them would break. The
		// fields change in a migration of their own after it.
		mid := &storeRecord{}
		if next != nil {
			*mid = *next
		}
		mid.Fields, mid.Function = nil, prev.function()
		if prev != nil {
			mid.Fields = prev.Fields
		}
		return append(storeMigrations(mig, m, name, prev, mid, fwd, values), storeMigrations(nil, m, name, mid, next, fwd, values)...)
	}
	oldF, newF := prev.function(), next.function()
	sameFunction := oldF.name() == newF.name()
	if sameEnforce && !harden && !newHistory && fields.empty() && sameFunction && mig == nil {
		return nil
	}
	enumChange := mig != nil
	if mig == nil {
		mig = &migration{noTx: noTx(name)}
		// The triggers' DDL queues for a lock on the table like any
		// ALTER: bound the wait the same way.
		var session []stmt
		for _, text := range strings.Split(d.MigrationSession(), "\n\n") {
			if text != "" {
				session = append(session, stmt{Text: text})
			}
		}
		mig.up, mig.down = session, slices.Clone(session)
	}
	if fields.batch {
		mig.noTx = batchNoTx
	}
	var words, parts []string
	var histUp, histGuard, histDown []string
	if newHistory {
		t := store.Table(m)
		histUp = d.CreateHistory(t)
		histGuard, histDown = d.DropHistory(t)
		words = append(words, "create history table "+t.History)
		parts = append(parts, "create_"+t.History)
	}
	histUp = append(histUp, fields.histUp...)
	words, parts = append(words, fields.words...), append(parts, fields.parts...)
	// Enforcement is never off while a migration runs. An enum change
	// first widens the rules to what both ends allow, so that a writer
	// following either machine goes on, and narrows them to the target's
	// last; its own row moves (a removed state's, to rows_to) pass by the
	// bypass, in its own transactions. A change that only adds rules
	// needs only the widening, one that only takes rules away only the
	// narrowing, and one that keeps them neither: each restatement is a
	// copy of every rule in the file, and on MySQL two trigger swaps.
	// Triggers that start or stop are created last or dropped first.
	var upBefore, upAfter, downBefore, downAfter []string
	switch {
	case sameEnforce && !harden:
		// The triggers stay as they are; where sessions keep them
		// compiled against the type, a type replaced needs them compiled
		// again.
		if rc, ok := d.(dialect.Recompiler); ok && newE != nil && enumChange && fwd != nil && fwd.restate != nil {
			upAfter, downAfter = rc.Recompile(newE), rc.Recompile(oldE)
		}
	case enumChange && oldE != nil && newE != nil:
		w := oldE.Widened(newE)
		widens, narrows := !oldE.Allows(w), !newE.Allows(w)
		switch {
		case widens && narrows:
			upBefore, upAfter = d.Enforce(oldE, w), d.Enforce(w, newE)
			downBefore, downAfter = d.Enforce(newE, w), d.Enforce(w, oldE)
		case narrows:
			upAfter, downBefore = d.Enforce(oldE, newE), d.Enforce(newE, oldE)
		default: // widens, or hardens the same rules
			upBefore, downAfter = d.Enforce(oldE, newE), d.Enforce(newE, oldE)
		}
	case !enumChange && newE != nil:
		upAfter, downAfter = d.Enforce(oldE, newE), d.Enforce(newE, oldE)
	default:
		upBefore, upAfter = d.Enforce(oldE, nil), d.Enforce(nil, newE)
		downBefore, downAfter = d.Enforce(newE, nil), d.Enforce(nil, oldE)
	}
	if harden && !enumChange {
		// An enum change writes them itself, in the current form.
		upAfter = append(values(), upAfter...)
	}
	// A column the migration creates has no states triggers, and its
	// Down drops them with it.
	created := enumChange && fwd == nil && m.SQL.Adopt == nil
	if g, ok := d.(statesGuard); ok && !created {
		to := states(m)
		from := to
		if fwd != nil && enumChange {
			from = fwd.from
		}
		c := base(m.SQL, name, &step{cols: []colStep{{recordedColumn: specColumns(m.SQL)[0], first: true}}}).Cols[0]
		switch {
		case oldE == nil && newE != nil:
			create, drop := g.GuardStates(c, to)
			upAfter = append(upAfter, drop...)
			if enumChange {
				downBefore = append(create, downBefore...)
			} else {
				downAfter = append(create, downAfter...)
			}
		case oldE != nil && newE == nil:
			create, drop := g.GuardStates(c, from)
			upBefore = append(create, upBefore...)
			downAfter = append(downAfter, drop...)
		case oldE != nil && oldE.Outdated:
			// Triggers an older fsmgen wrote come with states triggers.
			_, drop := g.GuardStates(c, from)
			upBefore = append(upBefore, drop...)
		}
	}
	// The function reads and writes the columns and the history table
	// the statements before made: it comes last, and goes first.
	if !sameFunction {
		if newF != nil {
			upAfter, downBefore = append(upAfter, newF.Create), append([]string{newF.Drop}, downBefore...)
		}
		if oldF != nil {
			upAfter, downAfter = append(upAfter, oldF.Drop), append(downAfter, oldF.Create)
		}
		switch {
		case oldF == nil:
			words, parts = append(words, "create the function Fire calls"), append(parts, "fire_function")
		case newF == nil:
			words, parts = append(words, "drop the function Fire called"), append(parts, "drop_fire_function")
		default:
			words, parts = append(words, "replace the function Fire calls"), append(parts, "replace_fire_function")
		}
	}
	switch {
	case harden && prev.Enforce.Form < bypassForm:
		words, parts = append(words, "replace the triggers by ones only a privileged role can bypass"), append(parts, "harden_triggers")
	case harden:
		words, parts = append(words, "replace the triggers by ones of this fsmgen's form, with the same rules"), append(parts, "restate_triggers")
	case sameEnforce:
	case newE == nil:
		words, parts = append(words, "stop enforcing transitions"), append(parts, "unenforce")
	case oldE == nil:
		words, parts = append(words, "enforce transitions"), append(parts, "enforce")
	default:
		words, parts = append(words, "enforce the new transitions"), append(parts, "transitions")
	}
	if mig.slug == "" {
		mig.slug, mig.title = m.SQL.Enum+"_"+strings.Join(parts, "_"), m.SQL.Enum+": "+strings.Join(words, ", ")
	} else if len(words) > 0 {
		mig.title += ", " + strings.Join(words, ", ")
	}
	// Renamed states keep their history readable: the rows name the same
	// state by its new name. Nothing else in the history changes.
	var renUp, renDown []string
	if enumChange && fwd != nil && prev != nil && prev.History != "" && len(fwd.renames) > 0 {
		t := store.Table(m)
		var up, down []dialect.Arc
		for _, r := range fwd.renames {
			up, down = append(up, dialect.Arc{From: r.Old, To: r.New}), append(down, dialect.Arc{From: r.New, To: r.Old})
		}
		// Batches commit on their own only where the migration runs
		// outside a transaction.
		batch := mig.noTx != ""
		renUp, renDown = d.RenameInHistory(t, up, batch), d.RenameInHistory(t, down, batch)
	}
	// The session's lock timeouts come first: a trigger's or the history
	// table's DDL waits for the table's lock like any ALTER, and so does
	// the guard's read. The guard comes next: where DDL is not
	// transactional, a Down it stops must not have changed anything yet.
	upSession, up := cutSession(mig.up, d)
	up, renUp = withRowMoves(up, renUp)
	// Deadlines follow the states, once the state column holds the
	// labels each direction ends at.
	mig.up = concat(upSession, stmts(fields.up), stmts(upBefore), up, stmts(renUp), stmts(fields.upSync), stmts(histUp), stmts(upAfter))
	downSession, down := cutSession(mig.down, d)
	down, renDown = withRowMoves(down, renDown)
	mig.down = concat(downSession, stmts(histGuard), stmts(fields.guard), stmts(downBefore), stmts(histDown), stmts(fields.down), stmts(renDown), down, stmts(fields.downSync), stmts(downAfter))
	if !enumChange && len(words) == 0 {
		// Every change went in a migration of its own.
		return append(fields.before, fields.after...)
	}
	return append(append(fields.before, mig), fields.after...)
}

// withRowMoves puts moves, statements that move rows, in the file of a
// direction's rows where the dialect cut it into files (NextFile: schema,
// rows, schema), and returns what is left to place as the direction is not.
func withRowMoves(ss []stmt, moves []string) ([]stmt, []string) {
	seen := 0
	for i, st := range ss {
		if st.Text == dialect.NextFile {
			if seen++; seen == 2 {
				return concat(ss[:i], stmts(moves), ss[i:]), nil
			}
		}
	}
	return ss, moves
}

// cutSession splits off the statements that set the migration's session
// (d.MigrationSession) at the start of ss.
func cutSession(ss []stmt, d dialect.Dialect) (session, rest []stmt) {
	n := 0
	for _, text := range strings.Split(d.MigrationSession(), "\n\n") {
		if text == "" || n == len(ss) || strings.TrimSpace(ss[n].Text) != strings.TrimSpace(text) {
			break
		}
		n++
	}
	return ss[:n], ss[n:]
}

func stmts(texts []string) []stmt {
	out := make([]stmt, len(texts))
	for i, t := range texts {
		out[i] = stmt{Text: t, Block: strings.Count(t, ";") > 1}
	}
	return out
}

func concat(parts ...[]stmt) []stmt {
	var out []stmt
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
