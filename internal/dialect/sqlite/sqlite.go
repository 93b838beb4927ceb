package sqlite

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
)

// Dialect is SQLite 3.35 and later (RETURNING).
type Dialect struct{}

func (Dialect) Name() string                  { return "sqlite" }
func (Dialect) QuoteIdent(name string) string { return dialect.DoubleQuoted(name) }
func (Dialect) QuoteLiteral(s string) string  { return dialect.SingleQuoted(s) }

// Placeholder is numbered so that a statement may use one parameter twice.
func (Dialect) Placeholder(n int) string      { return "?" + strconv.Itoa(n) }
func (Dialect) UpdateReturning() bool         { return true }
func (Dialect) Concat(exprs ...string) string { return strings.Join(exprs, " || ") }

// Now is UTC text with milliseconds, the precision SQLite's clock has.
func (Dialect) Typed(ph, _ string) string { return ph }

// Later writes the time as Now does, for text comparisons to hold.
func (Dialect) Later(us string) string {
	return "strftime('%Y-%m-%d %H:%M:%f', 'now', printf('%.6f seconds', " + us + " / 1000000.0))"
}

func (Dialect) Now() string { return "strftime('%Y-%m-%d %H:%M:%f', 'now')" }

func (Dialect) DDLNoTx() string { return "" }

func (s Dialect) RaiseMessage(msg string) string { return s.QuoteLiteral(msg) }

// Check is one condition of a SQLite guard: the temporary trigger that
// raises Msg when Cond holds.
type Check struct{ Trigger, Cond, Msg string }

// Guard returns the statements that stop a migration at the first of
// checks that holds, with its message. RAISE works only in a trigger and
// SQLite has no procedures, so each check is a temporary trigger on a
// temporary table (named table), which one insert fires; all are gone
// with the transaction the failure rolls back, and dropped with the table
// when none fires.
func (s Dialect) Guard(table string, checks ...Check) []string {
	tmp := s.QuoteIdent(table)
	out := []string{"CREATE TEMP TABLE " + tmp + " (x INTEGER);"}
	for _, c := range checks {
		out = append(out, "CREATE TEMP TRIGGER "+s.QuoteIdent(c.Trigger)+" BEFORE INSERT ON "+tmp+"\nWHEN "+c.Cond+"\nBEGIN\n    SELECT RAISE(ABORT, "+s.RaiseMessage(c.Msg)+");\nEND;")
	}
	return append(out, "INSERT INTO "+tmp+" VALUES (1);", "DROP TABLE "+tmp+";")
}

// MigrationSession is empty: SQLite has one writer at a time and no lock
// queue a migration could hold up.
func (Dialect) MigrationSession() string { return "" }

func (Dialect) MigrationSessionReset() string { return "" }

// CommitEach is empty: SQLite's migrations run in one transaction.
func (Dialect) CommitEach([]string) string { return "" }

// FireStmt reads the row's state into a materialized CTE, computed once
// per statement before the row changes, because RETURNING sees only new
// values. The statement holds the database's write lock from its first
// read, so the state it read is the state it moved from.
func (s Dialect) FireStmt(t dialect.Table, event string, arcs []dialect.Arc, at bool) dialect.Stmt {
	key, col, tab := s.QuoteIdent(t.Key), s.QuoteIdent(t.Column), s.QuoteIdent(t.Name)
	ps := dialect.NewParams(s, dialect.ArgKey)
	var b strings.Builder
	b.WriteString("WITH o (f) AS MATERIALIZED (SELECT " + col + " FROM " + tab + " WHERE " + key + " = ?1)\n")
	b.WriteString("UPDATE " + tab + " SET " + col + " = CASE " + col)
	for _, a := range arcs {
		b.WriteString(" WHEN " + s.QuoteLiteral(a.From) + " THEN " + s.QuoteLiteral(a.To))
	}
	b.WriteString(" END" + dialect.VersionBump(t, ps, "") + dialect.JoinSet(dialect.FieldsSet(t, ps, "", col, arcs)) + "\nWHERE " + key + " = ?1" + dialect.AtVersion(t, ps, "", at) + " AND " + col + " IN (" + dialect.Sources(s, arcs) + ") AND " + col + " = (SELECT f FROM o)\nRETURNING (SELECT f FROM o), " + col)
	return ps.Stmt(b.String())
}

