// Package store emits a machine's Store: Fire and Move, which move a row
// of the state's table with one conditional statement, and append to its
// history. Only machines whose spec names sql.key get one.
//
// The statements come from internal/dialect, rendered once here and
// written into the package as string literals: nothing is built per call.
package store

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	. "github.com/dave/jennifer/jen"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/golang"
	"github.com/fsmgen/fsmgen/internal/model"
)

// Emit returns the store's file, or nothing when the machine has no store.
func Emit(m *model.Machine) (map[string][]byte, error) {
	if m.SQL == nil || m.SQL.Store == nil {
		return nil, nil
	}
	f := NewFile(m.Package)
	f.HeaderComment(golang.Header)
	declare(f, m)
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering the store of machine %s: %w", m.Name, err)
	}
	buf.WriteString(methods)
	if m.SQL.Store.Version != "" {
		buf.WriteString(versionMethods)
	}
	if len(m.Timeouts) > 0 {
		buf.WriteString(timeoutMethods)
	}
	files := map[string][]byte{m.Package + "/" + m.Package + "_store.go": buf.Bytes()}
	if m.SQL.Store.Pgx {
		b, err := emitPgx(m)
		if err != nil {
			return nil, err
		}
		files[m.Package+"/"+m.Package+"_store_pgx.go"] = b
	}
	if d, ok := dialects.DrivenBy("spanner", m.SQL.Dialects); ok {
		b, err := emitSpanner(m, d)
		if err != nil {
			return nil, err
		}
		files[m.Package+"/"+m.Package+"_store_spanner.go"] = b
	}
	return files, nil
}

// Table is the dialect's view of the machine's store.
func Table(m *model.Machine) dialect.Table {
	q := m.SQL
	s := q.Store
	t := dialect.Table{Name: s.Table, Key: s.Key, Column: s.Column, Enum: q.Enum, Version: s.Version, Token: s.Token, History: s.History}
	for _, f := range s.Fields {
		df := dialect.Field{Name: f.Name, Type: f.Type, Default: f.Default, Sets: map[string]dialect.Value{}}
		for _, st := range m.States {
			if v, ok := st.SetOf(f); ok {
				df.Sets[st.Value] = v
			}
		}
		if g := f.Deadline; g != nil {
			// A move into the group from outside starts the deadline, one
			// out of it ends it, one inside keeps it.
			df.Timeout, df.Arcs = g.Index+1, map[dialect.Arc]dialect.Value{}
			for _, tr := range m.Transitions {
				switch in := g.Has(tr.To); {
				case in && !g.Has(tr.From):
					df.Arcs[dialect.Arc{From: label(tr.From), To: label(tr.To)}] = dialect.Value{Later: true}
				case !in && g.Has(tr.From):
					df.Arcs[dialect.Arc{From: label(tr.From), To: label(tr.To)}] = dialect.Value{Null: true}
				}
			}
		}
		t.Fields = append(t.Fields, df)
	}
	for _, f := range s.HistoryFields {
		t.HistFields = append(t.HistFields, f.Index)
	}
	for _, n := range s.HistoryNotes {
		t.Notes = append(t.Notes, n.Name)
	}
	return t
}

// expiry is the dialect's view of timeout g's sweep.
func expiry(m *model.Machine, g *model.Timeout) dialect.Expiry {
	e := dialect.Expiry{Field: g.Field.Index, Index: DueIndex(Table(m), g.Field.Name), Event: g.Event.Value}
	for _, a := range Arcs(m, g.Event) {
		if slices.ContainsFunc(g.States, func(s *model.State) bool { return label(s) == a.From }) {
			e.Arcs = append(e.Arcs, a)
		}
	}
	return e
}

// DueIndex names the index by which a sweep finds the due rows of a
// deadline column: the migrations build it, and a dialect's sweep may
// name it.
func DueIndex(t dialect.Table, field string) string {
	base := t.Name + "_" + field
	if n := model.MaxNameLen - len("_due"); len(base) > n {
		base = base[:n]
	}
	return base + "_due"
}

// Arcs returns, for ev, the states it leaves (in state order) and where
// each leads, as stored labels.
func Arcs(m *model.Machine, ev *model.Event) []dialect.Arc {
	var out []dialect.Arc
	for _, s := range m.States {
		if to := s.Next(ev); to != nil {
			out = append(out, dialect.Arc{From: label(s), To: label(to)})
		}
	}
	return out
}

