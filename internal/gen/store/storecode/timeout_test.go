package storecode

import (
	"context"
	"errors"
	"testing"
	"time"

	// go test ./... -update reaches this package too: the flag must be
	// known here.
	_ "github.com/fsmgen/fsmgen/internal/golden"
)

// TestExpireRetried: a driver that runs a sweep's transaction again (as
// Spanner's client does after an abort) gets each row once, as the
// attempt that committed found it.
func TestExpireRetried(t *testing.T) {
	s := NewStore(SQLite)
	twice := func(_ context.Context, fn func(storeConn) error) error {
		if err := fn(dueConn{}); err != nil {
			return err
		}
		return fn(dueConn{})
	}
	got, err := s.expire(context.Background(), twice, time.Now(), 10)
	if err != nil || len(got) != 1 || got[0].Key != "n1" || got[0].To != StateError {
		t.Errorf("expire = %+v, %v; want n1 timed out once", got, err)
	}
}

// TestExpireReadFails: an error that ends the due rows is the sweep's,
// not an empty sweep.
func TestExpireReadFails(t *testing.T) {
	s := NewStore(SQLite)
	broken := errors.New("the read broke off")
	run := func(_ context.Context, fn func(storeConn) error) error { return fn(dueConn{err: broken}) }
	if got, err := s.expire(context.Background(), run, time.Now(), 10); !errors.Is(err, broken) {
		t.Errorf("expire = %+v, %v; want the read's error", got, err)
	}
}

// dueConn finds one due row, n1 in waiting, and moves whatever it is told.
// With err, the rows break off before it instead.
type dueConn struct{ err error }

func (dueConn) exec(context.Context, storeStmt, ...any) (storeResult, error) { return movedOne{}, nil }

func (c dueConn) query(context.Context, storeStmt, ...any) (storeRows, error) {
	return &oneDue{read: c.err != nil, err: c.err}, nil
}

func (dueConn) scan(context.Context, storeStmt, []any, ...any) error { return nil }

type movedOne struct{}

func (movedOne) RowsAffected() (int64, error) { return 1, nil }
func (movedOne) LastInsertId() (int64, error) { return 0, nil }

type oneDue struct {
	read bool
	err  error
}

func (r *oneDue) Next() bool {
	next := !r.read
	r.read = true
	return next
}

func (r *oneDue) Scan(dest ...any) error {
	*dest[0].(*string), *dest[1].(*State) = "n1", StateWaiting
	return nil
}

func (r *oneDue) Err() error   { return r.err }
func (r *oneDue) Close() error { return nil }
