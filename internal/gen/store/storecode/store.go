package storecode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

type storeQueries struct {
	fire [NumEvents]storeStmt
	// fireAt moves only a row still at the version the caller read.
	fireAt                       [NumEvents]storeStmt
	move, state, history, lastID storeStmt
	// get reads a row; getCurrent reads its latest version even in a
	// caller's transaction.
	get, getCurrent storeStmt
	// create inserts a row; createHistory writes its first history row
	// when create does not.
	create, createHistory storeStmt
	// insertID: the dialect has no UPDATE … RETURNING; its statements
	// report a move through LAST_INSERT_ID(n) instead.
	insertID bool
	// readFirst: the dialect's UPDATE cannot return the state it left
	// either; its fire statements read the row instead, which locks it
	// until the transaction ends, and the move follows (readThenMove).
	readFirst bool
	// prepare: the Store prepares the statements once per *sql.DB.
	prepare bool
	// serialWrites: the Store queues its writes on a *sql.DB (the
	// dialect's SerialWrites).
	serialWrites bool
	// token: every move writes a new version token (storeToken).
	token bool
	// fields: the row has fields, which MoveAt reads back after a move.
	fields bool
	// timeLayout: times are written as UTC text of that layout.
	timeLayout string
	// expire holds each timeout's sweep; sweepReadCommitted: a sweep's
	// transaction runs at READ COMMITTED.
	expire             []storeExpiry
	sweepReadCommitted bool
	// sweepBatch bounds the rows one transaction of a sweep moves; 0:
	// the caller's limit.
	sweepBatch int
	// fireFunc calls the function that makes Fire's move and history row
	// in one statement (sql.fire_function), fireUsable asks whether it
	// can; fireArcs holds, per event, the labels of its sources and
	// targets as fireFunc takes them.
	fireFunc, fireUsable storeStmt
	fireArcs             [NumEvents][2]string
	// fireGone is how the driver's message starts when the function is
	// not there.
	fireGone string
}

// StoreOption configures a Store.
type StoreOption func(*Store)

type storeStmt struct {
	query, args string
	id          int // its slot in a storePrepared
}

// The statements' slots in a storePrepared: each event's fire statement,
// its fireAt, then these.
const (
	storeMove = 2*int(NumEvents) + iota
	storeState
	storeHistory
	storeLastID
	storeCreate
	storeCreateHistory
	storeGet
	storeGetCurrent
	storeFireFunc
	storeFireUsable
	storeStmts
)

// storeArgs are the values a statement's parameters are taken from.
type storeArgs struct {
	key      any
	from, to State
	ev       Event
	nonce    uint64
	// version is the one the caller read; token the one a move writes.
	version, token any
	// now and limit bound a sweep; after holds each timeout's duration,
	// in microseconds.
	now    any
	limit  int
	after  []int64
	layout string // the dialect's timeLayout
	// opts are the call's options; sets, where the statement does not
	// apply what the state entered sets, those of the state.
	opts, sets []Option
}

// field returns what a statement sets field i to: its mode (0: not set,
// 1: to the value, 2: to the database's clock) and value. The call's last
// option for it wins, then the state's set.
func (a *storeArgs) field(i uint8) (mode int64, v any) {
	for _, set := range [...][]Option{a.opts, a.sets} {
		for j := len(set) - 1; j >= 0; j-- {
			if o := set[j]; o.field == i && !o.note {
				if o.now {
					return 2, nil
				}
				return 1, o.v
			}
		}
	}
	return 0, nil
}

// note returns history note i as the call's last option for it gives
// it, or NULL.
func (a *storeArgs) note(i uint8) any {
	for j := len(a.opts) - 1; j >= 0; j-- {
		if o := a.opts[j]; o.note && o.field == i {
			return o.v
		}
	}
	return nil
}

// storeToken returns a new version token: a random UUID (version 4),
// which fits the VARCHAR(36) such columns usually are.
func storeToken() string {
	hi, lo := rand.Uint64(), rand.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0x0fff|0x4000, lo>>48&0x3fff|0x8000, lo&0xffffffffffff)
}

// args fills in a new version token where every move writes one.
func (s *Store) args(a storeArgs) storeArgs {
	if s.q.token && a.token == nil {
		a.token = storeToken()
	}
	a.after, a.layout = s.after, s.q.timeLayout
	return a
}