// FireBase is what the name of m's fire function starts with, before the
// hash of its text.
func FireBase(m *model.Machine) string {
	base := m.SQL.Enum + "_fire_"
	if n := model.MaxNameLen - dialect.TextHashLen; len(base) > n {
		base = base[:n]
	}
	return base
}

// label is the state's spelling in the database.
func label(s *model.State) string { return s.Value }

func declare(f *File, m *model.Machine) {
	q := m.SQL
	t := Table(m)
	ctx := Qual("context", "Context")
	f.Comment("DBTX is what a Store needs from a database handle: *sql.DB, *sql.Tx")
	f.Comment("and *sql.Conn satisfy it.")
	f.Type().Id("DBTX").Interface(
		Id("ExecContext").Params(Id("ctx").Add(ctx), Id("query").String(), Id("args").Op("...").Any()).Params(Qual("database/sql", "Result"), Error()),
		Id("QueryContext").Params(Id("ctx").Add(ctx), Id("query").String(), Id("args").Op("...").Any()).Params(Op("*").Qual("database/sql", "Rows"), Error()),
		Id("QueryRowContext").Params(Id("ctx").Add(ctx), Id("query").String(), Id("args").Op("...").Any()).Op("*").Qual("database/sql", "Row"),
	)

	f.Comment("Dialect is a database a Store has statements for: those the spec lists.")
	f.Type().Id("Dialect").Uint8()
	var consts []Code
	for i, d := range q.Dialects {
		c := Id(dialects.For(d).GoName())
		if i == 0 {
			c = c.Id("Dialect").Op("=").Iota()
		}
		consts = append(consts, c)
	}
	f.Const().Defs(consts...)

	f.Comment(fmt.Sprintf("ErrNotFound is returned when no row of %s has the key; it wraps", q.Store.Table))
	f.Comment("sql.ErrNoRows.")
	f.Var().Id("ErrNotFound").Op("=").Qual("fmt", "Errorf").Call(Lit(m.Name+": no such row in "+q.Store.Table+": %w"), Qual("database/sql", "ErrNoRows"))
	f.Comment("ErrStale matches the error Move returns when the row is no longer in the")
	f.Comment("state the caller read: someone else moved it first.")
	f.Var().Id("ErrStale").Op("=").Qual("errors", "New").Call(Lit(m.Name + ": stale: the row is no longer in the state read"))
	f.Comment("ErrExists is returned by Create when a row with the key is there already.")
	f.Var().Id("ErrExists").Op("=").Qual("errors", "New").Call(Lit(m.Name + ": a row of " + q.Store.Table + " with this key exists"))
	f.Comment("ErrNotEntry matches the error Create returns for a state a machine may not")
	f.Comment("start in.")
	f.Var().Id("ErrNotEntry").Op("=").Qual("errors", "New").Call(Lit(m.Name + ": not an entry state"))
	f.Var().Id("errContended").Op("=").Qual("errors", "New").Call(Lit(m.Name + ": the row kept changing under concurrent moves; try again"))

	var entries []Code
	for _, name := range q.Dialects {
		d := dialects.For(name)
		fires, fireAts := Dict{}, Dict{}
		for _, ev := range m.Events {
			fires[Id(ev.GoName)] = stmt(d.FireStmt(t, ev.Value, Arcs(m, ev), false), Int().Call(Id(ev.GoName)))
			if t.Version != "" {
				fireAts[Id(ev.GoName)] = stmt(d.FireStmt(t, ev.Value, Arcs(m, ev), true), Id("NumEvents").Op("+").Int().Call(Id(ev.GoName)))
			}
		}
		create, createHistory := d.CreateStmt(t)
		var expire []Code
		for i, g := range m.Timeouts {
			e := expiry(m, g)
			slot := func(k int) Code { return Id("storeStmts").Op("+").Lit(3*i + k) }
			expire = append(expire, Values(stmt(d.ExpireStmt(t, e), slot(0)), stmt(d.DueStmt(t, e), slot(1)), stmt(d.ClearStmt(t, e), slot(2))))
		}
		fire := Dict{}
		if f, ok := d.(dialect.FireFunctioner); ok && m.SQL.Store.FireFunction {
			fn, _, _ := f.FireFunction(t, FireBase(m))
			arcs := Dict{}
			for _, ev := range m.Events {
				var from, to []string
				for _, a := range Arcs(m, ev) {
					from, to = append(from, a.From), append(to, a.To)
				}
				arcs[Id(ev.GoName)] = Values(Lit(dialect.FireLabels(from)), Lit(dialect.FireLabels(to)))
			}
			fire = Dict{
				Id("fireFunc"):   stmt(f.FireCall(t, fn), Id("storeFireFunc")),
				Id("fireUsable"): stmt(f.FireUsable(t, fn), Id("storeFireUsable")),
				Id("fireArcs"):   Index(Id("NumEvents")).Index(Lit(2)).String().Values(arcs),
				Id("fireGone"):   Lit(f.FireGone()),
			}
		}
		entry := Dict{
			Id("create"):             stmt(create, Id("storeCreate")),
			Id("createHistory"):      stmt(createHistory, Id("storeCreateHistory")),
			Id("fire"):               Index(Id("NumEvents")).Id("storeStmt").Values(fires),
			Id("fireAt"):             Index(Id("NumEvents")).Id("storeStmt").Values(fireAts),
			Id("get"):                stmt(d.GetStmt(t, false), Id("storeGet")),
			Id("getCurrent"):         stmt(d.GetStmt(t, true), Id("storeGetCurrent")),
			Id("token"):              Lit(t.Token),
			Id("fields"):             Lit(len(t.Fields) > 0),
			Id("timeLayout"):         Lit(d.TimeLayout()),
			Id("sweepReadCommitted"): Lit(d.SweepReadCommitted()),
			Id("sweepBatch"):         Lit(d.SweepBatch()),
			Id("expire"):             Index().Id("storeExpiry").Values(expire...),
			Id("move"):               stmt(d.MoveStmt(t), Id("storeMove")),
			Id("state"):              stmt(d.StateStmt(t), Id("storeState")),
			Id("history"):            stmt(d.HistoryStmt(t), Id("storeHistory")),
			Id("lastID"):             stmt(d.LastIDStmt(), Id("storeLastID")),
			Id("insertID"):           Lit(!d.UpdateReturning() && !d.ReadFirst()),
			Id("readFirst"):          Lit(d.ReadFirst()),
			Id("prepare"):            Lit(d.Prepare()),
			Id("serialWrites"):       Lit(d.SerialWrites()),
		}
		maps.Copy(entry, fire)
		entries = append(entries, Id(dialects.For(name).GoName()).Op(":").Values(entry))
	}
	f.Comment("storeSources lists, for each event, the states it leaves in the order")
	f.Comment("of the arcs in the statements that report the arc taken by its index.")
	sources := Dict{}
	for _, ev := range m.Events {
		var ids []Code
		for _, s := range m.States {
			if s.Next(ev) != nil {
				ids = append(ids, Id(s.GoName))
			}
		}
		sources[Id(ev.GoName)] = Values(ids...)
	}
	f.Var().Id("storeSources").Op("=").Index(Id("NumEvents")).Index().Id("State").Values(sources)
	f.Comment("storeNonce returns a random number for LAST_INSERT_ID, at least 2^39 so")
	f.Comment("that no small value an earlier statement left can pass for it.")
	f.Func().Id("storeNonce").Params().Uint64().Block(
		Return(Qual("math/rand/v2", "Uint64").Call().Op(">>").Lit(24).Op("|").Lit(1).Op("<<").Lit(39)),
	)
	declareRow(f, m)
	declareOptions(f, m)
	declareTime(f, m)
	f.Comment("storeDialects holds each dialect's statements, rendered when the package")
	f.Comment("was generated. The args strings say what each parameter holds: k key,")
	f.Comment("f from, t to, e event, n the call's nonce, v the version read, w the new")
	f.Comment("version token, o and l a sweep's time and limit; A, B, ... a field's mode")
	f.Comment("and value, 0, 1, ... a timeout's duration.")
	f.Var().Id("storeDialects").Op("=").Index(Op("...")).Id("storeQueries").Values(entries...)

	f.Comment("Store moves rows through the machine in the database: every move is one")
	f.Comment("conditional UPDATE that checks the row's current state and writes the new")
	f.Comment("one atomically, so no read-then-write race exists on any dialect. A Store")
	f.Comment("is safe for concurrent use.")
	f.Type().Id("Store").Struct(
		Id("q").Op("*").Id("storeQueries"),
		Comment("dbs holds, per *sql.DB the Store was given, its prepared statements."),
		Id("dbs").Qual("sync", "Map"),
		Comment("after holds each timeout's duration, in microseconds."),
		Id("after").Index().Int64(),
		Comment("fireMissing is when the Store last found the fire function missing"),
		Comment("or unusable (Unix nanoseconds), -1 once found usable, 0 before it asked."),
		Id("fireMissing").Qual("sync/atomic", "Int64"),
	)
	f.Comment("fireRecheck is how long after it found the fire function missing the")
	f.Comment("Store asks again: a migration may create it while the program runs.")
	f.Const().Id("fireRecheck").Op("=").Qual("time", "Minute")
	f.Comment("storeFields and storeNotes count the row's fields and the history's notes.")
	f.Const().Defs(
		Id("storeFields").Op("=").Lit(len(m.SQL.Store.Fields)),
		Id("storeNotes").Op("=").Lit(len(m.SQL.Store.HistoryNotes)),
	)
	f.Comment("storePrepared holds one database's statements, each prepared the first")
	f.Comment("time it runs, and the queue of its writes (serialWrites).")
	f.Type().Id("storePrepared").Struct(
		Id("db").Op("*").Qual("database/sql", "DB"),
		Id("writes").Qual("sync", "Mutex"),
		Id("stmts").Index(Id("storeStmts").Op("+").Lit(3).Op("*").Len(Id("storeTimeouts"))).Qual("sync/atomic", "Pointer").Types(Qual("database/sql", "Stmt")),
	)
}

