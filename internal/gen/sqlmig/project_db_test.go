package sqlmig_test

import (
	"database/sql"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsmgen/fsmgen/internal/cli"
)

// The end-to-end case of a service adopting fsmgen: two machines (order
// and payment) in one module, one migration directory per dialect shared
// with the service's own migrations, applied by the real goose and
// golang-migrate on every database, evolved, taken down and up again.

const orderV1 = `version: 1
machine: order
doc: A customer order.
initial: pending
states:
  pending: {doc: placed, transitions: {pay: paid, cancel: cancelled}}
  paid: {doc: paid for, transitions: {ship: shipped, cancel: cancelled}}
  shipped: {doc: on its way}
  cancelled: {doc: called off}
events:
  pay: {doc: payment arrived}
  ship: {doc: handed to the carrier}
  cancel: {doc: called off}
sql: {enum: order_state, table: orders, column: state, dialects: [postgres, mysql, sqlite]}
`

// orderV2 adds returned and renames cancelled.
const orderV2 = `version: 1
machine: order
doc: A customer order.
initial: pending
states:
  pending: {doc: placed, transitions: {pay: paid, cancel: canceled}}
  paid: {doc: paid for, transitions: {ship: shipped, cancel: canceled}}
  shipped: {doc: on its way, transitions: {return: returned}}
  returned: {doc: sent back}
  canceled: {doc: called off, renamed_from: cancelled}
events:
  pay: {doc: payment arrived}
  ship: {doc: handed to the carrier}
  cancel: {doc: called off}
  return: {doc: came back}
sql: {enum: order_state, table: orders, column: state, dialects: [postgres, mysql, sqlite]}
`

const paymentV1 = `version: 1
machine: payment
doc: A payment of an order.
initial: authorized
states:
  authorized: {doc: held on the card, transitions: {capture: captured, fail: failed}}
  captured: {doc: taken, transitions: {refund: refunded}}
  refunded: {doc: given back}
  failed: {doc: declined}
events:
  capture: {doc: take the money}
  refund: {doc: give it back}
  fail: {doc: the bank said no}
sql: {enum: payment_state, table: payments, column: state, dialects: [postgres, mysql, sqlite]}
`

// paymentV2 adds disputed and removes failed, whose rows become refunded.
const paymentV2 = `version: 1
machine: payment
doc: A payment of an order.
initial: authorized
states:
  authorized: {doc: held on the card, transitions: {capture: captured, fail: refunded}}
  captured: {doc: taken, transitions: {refund: refunded, dispute: disputed}}
  disputed: {doc: contested by the customer, transitions: {refund: refunded}}
  refunded: {doc: given back}
events:
  capture: {doc: take the money}
  refund: {doc: give it back}
  fail: {doc: the bank said no}
  dispute: {doc: a chargeback}
removed:
  failed: {doc: declined payments are refunded at once, rows_to: refunded}
sql: {enum: payment_state, table: payments, column: state, dialects: [postgres, mysql, sqlite]}
`

// handWritten are the service's own migrations: its tables first, an
// index on fsmgen's column later.
var handWritten = map[string][2]string{ // version_name -> up, down
	"00001_create_tables": {
		"CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY, customer VARCHAR(36) NOT NULL);\nCREATE TABLE payments (id VARCHAR(36) PRIMARY KEY, order_id VARCHAR(36) NOT NULL);",
		"DROP TABLE payments;\nDROP TABLE orders;",
	},
	"00004_index_order_state": {
		"CREATE INDEX orders_by_state ON orders (state);",
		"DROP INDEX orders_by_state{{on}};",
	},
}

func writeHandWritten(t *testing.T, dir, format, name string) {
	t.Helper()
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		on := ""
		if d == "mysql" {
			on = " ON orders"
		}
		up, down := handWritten[name][0], strings.ReplaceAll(handWritten[name][1], "{{on}}", on)
		files := map[string]string{}
		if format == "goose" {
			files[name+".sql"] = "-- +goose Up\n" + up + "\n\n-- +goose Down\n" + down + "\n"
		} else {
			files[name+".up.sql"], files[name+".down.sql"] = up+"\n", down+"\n"
		}
		for f, s := range files {
			p := filepath.Join(dir, "db", d, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, s)
		}
	}
}

// service is the scratch module at its two stages.
type service struct {
	dir    string // the module, at its second stage
	first  string // a copy of db/ after the first generate
	format string
}

func (s *service) migrations(stage int, dialect string) fs.FS {
	if stage == 1 {
		return os.DirFS(filepath.Join(s.first, dialect))
	}
	return os.DirFS(filepath.Join(s.dir, "db", dialect))
}

