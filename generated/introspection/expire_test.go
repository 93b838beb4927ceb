package introspection_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsmgen/fsmgen/generated/introspection"
)

// group is the seed's timeout: starting, waiting and processing.
var group = []introspection.State{introspection.StateStarting, introspection.StateWaiting, introspection.StateProcessing}

// TestStoreExpire checks the seed's timeout on every database: the
// deadline starts when a row enters the group from outside, holds while
// it moves inside, ends when it leaves; Expire fires the event with the
// timeout's set, and a row a writer moved out of the group behind the
// Store's back is reported, not fired on, and not found again.
func TestStoreExpire(t *testing.T) {
	ctx := context.Background()
	for _, s := range openStores(t) {
		t.Run(s.name, func(t *testing.T) {
			st := introspection.NewStore(s.dialect, introspection.WithTimeoutAtAfter(time.Hour))
			get := func(key string) introspection.Row {
				t.Helper()
				r, err := st.Get(ctx, s.db, key)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			fire := func(key string, evs ...introspection.Event) {
				t.Helper()
				for _, ev := range evs {
					if _, _, err := st.Fire(ctx, s.db, key, ev); err != nil {
						t.Fatalf("%s %v: %v", key, ev, err)
					}
				}
			}
			expire := func(at time.Time) []introspection.Expired {
				t.Helper()
				out, err := st.Expire(ctx, s.db, at, 100)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			before := time.Now()
			if err := st.Create(ctx, s.db, "a", introspection.StateStarting); err != nil {
				t.Fatal(err)
			}
			a := get("a")
			if !a.TimeoutAt.Valid || a.TimeoutAt.V.Sub(before) < 59*time.Minute || a.TimeoutAt.V.Sub(before) > 61*time.Minute {
				t.Fatalf("a created in starting has deadline %v, want an hour from %v", a.TimeoutAt, before)
			}
			fire("a", introspection.EventWait)
			if got := get("a").TimeoutAt; got != a.TimeoutAt {
				t.Fatalf("a move inside the group changed the deadline: %v, was %v", got, a.TimeoutAt)
			}
			if err := st.Create(ctx, s.db, "b", introspection.StateEnrolling); err != nil {
				t.Fatal(err)
			}
			if get("b").TimeoutAt.Valid {
				t.Fatal("b created outside the group has a deadline")
			}
			fire("b", introspection.EventProcess) // into the group from outside
			if !get("b").TimeoutAt.Valid {
				t.Fatal("b entered the group and has no deadline")
			}
			if err := st.Create(ctx, s.db, "c", introspection.StateStarting); err != nil {
				t.Fatal(err)
			}
			fire("c", introspection.EventWait, introspection.EventProcess, introspection.EventFinish)
			if get("c").TimeoutAt.Valid {
				t.Fatal("c left the group and kept its deadline")
			}
			if out := expire(time.Now()); len(out) != 0 {
				t.Fatalf("nothing is due yet, Expire fired %v", out)
			}
			// b leaves the group behind the Store's back, keeping its deadline.
			s.force(t, "b", introspection.StateFinished)
			out := expire(time.Now().Add(2 * time.Hour))
			slices.SortFunc(out, func(x, y introspection.Expired) int { return strings.Compare(x.Key, y.Key) })
			if len(out) != 2 || out[0].Key != "a" || out[0].From != introspection.StateWaiting || out[0].To != introspection.StateError || out[0].Err != nil ||
				out[1].Key != "b" || out[1].From != introspection.StateFinished || !errors.Is(out[1].Err, introspection.ErrInvalidTransition) {
				t.Fatalf("Expire: %+v; want a fired waiting -> error, b reported", out)
			}
			if r := get("a"); r.State != introspection.StateError || r.Error.V != "Introspection timeout" || r.TimeoutAt.Valid || !r.FinishedAt.Valid {
				t.Fatalf("a after the timeout: %+v", r)
			}
			if get("b").TimeoutAt.Valid {
				t.Fatal("b's deadline stayed")
			}
			if out := expire(time.Now().Add(2 * time.Hour)); len(out) != 0 {
				t.Fatalf("a second Expire fired %+v", out)
			}
			// RunExpiry sweeps until its context ends.
			quick := introspection.NewStore(s.dialect, introspection.WithTimeoutAtAfter(time.Millisecond))
			if err := quick.Create(ctx, s.db, "d", introspection.StateStarting); err != nil {
				t.Fatal(err)
			}
			run, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			if err := quick.RunExpiry(run, s.db, 10*time.Millisecond, 10); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("RunExpiry returned %v, want its context's end", err)
			}
			if r := get("d"); r.State != introspection.StateError {
				t.Fatalf("RunExpiry left d in %v", r.State)
			}
			// Deadlines long enough to check that each fired a whole
			// timeout after its row entered the group: a move's deadline
			// starts when its statement computes it (MySQL: when it
			// starts), which may be before it waits for the row's lock,
			// held by a sweep, and its history row is written after, so
			// the check allows three quarters of the timeout for that
			// wait (up to 550 ms seen on a loaded machine). A deadline
			// kept from an earlier stay in the group, what this looks
			// for, fires within a sweep of the row's return.
			expireRace(t, s, sqlRace(s, 800*time.Millisecond), "x", 400, 800*time.Millisecond, 600*time.Millisecond)
			// 10,000 rows whose deadlines of a few milliseconds are due
			// all the time.
			expireRace(t, s, sqlRace(s, 5*time.Millisecond), "y", 10000, 5*time.Millisecond, 5*time.Millisecond)
		})
	}
}

// raceOps are the calls expireRace makes: through the Store and
// database/sql, or the PgxStore and pgx.
type raceOps struct {
	// create creates the rows in starting, in one transaction.
	create func(keys []string) error
	fire   func(key string, ev introspection.Event) error
	expire func(now time.Time, limit int) ([]introspection.Expired, error)
	get    func(key string) (introspection.Row, error)
}

// sqlRace is raceOps through the Store.
func sqlRace(s storeDB, after time.Duration) raceOps {
	ctx := context.Background()
	st := introspection.NewStore(s.dialect, introspection.WithTimeoutAtAfter(after))
	return raceOps{
		create: func(keys []string) error {
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for _, k := range keys {
				if err := st.Create(ctx, tx, k, introspection.StateStarting); err != nil {
					return err
				}
			}
			return tx.Commit()
		},
		fire: func(key string, ev introspection.Event) error {
			_, _, err := st.Fire(ctx, s.db, key, ev)
			return err
		},
		expire: func(now time.Time, limit int) ([]introspection.Expired, error) {
			return st.Expire(ctx, s.db, now, limit)
		},
		get: func(key string) (introspection.Row, error) { return st.Get(ctx, s.db, key) },
	}
}

// expireRace creates rows in starting and moves them at random from 8
// workers while 4 sweepers expire deadlines after each timeout and 2
// readers check every row they read: a move's fields are never seen
// without its state, nor its state without them. Then: every due
// deadline was fired, each exactly once (the history records as many
// timeouts as the sweeps reported), only on a row in the timeout's
// states, and, when the timeout is long enough to tell (wait <
// after), only after the row stayed in them for the timeout since it
// entered them; the history replays every row from its creation, and its
// copies of the error agree with the moves.
func expireRace(t *testing.T, s storeDB, ops raceOps, prefix string, rows int, after, wait time.Duration) {
	t.Helper()
	keys := make([]string, rows)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s-%05d", prefix, i)
	}
	if err := ops.create(keys); err != nil {
		t.Fatal(err)
	}
	var events []introspection.Event
	for _, ev := range introspection.Events() {
		if ev != introspection.EventTimeout {
			events = append(events, ev)
		}
	}
	stop := make(chan struct{})
	var fired atomic.Int64
	sweep := func() (int, error) {
		out, err := ops.expire(time.Now(), 100)
		for _, e := range out {
			if e.Err != nil || !slices.Contains(group, e.From) {
				return 0, fmt.Errorf("Expire: %+v", e)
			}
		}
		fired.Add(int64(len(out)))
		return len(out), err
	}
	var background sync.WaitGroup
	for range 4 {
		background.Add(1)
		go func() {
			defer background.Done()
			for {
				if _, err := sweep(); err != nil {
					t.Error(err)
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
	}
	var reads atomic.Int64
	for r := range 2 {
		background.Add(1)
		go func() {
			defer background.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 47))
			for {
				select {
				case <-stop:
					return
				default:
				}
				key := keys[rng.IntN(rows)]
				row, err := ops.get(key)
				if err != nil {
					t.Error(err)
					return
				}
				if msg := rowAgrees(row); msg != "" {
					t.Errorf("%s read as %+v: %s", key, row, msg)
					return
				}
				reads.Add(1)
			}
		}()
	}
	var workers sync.WaitGroup
	for w := range 8 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 31))
			deadline := time.Now().Add(2500 * time.Millisecond)
			for time.Now().Before(deadline) {
				if err := ops.fire(keys[rng.IntN(rows)], events[rng.IntN(len(events))]); err != nil && !errors.Is(err, introspection.ErrInvalidTransition) {
					t.Error(err)
					return
				}
			}
		}()
	}
	workers.Wait()
	close(stop)
	background.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// Every deadline is due once the timeout has passed: the last sweeps
	// leave none.
	time.Sleep(after)
	for {
		n, err := sweep()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	for _, key := range keys {
		row, err := ops.get(key)
		if err != nil {
			t.Fatal(err)
		}
		if row.TimeoutAt.Valid {
			t.Fatalf("%s keeps a deadline after the last sweep: %+v", key, row)
		}
		if msg := rowAgrees(row); msg != "" {
			t.Fatalf("%s after the race: %+v: %s", key, row, msg)
		}
	}
	timeouts := replayRace(t, s, prefix, keys, after, wait)
	if timeouts == 0 || timeouts != fired.Load() {
		t.Fatalf("history records %d timeouts, Expire reported %d", timeouts, fired.Load())
	}
	t.Logf("%d rows: %d deadlines fired, %d rows read during the race", rows, timeouts, reads.Load())
}

