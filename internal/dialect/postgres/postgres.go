package postgres

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
)

// Dialect is PostgreSQL 15 and later.
type Dialect struct{}

func (Dialect) Name() string                  { return "postgres" }
func (Dialect) QuoteIdent(name string) string { return dialect.DoubleQuoted(name) }

// QuoteLiteral relies on standard_conforming_strings (on by default since
// 9.1): backslashes are ordinary characters in '…' literals.
func (Dialect) QuoteLiteral(s string) string  { return dialect.SingleQuoted(s) }
func (Dialect) Placeholder(n int) string      { return "$" + strconv.Itoa(n) }
func (Dialect) UpdateReturning() bool         { return true }
func (Dialect) Concat(exprs ...string) string { return strings.Join(exprs, " || ") }
func (Dialect) Now() string                   { return "clock_timestamp()" }

func (Dialect) Later(us string) string {
	return "clock_timestamp() + " + us + " * interval '1 microsecond'"
}

func (Dialect) Typed(ph, typ string) string { return ph + "::" + pgFieldTypes[typ] }

// pgFieldTypes are the types of a field's type, and "int" for a mode.
var pgFieldTypes = map[string]string{"text": "text", "timestamp": "timestamptz", "int": "bigint", "bool": "boolean", "bytes": "bytea"}

func (Dialect) DDLNoTx() string { return "" }

// RaiseMessage doubles %: RAISE reads its message as a format string.
func (p Dialect) RaiseMessage(msg string) string {
	return p.QuoteLiteral(strings.ReplaceAll(msg, "%", "%%"))
}

// MigrationSession bounds every lock wait: ALTER TABLE and ALTER TYPE
// queue for their lock behind any open transaction that touched the table,
// and every later reader and writer queues behind them. Half a second
// bounds that stall; a migration that times out changed nothing and can
// simply run again.
func (Dialect) MigrationSession() string { return "SET lock_timeout = '" + pgLockTimeout + "';" }

const (
	// pgLockTimeout bounds the wait for a lock that queues the table's
	// readers and writers behind it while it waits (ACCESS EXCLUSIVE).
	pgLockTimeout = "500ms"
	// pgMaintenanceTimeout bounds the wait for SHARE UPDATE EXCLUSIVE,
	// which no reader or writer queues behind. It is above the server's
	// deadlock_timeout (1 s by default), after which a lock request that
	// autovacuum blocks makes the server cancel that autovacuum.
	pgMaintenanceTimeout = "5s"
)

// LockFirst returns PL/pgSQL statements, for the start of a block, that
// take SHARE UPDATE EXCLUSIVE on each table (quoted names) before a
// statement that needs ACCESS EXCLUSIVE. Autovacuum holds that lock on a
// table with many changed rows, such as one whose rows a removal just
// moved, and gives way only after deadlock_timeout: longer than the
// migration's lock timeout, so the migration gave up behind it. Waiting
// for this lock first, patiently, blocks no reader or writer; holding it
// keeps autovacuum away until the block's transaction ends; and the
// ACCESS EXCLUSIVE that follows then waits only for the writers' short
// transactions, under the migration's lock timeout again. A long open
// transaction still makes the migration give up at that timeout.
//
// The lines come indented for a block's body.
func (p Dialect) LockFirst(tables ...string) string {
	var b strings.Builder
	b.WriteString("    PERFORM set_config('lock_timeout', '" + pgMaintenanceTimeout + "', true);\n")
	for _, t := range tables {
		b.WriteString("    LOCK TABLE " + t + " IN SHARE UPDATE EXCLUSIVE MODE;\n")
	}
	b.WriteString("    PERFORM set_config('lock_timeout', '" + pgLockTimeout + "', true);")
	return b.String()
}

// patiently is stmt, which needs a lock on table that conflicts with
// autovacuum's, in a block that takes LockFirst's lock first.
func (p Dialect) patiently(table, stmt string) string {
	return "DO " + dollarQuote("\nBEGIN\n"+p.LockFirst(p.QuoteIdent(table))+"\n    "+stmt+"\nEND\n") + ";"
}

// MigrationSessionReset: SET outlives the migration on its connection,
// which goose and golang-migrate take from the application's pool when
// given a *sql.DB. A migration that fails half way leaves it set.
func (Dialect) MigrationSessionReset() string { return "RESET lock_timeout;" }

