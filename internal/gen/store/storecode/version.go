package storecode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// moveAt moves the row by ev while it is at version, writing next (the
// token, with a token) and filling r as it then is: the state entered
// (and the fields, read back: read is then true), or the row that kept it
// from moving.
func (s *Store) moveAt(ctx context.Context, run storeRun, key, version, next any, ev Event, r *Row, opts []Option) (read bool, err error) {
	if !ev.IsValid() {
		return false, fmt.Errorf("%w: %d", ErrUnknownEvent, ev)
	}
	a := storeArgs{key: key, ev: ev, version: version, opts: opts}
	if s.q.token {
		a.token = next
	}
	a = s.args(a)
	return s.q.fields, run(ctx, func(db storeConn) error {
		for range maxStoreAttempts {
			from, to, moved, err := s.fire(ctx, db, s.q.fireAt[ev], a, false)
			switch {
			case err != nil:
				return err
			case moved:
				r.State = to
				if err := s.appendHistory(ctx, db, key, from, to, ev, opts); err != nil || !s.q.fields {
					return err
				}
				return db.scan(ctx, s.q.getCurrent, []any{key}, r.dest()...)
			}
			err = db.scan(ctx, s.q.getCurrent, []any{key}, r.dest()...)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return ErrNotFound
			case err != nil:
				return err
			case any(r.Version) != version:
				return fmt.Errorf("%w: it is at version %v, not %v", ErrStale, r.Version, version)
			case !r.State.Can(ev):
				_, err := Transition(r.State, ev)
				return err
			}
		}
		return errContended
	})
}