// stmt is a statement with its slot in a storePrepared.
func stmt(s dialect.Stmt, id Code) Code {
	if s.SQL == "" {
		return Id("storeStmt").Values()
	}
	args := make([]byte, len(s.Args))
	for i, a := range s.Args {
		switch {
		case a >= dialect.ArgNote:
			args[i] = 'a' + byte(a-dialect.ArgNote)
		case a >= dialect.ArgLater:
			args[i] = '0' + byte(a-dialect.ArgLater)
		case a >= dialect.ArgField:
			args[i] = 'A' + byte(a-dialect.ArgField)
		default:
			args[i] = "kftenvwol"[a]
		}
	}
	return Id("storeStmt").Values(Lit(s.SQL), Lit(string(args)), id)
}

// declareRow declares Row, what Get reads, and MoveAt, which moves a row
// at the version read.
func declareRow(f *File, m *model.Machine) {
	st := m.SQL.Store
	fields := []Code{Id("State").Id("State")}
	dest := []Code{Op("&").Id("r").Dot("State")}
	vt := Int64()
	if st.Token {
		vt = String()
	}
	if st.Version != "" {
		what := "a counter every move increments"
		if st.Token {
			what = "a token every move replaces"
		}
		fields = append(fields, Comment("Version is "+st.Table+"."+st.Version+", "+what+"."), Id("Version").Add(vt))
		dest = append(dest, Op("&").Id("r").Dot("Version"))
	}
	for _, fd := range st.Fields {
		t := fieldType(fd)
		if fd.Nullable && fd.Type != "bytes" {
			t = Qual("database/sql", "Null").Types(t)
		}
		fields = append(fields, Id(fd.Camel).Add(t))
		dest = append(dest, Op("&").Id("r").Dot(fd.Camel))
	}
	f.Comment("Row is a row of " + st.Table + " as the Store reads it.")
	f.Type().Id("Row").Struct(fields...)
	f.Func().Params(Id("r").Op("*").Id("Row")).Id("dest").Params().Index().Any().Block(Return(Index().Any().Values(dest...)))
	if st.Version != "" {
		declareMoveAt(f, m, "Store", Id("DBTX"), Id("s").Dot("sqlRun").Call(Id("db")))
	}
}