// CommitEach: PostgreSQL runs the statements of one simple-protocol query
// (golang-migrate's pgx and lib/pq drivers send a file that way) as one
// implicit transaction, which would hold every lock until the file ends. A
// COMMIT between them would end it (with a WARNING for each), but no
// statement could commit inside itself there: a DO block's COMMIT fails
// with "invalid transaction termination" (2D000), even right after a
// COMMIT, so rows could not move in committed batches. A DO block alone in
// its query runs outside any transaction block, and may COMMIT: the
// statements go into one, in order, each committed, a DO block among them
// as a nested block (PL/pgSQL takes every other statement fsmgen writes as
// it is: DDL, UPDATE, SET).
func (Dialect) CommitEach(stmts []string) string {
	body := make([]string, len(stmts))
	for i, s := range stmts {
		body[i] = nested(s)
	}
	text := strings.Join(body, "\nCOMMIT;\n\n")
	tag := freeDollarTag("$migration$", text)
	return "DO " + tag + "\nBEGIN\n" + text + "\nEND\n" + tag + ";"
}

// nested is stmt as a PL/pgSQL statement: a DO block ("DO $tag$", its
// body, "$tag$;") becomes its body, a block of its own.
func nested(stmt string) string {
	first, rest, _ := strings.Cut(stmt, "\n")
	if tag, ok := strings.CutPrefix(first, "DO "); ok {
		if body, ok := strings.CutSuffix(rest, "\n"+tag+";"); ok {
			return body + ";"
		}
	}
	return stmt
}

// FireStmt joins the row with the event's arcs instead of computing the
// target with CASE so that RETURNING can name the state the row left:
// PostgreSQL before 18 returns only new values. Under READ COMMITTED a
// row changed since the statement's snapshot is re-checked against the
// same arc only; when that fails the row did not move. A statement that
// returns no row leaves the caller to read the state and judge it (and
// retry if that state allows the event after all): a branch that read it
// here cost every move 7% of its rate (both statements run side by side,
// 8 workers), for the failures alone.
func (p Dialect) FireStmt(t dialect.Table, event string, arcs []dialect.Arc, at bool) dialect.Stmt {
	enum := p.QuoteIdent(t.Enum)
	var b strings.Builder
	b.WriteString("WITH m (f, t) AS (VALUES ")
	for i, a := range arcs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + p.QuoteLiteral(a.From) + "::" + enum + ", " + p.QuoteLiteral(a.To) + "::" + enum + ")")
	}
	ps := dialect.NewParams(p, dialect.ArgKey)
	key, col, tab := p.QuoteIdent(t.Key), p.QuoteIdent(t.Column), p.QuoteIdent(t.Name)
	b.WriteString("),\nu AS (UPDATE " + tab + " AS r SET " + col + " = m.t" + dialect.VersionBump(t, ps, "r.") + dialect.JoinSet(dialect.FieldsSet(t, ps, "r.", "m.f", arcs)) +
		" FROM m WHERE r." + key + " = $1" + dialect.AtVersion(t, ps, "r.", at) + " AND r." + col + " = m.f RETURNING r." + key + " AS k, m.f, m.t" + historyReturning(p, t, "r.") + ")")
	if t.History != "" {
		b.WriteString(",\nh AS (" + dialect.HistoryInsert(p, t) + " SELECT k, f::text, t::text, " + p.QuoteLiteral(event) + dialect.HistoryExtra(t, ps, returned(p, t)) + " FROM u)")
	}
	b.WriteString("\nSELECT f, t FROM u")
	return ps.Stmt(b.String())
}

func (p Dialect) MoveStmt(t dialect.Table) dialect.Stmt {
	key, col, tab := p.QuoteIdent(t.Key), p.QuoteIdent(t.Column), p.QuoteIdent(t.Name)
	ps := dialect.NewParams(p, dialect.ArgKey, dialect.ArgFrom, dialect.ArgTo)
	if t.History != "" {
		ps.Args = append(ps.Args, dialect.ArgEvent)
	}
	update := "UPDATE " + tab + " SET " + col + " = $3" + dialect.VersionBump(t, ps, "") + dialect.JoinSet(dialect.FieldsSet(t, ps, "", "", nil)) + " WHERE " + key + " = $1 AND " + col + " = $2"
	if t.History == "" {
		return ps.Stmt(update)
	}
	return ps.Stmt("WITH u AS (" + update + " RETURNING " + key + historyReturning(p, t, "") + ")\n" + dialect.HistoryInsert(p, t) + " SELECT " + key + ", $2::text, $3::text, $4" + dialect.HistoryExtra(t, ps, returned(p, t)) + " FROM u")
}

