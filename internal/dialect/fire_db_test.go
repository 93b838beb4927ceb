package dialect_test

import (
	"database/sql"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/testdb"
)

// TestFireFunctionShapes calls MySQL's fire function on MariaDB for two
// tables the seed's is not: a counter version and a field but no history,
// and a history with a note but no version or field. Each call moves the
// row by the arc of the state it is in, returning the arc, and nothing
// when the state is no source; the labels, one with a comma and a quote,
// compare byte for byte.
func TestFireFunctionShapes(t *testing.T) {
	f := dialects.For("mysql").(dialect.FireFunctioner)
	labels := []string{"clo,sed", "it's open", "Opened"}
	arcs := func(from, to []string) []any { return []any{dialect.FireLabels(from), dialect.FireLabels(to)} }
	for _, c := range []struct {
		name  string
		table dialect.Table
		cols  string
		// args are the call's after the key and event, labels and modes.
		args  []any
		modes string
		query string
		want  []string
	}{
		{
			name:  "version and field, no history",
			table: dialect.Table{Name: "doors", Key: "id", Column: "state", Version: "lock_version", Fields: []dialect.Field{{Name: "note", Type: "text"}}},
			cols:  "lock_version INT NOT NULL DEFAULT 0, note TEXT",
			args:  []any{"a note"},
			modes: "01", // the first arc keeps the note, the second sets it
			query: "SELECT CONCAT_WS(' ', state, lock_version, COALESCE(note, '-')) FROM doors",
			want:  []string{"Opened 2 a note"},
		},
		{
			name:  "history with a note, no version",
			table: dialect.Table{Name: "doors", Key: "id", Column: "state", History: "door_moves", Notes: []string{"actor"}},
			args:  []any{"me"},
			query: "SELECT CONCAT_WS(' ', from_state, to_state, event, actor) FROM door_moves ORDER BY seq",
			want:  []string{"clo,sed it's open open me", "it's open Opened open me"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := sql.Open("mysql", testdb.MySQL(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			cols := ""
			if c.cols != "" {
				cols = ", " + c.cols
			}
			mustExec(t, db, "CREATE TABLE doors (id VARCHAR(10) PRIMARY KEY, state ENUM('clo,sed', 'it''s open', 'Opened') CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"+cols+")")
			mustExec(t, db, "INSERT INTO doors (id, state) VALUES ('d', 'clo,sed')")
			if c.table.History != "" {
				for _, q := range dialects.For("mysql").CreateHistory(c.table) {
					mustExec(t, db, q)
				}
				mustExec(t, db, "ALTER TABLE door_moves ADD COLUMN actor TEXT")
			}
			name, create, drop := f.FireFunction(c.table, "door_fire_")
			mustExec(t, db, create)
			mustExec(t, db, create) // it runs again harmlessly
			call := f.FireCall(c.table, name)
			// The event leaves the first two labels, for the next one.
			from, to := labels[:2], labels[1:]
			for i, want := range []int64{1, 2, 0} {
				args := append([]any{"d", "open"}, arcs(from, to)...)
				args = append(append(args, c.modes), c.args...)
				var arc int64
				if err := db.QueryRow(call.SQL, args...).Scan(&arc); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
				if arc != want {
					t.Fatalf("call %d returned arc %d, want %d", i+1, arc, want)
				}
			}
			var got []string
			rows, err := db.Query(c.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				got = append(got, s)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("after two moves and a refused one (-want +got):\n%s", d)
			}
			var n int
			if err := db.QueryRow(f.FireUsable(c.table, name).SQL).Scan(&n); err != nil || n != 1 {
				t.Errorf("FireUsable: %d, %v; want 1", n, err)
			}
			mustExec(t, db, drop)
			mustExec(t, db, drop)
			if err := db.QueryRow(f.FireUsable(c.table, name).SQL).Scan(&n); err != nil || n != 0 {
				t.Errorf("FireUsable after the drop: %d, %v; want 0", n, err)
			}
		})
	}
}