// rowAgrees says how a row read breaks what the seed's moves write
// together with its state, or "".
func rowAgrees(r introspection.Row) string {
	switch {
	case r.State == introspection.StateStarting && (r.FinishedAt.Valid || r.Error.Valid || !r.StartedAt.Valid):
		return "in starting, which sets started_at and clears finished_at and error"
	case (r.State == introspection.StateFinished || r.State == introspection.StateError) && !r.FinishedAt.Valid:
		return "in " + r.State.String() + ", which sets finished_at"
	case r.TimeoutAt.Valid != slices.Contains(group, r.State):
		return "its deadline and its state disagree"
	}
	return ""
}

// replayRace replays the history of the rows with keys (which share
// prefix) and returns how many timeouts it records.
func replayRace(t *testing.T, s storeDB, prefix string, keys []string, after, wait time.Duration) int64 {
	t.Helper()
	rs, err := s.db.Query(s.bind(`SELECT uuid, from_state, to_state, event, moved_at, error FROM nodes_history WHERE uuid LIKE ? ORDER BY uuid, seq`), prefix+"-%")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	type replay struct {
		at      introspection.State
		entered time.Time
	}
	rows := map[string]*replay{}
	var timeouts int64
	for rs.Next() {
		var key, from, to, ev string
		var movedAt any
		var e sql.NullString
		if err := rs.Scan(&key, &from, &to, &ev, &movedAt, &e); err != nil {
			t.Fatal(err)
		}
		when := asTime(t, movedAt)
		next, err := introspection.ParseState(to)
		if err != nil {
			t.Fatal(err)
		}
		r := rows[key]
		if r == nil {
			if from != "" || ev != "" {
				t.Fatalf("%s: history starts with %s -%s-> %s, not its creation", key, from, ev, to)
			}
			rows[key] = &replay{next, when}
			continue
		}
		if from != r.at.String() {
			t.Fatalf("%s: history moves from %s, the row was in %v", key, from, r.at)
		}
		switch {
		case ev == introspection.EventTimeout.String():
			timeouts++
			if !slices.Contains(group, r.at) {
				t.Fatalf("%s: timed out from %v, outside the timeout's states", key, r.at)
			}
			if e.String != "Introspection timeout" {
				t.Fatalf("%s: the history copied error %q with the timeout", key, e.String)
			}
			if stayed := when.Sub(r.entered); wait < after && stayed < after-wait {
				t.Errorf("%s: timed out %v after it entered the group at %v, before its %v timeout", key, stayed, r.entered, after)
			}
		case next == introspection.StateStarting && e.Valid:
			t.Fatalf("%s: the history copied error %q with a move into starting, which clears it", key, e.String)
		}
		if slices.Contains(group, next) && !slices.Contains(group, r.at) {
			r.entered = when
		}
		r.at = next
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		if rows[key] == nil {
			t.Fatalf("%s: no history", key)
		}
		if now := s.state(t, key); now != rows[key].at {
			t.Fatalf("%s: history ends in %v, the row is in %v", key, rows[key].at, now)
		}
	}
	return timeouts
}

// asTime reads moved_at: a time, or SQLite's text.
func asTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch v := v.(type) {
	case time.Time:
		return v
	case string:
		at, err := time.Parse("2006-01-02 15:04:05.999999", v)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	t.Fatalf("moved_at is %T", v)
	return time.Time{}
}