// CreateStmt appends the history row in the same statement. ON CONFLICT
// leaves a caller's transaction usable after a key that is taken, which a
// failed INSERT would abort.
func (p Dialect) CreateStmt(t dialect.Table) (dialect.Stmt, dialect.Stmt) {
	ps := dialect.NewParams(p)
	key := p.QuoteIdent(t.Key)
	insert := dialect.InsertRow(t, ps) + " ON CONFLICT (" + key + ") DO NOTHING"
	if t.History == "" {
		return ps.Stmt(insert), dialect.Stmt{}
	}
	return ps.Stmt("WITH i AS (" + insert + " RETURNING " + key + historyReturning(p, t, "") + ")\n" + dialect.HistoryInsert(p, t) + " SELECT " + key + ", '', " + ps.Ph(dialect.ArgTo) + "::text, ''" + dialect.HistoryExtra(t, ps, returned(p, t)) + " FROM i"), dialect.Stmt{}
}

func (p Dialect) StateStmt(t dialect.Table) dialect.Stmt {
	return dialect.Stmt{SQL: "SELECT " + p.QuoteIdent(t.Column) + " FROM " + p.QuoteIdent(t.Name) + " WHERE " + p.QuoteIdent(t.Key) + " = $1", Args: []dialect.Arg{dialect.ArgKey}}
}

// ExpireStmt locks the due rows with FOR UPDATE SKIP LOCKED, which
// re-checks the deadline on the row's latest version once it holds it,
// then moves them as FireStmt does; the rows whose state does not take the
// event lose their deadline in the same statement.
func (p Dialect) ExpireStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	enum := p.QuoteIdent(t.Enum)
	ps := dialect.NewParams(p)
	key, col, tab := p.QuoteIdent(t.Key), p.QuoteIdent(t.Column), p.QuoteIdent(t.Name)
	var b strings.Builder
	b.WriteString("WITH due AS (" + dialect.DueRows(t, e, ps, ps.Ph(dialect.ArgNow)+"::timestamptz", "", " FOR UPDATE SKIP LOCKED") + "),\nm (f, t) AS (VALUES ")
	for i, a := range e.Arcs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + p.QuoteLiteral(a.From) + "::" + enum + ", " + p.QuoteLiteral(a.To) + "::" + enum + ")")
	}
	b.WriteString("),\nu AS (UPDATE " + tab + " AS r SET " + col + " = m.t" + dialect.VersionBump(t, ps, "r.") + dialect.JoinSet(dialect.FieldsSet(t, ps, "r.", "m.f", e.Arcs)) +
		" FROM due, m WHERE r." + key + " = due." + key + " AND r." + col + " = m.f RETURNING r." + key + " AS k, m.f, m.t" + historyReturning(p, t, "r.") + ")")
	if t.History != "" {
		b.WriteString(",\nh AS (" + dialect.HistoryInsert(p, t) + " SELECT k, f::text, t::text, " + p.QuoteLiteral(e.Event) + dialect.HistoryExtra(t, ps, returned(p, t)) + " FROM u)")
	}
	b.WriteString(",\nx AS (UPDATE " + tab + " AS r SET " + p.QuoteIdent(t.Fields[e.Field].Name) + " = NULL FROM due WHERE r." + key + " = due." + key +
		" AND r." + col + " NOT IN (" + dialect.Sources(p, e.Arcs) + ") RETURNING r." + key + " AS k, r." + col + " AS f)")
	b.WriteString("\nSELECT k::text, f, t FROM u\nUNION ALL\nSELECT k::text, f, NULL::" + enum + " FROM x")
	return ps.Stmt(b.String())
}

func (Dialect) DueStmt(dialect.Table, dialect.Expiry) dialect.Stmt { return dialect.Stmt{} }

// SweepReadCommitted is false: READ COMMITTED is PostgreSQL's default,
// and a caller's stricter level is the caller's choice.
func (Dialect) SweepReadCommitted() bool { return false }

// SweepBatch: a writer of other rows waited for a whole sweep statement
// (BenchmarkExpire, 1,000,000 rows: up to 173 ms with 1,000 rows a
// statement, 69 ms with 100, at the same rate of rows moved).
func (Dialect) SweepBatch() int { return 100 }

func (p Dialect) ClearStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	return dialect.ClearStmt(p, t, e)
}

// GetStmt reads the latest committed version either way: a statement in
// READ COMMITTED takes a new snapshot.
func (p Dialect) GetStmt(t dialect.Table, current bool) dialect.Stmt {
	return dialect.GetStmt(t, dialect.NewParams(p), "")
}

// HistoryStmt is empty: the move statements append history through a
// data-modifying CTE, in the same statement.
func (Dialect) HistoryStmt(dialect.Table) dialect.Stmt { return dialect.Stmt{} }