func buildService(t *testing.T, format string) *service {
	t.Helper()
	s := &service{dir: t.TempDir(), first: t.TempDir(), format: format}
	writeFile(t, filepath.Join(s.dir, "go.mod"), "module example.com/shop\n\ngo 1.22\n")
	writeFile(t, filepath.Join(s.dir, "fsmgen.yaml"), `version: 1
migrations:
  format: `+format+`
  dirs: {postgres: db/postgres, mysql: db/mysql, sqlite: db/sqlite}
machines:
  - {spec: fsm/order.yaml, dir: order}
  - {spec: fsm/payment.yaml, dir: payment}
`)
	if err := os.MkdirAll(filepath.Join(s.dir, "fsm"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(s.dir, "fsmgen.yaml")
	generate := func(order, payment string) {
		t.Helper()
		writeFile(t, filepath.Join(s.dir, "fsm/order.yaml"), order)
		writeFile(t, filepath.Join(s.dir, "fsm/payment.yaml"), payment)
		if code, _, stderr := run("generate", "-config", config); code != cli.ExitOK {
			t.Fatalf("generate: %s", stderr)
		}
		if code, stdout, stderr := run("check", "-config", config); code != cli.ExitOK {
			t.Fatalf("check after generate: %s%s", stdout, stderr)
		}
		noDuplicateVersions(t, filepath.Join(s.dir, "db"), format)
	}
	writeHandWritten(t, s.dir, format, "00001_create_tables")
	generate(orderV1, paymentV1)
	if err := os.CopyFS(s.first, os.DirFS(filepath.Join(s.dir, "db"))); err != nil {
		t.Fatal(err)
	}
	writeHandWritten(t, s.dir, format, "00004_index_order_state")
	generate(orderV2, paymentV2)
	want := []string{"00001_create_tables", "00002_create_order_state", "00003_create_payment_state", "00004_index_order_state",
		"00005_add_returned_rename_cancelled_to_canceled", "00006_add_disputed_remove_failed"}
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		if got := migrationNames(t, filepath.Join(s.dir, "db", d)); !cmp.Equal(got, want) {
			t.Fatalf("%s migrations:\n%s", d, cmp.Diff(want, got))
		}
	}
	return s
}

// migrationNames lists the versioned files without their direction and
// extension.
func migrationNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".sql") {
			continue
		}
		n = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, ".sql"), ".up"), ".down")
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// noDuplicateVersions fails when two migrations of a directory share a
// version (beyond golang-migrate's up/down pair).
func noDuplicateVersions(t *testing.T, db, format string) {
	t.Helper()
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		seen := map[string]string{}
		for _, n := range migrationNames(t, filepath.Join(db, d)) {
			v := n[:strings.IndexByte(n, '_')]
			if other, dup := seen[v]; dup {
				t.Fatalf("%s: version %s is taken by %s and %s", d, v, other, n)
			}
			seen[v] = n
		}
	}
}

func TestServiceWithTwoMachines(t *testing.T) {
	for _, format := range []string{"goose", "golang-migrate"} {
		t.Run(format, func(t *testing.T) {
			s := buildService(t, format)
			if format == "goose" && !testing.Short() {
				compileModule(t, s.dir)
			}
			for _, d := range dialects {
				t.Run(d.name, func(t *testing.T) {
					db := connect(t, d, d.dsn(t))
					// goose refuses duplicate versions when the runner is made.
					runnerAt := func(stage int) runner { return newRunner(t, d, db, format, s.migrations(stage, d.name)) }
					serviceScenario(t, d, db, runnerAt)
				})
			}
		})
	}
}

// table is one machine's table and the labels it should accept.
type table struct{ name, enum string }

var (
	orders   = table{"orders", "order_state"}
	payments = table{"payments", "payment_state"}
)

