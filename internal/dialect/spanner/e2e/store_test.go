package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/spanner"
	wrench "github.com/cloudspannerecosystem/wrench/pkg/spanner"

	"github.com/fsmgen/fsmgen/internal/cli"
	"github.com/fsmgen/fsmgen/internal/dialect/spanner/e2e/door"
)

// doorDB returns a client of a new database with the doors table, its
// state column added by the door machine's migrations, applied by wrench.
func doorDB(t *testing.T) *spanner.Client {
	t.Helper()
	c, _ := doorDatabase(t)
	return c
}

// doorDatabase is doorDB, and the database's path.
func doorDatabase(t *testing.T) (*spanner.Client, string) {
	t.Helper()
	name := newDatabase(t, "CREATE TABLE doors (id STRING(36) NOT NULL, version INT64 NOT NULL DEFAULT (0), opened_by STRING(64)) PRIMARY KEY (id)")
	ctx := context.Background()
	w, err := wrench.NewClient(ctx, &wrench.Config{Project: project, Instance: instName, Database: name})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	migs, err := wrench.ReadMigrations(ctx, "migrations/spanner")
	if err == nil {
		err = w.EnsureMigrationTable(ctx, versionTable)
	}
	if err == nil {
		err = w.ExecuteMigrations(ctx, migs, -1, versionTable, wrench.PriorityTypeUnspecified, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	path := "projects/" + project + "/instances/" + instName + "/databases/" + name
	c, err := spanner.NewClient(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, path
}

// TestDoorIsCurrent: the door package and its migrations are what fsmgen
// generates from door.yaml.
func TestDoorIsCurrent(t *testing.T) {
	var stderr strings.Builder
	if code := cli.Run([]string{"check", "-spec", "door.yaml", "-out", "."}, io.Discard, &stderr); code != cli.ExitOK {
		t.Fatalf("fsmgen check -spec door.yaml -out . exited %d: %s", code, stderr.String())
	}
}

func TestSpannerStore(t *testing.T) {
	c := doorDB(t)
	ctx := context.Background()
	s := door.NewSpannerStore()

	if err := s.CreateIn(ctx, c, "a", door.StateClosed); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIn(ctx, c, "a", door.StateClosed); !errors.Is(err, door.ErrExists) {
		t.Errorf("Create of a taken key: %v, want ErrExists", err)
	}
	if err := s.CreateIn(ctx, c, "b", door.StateOpened); !errors.Is(err, door.ErrNotEntry) {
		t.Errorf("Create in opened: %v, want ErrNotEntry", err)
	}
	if from, to, err := s.FireIn(ctx, c, "a", door.EventOpen); err != nil || from != door.StateClosed || to != door.StateOpened {
		t.Errorf("Fire open = %v, %v, %v; want closed, opened", from, to, err)
	}
	var te door.TransitionError
	if from, to, err := s.FireIn(ctx, c, "a", door.EventLock); !errors.As(err, &te) || te.From() != door.StateOpened || from != door.StateOpened || to != door.StateOpened {
		t.Errorf("Fire lock from opened = %v, %v, %v; want a TransitionError from opened", from, to, err)
	}
	if _, _, err := s.FireIn(ctx, c, "nobody", door.EventOpen); !errors.Is(err, door.ErrNotFound) {
		t.Errorf("Fire on no row: %v, want ErrNotFound", err)
	}
	if to, err := s.MoveIn(ctx, c, "a", door.StateClosed, door.EventOpen); !errors.Is(err, door.ErrStale) || to != door.StateClosed {
		t.Errorf("Move from closed while opened = %v, %v; want closed, ErrStale", to, err)
	}
	if to, err := s.MoveIn(ctx, c, "a", door.StateOpened, door.EventClose); err != nil || to != door.StateClosed {
		t.Errorf("Move close = %v, %v", to, err)
	}
	// docs/spanner.md's example, which a door already open fails.
	if err := openDoor(ctx, c, s, "a", "ann"); err != nil {
		t.Errorf("openDoor: %v", err)
	}
	if err := openDoor(ctx, c, s, "a", "bob"); !errors.Is(err, door.ErrInvalidTransition) {
		t.Errorf("openDoor of an open door: %v, want ErrInvalidTransition", err)
	}
	if _, err := s.MoveIn(ctx, c, "a", door.StateOpened, door.EventClose); err != nil {
		t.Fatal(err)
	}
	row, err := c.Single().ReadRow(ctx, "doors", spanner.Key{"a"}, []string{"opened_by"})
	var who spanner.NullString
	if err == nil {
		err = row.Columns(&who)
	}
	if err != nil || who.StringVal != "ann" {
		t.Errorf("opened_by = %v, %v; want ann", who, err)
	}
	if r, err := s.Get(ctx, c.Single(), "a"); err != nil || r.State != door.StateClosed || r.Version != 4 {
		t.Errorf("Get = %+v, %v; want closed at version 4", r, err)
	}
	if _, err := s.Get(ctx, c.Single(), "nobody"); !errors.Is(err, door.ErrNotFound) {
		t.Errorf("Get of no row: %v, want ErrNotFound", err)
	}

	// MoveAt, and a move that rolls back with the caller's transaction.
	_, err = c.ReadWriteTransaction(ctx, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
		if _, err := s.MoveAt(ctx, tx, "a", 3, door.EventLock); !errors.Is(err, door.ErrStale) {
			return fmt.Errorf("MoveAt at version 3 of 4: %v, want ErrStale", err)
		}
		r, err := s.MoveAt(ctx, tx, "a", 4, door.EventLock)
		if err != nil || r.State != door.StateLocked || r.Version != 5 {
			return fmt.Errorf("MoveAt = %+v, %v; want locked at version 5", r, err)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	rollback := errors.New("the caller gives up")
	_, err = c.ReadWriteTransaction(ctx, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
		if _, _, err := s.Fire(ctx, tx, "a", door.EventUnlock); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Errorf("the caller's transaction: %v", err)
	}
	if r, err := s.Get(ctx, c.Single(), "a"); err != nil || r.State != door.StateLocked || r.Version != 5 {
		t.Errorf("after a rollback, Get = %+v, %v; want locked at version 5", r, err)
	}
	// Every move that committed, in order, and nothing else.
	want := []pastMove{{"", "closed", ""}, {"closed", "opened", "open"}, {"opened", "closed", "close"},
		{"closed", "opened", "open"}, {"opened", "closed", "close"}, {"closed", "locked", "lock"}}
	if got := history(t, c, "a"); !slices.Equal(got, want) {
		t.Errorf("door_moves of a = %v, want %v", got, want)
	}
}

// pastMove is a row of door_moves: from, to, event.
type pastMove struct{ from, to, event string }

// history reads key's past moves in order.
func history(t *testing.T, c *spanner.Client, key string) []pastMove {
	t.Helper()
	var out []pastMove
	for _, m := range historyNotes(t, c, key) {
		out = append(out, pastMove{m.from, m.to, m.event})
	}
	return out
}

// TestSpannerStoreConcurrent: 16 workers move 4 rows by MoveAt, each in
// its own transaction. Every move that committed took its row from the
// version it read to the next, so the moves of a row form one chain from
// its creation to what Get reads at the end, none lost, none applied
// twice; and the row's history replays exactly that chain.
func TestSpannerStoreConcurrent(t *testing.T) {
	c := doorDB(t)
	ctx := context.Background()
	s := door.NewSpannerStore()
	keys := []string{"k0", "k1", "k2", "k3"}
	for _, k := range keys {
		if err := s.CreateIn(ctx, c, k, door.StateClosed); err != nil {
			t.Fatal(err)
		}
	}
	type move struct {
		version    int64
		from, to   door.State
		ev         door.Event
		newVersion int64
	}
	var mu sync.Mutex
	moves := map[string][]move{}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range 25 {
				k := keys[rng.IntN(len(keys))]
				r, err := s.Get(ctx, c.Single(), k)
				if err != nil {
					t.Error(err)
					return
				}
				evs := r.State.Permitted().Events()
				ev := evs[rng.IntN(len(evs))]
				var got door.Row
				err = readWrite(ctx, c, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
					var err error
					got, err = s.MoveAt(ctx, tx, k, r.Version, ev)
					return err
				})
				switch {
				case errors.Is(err, door.ErrStale):
				case err != nil:
					t.Error(err)
					return
				default:
					to, _ := door.Transition(r.State, ev)
					if got.State != to || got.Version != r.Version+1 {
						t.Errorf("MoveAt %s from %v at %d by %v = %+v", k, r.State, r.Version, ev, got)
					}
					mu.Lock()
					moves[k] = append(moves[k], move{r.Version, r.State, got.State, ev, got.Version})
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, k := range keys {
		ms := moves[k]
		slices.SortFunc(ms, func(a, b move) int { return int(a.version - b.version) })
		state, version := door.StateClosed, int64(0)
		replay := []pastMove{{"", "closed", ""}}
		for _, m := range ms {
			if m.version != version || m.from != state {
				t.Fatalf("%s: a move from %v at %d follows %v at %d", k, m.from, m.version, state, version)
			}
			state, version = m.to, m.newVersion
			replay = append(replay, pastMove{m.from.String(), m.to.String(), m.ev.String()})
		}
		if got := history(t, c, k); !slices.Equal(got, replay) {
			t.Errorf("%s: door_moves holds %d moves, not the %d that committed, in order", k, len(got), len(replay))
		}
		r, err := s.Get(ctx, c.Single(), k)
		if err != nil || r.State != state || r.Version != version {
			t.Errorf("%s: Get = %+v, %v; want %v at %d after %d moves", k, r, err, state, version, len(ms))
		}
		total += len(ms)
	}
	if total < len(keys) {
		t.Errorf("only %d moves committed", total)
	}
	t.Logf("%d moves committed", total)
}

// readWrite runs fn in a read-write transaction, one at a time: the
// emulator runs one read-write transaction at a time and aborts or fails
// (NotFound, FailedPrecondition) the others it meets, so that workers
// that overlap abort each other again and again. The workers' reads and
// their decisions stay concurrent: each moves the row it read, at the
// version it read, whoever moved it since.
func readWrite(ctx context.Context, c *spanner.Client, fn func(context.Context, *spanner.ReadWriteTransaction) error) error {
	emulatorTx.Lock()
	defer emulatorTx.Unlock()
	_, err := c.ReadWriteTransaction(ctx, fn)
	return err
}

var emulatorTx sync.Mutex

// TestSpannerStoreFields: a move writes what the state it enters sets and
// what the call's options say, in its own statement; MoveAt reads them
// back.
func TestSpannerStoreFields(t *testing.T) {
	c := doorDB(t)
	ctx := context.Background()
	s := door.NewSpannerStore()
	get := func() door.Row {
		t.Helper()
		r, err := s.Get(ctx, c.Single(), "f")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if err := s.CreateIn(ctx, c, "f", door.StateClosed, door.SetNote("new"), door.SetAlarm(true)); err != nil {
		t.Fatal(err)
	}
	if r := get(); r.Note.V != "new" || !r.Note.Valid || !r.Alarm || r.Locks != 0 || r.OpenedAt.Valid {
		t.Errorf("after Create: %+v", r)
	}
	before := time.Now().Add(-time.Minute)
	if _, _, err := s.FireIn(ctx, c, "f", door.EventOpen, door.ClearNote(), door.WithActor("ann")); err != nil {
		t.Fatal(err)
	}
	if r := get(); !r.OpenedAt.Valid || r.OpenedAt.V.Before(before) || r.Note.Valid || !r.Alarm {
		t.Errorf("after open (opened sets opened_at: now; the call clears note): %+v", r)
	}
	var r door.Row
	_, err := c.ReadWriteTransaction(ctx, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
		if _, err := s.Move(ctx, tx, "f", door.StateOpened, door.EventClose, door.SetLocks(7)); err != nil {
			return err
		}
		var err error
		r, err = s.MoveAt(ctx, tx, "f", 2, door.EventLock, door.SetAlarm(false))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// locked sets locks: 1 and opened_at: null, over the 7 close wrote.
	if r.State != door.StateLocked || r.Version != 3 || r.Locks != 1 || r.OpenedAt.Valid || r.Alarm {
		t.Errorf("MoveAt into locked = %+v", r)
	}
	if g := get(); g != r {
		t.Errorf("Get = %+v, MoveAt returned %+v", g, r)
	}
	// The history copies note as each move left it, and the actor a call
	// named.
	it := c.Single().Query(ctx, spanner.Statement{SQL: "SELECT to_state, note, actor FROM door_moves WHERE id = 'f' ORDER BY seq"})
	var got []string
	err = it.Do(func(row *spanner.Row) error {
		var to string
		var note, actor spanner.NullString
		err := row.Columns(&to, &note, &actor)
		got = append(got, to+"/"+note.String()+"/"+actor.String())
		return err
	})
	if want := []string{"closed/new/<null>", "opened/<null>/ann", "closed/<null>/<null>", "locked/<null>/<null>"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("door_moves of f = %v, %v; want %v", got, err, want)
	}
}
