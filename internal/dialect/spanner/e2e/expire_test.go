package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/spanner"

	"github.com/fsmgen/fsmgen/internal/dialect/spanner/e2e/door"
)

// timedOut is the note the door's timeout sets.
const timedOut = "closed by the timeout"

// TestSpannerExpire: a sweep closes the doors whose deadline passed, once,
// and no other: not one closed since it opened, nor one whose deadline is
// ahead; a row a writer put behind the Store in a state the timeout's
// event does not leave is reported, and its deadline ends.
func TestSpannerExpire(t *testing.T) {
	c := doorDB(t)
	ctx := context.Background()
	soon := door.NewSpannerStore(door.WithOpenUntilAfter(time.Millisecond))
	later := door.NewSpannerStore()
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		if err := soon.CreateIn(ctx, c, k, door.StateClosed); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "b", "c"} {
		if _, _, err := soon.FireIn(ctx, c, k, door.EventOpen); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := later.FireIn(ctx, c, "d", door.EventOpen); err != nil {
		t.Fatal(err)
	}
	if _, _, err := soon.FireIn(ctx, c, "c", door.EventClose); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(ctx, []*spanner.Mutation{spanner.Update("doors", []string{"id", "state", "open_until"}, []any{"e", "locked", time.Now().Add(-time.Minute)})}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)

	got, err := soon.ExpireIn(ctx, c, time.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(x, y door.Expired) int { return strings.Compare(x.Key, y.Key) })
	if len(got) != 3 || got[0].Key != "a" || got[1].Key != "b" || got[2].Key != "e" {
		t.Fatalf("ExpireIn = %+v; want a, b and e", got)
	}
	for _, e := range got[:2] {
		if e.Err != nil || e.From != door.StateOpened || e.To != door.StateClosed || e.Event != door.EventClose {
			t.Errorf("%s: %+v, want closed from opened by close", e.Key, e)
		}
	}
	if e := got[2]; !errors.Is(e.Err, door.ErrInvalidTransition) || e.From != door.StateLocked || e.To != door.StateLocked {
		t.Errorf("e: %+v, want a TransitionError from locked", e)
	}
	if again, err := soon.ExpireIn(ctx, c, time.Now(), 10); err != nil || len(again) != 0 {
		t.Errorf("a second sweep = %+v, %v; want nothing", again, err)
	}
	for k, want := range map[string]door.State{"a": door.StateClosed, "b": door.StateClosed, "c": door.StateClosed, "d": door.StateOpened, "e": door.StateLocked} {
		r, err := soon.Get(ctx, c.Single(), k)
		if err != nil || r.State != want || r.OpenUntil.Valid != (k == "d") {
			t.Errorf("%s: Get = %+v, %v; want %v, a deadline only on d", k, r, err, want)
		}
		if k == "a" && r.Note.V != timedOut {
			t.Errorf("a's note = %q, want %q", r.Note.V, timedOut)
		}
	}
	want := []pastMove{{"", "closed", ""}, {"closed", "opened", "open"}, {"opened", "closed", "close"}}
	if h := history(t, c, "a"); !slices.Equal(h, want) {
		t.Errorf("door_moves of a = %v, want %v", h, want)
	}

	// The limit, in batches; the caller's transaction; RunExpiry.
	for i := range 5 {
		k := fmt.Sprintf("f%d", i)
		if err := soon.CreateIn(ctx, c, k, door.StateClosed); err != nil {
			t.Fatal(err)
		}
		if _, _, err := soon.FireIn(ctx, c, k, door.EventOpen); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if got, err := soon.ExpireIn(ctx, c, time.Now(), 2); err != nil || len(got) != 2 {
		t.Errorf("ExpireIn with limit 2 = %+v, %v", got, err)
	}
	_, err = c.ReadWriteTransaction(ctx, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
		got, err := soon.Expire(ctx, tx, time.Now(), 10)
		if err == nil && len(got) != 3 {
			err = fmt.Errorf("Expire in a transaction = %+v, want the 3 left", got)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
	// The emulator runs one read-write transaction at a time: the door
	// opens before the loop starts, and the test only reads meanwhile.
	if _, _, err := soon.FireIn(ctx, c, "a", door.EventOpen); err != nil {
		t.Fatal(err)
	}
	run, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- soon.RunExpiry(run, c, 5*time.Millisecond, 10) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r, err := soon.Get(ctx, c.Single(), "a")
		if err != nil {
			t.Fatal(err)
		}
		if r.State == door.StateClosed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("RunExpiry did not close a in 10s")
		}
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RunExpiry = %v, want context.Canceled", err)
	}
}

// TestSpannerExpireConcurrent: 8 workers move random doors while 4
// sweeps close those whose deadline of a few milliseconds passed. Every
// due door is closed by a sweep exactly once, a door that left opened is
// never closed by one, and the history replays every door from its
// Create. The emulator runs one read-write transaction at a time
// (readWrite), so the transactions interleave whole.
func TestSpannerExpireConcurrent(t *testing.T) {
	c := doorDB(t)
	ctx := context.Background()
	s := door.NewSpannerStore(door.WithOpenUntilAfter(3 * time.Millisecond))
	const rows = 40
	keys := make([]string, rows)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%02d", i)
		if err := s.CreateIn(ctx, c, keys[i], door.StateClosed); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	fired := map[string]int{}
	stopSweeps := make(chan struct{})
	var sweeps, workers sync.WaitGroup
	sweep := func() int {
		var got []door.Expired
		err := readWrite(ctx, c, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
			var err error
			got, err = s.Expire(ctx, tx, time.Now(), 10)
			return err
		})
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, e := range got {
			if e.Err != nil || e.From != door.StateOpened || e.To != door.StateClosed {
				t.Errorf("a sweep: %+v", e)
			}
			fired[e.Key]++
		}
		return len(got)
	}
	for range 4 {
		sweeps.Add(1)
		go func() {
			defer sweeps.Done()
			for {
				select {
				case <-stopSweeps:
					return
				default:
					sweep()
				}
			}
		}()
	}
	for w := range 8 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			for range 30 {
				k := keys[rng.IntN(len(keys))]
				evs := []door.Event{door.EventOpen, door.EventClose, door.EventLock, door.EventUnlock}
				ev := evs[rng.IntN(len(evs))]
				err := readWrite(ctx, c, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
					_, _, err := s.Fire(ctx, tx, k, ev, door.SetNote("worker"))
					return err
				})
				if err != nil && !errors.Is(err, door.ErrInvalidTransition) {
					t.Error(err)
					return
				}
			}
		}()
	}
	workers.Wait()
	close(stopSweeps)
	sweeps.Wait()
	time.Sleep(10 * time.Millisecond)
	for sweep() > 0 {
	}
	total := 0
	for _, k := range keys {
		r, err := s.Get(ctx, c.Single(), k)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == door.StateOpened {
			t.Errorf("%s is still opened after its deadline, until %v", k, r.OpenUntil)
		}
		if r.OpenUntil.Valid {
			t.Errorf("%s in %v has a deadline", k, r.State)
		}
		// The history replays from the Create; the sweeps' closes are
		// those the sweeps reported, each once.
		h := historyNotes(t, c, k)
		state, byTimeout := "closed", 0
		for i, m := range h {
			if i == 0 {
				if m.from != "" || m.to != "closed" {
					t.Fatalf("%s: history starts with %+v", k, m)
				}
				continue
			}
			if m.from != state {
				t.Fatalf("%s: a move from %s follows one into %s", k, m.from, state)
			}
			state = m.to
			if m.note == timedOut {
				byTimeout++
				if m.from != "opened" || m.event != "close" {
					t.Errorf("%s: the timeout moved %+v", k, m)
				}
			}
		}
		if state != r.State.String() {
			t.Errorf("%s: the history ends in %s, the row is in %v", k, state, r.State)
		}
		if byTimeout != fired[k] {
			t.Errorf("%s: %d closes by the timeout in the history, %d reported", k, byTimeout, fired[k])
		}
		total += byTimeout
	}
	if total == 0 {
		t.Error("no sweep closed a door")
	}
	t.Logf("%d doors closed by the sweeps", total)
}

// noted is a past move with its note.
type noted struct{ from, to, event, note string }

// historyNotes returns key's past moves in order, with their notes.
func historyNotes(t *testing.T, c *spanner.Client, key string) []noted {
	t.Helper()
	var out []noted
	it := c.Single().Query(context.Background(), spanner.Statement{SQL: "SELECT from_state, to_state, event, note FROM door_moves WHERE id = @k ORDER BY seq", Params: map[string]any{"k": key}})
	err := it.Do(func(row *spanner.Row) error {
		var m noted
		var note spanner.NullString
		err := row.Columns(&m.from, &m.to, &m.event, &note)
		m.note = note.StringVal
		out = append(out, m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