func serviceScenario(t *testing.T, d dialect, db *sql.DB, runnerAt func(int) runner) {
	r := runnerAt(1)
	r.up(t)
	if v := r.version(t); v != 3 {
		t.Fatalf("after the first stage the version is %d, want 3: a machine's migrations were skipped", v)
	}
	constrained(t, d, db, orders, []string{"pending", "paid", "shipped", "cancelled"}, "pending")
	constrained(t, d, db, payments, []string{"authorized", "captured", "refunded", "failed"}, "authorized")
	insert := func(tb table, states ...string) {
		for _, st := range states {
			mustExec(t, db, rebind(d, "INSERT INTO "+tb.name+" VALUES (?, ?, ?)"), tb.name+"-"+st, "c1", st)
		}
	}
	insert(orders, "pending", "paid", "shipped", "cancelled")
	insert(payments, "authorized", "captured", "refunded", "failed")
	wantOrders := map[string]int{"pending": 1, "paid": 1, "shipped": 1, "cancelled": 1}
	wantPayments := map[string]int{"authorized": 1, "captured": 1, "refunded": 1, "failed": 1}
	rows := func(step string) {
		t.Helper()
		if diff := cmp.Diff(wantOrders, countsOf(t, db, orders.name, "state")); diff != "" {
			t.Fatalf("%s: orders per state (-want +got):\n%s", step, diff)
		}
		if diff := cmp.Diff(wantPayments, countsOf(t, db, payments.name, "state")); diff != "" {
			t.Fatalf("%s: payments per state (-want +got):\n%s", step, diff)
		}
	}
	rows("first stage")

	r = runnerAt(2)
	r.up(t)
	if v := r.version(t); v != 6 {
		t.Fatalf("after the second stage the version is %d, want 6", v)
	}
	wantOrders["canceled"], wantPayments["refunded"] = 1, 2
	delete(wantOrders, "cancelled")
	delete(wantPayments, "failed")
	rows("evolved")
	second := func(step string) {
		t.Helper()
		constrained(t, d, db, orders, []string{"pending", "paid", "shipped", "returned", "canceled"}, "pending")
		constrained(t, d, db, payments, []string{"authorized", "captured", "disputed", "refunded"}, "authorized")
		rows(step)
	}
	second("evolved")

	// Down through the service's own index to the first stage: the
	// rename goes back, the moved payment stays refunded.
	if err := r.downTo(3); err != nil {
		t.Fatalf("down to 3: %v", err)
	}
	wantOrders["cancelled"] = 1
	delete(wantOrders, "canceled")
	constrained(t, d, db, orders, []string{"pending", "paid", "shipped", "cancelled"}, "pending")
	constrained(t, d, db, payments, []string{"authorized", "captured", "refunded", "failed"}, "authorized")
	rows("down to 3")
	r.up(t)
	wantOrders["canceled"] = 1
	delete(wantOrders, "cancelled")
	second("up again")

	// All the way down keeps the service's tables and rows (the state
	// columns go), and up again gives every row its machine's default.
	if err := r.downTo(1); err != nil {
		t.Fatalf("down to 1: %v", err)
	}
	for _, tb := range []table{orders, payments} {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + tb.name).Scan(&n); err != nil || n != 4 {
			t.Fatalf("%s at version 1: %d rows (%v), want 4", tb.name, n, err)
		}
	}
	r.up(t)
	wantOrders, wantPayments = map[string]int{"pending": 4}, map[string]int{"authorized": 4}
	second("down to 1 and up")
}

// constrained checks that the table's state column exists, is NOT NULL
// with its default, and accepts exactly labels.
func constrained(t *testing.T, d dialect, db *sql.DB, tb table, labels []string, def string) {
	t.Helper()
	var notNull bool
	var dflt string
	q := map[string]string{
		"postgres": `SELECT is_nullable = 'NO', COALESCE(column_default, '') FROM information_schema.columns WHERE table_name = '` + tb.name + `' AND column_name = 'state'`,
		"mysql":    `SELECT IS_NULLABLE = 'NO', COALESCE(COLUMN_DEFAULT, '') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '` + tb.name + `' AND COLUMN_NAME = 'state'`,
		"sqlite":   `SELECT "notnull" = 1, COALESCE(dflt_value, '') FROM pragma_table_info('` + tb.name + `') WHERE name = 'state'`,
	}[d.name]
	if err := db.QueryRow(q).Scan(&notNull, &dflt); err != nil {
		t.Fatalf("%s.state: %v", tb.name, err)
	}
	if !notNull || !strings.Contains(dflt, def) {
		t.Fatalf("%s.state: not null %v, default %q; want NOT NULL DEFAULT %s", tb.name, notNull, dflt, def)
	}
	all := []string{"pending", "paid", "shipped", "returned", "cancelled", "canceled", "authorized", "captured", "disputed", "refunded", "failed", "bogus"}
	for _, l := range all {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(rebind(d, "INSERT INTO "+tb.name+" VALUES ('probe', 'c1', ?)"), l)
		tx.Rollback()
		if got, want := err == nil, slices.Contains(labels, l); got != want {
			t.Fatalf("%s accepts %q: %v, want %v (%v)", tb.name, l, got, want, err)
		}
	}
}

// compileModule vets the scratch module: both generated packages compile
// side by side.
func compileModule(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet in the service module: %v\n%s", err, out)
	}
}