// Enforce uses one trigger function for INSERT and UPDATE. The trigger has
// no column list or WHEN clause, which would stop ALTER COLUMN … TYPE (an
// enum migration) from running while it exists; the function returns at
// once when the state is unchanged. Going from one set of rules to another
// only replaces the function (CREATE OR REPLACE, no lock on the table):
// the trigger stays, so there is no instant without enforcement. Every
// statement can run again: a migration that failed half way is finished by
// running it again.
func (p Dialect) Enforce(old, new *dialect.Enforcement) []string {
	switch {
	case new == nil && old != nil:
		return []string{
			p.patiently(old.Table, "DROP TRIGGER IF EXISTS "+p.QuoteIdent(old.Trigger)+" ON "+p.QuoteIdent(old.Table)+";"),
			"DROP FUNCTION IF EXISTS " + p.QuoteIdent(old.Trigger) + "();",
		}
	case new == nil:
		return nil
	case old != nil:
		return []string{p.enforceFunc(new)}
	}
	return []string{p.enforceFunc(new), p.patiently(new.Table, p.enforceTrigger(new))}
}

// Recompile writes the function anew: a session compiles it again once
// its row in pg_proc changed, where a replaced type alone would leave the
// old type's OID in its plans (XX000 cache lookup failed for type).
func (p Dialect) Recompile(e *dialect.Enforcement) []string {
	return []string{p.enforceFunc(e)}
}

func (p Dialect) enforceTrigger(e *dialect.Enforcement) string {
	return "CREATE OR REPLACE TRIGGER " + p.QuoteIdent(e.Trigger) + " BEFORE INSERT OR UPDATE ON " + p.QuoteIdent(e.Table) +
		" FOR EACH ROW EXECUTE FUNCTION " + p.QuoteIdent(e.Trigger) + "();"
}

// pgBypassed is true when the current transaction asked for the bypass and
// its role has the privileges of the table's owner: the one who could drop
// or disable the trigger anyway. A role that may only write the table
// cannot pass, whatever it sets; a custom setting alone is open to every
// role (SET, set_config, PGOPTIONS). Unset, the setting reads as NULL,
// which must not make the whole condition NULL: that would let the write
// through.
const pgBypassed = "coalesce(current_setting('fsmgen.bypass', true), '') = 'on' AND pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'USAGE')"

// enforceFunc pins search_path to pg_catalog: the function runs as
// whoever writes the table, a superuser included, and with that role's
// search_path an operator or function another role defined in a schema
// on it (public, say) would be found before the built-in one. The body
// names no table or type; the table comes from the trigger.
func (p Dialect) enforceFunc(e *dialect.Enforcement) string {
	return "CREATE OR REPLACE FUNCTION " + p.QuoteIdent(e.Trigger) + "() RETURNS trigger LANGUAGE plpgsql\nSET search_path = pg_catalog, pg_temp AS " + dollarQuote(p.enforceBody(e)) + ";"
}

// EnforceObjects: the function's body, and the trigger, whose presence
// verify checks.
func (p Dialect) EnforceObjects(e *dialect.Enforcement) []dialect.EnforceObject {
	return []dialect.EnforceObject{{Function: true, Name: e.Trigger, Def: p.enforceBody(e)}, {Name: e.Trigger}}
}

func (p Dialect) enforceBody(e *dialect.Enforcement) string {
	col := "NEW." + p.QuoteIdent(e.Column)
	old := "OLD." + p.QuoteIdent(e.Column)
	key := "NEW." + p.QuoteIdent(e.Key) + "::text"
	insMsg, updMsg := dialect.EnforceMessages(p, e, key, old+"::text", col+"::text")
	entries := make([]string, len(e.Entries))
	for i, l := range e.Entries {
		entries[i] = p.QuoteLiteral(l)
	}
	allowed := "FALSE"
	if len(e.Moves) > 0 {
		allowed = "((" + old + "::text, " + col + "::text) IN (" + dialect.Relation(p, e.Moves) + "))"
	}
	// The bypass is asked only of a write the rules refuse: plpgsql runs
	// a condition with a subquery through the whole executor each time,
	// which made the function about eight times as costly on every write.
	refuse := func(indent, msg string) string {
		return indent + "IF NOT (" + pgBypassed + ") THEN\n" +
			indent + "    RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = " + msg + ";\n" +
			indent + "END IF;\n"
	}
	return "\nBEGIN\n" +
		"    IF TG_OP = 'INSERT' THEN\n" +
		"        IF " + col + "::text NOT IN (" + strings.Join(entries, ", ") + ") THEN\n" +
		refuse("            ", insMsg) +
		"        END IF;\n" +
		"    ELSIF " + col + " IS DISTINCT FROM " + old + " AND NOT " + allowed + " THEN\n" +
		refuse("        ", updMsg) +
		"    END IF;\n" +
		"    RETURN NEW;\n" +
		"END\n"
}

// dollarQuote quotes a function body with a tag that does not occur in
// it, so that no label inside can end the body early.
func dollarQuote(body string) string {
	tag := freeDollarTag("$fsmgen$", body)
	return tag + body + tag
}