func (s Dialect) MoveStmt(t dialect.Table) dialect.Stmt {
	key, col, tab := s.QuoteIdent(t.Key), s.QuoteIdent(t.Column), s.QuoteIdent(t.Name)
	ps := dialect.NewParams(s, dialect.ArgKey, dialect.ArgFrom, dialect.ArgTo)
	return ps.Stmt("UPDATE " + tab + " SET " + col + " = ?3" + dialect.VersionBump(t, ps, "") + dialect.JoinSet(dialect.FieldsSet(t, ps, "", "", nil)) + " WHERE " + key + " = ?1 AND " + col + " = ?2")
}

func (s Dialect) StateStmt(t dialect.Table) dialect.Stmt {
	return dialect.Stmt{SQL: "SELECT " + s.QuoteIdent(t.Column) + " FROM " + s.QuoteIdent(t.Name) + " WHERE " + s.QuoteIdent(t.Key) + " = ?1", Args: []dialect.Arg{dialect.ArgKey}}
}

func (Dialect) ExpireStmt(dialect.Table, dialect.Expiry) dialect.Stmt { return dialect.Stmt{} }

// SweepReadCommitted is false: SQLite's transactions are serializable.
func (Dialect) SweepReadCommitted() bool { return false }

// SweepBatch: a sweep's transaction holds the one write lock, and the
// Store's own writers queue behind it (SerialWrites) for as long as it
// runs; between two transactions of 100 rows each they go first.
func (Dialect) SweepBatch() int { return 100 }

// DueStmt needs no lock: the sweep's transaction holds the database's
// write lock from its start (_txlock=immediate). The time is written as
// Now writes the clock, for the text comparison to hold.
func (s Dialect) DueStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	ps := dialect.NewParams(s)
	return ps.Stmt(dialect.DueRows(t, e, ps, "strftime('%Y-%m-%d %H:%M:%f', "+ps.Ph(dialect.ArgNow)+")", "", ""))
}

func (s Dialect) ClearStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	return dialect.ClearStmt(s, t, e)
}

// GetStmt needs no lock to be current: one writer at a time, and a
// transaction sees its own writes.
func (s Dialect) GetStmt(t dialect.Table, current bool) dialect.Stmt {
	return dialect.GetStmt(t, dialect.NewParams(s), "")
}

// HistoryStmt runs after the move, in the same transaction: SQLite has no
// data-modifying CTEs.
func (s Dialect) CreateStmt(t dialect.Table) (dialect.Stmt, dialect.Stmt) {
	ps := dialect.NewParams(s)
	create := ps.Stmt(dialect.InsertRow(t, ps) + " ON CONFLICT (" + s.QuoteIdent(t.Key) + ") DO NOTHING")
	if t.History == "" {
		return create, dialect.Stmt{}
	}
	hp := dialect.NewParams(s)
	return create, hp.Stmt(dialect.HistoryRow(s, t, hp, true))
}

func (s Dialect) HistoryStmt(t dialect.Table) dialect.Stmt {
	if t.History == "" {
		return dialect.Stmt{}
	}
	ps := dialect.NewParams(s)
	return ps.Stmt(dialect.HistoryRow(s, t, ps, false))
}

// Enforce drops and recreates the triggers whose text changes (Kept),
// which SQLite does in the migration's transaction: no other connection
// sees a moment without them. A trigger may not read a temporary table,
// so the bypass is PRAGMA defer_foreign_keys, which SQLite itself
// switches off at every COMMIT and ROLLBACK. The messages are constants:
// RAISE takes an expression only from SQLite 3.47, and an older SQLite
// refuses to open a database whose schema holds one.
func (s Dialect) Enforce(old, new *dialect.Enforcement) []string {
	if new == nil {
		var out []string
		if old != nil {
			for _, o := range s.EnforceObjects(old) {
				out = append(out, "DROP TRIGGER IF EXISTS "+s.QuoteIdent(o.Name)+";")
			}
		}
		return out
	}
	kept := dialect.Kept(s, old, new)
	var drops, creates []string
	for _, o := range s.EnforceObjects(new) {
		if !kept[o.Name] {
			drops = append(drops, "DROP TRIGGER IF EXISTS "+s.QuoteIdent(o.Name)+";")
			creates = append(creates, o.Def+";")
		}
	}
	return append(drops, creates...)
}

