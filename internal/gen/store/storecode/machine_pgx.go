package storecode

import (
	"context"
	"database/sql"
	"errors"
	"github.com/jackc/pgx/v5"
	pgconn "github.com/jackc/pgx/v5/pgconn"
	"time"
)

// PgxDBTX is what a PgxStore needs from a pgx handle: *pgxpool.Pool,
// *pgx.Conn and pgx.Tx satisfy it.
type PgxDBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PgxStore is the Store over pgx, for PostgreSQL: the same calls, with the
// same statements and guarantees, on a *pgxpool.Pool, a *pgx.Conn, or
// inside the caller's pgx.Tx with its other writes. Each call is one
// statement, which appends the history row too: none needs a transaction
// of its own. A PgxStore is safe for concurrent use.
type PgxStore struct {
	s *Store
}

// NewPgxStore returns the PgxStore, configured by opts.
func NewPgxStore(opts ...StoreOption) *PgxStore {
	return &PgxStore{s: NewStore(Postgres, opts...)}
}

// RegisterPgxTypes registers the state column's enum type and its array
// type with conn's type map, which pgx needs to encode a []State
// parameter (state = ANY($1::the_enum[])) and to decode the enum's arrays.
// Call it on each new connection: from pgxpool.Config.AfterConnect, say.
func RegisterPgxTypes(ctx context.Context, conn *pgx.Conn) error {
	for _, name := range []string{"\"node_state\"", "\"node_state\"[]"} {
		t, err := conn.LoadType(ctx, name)
		if err != nil {
			return err
		}
		conn.TypeMap().RegisterType(t)
	}
	return nil
}

// Create is Store.Create over pgx.
func (s *PgxStore) Create(ctx context.Context, db PgxDBTX, key any, st State, opts ...Option) error {
	return s.s.create(ctx, pgxRun(db), key, st, opts)
}

// Fire is Store.Fire over pgx.
func (s *PgxStore) Fire(ctx context.Context, db PgxDBTX, key any, ev Event, opts ...Option) (from, to State, err error) {
	return s.s.fireEvent(ctx, pgxRun(db), key, ev, opts)
}

// Move is Store.Move over pgx.
func (s *PgxStore) Move(ctx context.Context, db PgxDBTX, key any, from State, ev Event, opts ...Option) (to State, err error) {
	return s.s.moveFrom(ctx, pgxRun(db), key, from, ev, opts)
}

// Get is Store.Get over pgx.
func (s *PgxStore) Get(ctx context.Context, db PgxDBTX, key any) (Row, error) {
	return s.s.get(ctx, pgxConn{db}, key)
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
func (s *PgxStore) MoveAt(ctx context.Context, db PgxDBTX, key any, version string, ev Event, opts ...Option) (Row, error) {
	next := storeToken()
	var r Row
	read, err := s.s.moveAt(ctx, pgxRun(db), key, version, next, ev, &r, opts)
	if err == nil && !read {
		r.Version = next
	}
	return r, err
}

// Expire is Store.Expire over pgx: one statement per timeout.
func (s *PgxStore) Expire(ctx context.Context, db PgxDBTX, now time.Time, limit int) ([]Expired, error) {
	return s.s.expire(ctx, pgxRun(db), now, limit)
}

var _ = sql.ErrNoRows
var _ = errors.Is