// sets returns what a move from from to to writes besides the call's
// options: what to sets, and the deadlines it starts or ends (create: a
// row that was nowhere).
func (s *Store) sets(from, to State, create bool) []Option {
	set := storeSets[to]
	if len(storeTimeouts) == 0 {
		return set
	}
	set = append([]Option(nil), set...)
	for _, g := range storeTimeouts {
		switch in := g.states[to]; {
		case in && (create || !g.states[from]):
			set = append(set, Option{field: g.field, now: true})
		case !in && !create && g.states[from]:
			set = append(set, Option{field: g.field})
		}
	}
	return set
}

// maxStoreAttempts bounds the retries of a move that lost a race: the row
// was moved between the statement's snapshot and its row lock (PostgreSQL,
// READ COMMITTED) or between the move and the read that explains why
// nothing moved, into a state that allows the event after all.
const maxStoreAttempts = 64

// NewStore returns the Store for dialect d, configured by opts. It panics
// for a dialect the spec does not list.
func NewStore(d Dialect, opts ...StoreOption) *Store {
	if int(d) >= len(storeDialects) {
		panic("NewStore: unknown dialect")
	}
	s := &Store{q: &storeDialects[d], after: append([]int64(nil), storeAfter[:]...)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close closes the statements the Store prepared, on every database it
// was given; call it when no move runs. A Store needs no Close: its
// statements go with their databases; Close is for a program that drops a
// database and keeps the Store, which prepares them again if used.
func (s *Store) Close() error {
	var errs []error
	s.dbs.Range(func(db, v any) bool {
		s.dbs.Delete(db)
		p := v.(*storePrepared)
		for i := range p.stmts {
			if ps := p.stmts[i].Swap(nil); ps != nil {
				errs = append(errs, ps.Close())
			}
		}
		return true
	})
	return errors.Join(errs...)
}

// Create inserts a row with that key in st, a state the machine may start
// in, and appends its first history row, whose from_state and event are
// empty. A state that is no entry returns an error matching ErrNotEntry
// without asking the database; a row with that key already there returns
// ErrExists. Nothing is written on any error, and a caller's transaction
// can go on after ErrExists.
func (s *Store) Create(ctx context.Context, db DBTX, key any, st State, opts ...Option) error {
	return s.create(ctx, s.sqlRun(db), key, st, opts)
}

func (s *Store) create(ctx context.Context, run storeRun, key any, st State, opts []Option) error {
	if !st.IsEntry() {
		return fmt.Errorf("%w: %v", ErrNotEntry, st)
	}
	return run(ctx, func(db storeConn) error {
		a := s.args(storeArgs{key: key, to: st, opts: opts, sets: s.sets(0, st, true)})
		args, err := s.q.create.bind(a)
		if err != nil {
			return err
		}
		res, err := db.exec(ctx, s.q.create, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		switch {
		case err != nil:
			return err
		case n == 0:
			return ErrExists
		}
		if s.q.createHistory.query == "" {
			return nil
		}
		if args, err = s.q.createHistory.bind(a); err != nil {
			return err
		}
		_, err = db.exec(ctx, s.q.createHistory, args...)
		return err
	})
}

// Fire moves the row with that key by ev from whatever state it is in now,
// and returns the state it left and the state it entered. An event the
// row's state does not allow returns that state as from and to and a
// TransitionError (matching ErrInvalidTransition) whose From is it; no
// row with that key returns ErrNotFound. Nothing is written on any error.
//
// db may be the caller's *sql.Tx: the move then commits or rolls back with
// the caller's other changes.
func (s *Store) Fire(ctx context.Context, db DBTX, key any, ev Event, opts ...Option) (from, to State, err error) {
	if s.fires() && ev.IsValid() {
		src := storeSources[ev]
		arc, err := s.callFire(ctx, sqlConn{db: db, p: s.prepared(db)}, storeArgs{key: key, ev: ev, opts: opts}, src, s.q.fireArcs[ev])
		if err != nil {
			return 0, 0, err
		}
		if arc > 0 {
			to, _ = Transition(src[arc-1], ev)
			return src[arc-1], to, nil
		}
	}
	return s.fireEvent(ctx, s.sqlRun(db), key, ev, opts)
}

// callFire makes a move by one call of the function the migrations create
// (sql.fire_function): the move and its history row in one round trip,
// one statement that commits or rolls back as a whole. The row moves by
// a.ev from whichever of src it is in; labels are src's and their
// targets' as the function takes them. It returns the arc taken; 0, having
// written nothing, when the caller is to take its transaction: the row
// did not move (the transaction finds out why), the function is not
// there or would find the row by a scan (fireUsable), or two arcs set a
// field to different values, which the call cannot carry. Callers ask
// only where the spec has a function (fires).
func (s *Store) callFire(ctx context.Context, c storeConn, a storeArgs, src []State, labels [2]string) (arc int64, err error) {
	if len(src) == 0 || !s.fireUsable(ctx, c) {
		return 0, nil
	}
	args, ok := s.fireCallArgs(s.args(a), src, labels)
	if !ok {
		return 0, nil
	}
	if err := c.scan(ctx, s.q.fireFunc, args, &arc); err != nil {
		// The function is gone, dropped by a later migration while this
		// program runs.
		if msg, gone := err.Error(), s.q.fireGone; len(msg) >= len(gone) && msg[:len(gone)] == gone {
			s.fireMissing.Store(time.Now().UnixNano())
			return 0, nil
		}
		return 0, err
	}
	if arc < 0 || arc > int64(len(src)) {
		return 0, nil
	}
	return arc, nil
}

// fires tells whether the spec has a fire function (sql.fire_function):
// checked before anything is looked up or built for callFire, so that
// moves without one pay nothing for it.
func (s *Store) fires() bool { return s.q.fireFunc.query != "" }

// fireLabels are the labels of a move from from to to as the fire
// function takes them (dialect.FireLabels).
func fireLabels(from, to State) [2]string {
	return [2]string{"\n" + from.String() + "\n", "\n" + to.String() + "\n"}
}

// fireUsable tells whether the fire function is there and finds a row
// through the index of its key, asking the database at most once every
// fireRecheck while it is not.
func (s *Store) fireUsable(ctx context.Context, c storeConn) bool {
	switch at := s.fireMissing.Load(); {
	case at < 0:
		return true
	case at > 0 && time.Since(time.Unix(0, at)) < fireRecheck:
		return false
	}
	var n int64
	if err := c.scan(ctx, s.q.fireUsable, nil, &n); err != nil {
		return false
	}
	if n != 1 {
		s.fireMissing.Store(time.Now().UnixNano())
		return false
	}
	s.fireMissing.Store(-1)
	return true
}

// fireCallArgs lays out the fire function's parameters for a move by a.ev
// from src (see callFire): what each arc sets each field to is worked out
// here, one mode per arc and field, and one value per field, which is
// false when two arcs need two.
func (s *Store) fireCallArgs(a storeArgs, src []State, labels [2]string) ([]any, bool) {
	modes := make([]byte, len(src)*storeFields)
	vals := make([]any, storeFields)
	call := storeArgs{opts: a.opts}
	arcs := make([]storeArgs, len(src))
	for j, from := range src {
		to, _ := Transition(from, a.ev)
		arcs[j].sets = s.sets(from, to, false)
	}
	for i := range storeFields {
		// The call's own option sets the field whatever the arc.
		if mode, v := call.field(uint8(i)); mode != 0 {
			for j := range src {
				modes[j*storeFields+i] = byte('0' + mode)
			}
			vals[i] = v
			continue
		}
		var have bool
		for j := range arcs {
			mode, v := arcs[j].field(uint8(i))
			modes[j*storeFields+i] = byte('0' + mode)
			if mode != 1 {
				continue
			}
			// What states set is a constant of the spec's: comparable.
			if have && vals[i] != v {
				return nil, false
			}
			vals[i], have = v, true
		}
	}
	ev, _ := a.ev.Value()
	args := append(make([]any, 0, 6+storeFields+len(a.after)+storeNotes), a.key, ev, labels[0], labels[1], string(modes))
	if s.q.token {
		args = append(args, a.token)
	}
	for _, v := range vals {
		args = append(args, storeTime(v, a.layout))
	}
	for _, us := range a.after {
		args = append(args, us)
	}
	for i := range storeNotes {
		args = append(args, a.note(uint8(i)))
	}
	return args, true
}

func (s *Store) fireEvent(ctx context.Context, run storeRun, key any, ev Event, opts []Option) (from, to State, err error) {
	if !ev.IsValid() {
		return 0, 0, fmt.Errorf("%w: %d", ErrUnknownEvent, ev)
	}
	err = run(ctx, func(db storeConn) error {
		for range maxStoreAttempts {
			var moved bool
			from, to, moved, err = s.fire(ctx, db, s.q.fire[ev], s.args(storeArgs{key: key, ev: ev, opts: opts}), true)
			switch {
			case err != nil:
				return err
			case moved:
				return s.appendHistory(ctx, db, key, from, to, ev, opts)
			case !from.Can(ev):
				_, err := Transition(from, ev)
				return err
			}
		}
		return errContended
	})
	if err != nil && !errors.Is(err, ErrInvalidTransition) {
		return 0, 0, err
	}
	return from, to, err
}

// Move moves the row with that key by ev only if it is still in from, the
// state the caller read, and returns the state it entered. A row no longer
// in from returns ErrStale; no row with that key returns ErrNotFound; an
// event from does not allow returns a TransitionError without asking the
// database. On every error it returns from and writes nothing.
func (s *Store) Move(ctx context.Context, db DBTX, key any, from State, ev Event, opts ...Option) (to State, err error) {
	if to, err := Transition(from, ev); err == nil && s.fires() {
		arc, err := s.callFire(ctx, sqlConn{db: db, p: s.prepared(db)}, storeArgs{key: key, ev: ev, opts: opts}, []State{from}, fireLabels(from, to))
		switch {
		case err != nil:
			return from, err
		case arc == 1:
			return to, nil
		}
	}
	return s.moveFrom(ctx, s.sqlRun(db), key, from, ev, opts)
}

func (s *Store) moveFrom(ctx context.Context, run storeRun, key any, from State, ev Event, opts []Option) (to State, err error) {
	if to, err = Transition(from, ev); err != nil {
		return from, err
	}
	err = run(ctx, func(db storeConn) error {
		for range maxStoreAttempts {
			moved, err := s.move(ctx, db, key, from, to, ev, opts)
			if err != nil {
				return err
			}
			if moved {
				return s.appendHistory(ctx, db, key, from, to, ev, opts)
			}
			now, err := s.current(ctx, db, key)
			if err != nil {
				return err
			}
			if now != from {
				return fmt.Errorf("%w: it is in %s, not %s", ErrStale, now, from)
			}
		}
		return errContended
	})
	if err != nil {
		return from, err
	}
	return to, nil
}

// fire runs st, a statement of a.ev. When the row did not move and
// explain is set, from is the state that kept it from moving.
func (s *Store) fire(ctx context.Context, db storeConn, st storeStmt, a storeArgs, explain bool) (from, to State, moved bool, err error) {
	key, ev := a.key, a.ev
	if s.q.readFirst {
		return s.readThenMove(ctx, db, st, a, explain)
	}
	a.nonce = storeNonce()
	args, err := st.bind(a)
	if err != nil {
		return 0, 0, false, err
	}
	if s.q.insertID {
		res, err := db.exec(ctx, st, args...)
		if err != nil {
			return 0, 0, false, err
		}
		arc, err := s.arc(ctx, db, res, a.nonce)
		if err != nil {
			return 0, 0, false, err
		}
		if src := storeSources[ev]; arc > 0 && arc <= int64(len(src)) {
			from = src[arc-1]
			to, _ = Transition(from, ev)
			return from, to, true, nil
		}
		if !explain {
			return 0, 0, false, nil
		}
		from, err = s.current(ctx, db, key)
		return from, from, false, err
	}
	rows, err := db.query(ctx, st, args...)
	if err != nil {
		return 0, 0, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, 0, false, err
		}
		rows.Close()
		if !explain {
			return 0, 0, false, nil
		}
		from, err = s.current(ctx, db, key)
		return from, from, false, err
	}
	if err := rows.Scan(&from, &to); err != nil {
		return 0, 0, false, err
	}
	if err := rows.Close(); err != nil {
		return 0, 0, false, err
	}
	return from, to, true, nil
}

// readThenMove is fire on a readFirst dialect: st reads the row's state
// (only while it is at the version read, for MoveAt), which locks the row
// for the caller's read-write transaction, so the move that follows finds
// it as read.
func (s *Store) readThenMove(ctx context.Context, db storeConn, st storeStmt, a storeArgs, explain bool) (from, to State, moved bool, err error) {
	args, err := st.bind(a)
	if err != nil {
		return 0, 0, false, err
	}
	switch err := db.scan(ctx, st, args, &from); {
	case errors.Is(err, sql.ErrNoRows) && explain:
		from, err = s.current(ctx, db, a.key)
		return from, from, false, err
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, false, nil
	case err != nil:
		return 0, 0, false, err
	}
	if to, err = Transition(from, a.ev); err != nil {
		return from, from, false, nil
	}
	a.from, a.to, a.sets = from, to, s.sets(from, to, false)
	if args, err = s.q.move.bind(a); err != nil {
		return 0, 0, false, err
	}
	res, err := db.exec(ctx, s.q.move, args...)
	if err != nil {
		return 0, 0, false, err
	}
	n, err := res.RowsAffected()
	return from, to, n == 1, err
}

func (s *Store) move(ctx context.Context, db storeConn, key any, from, to State, ev Event, opts []Option) (bool, error) {
	a := s.args(storeArgs{key: key, from: from, to: to, ev: ev, nonce: storeNonce(), opts: opts, sets: s.sets(from, to, false)})
	args, err := s.q.move.bind(a)
	if err != nil {
		return false, err
	}
	res, err := db.exec(ctx, s.q.move, args...)
	if err != nil {
		return false, err
	}
	var n int64
	if s.q.insertID {
		n, err = s.arc(ctx, db, res, a.nonce)
	} else {
		n, err = res.RowsAffected()
	}
	return n == 1, err
}

// arc decodes the LAST_INSERT_ID a statement of an insertID dialect set:
// the 1-based index of the arc it took, or 0 when it did not move the row.
func (s *Store) arc(ctx context.Context, db storeConn, res storeResult, nonce uint64) (int64, error) {
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if id == 0 {
		// The server leaves it out of the result when the table has
		// triggers; the connection still has it.
		if err := db.scan(ctx, s.q.lastID, nil, &id); err != nil {
			return 0, err
		}
	}
	if uint64(id)>>16 != nonce {
		return 0, nil
	}
	return id & 0xffff, nil
}

// Get reads the row with that key: its state and version. No row with
// that key returns ErrNotFound.
func (s *Store) Get(ctx context.Context, db DBTX, key any) (Row, error) {
	return s.get(ctx, sqlConn{db: db, p: s.prepared(db)}, key)
}

func (s *Store) get(ctx context.Context, db storeConn, key any) (Row, error) {
	var r Row
	err := db.scan(ctx, s.q.get, []any{key}, r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return Row{}, ErrNotFound
	}
	return r, err
}

// current reads the row's state after a statement that did not move it.
func (s *Store) current(ctx context.Context, db storeConn, key any) (State, error) {
	var now State
	err := db.scan(ctx, s.q.state, []any{key}, &now)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return now, err
}

func (s *Store) appendHistory(ctx context.Context, db storeConn, key any, from, to State, ev Event, opts []Option) error {
	if s.q.history.query == "" {
		return nil
	}
	args, err := s.q.history.bind(storeArgs{key: key, from: from, to: to, ev: ev, opts: opts})
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, s.q.history, args...)
	return err
}

// storeRun runs fn with where a call's statements run: in a transaction
// when they need one, on one connection when they need that.
type storeRun func(ctx context.Context, fn func(storeConn) error) error

// storeConn is where a call's statements run: database/sql's (sqlConn)
// or another driver's.
type storeConn interface {
	exec(ctx context.Context, st storeStmt, args ...any) (storeResult, error)
	query(ctx context.Context, st storeStmt, args ...any) (storeRows, error)
	// scan reads the one row st returns into dest; no row is
	// sql.ErrNoRows.
	scan(ctx context.Context, st storeStmt, args []any, dest ...any) error
}

// storeResult is what an exec tells: sql.Result's methods.
type storeResult interface {
	RowsAffected() (int64, error)
	LastInsertId() (int64, error)
}

// storeRows is a query's rows: *sql.Rows's methods.
type storeRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// sqlRun runs a call's statements on db through inTx.
func (s *Store) sqlRun(db DBTX) storeRun {
	return func(ctx context.Context, fn func(storeConn) error) error { return s.inTx(ctx, db, fn) }
}

// inTx runs fn in a transaction when a move takes two statements (the
// move and its history row) and db is not one already, and on one
// connection when the move is read back through LAST_INSERT_ID(). A
// *sql.Tx or *sql.Conn, or any other DBTX that can neither begin a
// transaction nor hand out a connection, is used as it is. On a *sql.DB
// the statements run prepared (see storeConn).
func (s *Store) inTx(ctx context.Context, db DBTX, fn func(storeConn) error) error {
	p := s.prepared(db)
	if p != nil && s.q.serialWrites {
		p.writes.Lock()
		defer p.writes.Unlock()
	}
	if s.q.history.query == "" {
		c, ok := db.(interface {
			Conn(context.Context) (*sql.Conn, error)
		})
		if !s.q.insertID || !ok {
			return fn(sqlConn{db: db, p: p})
		}
		conn, err := c.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return fn(sqlConn{db: conn})
	}
	return s.transaction(ctx, db, p, nil, fn)
}

// transaction runs fn in a transaction on db, or on db as it is when it
// cannot begin one (a caller's *sql.Tx).
func (s *Store) transaction(ctx context.Context, db DBTX, p *storePrepared, opts *sql.TxOptions, fn func(storeConn) error) error {
	b, ok := db.(interface {
		BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
	})
	if !ok {
		return fn(sqlConn{db: db})
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(sqlConn{db: tx, tx: tx, p: p}); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// prepared returns the prepared statements of db when it is a *sql.DB
// and the dialect's statements are prepared; nil otherwise.
func (s *Store) prepared(db DBTX) *storePrepared {
	d, ok := db.(*sql.DB)
	if !ok || !s.q.prepare {
		return nil
	}
	if p, ok := s.dbs.Load(d); ok {
		return p.(*storePrepared)
	}
	p, _ := s.dbs.LoadOrStore(d, &storePrepared{db: d})
	return p.(*storePrepared)
}

// stmt returns st prepared on p's database, preparing it the first time.
// database/sql then prepares it once on each connection it runs on.
func (p *storePrepared) stmt(ctx context.Context, st storeStmt) (*sql.Stmt, error) {
	slot := &p.stmts[st.id]
	if ps := slot.Load(); ps != nil {
		return ps, nil
	}
	ps, err := p.db.PrepareContext(ctx, st.query)
	if err != nil {
		return nil, err
	}
	if !slot.CompareAndSwap(nil, ps) {
		ps.Close()
		return slot.Load(), nil
	}
	return ps, nil
}

// sqlConn runs a call's statements on db, which is tx when the Store began
// a transaction on a *sql.DB. With p, the prepared statements of that
// *sql.DB, they run prepared (on SQLite and MySQL, see prepare in
// storeQueries); without (a caller's *sql.Tx or *sql.Conn, PostgreSQL),
// as text.
type sqlConn struct {
	db DBTX
	tx *sql.Tx
	p  *storePrepared
}

// prepare returns st ready to run where c runs; nil when c runs text.
func (c sqlConn) prepare(ctx context.Context, st storeStmt) (*sql.Stmt, error) {
	if c.p == nil {
		return nil, nil
	}
	ps, err := c.p.stmt(ctx, st)
	if err != nil || c.tx == nil {
		return ps, err
	}
	return c.tx.StmtContext(ctx, ps), nil
}

func (c sqlConn) exec(ctx context.Context, st storeStmt, args ...any) (storeResult, error) {
	ps, err := c.prepare(ctx, st)
	switch {
	case err != nil:
		return nil, err
	case ps == nil:
		return c.db.ExecContext(ctx, st.query, args...)
	}
	return ps.ExecContext(ctx, args...)
}

func (c sqlConn) query(ctx context.Context, st storeStmt, args ...any) (storeRows, error) {
	ps, err := c.prepare(ctx, st)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	if ps == nil {
		rows, err = c.db.QueryContext(ctx, st.query, args...)
	} else {
		rows, err = ps.QueryContext(ctx, args...)
	}
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (c sqlConn) scan(ctx context.Context, st storeStmt, args []any, dest ...any) error {
	ps, err := c.prepare(ctx, st)
	switch {
	case err != nil:
		return err
	case ps == nil:
		return c.db.QueryRowContext(ctx, st.query, args...).Scan(dest...)
	}
	return ps.QueryRowContext(ctx, args...).Scan(dest...)
}

// bind lays out a statement's parameters. States and events are passed as
// their stored spelling, not left to each driver's idea of a uint8.
// A field's letter (A for the first) stands for its two parameters; a
// history note's is a to d, a timeout's duration's 0 to 9.
func (st storeStmt) bind(a storeArgs) ([]any, error) {
	args := make([]any, 0, 2*len(st.args))
	for _, c := range []byte(st.args) {
		var v any
		var err error
		switch c {
		case 'k':
			v = a.key
		case 'f':
			v, err = a.from.Value()
		case 't':
			v, err = a.to.Value()
		case 'e':
			v, err = a.ev.Value()
		case 'n':
			v = a.nonce
		case 'v':
			v = a.version
		case 'w':
			v = a.token
		case 'o':
			v = storeTime(a.now, a.layout)
		case 'l':
			v = a.limit
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			v = a.after[c-'0']
		case 'a', 'b', 'c', 'd':
			v = a.note(c - 'a')
		default:
			mode, value := a.field(c - 'A')
			args = append(args, mode)
			v = storeTime(value, a.layout)
		}
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return args, nil
}
