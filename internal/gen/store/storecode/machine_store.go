package storecode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// DBTX is what a Store needs from a database handle: *sql.DB, *sql.Tx
// and *sql.Conn satisfy it.
type DBTX interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Dialect is a database a Store has statements for: those the spec lists.
type Dialect uint8

const (
	Postgres Dialect = iota
	MySQL
	SQLite
)

// ErrNotFound is returned when no row of nodes has the key; it wraps
// sql.ErrNoRows.
var ErrNotFound = fmt.Errorf("introspection: no such row in nodes: %w", sql.ErrNoRows)

// ErrStale matches the error Move returns when the row is no longer in the
// state the caller read: someone else moved it first.
var ErrStale = errors.New("introspection: stale: the row is no longer in the state read")

// ErrExists is returned by Create when a row with the key is there already.
var ErrExists = errors.New("introspection: a row of nodes with this key exists")

// ErrNotEntry matches the error Create returns for a state a machine may not
// start in.
var ErrNotEntry = errors.New("introspection: not an entry state")
var errContended = errors.New("introspection: the row kept changing under concurrent moves; try again")

// storeSources lists, for each event, the states it leaves in the order
// of the arcs in the statements that report the arc taken by its index.
var storeSources = [NumEvents][]State{
	EventAbort:    {StateWaiting, StateError},
	EventAbortEnd: {StateAborting},
	EventError:    {StateStarting, StateProcessing, StateError, StateReapplying, StateEnrolling},
	EventFinish:   {StateProcessing, StateFinished, StateReapplying},
	EventProcess:  {StateWaiting, StateEnrolling},
	EventReapply:  {StateFinished, StateError, StateReapplying},
	EventStart:    {StateWaiting, StateFinished, StateError},
	EventTimeout:  {StateStarting, StateWaiting, StateProcessing, StateReapplying, StateEnrolling, StateAborting},
	EventWait:     {StateStarting},
}

// storeNonce returns a random number for LAST_INSERT_ID, at least 2^39 so
// that no small value an earlier statement left can pass for it.
func storeNonce() uint64 {
	return rand.Uint64()>>24 | 1<<39
}

// Row is a row of nodes as the Store reads it.
type Row struct {
	State State
	// Version is nodes.version_id, a token every move replaces.
	Version    string
	StartedAt  sql.Null[time.Time]
	FinishedAt sql.Null[time.Time]
	Error      sql.Null[string]
	TimeoutAt  sql.Null[time.Time]
}

func (r *Row) dest() []any {
	return []any{&r.State, &r.Version, &r.StartedAt, &r.FinishedAt, &r.Error, &r.TimeoutAt}
}

// MoveAt moves the row with that key by ev only if it is still at version,
// the one Get read, and returns the row as the move left it. A row at
// another version returns ErrStale, and an event its state does not allow
// a TransitionError, each with the row as it is now; no row with that key
// returns ErrNotFound. Nothing is written on any error.
//
// A version cannot come back, so a row that left the state read and
// returned to it is stale too: a sweeper that read a row never moves the
// row's next life.
func (s *Store) MoveAt(ctx context.Context, db DBTX, key any, version string, ev Event, opts ...Option) (Row, error) {
	next := storeToken()
	var r Row
	read, err := s.moveAt(ctx, s.sqlRun(db), key, version, next, ev, &r, opts)
	if err == nil && !read {
		r.Version = next
	}
	return r, err
}

// Option sets a field of the row in the move's own statement, or a note of
// its history row: Fire, Move, MoveAt and Create take them. An option
// overrides what the state entered sets; of two for one field, the last wins.
type Option struct {
	field uint8
	now   bool
	note  bool
	v     any
}

// WithActor records s as the actor of the move's history row (nodes_history.actor).
func WithActor(s string) Option {
	return Option{field: 0, note: true, v: s}
}

// WithReason records s as the reason of the move's history row (nodes_history.reason).
func WithReason(s string) Option {
	return Option{field: 1, note: true, v: s}
}

// SetStartedAt sets nodes.started_at to v.
func SetStartedAt(v time.Time) Option {
	return Option{field: 0, v: v}
}

// ClearStartedAt sets nodes.started_at to NULL.
func ClearStartedAt() Option {
	return Option{field: 0}
}

// SetStartedAtNow sets nodes.started_at to the database's clock.
func SetStartedAtNow() Option {
	return Option{field: 0, now: true}
}

// SetFinishedAt sets nodes.finished_at to v.
func SetFinishedAt(v time.Time) Option {
	return Option{field: 1, v: v}
}

// ClearFinishedAt sets nodes.finished_at to NULL.
func ClearFinishedAt() Option {
	return Option{field: 1}
}

// SetFinishedAtNow sets nodes.finished_at to the database's clock.
func SetFinishedAtNow() Option {
	return Option{field: 1, now: true}
}

// SetError sets nodes.error to v.
func SetError(v string) Option {
	return Option{field: 2, v: v}
}

// ClearError sets nodes.error to NULL.
func ClearError() Option {
	return Option{field: 2}
}

// storeSets holds what entering each state sets, as options, for the
// statements whose target the caller knows (Move, Create); Fire's and
// MoveAt's statements hold it in their SQL.
var storeSets = [NumStates][]Option{
	StateError: {{
		field: 1,
		now:   true,
	}},
	StateFinished: {{
		field: 1,
		now:   true,
	}},
	StateStarting: {{
		field: 0,
		now:   true,
	}, {field: 1}, {field: 2}},
}