// declareMoveAt declares MoveAt on the store type recv, whose calls run
// their statements with run, over a db of type dbType.
func declareMoveAt(f *File, m *model.Machine, recv string, dbType, run Code) {
	st := m.SQL.Store
	vt, next := Int64(), Id("version").Op("+").Lit(1)
	if st.Token {
		vt, next = String(), Id("storeToken").Call()
	}
	f.Comment("MoveAt moves the row with that key by ev only if it is still at version,")
	f.Comment("the one Get read, and returns the row as the move left it. A row at")
	f.Comment("another version returns ErrStale, and an event its state does not allow")
	f.Comment("a TransitionError, each with the row as it is now; no row with that key")
	f.Comment("returns ErrNotFound. Nothing is written on any error.")
	f.Comment("")
	f.Comment("A version cannot come back, so a row that left the state read and")
	f.Comment("returned to it is stale too: a sweeper that read a row never moves the")
	f.Comment("row's next life.")
	self := Id("s")
	if recv != "Store" {
		self = Id("s").Dot("s")
	}
	f.Func().Params(Id("s").Op("*").Id(recv)).Id("MoveAt").Params(
		Id("ctx").Qual("context", "Context"), Id("db").Add(dbType), Id("key").Any(), Id("version").Add(vt), Id("ev").Id("Event"), Id("opts").Op("...").Id("Option"),
	).Params(Id("Row"), Error()).Block(
		Id("next").Op(":=").Add(next),
		Var().Id("r").Id("Row"),
		List(Id("read"), Err()).Op(":=").Add(self).Dot("moveAt").Call(Id("ctx"), run, Id("key"), Id("version"), Id("next"), Id("ev"), Op("&").Id("r"), Id("opts")),
		If(Err().Op("==").Nil().Op("&&").Op("!").Id("read")).Block(
			Id("r").Dot("Version").Op("=").Id("next"),
		),
		Return(Id("r"), Err()),
	)
}