// EnforceForm 2: only a role with the table owner's privileges can
// bypass the function, which pins its search_path. 3: it asks that
// (pgBypassed) only of a write the rules refuse.
func (Dialect) EnforceForm() int { return 3 }

// BypassOn is transaction-local: SET LOCAL ends with the transaction, so a
// repair cannot leave enforcement off by accident. It takes effect only
// for a role with the table owner's privileges (pgBypassed).
func (Dialect) BypassOn() string  { return "SET LOCAL fsmgen.bypass = 'on';" }
func (Dialect) BypassOff() string { return "" }

// RenameInHistory walks the sequence numbers from the smallest to the
// largest there when it starts, a batch committing every BatchSize of
// them. Rows written later name the new spellings: the rename's
// constraint statement before it waited for every transaction that wrote
// the table with the old ones, the history row in the same transaction.
// Inside a migration's one transaction (batch false, a compaction) it is
// one UPDATE.
func (p Dialect) RenameInHistory(t dialect.Table, renames []dialect.Arc, batch bool) []string {
	set, where := dialect.HistoryRenames(p, renames)
	tab, seq := p.QuoteIdent(t.History), p.QuoteIdent(dialect.HistSeq)
	if !batch {
		return []string{"UPDATE " + tab + " SET " + set + " WHERE " + where + ";"}
	}
	n := strconv.Itoa(dialect.BatchSize)
	body := "\nDECLARE\n    lo bigint;\n    top bigint;\nBEGIN\n    SELECT min(" + seq + ") - 1, max(" + seq + ") INTO lo, top FROM " + tab + ";\n    WHILE lo < top LOOP\n" +
		"        UPDATE " + tab + " SET " + set + " WHERE " + seq + " > lo AND " + seq + " <= lo + " + n + " AND " + where + ";\n" +
		"        COMMIT;\n        lo := lo + " + n + ";\n    END LOOP;\nEND\n"
	return []string{"DO " + dollarQuote(body) + ";"}
}

// CreateHistory and DropHistory may run again after a failure half way:
// the statements around them in an online migration commit one by one.
func (p Dialect) CreateHistory(t dialect.Table) []string {
	h := p.QuoteIdent(t.History)
	return []string{
		"CREATE TABLE IF NOT EXISTS " + h + " (\n" +
			"    " + p.QuoteIdent(dialect.HistSeq) + " bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n" +
			"    " + p.QuoteIdent(t.Key) + " text NOT NULL,\n" +
			"    " + p.QuoteIdent(dialect.HistFrom) + " text NOT NULL,\n" +
			"    " + p.QuoteIdent(dialect.HistTo) + " text NOT NULL,\n" +
			"    " + p.QuoteIdent(dialect.HistEvent) + " text NOT NULL,\n" +
			"    " + p.QuoteIdent(dialect.HistAt) + " timestamptz NOT NULL DEFAULT " + p.Now() + "\n" +
			");",
		"CREATE INDEX IF NOT EXISTS " + p.QuoteIdent(t.History+"_"+t.Key) + " ON " + h + " (" + dialect.QuoteIdents(p, t.Key, dialect.HistSeq) + ");",
	}
}

// DropHistory's guard reads the table only once the catalog says it is
// there (PL/pgSQL plans the inner IF when it reaches it), so that a Down
// stopped after the DROP passes its guard when run again.
func (p Dialect) DropHistory(t dialect.Table) (guard, drop []string) {
	h := p.QuoteIdent(t.History)
	body := "\nBEGIN\n    IF to_regclass(" + p.QuoteLiteral(h) + ") IS NOT NULL THEN\n        IF EXISTS (SELECT 1 FROM " + h + ") THEN\n            RAISE EXCEPTION " + p.RaiseMessage(dialect.HistoryKept(t)) + ";\n        END IF;\n    END IF;\nEND\n"
	return []string{"DO " + dollarQuote(body) + ";"}, []string{"DROP TABLE IF EXISTS " + h + ";"}
}

func (Dialect) LastIDStmt() dialect.Stmt { return dialect.Stmt{} }

// ReadFirst is false: a move is one UPDATE.
func (Dialect) ReadFirst() bool { return false }

func (Dialect) FieldType(typ string) string { return pgFieldTypes[typ] }

// DeadlinePages is how many pages of the table (8 KiB each by default) a
// batch of Deadlines reads: about 5,000 rows of 100 bytes. Batches of 16
// pages, each holding its rows' locks a quarter as long, left the
// writers' longest stalls as they were (116 to 318 ms either way on a
// million rows, docs/online-migrations.md): the batches' locks are not
// what those writers waited for.
const DeadlinePages = 64

