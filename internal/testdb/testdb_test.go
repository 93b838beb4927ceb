package testdb_test

import (
	"database/sql"
	"testing"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestPostgres(t *testing.T) {
	exercise(t, "pgx", testdb.Postgres, "SELECT current_database()")
}

func TestMySQL(t *testing.T) {
	exercise(t, "mysql", testdb.MySQL, "SELECT DATABASE()")
}

func exercise(t *testing.T, driver string, newDSN func(testing.TB) string, currentDB string) {
	a, b := newDSN(t), newDSN(t)
	if a == b {
		t.Fatalf("two calls gave the same DSN %q", a)
	}
	var names []string
	for _, dsn := range []string{a, b} {
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		var one int
		if err := db.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
		// The same table name in both proves the databases are separate.
		if _, err := db.Exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))"); err != nil {
			t.Fatalf("create table on %s: %v", dsn, err)
		}
		if _, err := db.Exec("INSERT INTO t VALUES (1, 'x')"); err != nil {
			t.Fatal(err)
		}
		var name string
		if err := db.QueryRow(currentDB).Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if names[0] == names[1] {
		t.Fatalf("both DSNs point at database %q", names[0])
	}
}