// WithTimeoutAtAfter sets how long a row may stay in the states of the timeout whose
// deadline is nodes.timeout_at; the spec says 1h0m0s.
func WithTimeoutAtAfter(d time.Duration) StoreOption {
	return func(s *Store) {
		s.after[0] = d.Microseconds()
	}
}

// storeTimeout is a timeout: its deadline's field, its states, the event
// Expire fires and what it sets.
type storeTimeout struct {
	field  uint8
	states [NumStates]bool
	event  Event
	set    []Option
}

// storeExpiry is a timeout's sweep: one statement (all), or, where the
// dialect has none, the due rows' locking read, whose rows the Store moves
// one by one, and the statement that ends a deadline.
type storeExpiry struct {
	all, due, clear storeStmt
}

// storeTimeouts are the spec's timeouts; storeAfter their durations, in
// microseconds.
var (
	storeTimeouts = [...]storeTimeout{{
		event: EventTimeout,
		field: 3,
		set: []Option{{
			field: 2,
			v:     "Introspection timeout",
		}},
		states: [NumStates]bool{
			StateProcessing: true,
			StateStarting:   true,
			StateWaiting:    true,
		},
	}}
	storeAfter = [...]int64{int64(3600000000)}
)

// storeTime returns v, or, for a time and a layout, the time in UTC as text.
func storeTime(v any, layout string) any {
	if t, ok := v.(time.Time); ok && layout != "" {
		return t.UTC().Format(layout)
	}
	return v
}