// Deadlines commits batch by batch, each batch the rows of the next
// DeadlinePages pages of the table (a TID range scan), both UPDATEs
// (start the missing deadlines, end the stray ones) per batch, so that
// the whole is one pass over the table. Batches chosen by the rows'
// condition instead (LIMIT) found them through the state's index past the
// entries of the rows earlier batches had changed, dead until a vacuum:
// at 1,000,000 rows with writers on them, each batch was slower than the
// one before, and a writer whose row a batch held waited up to 631 ms
// (docs/online-migrations.md). A row a writer moves into or out of the
// states after its pages were passed keeps what the writer's statement
// gave it, as under any batching.
func (p Dialect) Deadlines(t dialect.Table, f dialect.Field, labels []string, us int64) ([]string, bool) {
	tab := p.QuoteIdent(t.Name)
	pages := strconv.Itoa(DeadlinePages)
	var b strings.Builder
	b.WriteString("\nDECLARE\n    page bigint := 0;\nBEGIN\n    LOOP")
	for _, u := range dialect.DeadlineUpdates(p, f, t, labels, us) {
		b.WriteString("\n        UPDATE " + tab + " SET " + u[0] +
			"\n        WHERE ctid >= ('(' || page || ',0)')::tid AND ctid < ('(' || (page + " + pages + ") || ',0)')::tid AND " + u[1] + ";")
	}
	b.WriteString("\n        COMMIT;\n        page := page + " + pages + ";" +
		"\n        EXIT WHEN page > pg_relation_size(" + p.QuoteLiteral(tab) + ") / current_setting('block_size')::bigint;\n    END LOOP;\nEND\n")
	return []string{"DO " + dollarQuote(b.String()) + ";"}, true
}

// DeadlineIndex builds the index CONCURRENTLY, which writers do not wait
// for and which PostgreSQL runs only as a query of its own, outside any
// transaction block. It holds only the rows that have a deadline. A build
// that fails part way leaves an invalid index that IF NOT EXISTS would
// keep: verify reports it, and the Down drops it.
func (p Dialect) DeadlineIndex(t dialect.Table, f dialect.Field, name string) (up, down []string, alone string) {
	dl := p.QuoteIdent(f.Name)
	return []string{"CREATE INDEX CONCURRENTLY IF NOT EXISTS " + p.QuoteIdent(name) + " ON " + p.QuoteIdent(t.Name) + " (" + dl + ") WHERE " + dl + " IS NOT NULL;"},
		[]string{"DROP INDEX CONCURRENTLY IF EXISTS " + p.QuoteIdent(name) + ";"}, indexAlone
}

// indexAlone says why an index's migration runs outside a transaction.
const indexAlone = "CREATE INDEX CONCURRENTLY builds the index while writers go on, and runs only alone, outside any transaction block. If it fails part way it leaves an invalid index, which fsmgen verify reports: run the Down, then the Up again."

// AddField: a column without a default, or with a constant one, is a
// change of the catalog alone.
func (p Dialect) AddField(t dialect.Table, f dialect.Field) []string {
	return []string{p.patiently(t.Name, "ALTER TABLE "+p.QuoteIdent(t.Name)+" ADD COLUMN IF NOT EXISTS "+p.QuoteIdent(f.Name)+" "+dialect.FieldColumn(p, f)+";")}
}

func (p Dialect) DropField(t dialect.Table, f dialect.Field) (guard, drop []string) {
	tab, col := p.QuoteIdent(t.Name), p.QuoteIdent(f.Name)
	exists := "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(" + p.QuoteLiteral(tab) + ") AND attname = " + p.QuoteLiteral(f.Name) + " AND NOT attisdropped)"
	body := "\nBEGIN\n    IF " + exists + " THEN\n        IF EXISTS (SELECT 1 FROM " + tab + " WHERE " + col + " IS DISTINCT FROM " + dialect.FieldValue(p, f, f.Default) + ") THEN\n            RAISE EXCEPTION " + p.RaiseMessage(dialect.FieldKept(t, f)) + ";\n        END IF;\n    END IF;\nEND\n"
	return []string{"DO " + dollarQuote(body) + ";"}, []string{p.patiently(t.Name, "ALTER TABLE "+tab+" DROP COLUMN IF EXISTS "+col+";")}
}

// DollarTag returns a dollar-quote delimiter that does not occur in body,
// so that a label inside a DO block cannot end it: "$$" unless body holds
// it.
func DollarTag(body string) string { return freeDollarTag("$$", body) }

// freeDollarTag returns tag, or the first of $fsmgen0$, $fsmgen1$, ...
// when body holds it.
func freeDollarTag(tag, body string) string {
	for i := 0; strings.Contains(body, tag); i++ {
		tag = "$fsmgen" + strconv.Itoa(i) + "$"
	}
	return tag
}