// fieldType is the Go type of a field's values.
func fieldType(f *model.Field) *Statement {
	switch f.Type {
	case "timestamp":
		return Qual("time", "Time")
	case "int":
		return Int64()
	case "bool":
		return Bool()
	case "bytes":
		return Index().Byte()
	}
	return String()
}

// declareOptions declares Option, a constructor per way to set each
// field, and what entering each state sets.
func declareOptions(f *File, m *model.Machine) {
	f.Comment("Option sets a field of the row in the move's own statement, or a note of")
	f.Comment("its history row: Fire, Move, MoveAt and Create take them. An option")
	f.Comment("overrides what the state entered sets; of two for one field, the last wins.")
	f.Type().Id("Option").Struct(
		Id("field").Uint8(),
		Id("now").Bool(),
		Id("note").Bool(), // field is then the note's index
		Id("v").Any(),
	)
	for i, n := range m.SQL.Store.HistoryNotes {
		f.Comment(fmt.Sprintf("With%s records s as the %s of the move's history row (%s.%s).", n.Camel, strings.ReplaceAll(n.Name, "_", " "), m.SQL.Store.History, n.Name))
		f.Func().Id("With" + n.Camel).Params(Id("s").String()).Id("Option").Block(
			Return(Id("Option").Values(Id("field").Op(":").Lit(i), Id("note").Op(":").True(), Id("v").Op(":").Id("s"))),
		)
	}
	for _, fd := range m.SQL.Store.Fields {
		if fd.Deadline != nil {
			continue
		}
		col := m.SQL.Store.Table + "." + fd.Name
		idx := Id("field").Op(":").Lit(fd.Index)
		f.Comment(fmt.Sprintf("Set%s sets %s to v.", fd.Camel, col))
		f.Func().Id("Set" + fd.Camel).Params(Id("v").Add(fieldType(fd))).Id("Option").Block(
			Return(Id("Option").Values(idx, Id("v").Op(":").Id("v"))),
		)
		if fd.Nullable {
			f.Comment(fmt.Sprintf("Clear%s sets %s to NULL.", fd.Camel, col))
			f.Func().Id("Clear" + fd.Camel).Params().Id("Option").Block(Return(Id("Option").Values(Id("field").Op(":").Lit(fd.Index))))
		}
		if fd.Type == "timestamp" {
			f.Comment(fmt.Sprintf("Set%sNow sets %s to the database's clock.", fd.Camel, col))
			f.Func().Id("Set" + fd.Camel + "Now").Params().Id("Option").Block(
				Return(Id("Option").Values(Id("field").Op(":").Lit(fd.Index), Id("now").Op(":").True())),
			)
		}
	}
	f.Comment("storeSets holds what entering each state sets, as options, for the")
	f.Comment("statements whose target the caller knows (Move, Create); Fire's and")
	f.Comment("MoveAt's statements hold it in their SQL.")
	sets := Dict{}
	for _, st := range m.States {
		if opts := optionValues(st.Set); len(opts) > 0 {
			sets[Id(st.GoName)] = Values(opts...)
		}
	}
	f.Var().Id("storeSets").Op("=").Index(Id("NumStates")).Index().Id("Option").Values(sets)
	declareTimeouts(f, m)
}