// EnforceObjects: each trigger's CREATE TRIGGER, as sqlite_master keeps it.
func (s Dialect) EnforceObjects(e *dialect.Enforcement) []dialect.EnforceObject {
	col, oldCol := "NEW."+s.QuoteIdent(e.Column), "OLD."+s.QuoteIdent(e.Column)
	const noBypass = "NOT (SELECT defer_foreign_keys FROM pragma_defer_foreign_keys)"
	trigger := func(suffix, event, cond, msg string) dialect.EnforceObject {
		return dialect.EnforceObject{Name: e.Trigger + suffix, Def: "CREATE TRIGGER " + s.QuoteIdent(e.Trigger+suffix) + " BEFORE " + event + " ON " + s.QuoteIdent(e.Table) + "\n" +
			"FOR EACH ROW WHEN " + cond + " AND " + noBypass + "\n" +
			"BEGIN\n" +
			"    SELECT RAISE(ABORT, " + s.QuoteLiteral(msg) + ");\n" +
			"END"}
	}
	insMsg, updMsg := sqliteEnforceMessages(e)
	return []dialect.EnforceObject{
		trigger("_insert", "INSERT", "NOT "+s.isOneOf(col, e.Entries), insMsg),
		trigger("_update", "UPDATE OF "+s.QuoteIdent(e.Column), col+" IS NOT "+oldCol+" AND NOT "+s.isMove(oldCol, col, e.Moves), updMsg),
	}
}

// isMove is true when (from, to) is one of moves, NULL when either is
// NULL, as isOneOf is for one expression.
func (s Dialect) isMove(from, to string, moves []dialect.Arc) string {
	if len(moves) > maxCompared {
		return "((" + from + ", " + to + ") IN (VALUES " + dialect.Relation(s, moves) + "))"
	}
	var froms []string
	targets := map[string][]string{}
	for _, m := range moves {
		if targets[m.From] == nil {
			froms = append(froms, m.From)
		}
		targets[m.From] = append(targets[m.From], m.To)
	}
	terms := make([]string, len(froms))
	for i, f := range froms {
		terms[i] = "(" + from + " = " + s.QuoteLiteral(f) + " AND " + s.isOneOf(to, targets[f]) + ")"
	}
	return anyOf(terms)
}

// maxCompared is the most labels, or moves, a trigger compares one by
// one; it tests more with IN. An IN list of more than two values is a
// table SQLite builds each time a trigger's program runs, once a row: 4
// µs a row for the seed's rules against 0.6 µs for comparisons. But each
// comparison restates the column, which makes a migration that restates
// the rules of a big machine three times as long (docs/benchmarks.md, the
// migration history's size).
const maxCompared = 32

// isOneOf is true when expr is one of labels, NULL when expr is NULL.
func (s Dialect) isOneOf(expr string, labels []string) string {
	if len(labels) > maxCompared {
		return expr + " IN (" + dialect.QuoteLiterals(s, labels) + ")"
	}
	terms := make([]string, len(labels))
	for i, l := range labels {
		terms[i] = expr + " = " + s.QuoteLiteral(l)
	}
	return anyOf(terms)
}