// postgresTypes are the types in pg_catalog of PostgreSQL 15 whose names a
// spec could choose (pg_catalog.pg_type, names matching [a-z][a-z0-9_]*,
// without the pg_ row types). pg_catalog comes first on every search path,
// so "CREATE TYPE "text" AS ENUM" succeeds in the public schema and then
// every column declared "text" gets pg_catalog's text: plain text that
// accepts anything.
var postgresTypes = strings.Fields(`aclitem any anyarray anycompatible anycompatiblearray
anycompatiblemultirange anycompatiblenonarray anycompatiblerange anyelement anyenum
anymultirange anynonarray anyrange bit bool box bpchar bytea char cid cidr circle cstring
date datemultirange daterange event_trigger fdw_handler float4 float8 gtsvector
index_am_handler inet int2 int2vector int4 int4multirange int4range int8 int8multirange
int8range internal interval json jsonb jsonpath language_handler line lseg macaddr macaddr8
money name numeric nummultirange numrange oid oidvector path point polygon record refcursor
regclass regcollation regconfig regdictionary regnamespace regoper regoperator regproc
regprocedure regrole regtype table_am_handler text tid time timestamp timestamptz timetz
trigger tsm_handler tsmultirange tsquery tsrange tstzmultirange tstzrange tsvector
txid_snapshot unknown uuid varbit varchar void xid xid8 xml`)

// TypeClash says why PostgreSQL would resolve an enum type named
// name to something else, or returns "". tables are the tables the enum's
// columns live in: each has a row type of its own name, so CREATE TYPE
// with that name fails.
func TypeClash(name string, tables []string) string {
	switch {
	case strings.HasPrefix(name, "pg_"):
		return "PostgreSQL reserves names starting with pg_ for its own catalog"
	case slices.Contains(postgresTypes, name):
		return "PostgreSQL has a built-in type of that name, which it finds first (pg_catalog precedes every schema), so the column would silently get the built-in type"
	case slices.Contains(tables, name):
		return "the table of that name has a row type of the same name, so PostgreSQL cannot create the enum type"
	}
	return ""
}

// Prepare is false: pgx caches every statement per connection already,
// under its text, and drops one PostgreSQL no longer runs (0A000, once a
// compaction replaced the type); statements prepared through database/sql
// share those names and would keep the stale ones.
func (Dialect) Prepare() bool { return false }

func (Dialect) TimeLayout() string { return "" }

// SchemaDDL creates the type, or for an adopted one adds the labels it
// lacks where the migrations put them, and states each column as they
// left it.
func (p Dialect) SchemaDDL(s dialect.Schema) []string {
	typ := p.QuoteIdent(s.Enum)
	var out []string
	if s.Adopt == nil {
		out = append(out, "CREATE TYPE "+typ+" AS ENUM ("+dialect.QuoteLiterals(p, s.Type)+");")
	}
	for i, l := range s.Type {
		if s.Adopt == nil || slices.Contains(s.Adopt, l) {
			continue
		}
		stmt := "ALTER TYPE " + typ + " ADD VALUE IF NOT EXISTS " + p.QuoteLiteral(l)
		if j := slices.IndexFunc(s.Type[i+1:], func(n string) bool { return slices.Contains(s.Adopt, n) }); j >= 0 {
			stmt += " BEFORE " + p.QuoteLiteral(s.Type[i+1+j])
		}
		out = append(out, stmt+";")
	}
	for _, c := range s.Columns {
		tab, col := p.QuoteIdent(c.Table), p.QuoteIdent(c.Column)
		if c.Adopted {
			def, null := "DROP DEFAULT", "DROP NOT NULL"
			if c.Default != "" {
				def = "SET DEFAULT " + p.QuoteLiteral(c.Default)
			}
			if !c.Nullable {
				null = "SET NOT NULL"
			}
			out = append(out, "ALTER TABLE "+tab+" ALTER COLUMN "+col+" "+def+", ALTER COLUMN "+col+" "+null+";")
		} else {
			stmt := "ALTER TABLE " + tab + " ADD COLUMN " + col + " " + typ
			if !c.Nullable {
				stmt += " NOT NULL"
			}
			if c.Default != "" {
				stmt += " DEFAULT " + p.QuoteLiteral(c.Default)
			}
			out = append(out, stmt+";")
		}
		if s.Retired() {
			out = append(out, "ALTER TABLE "+tab+" ADD CONSTRAINT "+p.QuoteIdent(c.States)+" CHECK ("+col+"::text IN ("+dialect.QuoteLiterals(p, s.States)+"));")
		}
	}
	out = append(out, dialect.SchemaStore(p, s, func(table string, f dialect.Field) string {
		return "ALTER TABLE " + p.QuoteIdent(table) + " ADD COLUMN " + p.QuoteIdent(f.Name) + " " + dialect.FieldColumn(p, f) + ";"
	}, true)...)
	if e := s.Enforce; e != nil {
		out = append(out, p.enforceFunc(e), p.enforceTrigger(e))
	}
	return out
}

