package introspection_test

import (
	"context"
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
			expireRace(t, s)
		})
	}
}

// expireRace moves rows at random from 8 workers while 4 sweepers expire
// deadlines of a few milliseconds: every fire is recorded once, each
// after its row stayed in the group for the whole timeout since it
// entered it, and the history replays every row from its creation.
func expireRace(t *testing.T, s storeDB) {
	t.Helper()
	ctx := context.Background()
	// A move's deadline starts when its statement computes it (MySQL:
	// when it starts), which may be before it waits for the row's lock,
	// held by a sweep; its history row is written after. The check allows
	// half the timeout for that wait: a deadline left from an earlier stay
	// in the group would fire within a sweep's interval of the entry.
	const rows, after, wait = 400, 400 * time.Millisecond, 200 * time.Millisecond
	st := introspection.NewStore(s.dialect, introspection.WithTimeoutAtAfter(after))
	for i := range rows {
		if err := st.Create(ctx, s.db, fmt.Sprintf("x-%03d", i), introspection.StateStarting); err != nil {
			t.Fatal(err)
		}
	}
	var events []introspection.Event
	for _, ev := range introspection.Events() {
		if ev != introspection.EventTimeout {
			events = append(events, ev)
		}
	}
	stop := make(chan struct{})
	var fired atomic.Int64
	var sweepers sync.WaitGroup
	for range 4 {
		sweepers.Go(func() {
			for {
				out, err := st.Expire(ctx, s.db, time.Now(), 25)
				if err != nil {
					t.Error(err)
					return
				}
				for _, e := range out {
					if e.Err != nil || !slices.Contains(group, e.From) {
						t.Errorf("Expire: %+v", e)
					}
				}
				fired.Add(int64(len(out)))
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		})
	}
	var workers sync.WaitGroup
	for w := range 8 {
		workers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 31))
			deadline := time.Now().Add(2500 * time.Millisecond)
			for time.Now().Before(deadline) {
				key := fmt.Sprintf("x-%03d", rng.IntN(rows))
				if _, _, err := st.Fire(ctx, s.db, key, events[rng.IntN(len(events))]); err != nil && !errors.Is(err, introspection.ErrInvalidTransition) {
					t.Error(err)
					return
				}
			}
		})
	}
	workers.Wait()
	close(stop)
	sweepers.Wait()
	if fired.Load() == 0 {
		t.Fatal("no deadline was fired")
	}
	// The history: each timeout once per fire, after a whole timeout in
	// the group; each row replays from its creation to its state.
	var timeouts int64
	for i := range rows {
		key := fmt.Sprintf("x-%03d", i)
		rs, err := s.db.Query(s.bind(`SELECT from_state, to_state, event, moved_at FROM nodes_history WHERE uuid = ? ORDER BY seq`), key)
		if err != nil {
			t.Fatal(err)
		}
		var at introspection.State
		var entered time.Time
		first := true
		for rs.Next() {
			var from, to, ev string
			var movedAt any
			if err := rs.Scan(&from, &to, &ev, &movedAt); err != nil {
				t.Fatal(err)
			}
			when := asTime(t, movedAt)
			next, err := introspection.ParseState(to)
			if err != nil {
				t.Fatal(err)
			}
			if first {
				if from != "" || ev != "" {
					t.Fatalf("%s: history starts with %s -%s-> %s, not its creation", key, from, ev, to)
				}
				first, at, entered = false, next, when
				continue
			}
			if from != at.String() {
				t.Fatalf("%s: history moves from %s, the row was in %v", key, from, at)
			}
			if ev == introspection.EventTimeout.String() {
				timeouts++
				if stayed := when.Sub(entered); stayed < after-wait {
					t.Errorf("%s: timed out %v after it entered the group at %v, before its %v timeout", key, stayed, entered, after)
				}
			}
			if slices.Contains(group, next) && !slices.Contains(group, at) {
				entered = when
			}
			at = next
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
		if now := s.state(t, key); now != at {
			t.Fatalf("%s: history ends in %v, the row is in %v", key, at, now)
		}
	}
	if timeouts != fired.Load() {
		t.Fatalf("history records %d timeouts, Expire reported %d", timeouts, fired.Load())
	}
	t.Logf("%d deadlines fired", timeouts)
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