func anyOf(terms []string) string {
	switch len(terms) {
	case 0:
		return "FALSE"
	case 1:
		return terms[0]
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

// sqliteEnforceMessages are the triggers' constant messages: they name
// the table and the enum, and say what was refused, but not the row or
// its states, which a constant cannot hold.
func sqliteEnforceMessages(e *dialect.Enforcement) (insert, update string) {
	return e.Table + ": cannot insert a row in a state that is not an entry state of " + e.Enum,
		e.Table + ": the state change is not a transition of " + e.Enum
}

// EnforceForm 2: messages are constants that SQLite before 3.47 can read.
// 3: the rules of a machine up to maxCompared are comparisons, not IN
// lists.
func (Dialect) EnforceForm() int { return 3 }

// BypassOn works for every connection that can write the file: whoever
// can write it can also drop the triggers.
func (Dialect) BypassOn() string  { return "PRAGMA defer_foreign_keys = ON;" }
func (Dialect) BypassOff() string { return "" }

// RenameInHistory is one UPDATE: SQLite has one writer at a time, whom
// batches would not let in any sooner than the whole.
func (s Dialect) RenameInHistory(t dialect.Table, renames []dialect.Arc, batch bool) []string {
	set, where := dialect.HistoryRenames(s, renames)
	return []string{"UPDATE " + s.QuoteIdent(t.History) + " SET " + set + " WHERE " + where + ";"}
}

// CreateHistory leaves the key column untyped, so that it keeps the key's
// own type whatever it is.
func (s Dialect) CreateHistory(t dialect.Table) []string {
	h := s.QuoteIdent(t.History)
	return []string{
		"CREATE TABLE IF NOT EXISTS " + h + " (\n" +
			"    " + s.QuoteIdent(dialect.HistSeq) + " INTEGER PRIMARY KEY AUTOINCREMENT,\n" +
			"    " + s.QuoteIdent(t.Key) + " NOT NULL,\n" +
			"    " + s.QuoteIdent(dialect.HistFrom) + " TEXT NOT NULL,\n" +
			"    " + s.QuoteIdent(dialect.HistTo) + " TEXT NOT NULL,\n" +
			"    " + s.QuoteIdent(dialect.HistEvent) + " TEXT NOT NULL,\n" +
			"    " + s.QuoteIdent(dialect.HistAt) + " TEXT NOT NULL DEFAULT (" + s.Now() + ")\n" +
			");",
		"CREATE INDEX IF NOT EXISTS " + s.QuoteIdent(t.History+"_"+t.Key) + " ON " + h + " (" + dialect.QuoteIdents(s, t.Key, dialect.HistSeq) + ");",
	}
}

// DropHistory's guard is a Guard.
func (s Dialect) DropHistory(t dialect.Table) (guard, drop []string) {
	return s.Guard("fsmgen_guard_history", Check{"fsmgen_guard_history_check", "EXISTS (SELECT 1 FROM " + s.QuoteIdent(t.History) + ")", dialect.HistoryKept(t)}),
		[]string{"DROP TABLE IF EXISTS " + s.QuoteIdent(t.History) + ";"}
}

func (Dialect) LastIDStmt() dialect.Stmt { return dialect.Stmt{} }

// ReadFirst is false: a move is one UPDATE.
func (Dialect) ReadFirst() bool { return false }

// FieldType: SQLite has no timestamp type; the declared type TIMESTAMP
// makes drivers (modernc's, mattn's) read the text back as a time.
func (Dialect) FieldType(typ string) string {
	return map[string]string{"text": "TEXT", "timestamp": "TIMESTAMP", "int": "INTEGER", "bool": "BOOLEAN", "bytes": "BLOB"}[typ]
}

// Deadlines: a SQLite database has one writer at a time, so batches
// would not let writers in between; the migration's transaction holds the
// write lock until it ends either way.
func (s Dialect) Deadlines(t dialect.Table, f dialect.Field, labels []string, us int64) ([]string, bool) {
	var out []string
	for _, u := range dialect.DeadlineUpdates(s, f, t, labels, us) {
		out = append(out, "UPDATE "+s.QuoteIdent(t.Name)+" SET "+u[0]+" WHERE "+u[1]+";")
	}
	return out, false
}

// DeadlineIndex holds only the rows that have a deadline: a sweep's
// "deadline <= now" implies that, so SQLite's planner uses it.
func (s Dialect) DeadlineIndex(t dialect.Table, f dialect.Field, name string) (up, down []string, alone string) {
	dl := s.QuoteIdent(f.Name)
	return []string{"CREATE INDEX IF NOT EXISTS " + s.QuoteIdent(name) + " ON " + s.QuoteIdent(t.Name) + " (" + dl + ") WHERE " + dl + " IS NOT NULL;"},
		[]string{"DROP INDEX IF EXISTS " + s.QuoteIdent(name) + ";"}, ""
}

// AddField needs no check: SQLite's migrations run in one transaction.
func (s Dialect) AddField(t dialect.Table, f dialect.Field) []string {
	return []string{"ALTER TABLE " + s.QuoteIdent(t.Name) + " ADD COLUMN " + s.QuoteIdent(f.Name) + " " + dialect.FieldColumn(s, f) + ";"}
}

func (s Dialect) DropField(t dialect.Table, f dialect.Field) (guard, drop []string) {
	cond := "EXISTS (SELECT 1 FROM " + s.QuoteIdent(t.Name) + " WHERE " + s.QuoteIdent(f.Name) + " IS NOT " + dialect.FieldValue(s, f, f.Default) + ")"
	return s.Guard("fsmgen_guard_field", Check{"fsmgen_guard_field_check", cond, dialect.FieldKept(t, f)}),
		[]string{"ALTER TABLE " + s.QuoteIdent(t.Name) + " DROP COLUMN " + s.QuoteIdent(f.Name) + ";"}
}

// Prepare is true: SQLite compiles a statement, and the table's triggers
// with it, each time it is prepared, and modernc keeps no cache. A
// prepared statement is recompiled by SQLite itself after a schema change.
func (Dialect) Prepare() bool { return true }

// TimeLayout is Now's form, to the microsecond: SQLite compares times as
// text, and modernc writes a time.Time as time.String does (monotonic
// reading included), which SQLite's date functions cannot read.
func (Dialect) TimeLayout() string { return "2006-01-02 15:04:05.000000" }

// SchemaDDL states each column as TEXT with the triggers that keep it to
// its labels, and the enforcement triggers. A column added by ALTER TABLE
// is named bare where that reads the same: sqlc's SQLite parser keeps the
// quotes of a quoted one as part of its name.
func (s Dialect) SchemaDDL(sc dialect.Schema) []string {
	var out []string
	add := func(table, col, def string) string {
		name := col
		if !bareIdent.MatchString(col) || slices.Contains(sqliteKeywords, strings.ToUpper(col)) {
			name = s.QuoteIdent(col)
		}
		return "ALTER TABLE " + s.QuoteIdent(table) + " ADD COLUMN " + name + " " + def + ";"
	}
	for _, c := range sc.Columns {
		if !c.Adopted {
			def := "TEXT"
			if !c.Nullable {
				def += " NOT NULL"
			}
			if c.Default != "" {
				def += " DEFAULT " + s.QuoteLiteral(c.Default)
			}
			out = append(out, add(c.Table, c.Column, def))
		}
		out = append(out, s.ValueTriggers(c.Table, c.Column, c.InsertTrigger, c.UpdateTrigger, sc.States, c.Invalid)...)
	}
	out = append(out, dialect.SchemaStore(s, sc, func(table string, f dialect.Field) string { return add(table, f.Name, dialect.FieldColumn(s, f)) }, true)...)
	if e := sc.Enforce; e != nil {
		for _, o := range s.EnforceObjects(e) {
			out = append(out, o.Def+";")
		}
	}
	return out
}

// ValueTriggers keep table.column to labels, raising msg: SQLite has no
// enum type, and changing a CHECK constraint needs the whole table's
// definition, which belongs to the application, while triggers can be
// replaced without touching the table. A NULL passes them (isOneOf is
// NULL), so a nullable column keeps its NULLs.
func (s Dialect) ValueTriggers(table, column, insert, update string, labels []string, msg string) []string {
	col := s.QuoteIdent(column)
	var out []string
	for _, t := range [][2]string{{insert, "INSERT"}, {update, "UPDATE OF " + col}} {
		out = append(out, "CREATE TRIGGER "+s.QuoteIdent(t[0])+" BEFORE "+t[1]+" ON "+s.QuoteIdent(table)+
			"\nFOR EACH ROW WHEN NOT "+s.isOneOf("NEW."+col, labels)+"\nBEGIN\n    SELECT RAISE(ABORT, "+s.RaiseMessage(msg)+");\nEND;")
	}
	return out
}

// ReplaceValueTriggers drops the value triggers and creates them anew:
// in a migration's transaction, no other connection sees a moment
// without them, and run again it ends the same.
func (s Dialect) ReplaceValueTriggers(table, column, insert, update string, labels []string, msg string) []string {
	return append([]string{"DROP TRIGGER IF EXISTS " + s.QuoteIdent(insert) + ";", "DROP TRIGGER IF EXISTS " + s.QuoteIdent(update) + ";"},
		s.ValueTriggers(table, column, insert, update, labels, msg)...)
}

// sqliteKeywords are SQLite's keywords (sqlite3_keyword_name), which a
// bare column name must not be.
var sqliteKeywords = strings.Fields(`ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC
ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT
CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE
DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT
EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED
GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD
INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT
NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA
PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE
RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES
TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE
WINDOW WITH WITHOUT`)

func (Dialect) Sqlc() (string, bool) { return "sqlite", false }

func (Dialect) GoName() string { return "SQLite" }

func (Dialect) EntType(string, []string) string { return "text" }

// SerialWrites is true: SQLite has one write lock, and a writer that finds
// it taken sleeps in its busy handler, ever longer (up to 100 ms a time),
// while writers that come later may take the lock first. A writer moving
// rows beside a sweep of a large backlog waited seconds that way. Queued
// in the process, each waits for the writes ahead of it only.
func (Dialect) SerialWrites() bool { return true }

func (Dialect) TypeGrowth() dialect.Growth { return dialect.NoType }

func (Dialect) LabelCollation([]string) string { return "" }

// Catalog is how verify reads this dialect's catalog.
func (Dialect) Catalog() dialect.Catalog {
	return dialect.Catalog{
		Text:     "TEXT",
		Column:   `SELECT type, CASE WHEN "notnull" = 1 THEN 'NO' ELSE 'YES' END, dflt_value FROM pragma_table_info(?1) WHERE name = ?2`,
		Triggers: `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 ORDER BY name`,
		Columns:  `SELECT name FROM pragma_table_info(?1)`,
		Indexes:  `SELECT name, 1 FROM pragma_index_list(?1)`,
	}
}

func (Dialect) Literals(text string) []string { return dialect.ScanLiterals(text, false) }

func (Dialect) Driver() string { return "sqlite" }

// DSN: sqlite:// and sqlite3:// (golang-migrate's), a file: URI, or a path
// whose extension says it is a SQLite database.
func (Dialect) DSN(url string, scheme bool) (string, bool) {
	if !scheme {
		lower := strings.ToLower(url)
		return url, strings.HasSuffix(lower, ".db") || strings.HasSuffix(lower, ".sqlite") || strings.HasSuffix(lower, ".sqlite3")
	}
	if rest, ok := dialect.HasPrefixFold(url, "sqlite://", "sqlite3://"); ok {
		return rest, true
	}
	_, ok := dialect.HasPrefixFold(url, "file:")
	return url, ok
}

// File: every SQLite database is a file, which opening would create.
// VersionTable is the format's own.
func (Dialect) VersionTable(string) string { return "" }

func (Dialect) File(dsn string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return path
}

// Refuse: SQLite holds any label in a text column.
func (Dialect) Refuse(dialect.SpecView, func(diag.Pos, string, ...any)) {}

func (Dialect) ColumnCollation() string { return "" }

// RefuseChange: SQLite keeps a column's default in the table's
// definition, which only a rebuild of the table changes.
func (Dialect) RefuseChange(c dialect.ChangeView, errorf func(pos diag.Pos, format string, args ...any)) {
	for _, col := range c.Columns {
		if col.Kept && col.From != col.To {
			errorf(col.DefaultPos, "sqlite: the default of %s would change from %s to %s, but SQLite keeps a column's default in the table definition, which belongs to the application; keep the default state's name, or drop sqlite from the dialects and migrate that table by hand", col.Name, orNone(col.From), orNone(col.To))
		}
	}
}

func (Dialect) ChangeNoTx() string { return "" }

func (Dialect) RestateCost() string { return "" }

// orNone names a default's label in a message, or says there is none.
func orNone(label string) string {
	if label == "" {
		return "none"
	}
	return fmt.Sprintf("%q", label)
}

// bareIdent matches the names a schema parser reads the same whether
// quoted or not, once keywords are left out.
var bareIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