func (Dialect) Sqlc() (string, bool) { return "postgresql", true }

func (Dialect) GoName() string { return "Postgres" }

func (Dialect) EntType(enum string, _ []string) string { return enum }

func (Dialect) SerialWrites() bool { return false }

func (Dialect) TypeGrowth() dialect.Growth { return dialect.Anchored }

func (Dialect) LabelCollation([]string) string { return "" }

// Catalog is how verify reads this dialect's catalog.
func (Dialect) Catalog() dialect.Catalog {
	return dialect.Catalog{
		Column: `SELECT udt_name, is_nullable, column_default FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
		Labels: `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
WHERE t.typname = $1 AND t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY e.enumsortorder`,
		Checks: `SELECT c.conname, pg_get_constraintdef(c.oid), CASE WHEN c.convalidated THEN 1 ELSE 0 END
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE c.contype = 'c' AND r.relname = $1 AND r.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY c.conname`,
		Triggers: `SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
WHERE NOT t.tgisinternal AND r.relname = $1 AND r.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY t.tgname`,
		Function: `SELECT prosrc FROM pg_proc WHERE proname = $1 AND pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
		Columns:  `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
		Indexes: `SELECT c.relname, CASE WHEN i.indisvalid THEN 1 ELSE 0 END FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
WHERE r.relname = $1 AND r.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
	}
}

func (Dialect) Literals(text string) []string { return dialect.ScanLiterals(text, false) }

func (Dialect) Driver() string { return "pgx" }

// DSN: pgx takes postgres:// URLs and libpq's keyword/value pairs (as
// goose passes them); pgx://, pgx4:// and pgx5:// are golang-migrate's
// names for its pgx drivers.
func (Dialect) DSN(url string, scheme bool) (string, bool) {
	if !scheme {
		return url, keywordValue.MatchString(url)
	}
	if _, ok := dialect.HasPrefixFold(url, "postgres://", "postgresql://"); ok {
		return url, true
	}
	if rest, ok := dialect.HasPrefixFold(url, "pgx://", "pgx4://", "pgx5://"); ok {
		return "postgres://" + rest, true
	}
	return "", false
}

// keywordValue is libpq's keyword/value form (host=… dbname=…).
var keywordValue = regexp.MustCompile(`^\s*(host|hostaddr|port|dbname|user|password|sslmode|application_name)\s*=`)

// VersionTable is the format's own.
func (Dialect) VersionTable(string) string { return "" }

func (Dialect) File(string) string { return "" }

// Refuse: a type name the spec chooses must not be one PostgreSQL has.
func (Dialect) Refuse(m dialect.SpecView, errorf func(pos diag.Pos, format string, args ...any)) {
	if m.EnumPos.Line == 0 {
		return
	}
	if why := TypeClash(m.Enum, m.Tables); why != "" {
		errorf(m.EnumPos, "sql enum %q cannot be a PostgreSQL type name: %s; choose another name, such as %s", m.Enum, why, m.Another)
	}
}

func (Dialect) ColumnCollation() string { return "" }

// RefuseChange: PostgreSQL makes every change in place.
func (Dialect) RefuseChange(dialect.ChangeView, func(diag.Pos, string, ...any)) {}

// ChangeNoTx: each statement of a change commits on its own, so that no
// lock outlives it; replacing the type (a restatement) must happen in one
// transaction.
func (Dialect) ChangeNoTx() string {
	return "Each statement commits on its own, so no lock outlives it: rows move in batches and the constraint is validated without blocking writers. Every statement can run again after a failure."
}

func (Dialect) RestateCost() string { return "rewrites every bound table" }

// historyReturning returns what a data-modifying CTE returns besides for
// its history row: the copied fields, under names no column of the spec
// can take (a name in the spec has no upper case).
func historyReturning(d Dialect, t dialect.Table, qualifier string) string {
	var b strings.Builder
	for j, i := range t.HistFields {
		b.WriteString(", " + qualifier + d.QuoteIdent(t.Fields[i].Name) + " AS " + historyCopy(d, j))
	}
	return b.String()
}

func historyCopy(d Dialect, j int) string { return d.QuoteIdent("H" + strconv.Itoa(j)) }

// returned names copied field i as historyReturning returned it.
func returned(d Dialect, t dialect.Table) func(i int) string {
	return func(i int) string { return historyCopy(d, slices.Index(t.HistFields, i)) }
}