// storeDialects holds each dialect's statements, rendered when the package
// was generated. The args strings say what each parameter holds: k key,
// f from, t to, e event, n the call's nonce, v the version read, w the new
// version token, o and l a sweep's time and limit; A, B, ... a field's mode
// and value, 0, 1, ... a timeout's duration.
var storeDialects = [...]storeQueries{Postgres: {
	create:        storeStmt{"WITH i AS (INSERT INTO \"nodes\" (\"uuid\", \"state\", \"version_id\", \"started_at\", \"finished_at\", \"error\", \"timeout_at\") VALUES ($1, $2, $3, CASE $4::bigint WHEN 1 THEN $5::timestamptz WHEN 2 THEN clock_timestamp() ELSE NULL END, CASE $6::bigint WHEN 1 THEN $7::timestamptz WHEN 2 THEN clock_timestamp() ELSE NULL END, CASE $8::bigint WHEN 1 THEN $9::text ELSE NULL END, CASE $10::bigint WHEN 1 THEN $11::timestamptz WHEN 2 THEN clock_timestamp() + $12::bigint * interval '1 microsecond' ELSE NULL END) ON CONFLICT (\"uuid\") DO NOTHING RETURNING \"uuid\", \"error\" AS \"H0\")\nINSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT \"uuid\", '', $2::text, '', \"H0\", $13::text, $14::text FROM i", "ktwABCD0ab", storeCreate},
	createHistory: storeStmt{},
	expire:        []storeExpiry{{storeStmt{"WITH due AS (SELECT \"uuid\", \"state\" FROM \"nodes\" WHERE \"timeout_at\" <= $1::timestamptz ORDER BY \"timeout_at\" LIMIT $2 FOR UPDATE SKIP LOCKED),\nm (f, t) AS (VALUES ('starting'::\"node_state\", 'error'::\"node_state\"), ('waiting'::\"node_state\", 'error'::\"node_state\"), ('processing'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $3, \"started_at\" = CASE $4::bigint WHEN 1 THEN $5::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $6::bigint WHEN 1 THEN $7::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'starting' THEN clock_timestamp() WHEN 'waiting' THEN clock_timestamp() WHEN 'processing' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $8::bigint WHEN 1 THEN $9::text ELSE r.\"error\" END, \"timeout_at\" = CASE $10::bigint WHEN 1 THEN $11::timestamptz WHEN 2 THEN clock_timestamp() + $12::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM due, m WHERE r.\"uuid\" = due.\"uuid\" AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'timeout', \"H0\", $13::text, $14::text FROM u),\nx AS (UPDATE \"nodes\" AS r SET \"timeout_at\" = NULL FROM due WHERE r.\"uuid\" = due.\"uuid\" AND r.\"state\" NOT IN ('starting', 'waiting', 'processing') RETURNING r.\"uuid\" AS k, r.\"state\" AS f)\nSELECT k::text, f, t FROM u\nUNION ALL\nSELECT k::text, f, NULL::\"node_state\" FROM x", "olwABCD0ab", storeStmts + 0}, storeStmt{}, storeStmt{"UPDATE \"nodes\" SET \"timeout_at\" = NULL WHERE \"uuid\" = $1", "k", storeStmts + 2}}},
	fields:        true,
	fire: [NumEvents]storeStmt{
		EventAbort:    storeStmt{"WITH m (f, t) AS (VALUES ('waiting'::\"node_state\", 'aborting'::\"node_state\"), ('error'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'error' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'waiting' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'abort', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventAbort)},
		EventAbortEnd: storeStmt{"WITH m (f, t) AS (VALUES ('aborting'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'aborting' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'abort_end', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventAbortEnd)},
		EventError:    storeStmt{"WITH m (f, t) AS (VALUES ('starting'::\"node_state\", 'error'::\"node_state\"), ('processing'::\"node_state\", 'error'::\"node_state\"), ('error'::\"node_state\", 'error'::\"node_state\"), ('reapplying'::\"node_state\", 'error'::\"node_state\"), ('enrolling'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'starting' THEN clock_timestamp() WHEN 'processing' THEN clock_timestamp() WHEN 'error' THEN clock_timestamp() WHEN 'reapplying' THEN clock_timestamp() WHEN 'enrolling' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'starting' THEN NULL WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'error', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventError)},
		EventFinish:   storeStmt{"WITH m (f, t) AS (VALUES ('processing'::\"node_state\", 'finished'::\"node_state\"), ('finished'::\"node_state\", 'finished'::\"node_state\"), ('reapplying'::\"node_state\", 'finished'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'processing' THEN clock_timestamp() WHEN 'finished' THEN clock_timestamp() WHEN 'reapplying' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'finish', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventFinish)},
		EventProcess:  storeStmt{"WITH m (f, t) AS (VALUES ('waiting'::\"node_state\", 'processing'::\"node_state\"), ('enrolling'::\"node_state\", 'processing'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"finished_at\" END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'enrolling' THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'process', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventProcess)},
		EventReapply:  storeStmt{"WITH m (f, t) AS (VALUES ('finished'::\"node_state\", 'reapplying'::\"node_state\"), ('error'::\"node_state\", 'reapplying'::\"node_state\"), ('reapplying'::\"node_state\", 'reapplying'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"finished_at\" END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'reapply', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventReapply)},
		EventStart:    storeStmt{"WITH m (f, t) AS (VALUES ('waiting'::\"node_state\", 'starting'::\"node_state\"), ('finished'::\"node_state\", 'starting'::\"node_state\"), ('error'::\"node_state\", 'starting'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'waiting' THEN clock_timestamp() WHEN 'finished' THEN clock_timestamp() WHEN 'error' THEN clock_timestamp() ELSE r.\"started_at\" END END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE CASE m.f WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE r.\"error\" END END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'finished' THEN clock_timestamp() + $11::bigint * interval '1 microsecond' WHEN 'error' THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'start', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventStart)},
		EventTimeout:  storeStmt{"WITH m (f, t) AS (VALUES ('starting'::\"node_state\", 'error'::\"node_state\"), ('waiting'::\"node_state\", 'error'::\"node_state\"), ('processing'::\"node_state\", 'error'::\"node_state\"), ('reapplying'::\"node_state\", 'error'::\"node_state\"), ('enrolling'::\"node_state\", 'error'::\"node_state\"), ('aborting'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'starting' THEN clock_timestamp() WHEN 'waiting' THEN clock_timestamp() WHEN 'processing' THEN clock_timestamp() WHEN 'reapplying' THEN clock_timestamp() WHEN 'enrolling' THEN clock_timestamp() WHEN 'aborting' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'timeout', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventTimeout)},
		EventWait:     storeStmt{"WITH m (f, t) AS (VALUES ('starting'::\"node_state\", 'waiting'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"finished_at\" END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END FROM m WHERE r.\"uuid\" = $1 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'wait', \"H0\", $12::text, $13::text FROM u)\nSELECT f, t FROM u", "kwABCD0ab", int(EventWait)},
	},
	fireAt: [NumEvents]storeStmt{
		EventAbort:    storeStmt{"WITH m (f, t) AS (VALUES ('waiting'::\"node_state\", 'aborting'::\"node_state\"), ('error'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'error' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'waiting' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'abort', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventAbort)},
		EventAbortEnd: storeStmt{"WITH m (f, t) AS (VALUES ('aborting'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'aborting' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'abort_end', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventAbortEnd)},
		EventError:    storeStmt{"WITH m (f, t) AS (VALUES ('starting'::\"node_state\", 'error'::\"node_state\"), ('processing'::\"node_state\", 'error'::\"node_state\"), ('error'::\"node_state\", 'error'::\"node_state\"), ('reapplying'::\"node_state\", 'error'::\"node_state\"), ('enrolling'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'starting' THEN clock_timestamp() WHEN 'processing' THEN clock_timestamp() WHEN 'error' THEN clock_timestamp() WHEN 'reapplying' THEN clock_timestamp() WHEN 'enrolling' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'starting' THEN NULL WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'error', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventError)},
		EventFinish:   storeStmt{"WITH m (f, t) AS (VALUES ('processing'::\"node_state\", 'finished'::\"node_state\"), ('finished'::\"node_state\", 'finished'::\"node_state\"), ('reapplying'::\"node_state\", 'finished'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'processing' THEN clock_timestamp() WHEN 'finished' THEN clock_timestamp() WHEN 'reapplying' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'finish', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventFinish)},
		EventProcess:  storeStmt{"WITH m (f, t) AS (VALUES ('waiting'::\"node_state\", 'processing'::\"node_state\"), ('enrolling'::\"node_state\", 'processing'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"finished_at\" END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'enrolling' THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'process', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventProcess)},
		EventReapply:  storeStmt{"WITH m (f, t) AS (VALUES ('finished'::\"node_state\", 'reapplying'::\"node_state\"), ('error'::\"node_state\", 'reapplying'::\"node_state\"), ('reapplying'::\"node_state\", 'reapplying'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"finished_at\" END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'reapply', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventReapply)},
		EventStart:    storeStmt{"WITH m (f, t) AS (VALUES ('waiting'::\"node_state\", 'starting'::\"node_state\"), ('finished'::\"node_state\", 'starting'::\"node_state\"), ('error'::\"node_state\", 'starting'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'waiting' THEN clock_timestamp() WHEN 'finished' THEN clock_timestamp() WHEN 'error' THEN clock_timestamp() ELSE r.\"started_at\" END END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE CASE m.f WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE r.\"error\" END END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'finished' THEN clock_timestamp() + $11::bigint * interval '1 microsecond' WHEN 'error' THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'start', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventStart)},
		EventTimeout:  storeStmt{"WITH m (f, t) AS (VALUES ('starting'::\"node_state\", 'error'::\"node_state\"), ('waiting'::\"node_state\", 'error'::\"node_state\"), ('processing'::\"node_state\", 'error'::\"node_state\"), ('reapplying'::\"node_state\", 'error'::\"node_state\"), ('enrolling'::\"node_state\", 'error'::\"node_state\"), ('aborting'::\"node_state\", 'error'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE CASE m.f WHEN 'starting' THEN clock_timestamp() WHEN 'waiting' THEN clock_timestamp() WHEN 'processing' THEN clock_timestamp() WHEN 'reapplying' THEN clock_timestamp() WHEN 'enrolling' THEN clock_timestamp() WHEN 'aborting' THEN clock_timestamp() ELSE r.\"finished_at\" END END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE CASE m.f WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE r.\"timeout_at\" END END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'timeout', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventTimeout)},
		EventWait:     storeStmt{"WITH m (f, t) AS (VALUES ('starting'::\"node_state\", 'waiting'::\"node_state\")),\nu AS (UPDATE \"nodes\" AS r SET \"state\" = m.t, \"version_id\" = $2, \"started_at\" = CASE $3::bigint WHEN 1 THEN $4::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"started_at\" END, \"finished_at\" = CASE $5::bigint WHEN 1 THEN $6::timestamptz WHEN 2 THEN clock_timestamp() ELSE r.\"finished_at\" END, \"error\" = CASE $7::bigint WHEN 1 THEN $8::text ELSE r.\"error\" END, \"timeout_at\" = CASE $9::bigint WHEN 1 THEN $10::timestamptz WHEN 2 THEN clock_timestamp() + $11::bigint * interval '1 microsecond' ELSE r.\"timeout_at\" END FROM m WHERE r.\"uuid\" = $1 AND r.\"version_id\" = $12 AND r.\"state\" = m.f RETURNING r.\"uuid\" AS k, m.f, m.t, r.\"error\" AS \"H0\"),\nh AS (INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT k, f::text, t::text, 'wait', \"H0\", $13::text, $14::text FROM u)\nSELECT f, t FROM u", "kwABCD0vab", NumEvents + int(EventWait)},
	},
	get:                storeStmt{"SELECT \"state\", \"version_id\", \"started_at\", \"finished_at\", \"error\", \"timeout_at\" FROM \"nodes\" WHERE \"uuid\" = $1", "k", storeGet},
	getCurrent:         storeStmt{"SELECT \"state\", \"version_id\", \"started_at\", \"finished_at\", \"error\", \"timeout_at\" FROM \"nodes\" WHERE \"uuid\" = $1", "k", storeGetCurrent},
	history:            storeStmt{},
	insertID:           false,
	lastID:             storeStmt{},
	move:               storeStmt{"WITH u AS (UPDATE \"nodes\" SET \"state\" = $3, \"version_id\" = $5, \"started_at\" = CASE $6::bigint WHEN 1 THEN $7::timestamptz WHEN 2 THEN clock_timestamp() ELSE \"started_at\" END, \"finished_at\" = CASE $8::bigint WHEN 1 THEN $9::timestamptz WHEN 2 THEN clock_timestamp() ELSE \"finished_at\" END, \"error\" = CASE $10::bigint WHEN 1 THEN $11::text ELSE \"error\" END, \"timeout_at\" = CASE $12::bigint WHEN 1 THEN $13::timestamptz WHEN 2 THEN clock_timestamp() + $14::bigint * interval '1 microsecond' ELSE \"timeout_at\" END WHERE \"uuid\" = $1 AND \"state\" = $2 RETURNING \"uuid\", \"error\" AS \"H0\")\nINSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT \"uuid\", $2::text, $3::text, $4, \"H0\", $15::text, $16::text FROM u", "kftewABCD0ab", storeMove},
	prepare:            false,
	readFirst:          false,
	serialWrites:       false,
	state:              storeStmt{"SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = $1", "k", storeState},
	sweepBatch:         100,
	sweepReadCommitted: false,
	timeLayout:         "",
	token:              true,
}, MySQL: {
	create:        storeStmt{"INSERT INTO `nodes` (`uuid`, `state`, `version_id`, `started_at`, `finished_at`, `error`, `timeout_at`) VALUES (?, ?, ?, CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE NULL END, CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE NULL END, CASE ? WHEN 1 THEN ? ELSE NULL END, CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE NULL END) ON DUPLICATE KEY UPDATE `uuid` = `uuid`", "ktwABCD0", storeCreate},
	createHistory: storeStmt{"INSERT INTO `nodes_history` (`uuid`, `from_state`, `to_state`, `event`, `error`, `actor`, `reason`) SELECT ?, '', ?, '', `error`, ?, ? FROM `nodes` WHERE `uuid` = ?", "ktabk", storeCreateHistory},
	expire:        []storeExpiry{{storeStmt{}, storeStmt{"SELECT r.`uuid`, r.`state` FROM (SELECT `uuid`, `state` FROM `nodes` WHERE `timeout_at` <= ? ORDER BY `timeout_at` LIMIT ?) AS due JOIN `nodes` AS r ON r.`uuid` = due.`uuid` WHERE r.`timeout_at` <= ? FOR UPDATE SKIP LOCKED", "olo", storeStmts + 1}, storeStmt{"UPDATE `nodes` SET `timeout_at` = NULL WHERE `uuid` = ?", "k", storeStmts + 2}}},
	fields:        true,
	fire: [NumEvents]storeStmt{
		EventAbort:    storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'error' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'waiting' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'waiting', 'error')) % 65536 WHEN 1 THEN 'aborting' WHEN 2 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('waiting', 'error')", "ABCD0nwk", int(EventAbort)},
		EventAbortEnd: storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'aborting' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'aborting')) % 65536 WHEN 1 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('aborting')", "ABCD0nwk", int(EventAbortEnd)},
		EventError:    storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'starting' THEN CURRENT_TIMESTAMP(6) WHEN 'processing' THEN CURRENT_TIMESTAMP(6) WHEN 'error' THEN CURRENT_TIMESTAMP(6) WHEN 'reapplying' THEN CURRENT_TIMESTAMP(6) WHEN 'enrolling' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'starting' THEN NULL WHEN 'processing' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'starting', 'processing', 'error', 'reapplying', 'enrolling')) % 65536 WHEN 1 THEN 'error' WHEN 2 THEN 'error' WHEN 3 THEN 'error' WHEN 4 THEN 'error' WHEN 5 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('starting', 'processing', 'error', 'reapplying', 'enrolling')", "ABCD0nwk", int(EventError)},
		EventFinish:   storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'processing' THEN CURRENT_TIMESTAMP(6) WHEN 'finished' THEN CURRENT_TIMESTAMP(6) WHEN 'reapplying' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'processing' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'processing', 'finished', 'reapplying')) % 65536 WHEN 1 THEN 'finished' WHEN 2 THEN 'finished' WHEN 3 THEN 'finished' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('processing', 'finished', 'reapplying')", "ABCD0nwk", int(EventFinish)},
		EventProcess:  storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'enrolling' THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'waiting', 'enrolling')) % 65536 WHEN 1 THEN 'processing' WHEN 2 THEN 'processing' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('waiting', 'enrolling')", "ABCD00nwk", int(EventProcess)},
		EventReapply:  storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'finished', 'error', 'reapplying')) % 65536 WHEN 1 THEN 'reapplying' WHEN 2 THEN 'reapplying' WHEN 3 THEN 'reapplying' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('finished', 'error', 'reapplying')", "ABCD0nwk", int(EventReapply)},
		EventStart:    storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'waiting' THEN CURRENT_TIMESTAMP(6) WHEN 'finished' THEN CURRENT_TIMESTAMP(6) WHEN 'error' THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE CASE `state` WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE `error` END END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'finished' THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHEN 'error' THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'waiting', 'finished', 'error')) % 65536 WHEN 1 THEN 'starting' WHEN 2 THEN 'starting' WHEN 3 THEN 'starting' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('waiting', 'finished', 'error')", "ABCD000nwk", int(EventStart)},
		EventTimeout:  storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'starting' THEN CURRENT_TIMESTAMP(6) WHEN 'waiting' THEN CURRENT_TIMESTAMP(6) WHEN 'processing' THEN CURRENT_TIMESTAMP(6) WHEN 'reapplying' THEN CURRENT_TIMESTAMP(6) WHEN 'enrolling' THEN CURRENT_TIMESTAMP(6) WHEN 'aborting' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'starting', 'waiting', 'processing', 'reapplying', 'enrolling', 'aborting')) % 65536 WHEN 1 THEN 'error' WHEN 2 THEN 'error' WHEN 3 THEN 'error' WHEN 4 THEN 'error' WHEN 5 THEN 'error' WHEN 6 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('starting', 'waiting', 'processing', 'reapplying', 'enrolling', 'aborting')", "ABCD0nwk", int(EventTimeout)},
		EventWait:     storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'starting')) % 65536 WHEN 1 THEN 'waiting' END, `version_id` = ? WHERE `uuid` = ? AND `state` IN ('starting')", "ABCD0nwk", int(EventWait)},
	},
	fireArcs: [NumEvents][2]string{
		EventAbort:    {"\nwaiting\nerror\n", "\naborting\nerror\n"},
		EventAbortEnd: {"\naborting\n", "\nerror\n"},
		EventError:    {"\nstarting\nprocessing\nerror\nreapplying\nenrolling\n", "\nerror\nerror\nerror\nerror\nerror\n"},
		EventFinish:   {"\nprocessing\nfinished\nreapplying\n", "\nfinished\nfinished\nfinished\n"},
		EventProcess:  {"\nwaiting\nenrolling\n", "\nprocessing\nprocessing\n"},
		EventReapply:  {"\nfinished\nerror\nreapplying\n", "\nreapplying\nreapplying\nreapplying\n"},
		EventStart:    {"\nwaiting\nfinished\nerror\n", "\nstarting\nstarting\nstarting\n"},
		EventTimeout:  {"\nstarting\nwaiting\nprocessing\nreapplying\nenrolling\naborting\n", "\nerror\nerror\nerror\nerror\nerror\nerror\n"},
		EventWait:     {"\nstarting\n", "\nwaiting\n"},
	},
	fireAt: [NumEvents]storeStmt{
		EventAbort:    storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'error' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'waiting' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'waiting', 'error')) % 65536 WHEN 1 THEN 'aborting' WHEN 2 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('waiting', 'error')", "ABCD0nwkv", NumEvents + int(EventAbort)},
		EventAbortEnd: storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'aborting' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'aborting')) % 65536 WHEN 1 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('aborting')", "ABCD0nwkv", NumEvents + int(EventAbortEnd)},
		EventError:    storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'starting' THEN CURRENT_TIMESTAMP(6) WHEN 'processing' THEN CURRENT_TIMESTAMP(6) WHEN 'error' THEN CURRENT_TIMESTAMP(6) WHEN 'reapplying' THEN CURRENT_TIMESTAMP(6) WHEN 'enrolling' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'starting' THEN NULL WHEN 'processing' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'starting', 'processing', 'error', 'reapplying', 'enrolling')) % 65536 WHEN 1 THEN 'error' WHEN 2 THEN 'error' WHEN 3 THEN 'error' WHEN 4 THEN 'error' WHEN 5 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('starting', 'processing', 'error', 'reapplying', 'enrolling')", "ABCD0nwkv", NumEvents + int(EventError)},
		EventFinish:   storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'processing' THEN CURRENT_TIMESTAMP(6) WHEN 'finished' THEN CURRENT_TIMESTAMP(6) WHEN 'reapplying' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'processing' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'processing', 'finished', 'reapplying')) % 65536 WHEN 1 THEN 'finished' WHEN 2 THEN 'finished' WHEN 3 THEN 'finished' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('processing', 'finished', 'reapplying')", "ABCD0nwkv", NumEvents + int(EventFinish)},
		EventProcess:  storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'enrolling' THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'waiting', 'enrolling')) % 65536 WHEN 1 THEN 'processing' WHEN 2 THEN 'processing' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('waiting', 'enrolling')", "ABCD00nwkv", NumEvents + int(EventProcess)},
		EventReapply:  storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'finished', 'error', 'reapplying')) % 65536 WHEN 1 THEN 'reapplying' WHEN 2 THEN 'reapplying' WHEN 3 THEN 'reapplying' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('finished', 'error', 'reapplying')", "ABCD0nwkv", NumEvents + int(EventReapply)},
		EventStart:    storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'waiting' THEN CURRENT_TIMESTAMP(6) WHEN 'finished' THEN CURRENT_TIMESTAMP(6) WHEN 'error' THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE CASE `state` WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE `error` END END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'finished' THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND WHEN 'error' THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'waiting', 'finished', 'error')) % 65536 WHEN 1 THEN 'starting' WHEN 2 THEN 'starting' WHEN 3 THEN 'starting' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('waiting', 'finished', 'error')", "ABCD000nwkv", NumEvents + int(EventStart)},
		EventTimeout:  storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE CASE `state` WHEN 'starting' THEN CURRENT_TIMESTAMP(6) WHEN 'waiting' THEN CURRENT_TIMESTAMP(6) WHEN 'processing' THEN CURRENT_TIMESTAMP(6) WHEN 'reapplying' THEN CURRENT_TIMESTAMP(6) WHEN 'enrolling' THEN CURRENT_TIMESTAMP(6) WHEN 'aborting' THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE CASE `state` WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE `timeout_at` END END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'starting', 'waiting', 'processing', 'reapplying', 'enrolling', 'aborting')) % 65536 WHEN 1 THEN 'error' WHEN 2 THEN 'error' WHEN 3 THEN 'error' WHEN 4 THEN 'error' WHEN 5 THEN 'error' WHEN 6 THEN 'error' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('starting', 'waiting', 'processing', 'reapplying', 'enrolling', 'aborting')", "ABCD0nwkv", NumEvents + int(EventTimeout)},
		EventWait:     storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + FIELD(`state`, 'starting')) % 65536 WHEN 1 THEN 'waiting' END, `version_id` = ? WHERE `uuid` = ? AND `version_id` = ? AND `state` IN ('starting')", "ABCD0nwkv", NumEvents + int(EventWait)},
	},
	fireFunc:           storeStmt{"SELECT `node_state_fire_47b0e`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "", storeFireFunc},
	fireGone:           "Error 1305",
	fireUsable:         storeStmt{"SELECT COUNT(*) FROM information_schema.PARAMETERS AS p JOIN information_schema.COLUMNS AS c ON c.TABLE_SCHEMA = p.SPECIFIC_SCHEMA WHERE p.SPECIFIC_SCHEMA = DATABASE() AND p.SPECIFIC_NAME = 'node_state_fire_47b0e' AND p.PARAMETER_NAME = 'p_key' AND c.TABLE_NAME = 'nodes' AND c.COLUMN_NAME = 'uuid' AND (c.COLLATION_NAME IS NULL OR c.COLLATION_NAME = p.COLLATION_NAME)", "", storeFireUsable},
	get:                storeStmt{"SELECT `state`, `version_id`, `started_at`, `finished_at`, `error`, `timeout_at` FROM `nodes` WHERE `uuid` = ?", "k", storeGet},
	getCurrent:         storeStmt{"SELECT `state`, `version_id`, `started_at`, `finished_at`, `error`, `timeout_at` FROM `nodes` WHERE `uuid` = ? FOR UPDATE", "k", storeGetCurrent},
	history:            storeStmt{"INSERT INTO `nodes_history` (`uuid`, `from_state`, `to_state`, `event`, `error`, `actor`, `reason`) SELECT ?, ?, ?, ?, `error`, ?, ? FROM `nodes` WHERE `uuid` = ?", "kfteabk", storeHistory},
	insertID:           true,
	lastID:             storeStmt{"SELECT LAST_INSERT_ID()", "", storeLastID},
	move:               storeStmt{"UPDATE `nodes` SET `started_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `started_at` END, `finished_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) ELSE `finished_at` END, `error` = CASE ? WHEN 1 THEN ? ELSE `error` END, `timeout_at` = CASE ? WHEN 1 THEN ? WHEN 2 THEN CURRENT_TIMESTAMP(6) + INTERVAL ? MICROSECOND ELSE `timeout_at` END, `state` = CASE LAST_INSERT_ID(? * 65536 + 1) % 65536 WHEN 1 THEN ? END, `version_id` = ? WHERE `uuid` = ? AND `state` = ?", "ABCD0ntwkf", storeMove},
	prepare:            true,
	readFirst:          false,
	serialWrites:       false,
	state:              storeStmt{"SELECT `state` FROM `nodes` WHERE `uuid` = ? FOR UPDATE", "k", storeState},
	sweepBatch:         0,
	sweepReadCommitted: true,
	timeLayout:         "",
	token:              true,
}, SQLite: {
	create:        storeStmt{"INSERT INTO \"nodes\" (\"uuid\", \"state\", \"version_id\", \"started_at\", \"finished_at\", \"error\", \"timeout_at\") VALUES (?1, ?2, ?3, CASE ?4 WHEN 1 THEN ?5 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE NULL END, CASE ?6 WHEN 1 THEN ?7 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE NULL END, CASE ?8 WHEN 1 THEN ?9 ELSE NULL END, CASE ?10 WHEN 1 THEN ?11 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?12 / 1000000.0)) ELSE NULL END) ON CONFLICT (\"uuid\") DO NOTHING", "ktwABCD0", storeCreate},
	createHistory: storeStmt{"INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT ?1, '', ?2, '', \"error\", ?3, ?4 FROM \"nodes\" WHERE \"uuid\" = ?1", "ktab", storeCreateHistory},
	expire:        []storeExpiry{{storeStmt{}, storeStmt{"SELECT \"uuid\", \"state\" FROM \"nodes\" WHERE \"timeout_at\" <= strftime('%Y-%m-%d %H:%M:%f', ?1) ORDER BY \"timeout_at\" LIMIT ?2", "ol", storeStmts + 1}, storeStmt{"UPDATE \"nodes\" SET \"timeout_at\" = NULL WHERE \"uuid\" = ?1", "k", storeStmts + 2}}},
	fields:        true,
	fire: [NumEvents]storeStmt{
		EventAbort:    storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'waiting' THEN 'aborting' WHEN 'error' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'waiting' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('waiting', 'error') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventAbort)},
		EventAbortEnd: storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'aborting' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'aborting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('aborting') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventAbortEnd)},
		EventError:    storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'starting' THEN 'error' WHEN 'processing' THEN 'error' WHEN 'error' THEN 'error' WHEN 'reapplying' THEN 'error' WHEN 'enrolling' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'starting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'processing' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'reapplying' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'enrolling' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'starting' THEN NULL WHEN 'processing' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('starting', 'processing', 'error', 'reapplying', 'enrolling') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventError)},
		EventFinish:   storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'processing' THEN 'finished' WHEN 'finished' THEN 'finished' WHEN 'reapplying' THEN 'finished' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'processing' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'finished' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'reapplying' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'processing' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('processing', 'finished', 'reapplying') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventFinish)},
		EventProcess:  storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'waiting' THEN 'processing' WHEN 'enrolling' THEN 'processing' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'enrolling' THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('waiting', 'enrolling') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventProcess)},
		EventReapply:  storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'finished' THEN 'reapplying' WHEN 'error' THEN 'reapplying' WHEN 'reapplying' THEN 'reapplying' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('finished', 'error', 'reapplying') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventReapply)},
		EventStart:    storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'waiting' THEN 'starting' WHEN 'finished' THEN 'starting' WHEN 'error' THEN 'starting' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'waiting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'finished' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE CASE \"state\" WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE \"error\" END END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'finished' THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('waiting', 'finished', 'error') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventStart)},
		EventTimeout:  storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'starting' THEN 'error' WHEN 'waiting' THEN 'error' WHEN 'processing' THEN 'error' WHEN 'reapplying' THEN 'error' WHEN 'enrolling' THEN 'error' WHEN 'aborting' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'starting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'waiting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'processing' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'reapplying' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'enrolling' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'aborting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('starting', 'waiting', 'processing', 'reapplying', 'enrolling', 'aborting') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventTimeout)},
		EventWait:     storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'starting' THEN 'waiting' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END\nWHERE \"uuid\" = ?1 AND \"state\" IN ('starting') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0", int(EventWait)},
	},
	fireAt: [NumEvents]storeStmt{
		EventAbort:    storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'waiting' THEN 'aborting' WHEN 'error' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'waiting' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('waiting', 'error') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventAbort)},
		EventAbortEnd: storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'aborting' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'aborting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('aborting') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventAbortEnd)},
		EventError:    storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'starting' THEN 'error' WHEN 'processing' THEN 'error' WHEN 'error' THEN 'error' WHEN 'reapplying' THEN 'error' WHEN 'enrolling' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'starting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'processing' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'reapplying' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'enrolling' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'starting' THEN NULL WHEN 'processing' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('starting', 'processing', 'error', 'reapplying', 'enrolling') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventError)},
		EventFinish:   storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'processing' THEN 'finished' WHEN 'finished' THEN 'finished' WHEN 'reapplying' THEN 'finished' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'processing' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'finished' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'reapplying' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'processing' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('processing', 'finished', 'reapplying') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventFinish)},
		EventProcess:  storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'waiting' THEN 'processing' WHEN 'enrolling' THEN 'processing' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'enrolling' THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('waiting', 'enrolling') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventProcess)},
		EventReapply:  storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'finished' THEN 'reapplying' WHEN 'error' THEN 'reapplying' WHEN 'reapplying' THEN 'reapplying' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('finished', 'error', 'reapplying') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventReapply)},
		EventStart:    storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'waiting' THEN 'starting' WHEN 'finished' THEN 'starting' WHEN 'error' THEN 'starting' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'waiting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'finished' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE CASE \"state\" WHEN 'waiting' THEN NULL WHEN 'finished' THEN NULL WHEN 'error' THEN NULL ELSE \"error\" END END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'finished' THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) WHEN 'error' THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('waiting', 'finished', 'error') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventStart)},
		EventTimeout:  storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'starting' THEN 'error' WHEN 'waiting' THEN 'error' WHEN 'processing' THEN 'error' WHEN 'reapplying' THEN 'error' WHEN 'enrolling' THEN 'error' WHEN 'aborting' THEN 'error' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE CASE \"state\" WHEN 'starting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'waiting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'processing' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'reapplying' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'enrolling' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') WHEN 'aborting' THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE CASE \"state\" WHEN 'starting' THEN NULL WHEN 'waiting' THEN NULL WHEN 'processing' THEN NULL ELSE \"timeout_at\" END END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('starting', 'waiting', 'processing', 'reapplying', 'enrolling', 'aborting') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventTimeout)},
		EventWait:     storeStmt{"WITH o (f) AS MATERIALIZED (SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1)\nUPDATE \"nodes\" SET \"state\" = CASE \"state\" WHEN 'starting' THEN 'waiting' END, \"version_id\" = ?2, \"started_at\" = CASE ?3 WHEN 1 THEN ?4 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?7 WHEN 1 THEN ?8 ELSE \"error\" END, \"timeout_at\" = CASE ?9 WHEN 1 THEN ?10 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?11 / 1000000.0)) ELSE \"timeout_at\" END\nWHERE \"uuid\" = ?1 AND \"version_id\" = ?12 AND \"state\" IN ('starting') AND \"state\" = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), \"state\"", "kwABCD0v", NumEvents + int(EventWait)},
	},
	get:                storeStmt{"SELECT \"state\", \"version_id\", \"started_at\", \"finished_at\", \"error\", \"timeout_at\" FROM \"nodes\" WHERE \"uuid\" = ?1", "k", storeGet},
	getCurrent:         storeStmt{"SELECT \"state\", \"version_id\", \"started_at\", \"finished_at\", \"error\", \"timeout_at\" FROM \"nodes\" WHERE \"uuid\" = ?1", "k", storeGetCurrent},
	history:            storeStmt{"INSERT INTO \"nodes_history\" (\"uuid\", \"from_state\", \"to_state\", \"event\", \"error\", \"actor\", \"reason\") SELECT ?1, ?2, ?3, ?4, \"error\", ?5, ?6 FROM \"nodes\" WHERE \"uuid\" = ?1", "kfteab", storeHistory},
	insertID:           false,
	lastID:             storeStmt{},
	move:               storeStmt{"UPDATE \"nodes\" SET \"state\" = ?3, \"version_id\" = ?4, \"started_at\" = CASE ?5 WHEN 1 THEN ?6 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"started_at\" END, \"finished_at\" = CASE ?7 WHEN 1 THEN ?8 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') ELSE \"finished_at\" END, \"error\" = CASE ?9 WHEN 1 THEN ?10 ELSE \"error\" END, \"timeout_at\" = CASE ?11 WHEN 1 THEN ?12 WHEN 2 THEN strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', ?13 / 1000000.0)) ELSE \"timeout_at\" END WHERE \"uuid\" = ?1 AND \"state\" = ?2", "kftwABCD0", storeMove},
	prepare:            true,
	readFirst:          false,
	serialWrites:       true,
	state:              storeStmt{"SELECT \"state\" FROM \"nodes\" WHERE \"uuid\" = ?1", "k", storeState},
	sweepBatch:         100,
	sweepReadCommitted: false,
	timeLayout:         "2006-01-02 15:04:05.000000",
	token:              true,
}}

// Store moves rows through the machine in the database: every move is one
// conditional UPDATE that checks the row's current state and writes the new
// one atomically, so no read-then-write race exists on any dialect. A Store
// is safe for concurrent use.
type Store struct {
	q *storeQueries
	// dbs holds, per *sql.DB the Store was given, its prepared statements.
	dbs sync.Map
	// after holds each timeout's duration, in microseconds.
	after []int64
	// fireMissing is when the Store last found the fire function missing
	// or unusable (Unix nanoseconds), -1 once found usable, 0 before it asked.
	fireMissing atomic.Int64
}

// fireRecheck is how long after it found the fire function missing the
// Store asks again: a migration may create it while the program runs.
const fireRecheck = time.Minute

// storeFields and storeNotes count the row's fields and the history's notes.
const (
	storeFields = 4
	storeNotes  = 2
)

// storePrepared holds one database's statements, each prepared the first
// time it runs, and the queue of its writes (serialWrites).
type storePrepared struct {
	db     *sql.DB
	writes sync.Mutex
	stmts  [storeStmts + 3*len(storeTimeouts)]atomic.Pointer[sql.Stmt]
}
