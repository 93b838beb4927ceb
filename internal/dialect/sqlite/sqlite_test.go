package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/sqlite"
)

// TestTriggers creates the value and enforcement triggers of a chain of n
// states, s0 -> s1 -> …, on a real SQLite: of a small machine, whose
// triggers compare the state with each label and move, and of one of
// 5,000 states, whose IN lists keep them short. Each must refuse exactly
// what it should.
func TestTriggers(t *testing.T) {
	for _, n := range []int{5, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { testTriggers(t, n) })
	}
}

func testTriggers(t *testing.T, n int) {
	labels := make([]string, n)
	var moves []dialect.Arc
	for i := range labels {
		labels[i] = fmt.Sprintf("s%d", i)
		if i > 0 {
			moves = append(moves, dialect.Arc{From: labels[i-1], To: labels[i]})
		}
	}
	// A state whose name is a quote must not end a literal.
	labels = append(labels, "it's")
	moves = append(moves, dialect.Arc{From: labels[n-1], To: "it's"})
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the bypass is the connection's
	d := sqlite.Dialect{}
	e := &dialect.Enforcement{Table: "things", Key: "id", Column: "state", Enum: "thing_state", Trigger: "thing_state_enforce", Moves: moves, Entries: labels[:1]}
	stmts := append([]string{`CREATE TABLE things (id INTEGER PRIMARY KEY, state TEXT)`},
		d.ValueTriggers("things", "state", "thing_state_check_insert", "thing_state_check_update", labels, "invalid thing_state")...)
	stmts = append(stmts, d.Enforce(nil, e)...)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%.200s…: %v", s, err)
		}
	}
	last := labels[n-1]
	for _, c := range []struct {
		stmt, refused string // refused: the message, "" when it passes
	}{
		{`INSERT INTO things VALUES (1, 's0')`, ""},
		{`INSERT INTO things VALUES (2, 's1')`, "entry state"},
		{`INSERT INTO things VALUES (3, 'nope')`, "thing_state"},
		{`INSERT INTO things VALUES (4, NULL)`, ""}, // a NULL passes, as NOT IN lets it
		{`UPDATE things SET state = 's1' WHERE id = 1`, ""},
		{`UPDATE things SET state = 's3' WHERE id = 1`, "not a transition"},
		{`UPDATE things SET state = 'nope' WHERE id = 1`, "thing_state"},
		{`UPDATE things SET state = '` + last + `' WHERE id = 1`, "not a transition"},
		{`UPDATE things SET state = '` + last + `' WHERE id = 4`, ""}, // from NULL, as NOT IN lets it
		{`UPDATE things SET state = 'it''s' WHERE id = 4`, ""},
		{`UPDATE things SET state = 's0' WHERE id = 4`, "not a transition"},
		// With the transitions bypassed, the labels still hold.
		{d.BypassOn() + ` UPDATE things SET state = 's0' WHERE id = 4`, ""},
		{d.BypassOn() + ` UPDATE things SET state = 'nope' WHERE id = 4`, "invalid thing_state"},
	} {
		_, err := db.Exec(c.stmt)
		switch {
		case c.refused == "" && err != nil:
			t.Errorf("%s: %v", c.stmt, err)
		case c.refused != "" && (err == nil || !strings.Contains(err.Error(), c.refused)):
			t.Errorf("%s: %v, want refused with %q", c.stmt, err, c.refused)
		}
	}
}
