package sqlmig_test

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// TestMigrationOutwaitsMaintenance holds SHARE UPDATE EXCLUSIVE on the
// table for longer than the migration's lock timeout, as autovacuum does
// on a table whose rows a removal just moved (it gives way only after
// deadlock_timeout) and as VACUUM or ANALYZE do. The migration must wait
// for it instead of giving up at 55P03, and writers must go on meanwhile:
// that lock blocks none of them, nor does a migration waiting for it.
func TestMigrationOutwaitsMaintenance(t *testing.T) {
	const hold = 1500 * time.Millisecond
	for _, format := range []string{"goose", "golang-migrate"} {
		t.Run(format, func(t *testing.T) {
			h := buildHistory(t, format)
			d := dialectNamed("postgres")
			db := open(t, d)
			r := newRunner(t, d, db, format, h.dir(d.name))
			r.upTo(t, 4)
			mustExec(t, db, `INSERT INTO nodes (uuid, state) VALUES ('a1', 'aborting'), ('a2', 'aborting')`)

			ctx := context.Background()
			maint, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer maint.Close()
			tx, err := maint.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `LOCK TABLE nodes IN SHARE UPDATE EXCLUSIVE MODE`); err != nil {
				t.Fatal(err)
			}
			released := time.AfterFunc(hold, func() { tx.Rollback() })
			defer released.Stop()
			defer tx.Rollback()

			stopWriter := writer(db, `INSERT INTO nodes (uuid, state) VALUES ($1, 'starting')`, func(i int) any { return "w-" + strconv.Itoa(i) })
			start := time.Now()
			err = r.tryUp()
			took := time.Since(start)
			longest, writeErr := stopWriter()
			t.Logf("the migration ended after %v; longest write %v", took, longest)
			if err != nil {
				t.Fatalf("the migration gave up behind a maintenance lock held %v (%s): %v", hold, errCode(err), err)
			}
			if took < hold {
				t.Fatalf("the migration took %v, less than the %v the lock was held: did the test hold it?", took, hold)
			}
			if longest > hold/2 {
				t.Fatalf("a writer stalled %v while the migration waited for the maintenance lock", longest)
			}
			if writeErr != nil {
				t.Fatalf("a writer failed: %v", writeErr)
			}
			removalDone(t, d, db, h)
		})
	}
}
