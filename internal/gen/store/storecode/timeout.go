package storecode

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Expired is a row whose deadline a sweep found passed: it moved From To
// by Event, or, when its state does not take the event (a writer that
// bypassed the Store), Err is the TransitionError and its deadline is
// gone, so that no sweep finds it again.
type Expired struct {
	Key      string
	Event    Event
	From, To State
	Err      error
}

// Expire fires each timeout's event on up to limit rows whose deadline is
// at or before now, oldest first, in a transaction per timeout (on
// PostgreSQL, per 100 rows; the caller's, when db is a *sql.Tx), appending
// their history. A row another transaction holds is left to the next
// sweep, so concurrent sweeps never fire one deadline twice; the deadline
// is checked again under the row's lock, so a row that moved since it
// became due (and lost or renewed its deadline) is never fired on.
func (s *Store) Expire(ctx context.Context, db DBTX, now time.Time, limit int) ([]Expired, error) {
	var opts *sql.TxOptions
	if s.q.sweepReadCommitted {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return s.expire(ctx, func(ctx context.Context, fn func(storeConn) error) error { return s.begin(ctx, db, opts, fn) }, now, limit)
}

func (s *Store) expire(ctx context.Context, run storeRun, now time.Time, limit int) ([]Expired, error) {
	var out []Expired
	for i, g := range storeTimeouts {
		q := s.q.expire[i]
		for left := limit; left > 0; {
			n, before := left, len(out)
			if b := s.q.sweepBatch; b > 0 {
				n = min(n, b)
			}
			err := run(ctx, func(db storeConn) error {
				out = out[:before] // what an attempt the driver runs again found
				if q.all.query != "" {
					return s.expireAll(ctx, db, q.all, g, now, n, &out)
				}
				return s.expireDue(ctx, db, q, g, now, n, &out)
			})
			if err != nil {
				return out, err
			}
			found := len(out) - before
			if found < n {
				break
			}
			left -= found
		}
	}
	return out, nil
}

// expireDue locks up to limit due rows and moves them one by one, in the
// transaction that locked them.
func (s *Store) expireDue(ctx context.Context, db storeConn, q storeExpiry, g storeTimeout, now time.Time, limit int, out *[]Expired) error {
	args, err := q.due.bind(s.args(storeArgs{now: now, limit: limit}))
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, q.due, args...)
	if err != nil {
		return err
	}
	var due []Expired
	for rows.Next() {
		e := Expired{Event: g.event}
		if err := rows.Scan(&e.Key, &e.From); err != nil {
			rows.Close()
			return err
		}
		due = append(due, e)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, e := range due {
		if e.To, e.Err = Transition(e.From, g.event); e.Err != nil {
			e.To = e.From
			args, err := q.clear.bind(storeArgs{key: e.Key})
			if err == nil {
				_, err = db.exec(ctx, q.clear, args...)
			}
			if err != nil {
				return err
			}
		} else if err := s.expireOne(ctx, db, e, g); err != nil {
			return err
		}
		*out = append(*out, e)
	}
	return nil
}

// expireOne moves a due row the sweep's transaction holds.
func (s *Store) expireOne(ctx context.Context, db storeConn, e Expired, g storeTimeout) error {
	if s.fires() {
		arc, err := s.callFire(ctx, db, storeArgs{key: e.Key, ev: e.Event, opts: g.set}, []State{e.From}, fireLabels(e.From, e.To))
		if err != nil || arc == 1 {
			return err
		}
	}
	moved, err := s.move(ctx, db, e.Key, e.From, e.To, e.Event, g.set)
	switch {
	case err != nil:
		return err
	case !moved:
		return fmt.Errorf("%w: %s moved while the sweep held it", errContended, e.Key)
	}
	return s.appendHistory(ctx, db, e.Key, e.From, e.To, e.Event, nil)
}

// expireAll runs a timeout's one-statement sweep.
func (s *Store) expireAll(ctx context.Context, db storeConn, st storeStmt, g storeTimeout, now time.Time, limit int, out *[]Expired) error {
	args, err := st.bind(s.args(storeArgs{now: now, limit: limit, opts: g.set}))
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, st, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		e := Expired{Event: g.event}
		var to sql.Null[State]
		if err := rows.Scan(&e.Key, &e.From, &to); err != nil {
			rows.Close()
			return err
		}
		if e.To = to.V; !to.Valid {
			e.To = e.From
			_, e.Err = Transition(e.From, g.event)
		}
		*out = append(*out, e)
	}
	return closeRows(rows)
}

// closeRows closes rows read to their end, and returns the error that
// ended them, if any: database/sql's Close does not.
func closeRows(rows storeRows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}

// RunExpiry runs Expire every interval, and again at once after a call
// that found due rows, until ctx ends; it returns ctx's error, or the
// first error of Expire.
func (s *Store) RunExpiry(ctx context.Context, db DBTX, every time.Duration, limit int) error {
	return runExpiry(ctx, every, func(now time.Time) ([]Expired, error) { return s.Expire(ctx, db, now, limit) })
}

// runExpiry is RunExpiry with expire as its Expire.
func runExpiry(ctx context.Context, every time.Duration, expire func(now time.Time) ([]Expired, error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			out, err := expire(time.Now())
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				return err
			}
			if len(out) == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// begin runs fn in a transaction on db (see transaction), after the
// writes queued before it.
func (s *Store) begin(ctx context.Context, db DBTX, opts *sql.TxOptions, fn func(storeConn) error) error {
	p := s.prepared(db)
	if p != nil && s.q.serialWrites {
		p.writes.Lock()
		defer p.writes.Unlock()
	}
	return s.transaction(ctx, db, p, opts, fn)
}