// declareTime declares storeTime, which writes a time parameter as the
// dialect needs: only a machine with a timestamp field has one.
func declareTime(f *File, m *model.Machine) {
	f.Comment("storeTime returns v, or, for a time and a layout, the time in UTC as text.")
	if !slices.ContainsFunc(m.SQL.Store.Fields, func(fd *model.Field) bool { return fd.Type == "timestamp" }) {
		f.Func().Id("storeTime").Params(Id("v").Any(), Id("_").String()).Any().Block(Return(Id("v")))
		return
	}
	f.Func().Id("storeTime").Params(Id("v").Any(), Id("layout").String()).Any().Block(
		If(List(Id("t"), Id("ok")).Op(":=").Id("v").Assert(Qual("time", "Time")), Id("ok").Op("&&").Id("layout").Op("!=").Lit("")).Block(
			Return(Id("t").Dot("UTC").Call().Dot("Format").Call(Id("layout"))),
		),
		Return(Id("v")),
	)
}

// optionValues are the options that set what set sets.
func optionValues(set []model.Assign) []Code {
	var opts []Code
	for _, a := range set {
		d := Dict{Id("field"): Lit(a.Field.Index)}
		switch v := a.Value; {
		case v.Now:
			d[Id("now")] = True()
		case v.Null:
		case a.Field.Type == "int":
			d[Id("v")] = Int64().Call(Lit(v.Int))
		case a.Field.Type == "bool":
			d[Id("v")] = Lit(v.Bool)
		default:
			d[Id("v")] = Lit(v.Text)
		}
		opts = append(opts, Values(d))
	}
	return opts
}

// declareTimeouts declares each timeout's group, its duration and the
// option that changes it.
func declareTimeouts(f *File, m *model.Machine) {
	var groups, after []Code
	for _, g := range m.Timeouts {
		states := Dict{}
		for _, s := range g.States {
			states[Id(s.GoName)] = True()
		}
		groups = append(groups, Values(Dict{
			Id("field"):  Lit(g.Field.Index),
			Id("states"): Index(Id("NumStates")).Bool().Values(states),
			Id("event"):  Id(g.Event.GoName),
			Id("set"):    Index().Id("Option").Values(optionValues(g.Set)...),
		}))
		after = append(after, Lit(g.After.Microseconds()))
		name := "With" + g.Field.Camel + "After"
		f.Comment(fmt.Sprintf("%s sets how long a row may stay in the states of the timeout whose", name))
		f.Comment(fmt.Sprintf("deadline is %s.%s; the spec says %s.", m.SQL.Store.Table, g.Field.Name, g.After))
		f.Func().Id(name).Params(Id("d").Qual("time", "Duration")).Id("StoreOption").Block(
			Return(Func().Params(Id("s").Op("*").Id("Store")).Block(Id("s").Dot("after").Index(Lit(g.Index)).Op("=").Id("d").Dot("Microseconds").Call())),
		)
	}
	// Without timeouts, Expire is not generated, and neither is what only
	// it reads.
	sweep := []Code{Id("field").Uint8(), Id("states").Index(Id("NumStates")).Bool()}
	var expiry []Code
	if len(m.Timeouts) > 0 {
		sweep = append(sweep, Id("event").Id("Event"), Id("set").Index().Id("Option"))
		expiry = []Code{List(Id("all"), Id("due"), Id("clear")).Id("storeStmt")}
	}
	f.Comment("storeTimeout is a timeout: its deadline's field, its states, the event")
	f.Comment("Expire fires and what it sets.")
	f.Type().Id("storeTimeout").Struct(sweep...)
	f.Comment("storeExpiry is a timeout's sweep: one statement (all), or, where the")
	f.Comment("dialect has none, the due rows' locking read, whose rows the Store moves")
	f.Comment("one by one, and the statement that ends a deadline.")
	f.Type().Id("storeExpiry").Struct(expiry...)
	f.Comment("storeTimeouts are the spec's timeouts; storeAfter their durations, in")
	f.Comment("microseconds.")
	f.Var().Defs(
		Id("storeTimeouts").Op("=").Index(Op("...")).Id("storeTimeout").Values(groups...),
		Id("storeAfter").Op("=").Index(Op("...")).Int64().Values(after...),
	)
}
