package mysql

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
)

// Dialect is MySQL 8.0.29 and MariaDB 10.11 and later: what both accept.
type Dialect struct{}

func (Dialect) Name() string { return "mysql" }

func (Dialect) QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteLiteral also doubles backslashes: MySQL treats them as escape
// characters unless NO_BACKSLASH_ESCAPES is set.
func (Dialect) QuoteLiteral(s string) string {
	return dialect.SingleQuoted(strings.ReplaceAll(s, `\`, `\\`))
}

func (Dialect) Placeholder(int) string { return "?" }

// UpdateReturning is false: MariaDB has DELETE … RETURNING and
// INSERT … RETURNING, but no UPDATE … RETURNING, and MySQL has none.
func (Dialect) UpdateReturning() bool { return false }

func (Dialect) Concat(exprs ...string) string { return "CONCAT(" + strings.Join(exprs, ", ") + ")" }

// Now has microseconds: several moves of one row within a second must
// still be told apart by time.
func (Dialect) Now() string { return "CURRENT_TIMESTAMP(6)" }

func (Dialect) Typed(ph, _ string) string { return ph }

func (Dialect) Later(us string) string {
	return "CURRENT_TIMESTAMP(6) + INTERVAL " + us + " MICROSECOND"
}

// DDLNoTx says why: migrations run outside a transaction.
func (Dialect) DDLNoTx() string {
	return "MySQL commits every ALTER TABLE implicitly, so a transaction would only pretend to protect it."
}

// Instant ends an ALTER TABLE that must change only the table's metadata:
// appending labels to an ENUM that keeps its character set and collation
// (MariaDB 10.3 and MySQL 8.0 do that in place). Without it the server
// would copy the table, blocking writers for as long, whenever it cannot:
// after a hand-applied change of the column's collation, say. With it the
// statement fails instead (1846), and verify tells why.
func (Dialect) Instant() string { return ", ALGORITHM=INSTANT" }

// MigrationSessionReset gives the session back the settings
// MigrationSession saved: a tool given the application's *sql.DB returns
// the connection to its pool, where a 1 s row lock wait or another
// sql_mode would change how the application's own statements behave. A
// migration that set nothing (an adoption that only checks) keeps the
// session's settings, and the saved values are cleared, so that no later
// migration restores stale ones. So is the bypass a row move set.
func (Dialect) MigrationSessionReset() string {
	return "SET SESSION sql_mode = COALESCE(@fsmgen_sql_mode, @@SESSION.sql_mode), " +
		"SESSION lock_wait_timeout = CAST(COALESCE(@fsmgen_lock_wait_timeout, @@SESSION.lock_wait_timeout) AS UNSIGNED), " +
		"SESSION innodb_lock_wait_timeout = CAST(COALESCE(@fsmgen_innodb_lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout) AS UNSIGNED);\n\n" +
		"SET @fsmgen_sql_mode = NULL, @fsmgen_lock_wait_timeout = NULL, @fsmgen_innodb_lock_wait_timeout = NULL, @fsmgen_bypass = NULL;"
}

// CommitEach is empty: golang-migrate's MySQL driver runs the file as
// several statements (multiStatements=true), each committing on its own
// under autocommit, and every ALTER commits implicitly anyway.
func (Dialect) CommitEach([]string) string { return "" }

// MigrationSession makes the session strict, so that a value an ENUM does
// not hold fails the statement instead of being stored as an empty string
// (the server's or the tool's sql_mode may be lax), and keeps backslash escapes and backquoted
// identifiers meaning what QuoteLiteral and QuoteIdent assume. The
// metadata lock wait is bounded to one second, the smallest MySQL accepts,
// and so is a row lock wait: a batch of a row move that waits for a row an
// open transaction holds (50 s by default) would hold its other rows'
// locks as long, stalling their writers. Both fail with 1205, and the
// migration runs again. The session's own settings are saved first, for
// MigrationSessionReset; a migration that fails half way leaves its own.
func (Dialect) MigrationSession() string {
	return "SET @fsmgen_sql_mode = @@SESSION.sql_mode, @fsmgen_lock_wait_timeout = @@SESSION.lock_wait_timeout, @fsmgen_innodb_lock_wait_timeout = @@SESSION.innodb_lock_wait_timeout;\n\n" +
		"SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';\n\nSET SESSION lock_wait_timeout = 1;\n\nSET SESSION innodb_lock_wait_timeout = 1;"
}

// RaiseMessage keeps MessageMax characters, the last an ellipsis when it
// cut.
func (m Dialect) RaiseMessage(msg string) string {
	return m.QuoteLiteral(cutRunes(msg, dialect.MessageMax))
}

// signal is the statement that raises msg.
func (m Dialect) signal(msg string) string {
	return "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = " + m.RaiseMessage(msg)
}

// Guard returns the statements that stop a migration with msg when cond
// holds. SIGNAL runs from a prepared statement, not a procedure (MySQL has
// no anonymous blocks): when it fires, nothing is left behind.
func (m Dialect) Guard(cond, msg string) []string {
	return prepared("IF(" + cond + ", " + m.QuoteLiteral(m.signal(msg)) + ", 'DO 0')")
}

// GuardExpr is Guard for a message computed by msg, an SQL string
// expression, cut to MessageMax characters when it runs.
func (m Dialect) GuardExpr(cond, msg string) []string {
	return prepared("IF(" + cond + ", CONCAT('SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = ', QUOTE(LEFT(" + msg + ", " + strconv.Itoa(dialect.MessageMax) + "))), 'DO 0')")
}

// prepared sets @fsmgen_guard to text, an expression, and runs it.
func prepared(text string) []string {
	return append([]string{"SET @fsmgen_guard = " + text + ";"}, runGuard...)
}

var runGuard = []string{"PREPARE fsmgen_guard FROM @fsmgen_guard;", "EXECUTE fsmgen_guard;", "DEALLOCATE PREPARE fsmgen_guard;"}

// ProcedureHandler begins the body of every procedure a migration creates,
// calls and drops (MySQL loops only inside one): an error that stops the
// procedure is kept in session variables instead of failing the CALL, so
// that the DROP PROCEDURE after the CALL still runs, and ProcedureRaise
// raises it then with its own SQLSTATE, number and text (cut to
// MessageMax characters), for a tool or a person to tell a lock timeout
// from a deadlock. Only a lost connection still leaves the procedure behind; the
// next run replaces it. The handler turns the bypass off (see batched).
func (Dialect) ProcedureHandler() string {
	return "DECLARE EXIT HANDLER FOR SQLEXCEPTION\n" +
		"    BEGIN\n" +
		"        GET DIAGNOSTICS CONDITION 1 @fsmgen_state = RETURNED_SQLSTATE, @fsmgen_errno = MYSQL_ERRNO, @fsmgen_error = MESSAGE_TEXT;\n" +
		"        SET @fsmgen_bypass = NULL;\n" +
		"    END;\n" +
		"    SET @fsmgen_error = NULL;"
}

// ProcedureRaise raises the error ProcedureHandler kept, if any.
func (Dialect) ProcedureRaise() []string {
	return prepared("IF(@fsmgen_error IS NULL, 'DO 0', CONCAT('SIGNAL SQLSTATE ', QUOTE(@fsmgen_state), ' SET MYSQL_ERRNO = ', @fsmgen_errno, ', MESSAGE_TEXT = ', QUOTE(LEFT(@fsmgen_error, " + strconv.Itoa(dialect.MessageMax) + "))))")
}

// MoveIsolation runs right before each UPDATE that moves rows, in a
// batch or the stragglers' step, and applies to the next transaction
// only: under autocommit, that UPDATE. The session's own level is left as
// it was. Under REPEATABLE READ, InnoDB's default, the UPDATE takes
// next-key locks on every index record it scans, gaps included, so that
// an application's insert into a scanned range waits for the batch, and a
// writer that also holds row locks may deadlock with it (1213). Under READ
// COMMITTED it locks only the rows it changes and releases those it scans
// but leaves. Its binary log must then be row-based: with binlog_format
// STATEMENT the UPDATE fails (1665), while MIXED (MariaDB's default) and
// ROW (MySQL's) log it as rows.
func (Dialect) MoveIsolation() string { return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;" }

// FireStmt has no RETURNING to tell which arc the row took, so it records
// the arc's 1-based index with LAST_INSERT_ID(x), which the server sends
// back with the statement's result (sql.Result.LastInsertId) or, when the
// table has triggers (MariaDB then sends 0), keeps for LAST_INSERT_ID() on
// the same connection. The index is computed from the row as the UPDATE
// read it under its row lock (a locking read of the latest version), so it
// is the state the row left. Assignments run left to right, so FIELD sees
// the old state. The call's nonce in the high bits tells the value apart
// from one an earlier statement left behind.
func (m Dialect) FireStmt(t dialect.Table, event string, arcs []dialect.Arc, at bool) dialect.Stmt {
	key, col, tab := m.QuoteIdent(t.Key), m.QuoteIdent(t.Column), m.QuoteIdent(t.Name)
	ps := dialect.NewParams(m)
	var b strings.Builder
	// MySQL assigns left to right, each assignment seeing the ones before:
	// the fields, which depend on the state the row leaves, come first.
	b.WriteString("UPDATE " + tab + " SET " + leading(dialect.FieldsSet(t, ps, "", col, arcs)) + col + " = CASE LAST_INSERT_ID(" + ps.Ph(dialect.ArgNonce) + " * 65536 + FIELD(" + col + ", " + dialect.Sources(m, arcs) + ")) % 65536")
	for i, a := range arcs {
		b.WriteString(" WHEN " + strconv.Itoa(i+1) + " THEN " + m.QuoteLiteral(a.To))
	}
	b.WriteString(" END" + dialect.VersionBump(t, ps, "") + " WHERE " + key + " = " + ps.Ph(dialect.ArgKey) + dialect.AtVersion(t, ps, "", at) + " AND " + col + " IN (" + dialect.Sources(m, arcs) + ")")
	return ps.Stmt(b.String())
}

// MoveStmt reports the move through LAST_INSERT_ID too rather than the
// affected-rows count, which is 0 for a move to the same state unless the
// connection sets CLIENT_FOUND_ROWS.
func (m Dialect) MoveStmt(t dialect.Table) dialect.Stmt {
	key, col, tab := m.QuoteIdent(t.Key), m.QuoteIdent(t.Column), m.QuoteIdent(t.Name)
	ps := dialect.NewParams(m)
	set := "UPDATE " + tab + " SET " + leading(dialect.FieldsSet(t, ps, "", "", nil)) + col + " = CASE LAST_INSERT_ID(" + ps.Ph(dialect.ArgNonce) + " * 65536 + 1) % 65536 WHEN 1 THEN " + ps.Ph(dialect.ArgTo) + " END" + dialect.VersionBump(t, ps, "")
	return ps.Stmt(set + " WHERE " + key + " = " + ps.Ph(dialect.ArgKey) + " AND " + col + " = " + ps.Ph(dialect.ArgFrom))
}

// leading renders assignments before a SET's next one.
func leading(assigns []string) string {
	if len(assigns) == 0 {
		return ""
	}
	return strings.Join(assigns, ", ") + ", "
}

// FieldType: DATETIME, not TIMESTAMP, which ends in 2038 and follows the
// session's time zone.
func (Dialect) FieldType(typ string) string {
	return map[string]string{"text": "TEXT", "timestamp": "DATETIME(6)", "int": "BIGINT", "bool": "BOOLEAN", "bytes": "LONGBLOB"}[typ]
}

// Deadlines changes the rows in batches (batched) of BatchSize keys in
// the key's order, each batch two UPDATEs of a range of keys (start the
// missing deadlines, end the stray ones), which lock only the rows they
// change (MoveIsolation). Batches that found their rows by the condition
// alone read again, through the states' index, every row the batches
// before had changed: the whole grew with the square of the rows in the
// timed states, 40 s and writer stalls near 1 s for a million rows.
func (m Dialect) Deadlines(t dialect.Table, f dialect.Field, labels []string, us int64) ([]string, bool) {
	tab, key := m.QuoteIdent(t.Name), m.QuoteIdent(t.Key)
	var updates []string
	for _, u := range dialect.DeadlineUpdates(m, f, t, labels, us) {
		updates = append(updates, "UPDATE "+tab+" SET "+u[0]+" WHERE "+key+" >= @fsmgen_lo AND "+key+" <= @fsmgen_hi AND "+u[1])
	}
	return m.batched(m.QuoteIdent("fsmgen_deadlines"), false, []string{`
        SET @fsmgen_lo = (SELECT MIN(` + key + `) FROM ` + tab + `);
        WHILE @fsmgen_lo IS NOT NULL DO
            SET @fsmgen_hi = COALESCE((SELECT ` + key + ` FROM ` + tab + ` WHERE ` + key + ` >= @fsmgen_lo ORDER BY ` + key + ` LIMIT 1 OFFSET ` + strconv.Itoa(dialect.BatchSize-1) + `), (SELECT MAX(` + key + `) FROM ` + tab + `));
            SET @fsmgen_next = (SELECT MIN(` + key + `) FROM ` + tab + ` WHERE ` + key + ` > @fsmgen_hi);` +
		m.batch("@fsmgen_lo = IF(fsmgen_retry, @fsmgen_lo, @fsmgen_next)", updates...) + `
        END WHILE;
        SET @fsmgen_lo = NULL, @fsmgen_hi = NULL, @fsmgen_next = NULL;`}), false
}

// DeadlockRetries is how many times in a row one batch runs again after
// InnoDB chose it as a deadlock's victim. A batch found through the
// states' index locks that index's record before the row, a writer the
// row before the index: each may wait for the other, and InnoDB rolls
// back one of them, the batch too when it has changed few rows yet (a
// migration of the online test with four writers failed so, twice in a
// row). Its rows are still to change, and the next run of the UPDATE
// finds them again.
const DeadlockRetries = 20

// batched renders a procedure named proc (quoted) that runs loops, each
// running an UPDATE in batches that commit one by one (autocommit applies
// inside a procedure; MySQL loops only inside one) so that a writer waits
// for one batch's row locks at most; the CALL; and the DROP, which runs
// even when a batch failed: ProcedureHandler keeps the error and
// ProcedureRaise raises it after. A loop clears fsmgen_retry before each
// batch and runs the batch again while it is set: the batch lost a
// deadlock (DeadlockRetries). With bypass the procedure's session passes
// the transitions' triggers while the procedure runs, and no longer once
// it returns, whether it failed or not: the bypass is a session variable,
// and a session a migration stopped in after the CALL (a cancelled
// context) may go back to a pool that the application's writes share.
func (m Dialect) batched(proc string, bypass bool, loops []string) []string {
	var b strings.Builder
	b.WriteString("CREATE PROCEDURE " + proc + "()\nBEGIN\n    " + m.ProcedureHandler())
	if bypass {
		b.WriteString("\n    SET @fsmgen_bypass = 1;")
	}
	b.WriteString(`
    BEGIN
        DECLARE fsmgen_rows INT;
        DECLARE fsmgen_deadlocks INT DEFAULT 0;
        DECLARE fsmgen_retry BOOL;
        DECLARE CONTINUE HANDLER FOR 1213
        BEGIN
            SET fsmgen_deadlocks = fsmgen_deadlocks + 1, fsmgen_retry = TRUE;
            IF fsmgen_deadlocks > ` + strconv.Itoa(DeadlockRetries) + ` THEN
                RESIGNAL;
            END IF;
        END;`)
	for _, l := range loops {
		b.WriteString(l)
	}
	b.WriteString("\n    END;")
	if bypass {
		b.WriteString("\n    SET @fsmgen_bypass = NULL;")
	}
	b.WriteString("\nEND;")
	out := []string{"DROP PROCEDURE IF EXISTS " + proc + ";", b.String(), "CALL " + proc + "();", "DROP PROCEDURE " + proc + ";"}
	return append(out, m.ProcedureRaise()...)
}

// batch is the body of one batch of a loop of batched: after clearing
// fsmgen_retry, which the deadlock handler sets, the UPDATEs, each at
// MoveIsolation; then, in the statement that resets the deadlock count
// unless the batch lost one, next: the assignments that move the loop on,
// which may read the last UPDATE's ROW_COUNT().
func (m Dialect) batch(next string, updates ...string) string {
	var b strings.Builder
	b.WriteString("\n            SET fsmgen_retry = FALSE;")
	for _, u := range updates {
		b.WriteString("\n            " + m.MoveIsolation() + "\n            " + u + ";")
	}
	b.WriteString("\n            SET fsmgen_deadlocks = IF(fsmgen_retry, fsmgen_deadlocks, 0), " + next + ";")
	return b.String()
}

// move is the procedure that moves the rows of every kept column from
// the labels a rename or removal retires to their new ones, BatchSize
// rows at a time, found through the states' index, until none is left:
// a moved row leaves the index's range, so no batch reads it again.
func (m Dialect) move(p dialect.Plan) string {
	var loops []string
	for _, c := range p.Cols {
		var b strings.Builder
		b.WriteString("UPDATE " + c.Table + " SET " + c.Column + " = CASE " + c.Column)
		for _, r := range p.Remap {
			b.WriteString(" WHEN " + r.Old + " THEN " + r.New)
		}
		b.WriteString(" END WHERE " + c.Column + " IN (" + p.RemapFrom + ") LIMIT " + strconv.Itoa(dialect.BatchSize))
		loops = append(loops, "\n        REPEAT"+m.batch("fsmgen_rows = ROW_COUNT()", b.String())+"\n        UNTIL fsmgen_rows = 0 AND NOT fsmgen_retry END REPEAT;")
	}
	return strings.Join(m.batched(p.N.Move, p.Bypass, loops), "\n\n")
}

// DeadlineIndex builds the index in place while writers go on
// (ALGORITHM=INPLACE, LOCK=NONE, or an error rather than a copy).
func (m Dialect) DeadlineIndex(t dialect.Table, f dialect.Field, name string) (up, down []string, alone string) {
	exists := "EXISTS (SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + m.QuoteLiteral(t.Name) + " AND INDEX_NAME = " + m.QuoteLiteral(name) + ")"
	tab, idx := m.QuoteIdent(t.Name), m.QuoteIdent(name)
	add := "ALTER TABLE " + tab + " ADD INDEX " + idx + " (" + m.QuoteIdent(f.Name) + "), ALGORITHM=INPLACE, LOCK=NONE"
	drop := "ALTER TABLE " + tab + " DROP INDEX " + idx + ", ALGORITHM=INPLACE, LOCK=NONE"
	return prepared("IF(" + exists + ", 'DO 0', " + m.QuoteLiteral(add) + ")"), prepared("IF(" + exists + ", " + m.QuoteLiteral(drop) + ", 'DO 0')"), ""
}

func (m Dialect) columnExists(t dialect.Table, col string) string {
	return "EXISTS (SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + m.QuoteLiteral(t.Name) + " AND COLUMN_NAME = " + m.QuoteLiteral(col) + ")"
}

// AddField adds the column in place (ALGORITHM=INSTANT). A TEXT column's
// default is an expression in parentheses, the only form MySQL takes.
func (m Dialect) AddField(t dialect.Table, f dialect.Field) []string {
	add := "ALTER TABLE " + m.QuoteIdent(t.Name) + " ADD COLUMN " + m.QuoteIdent(f.Name) + " " + m.fieldColumn(f) + m.Instant()
	return prepared("IF(" + m.columnExists(t, f.Name) + ", 'DO 0', " + m.QuoteLiteral(add) + ")")
}

func (m Dialect) fieldColumn(f dialect.Field) string {
	def := m.FieldType(f.Type)
	if !f.Default.Null {
		v := dialect.FieldValue(m, f, f.Default)
		if f.Type == "text" {
			v = "(" + v + ")"
		}
		def += " NOT NULL DEFAULT " + v
	}
	return def
}

// Mark is the comment of the columns fsmgen added or took over for
// enum, by which a migration that runs again finds its own column.
func Mark(enum string) string { return "fsmgen: " + enum }

func (m Dialect) DropField(t dialect.Table, f dialect.Field) (guard, drop []string) {
	check := "SELECT IF(EXISTS (SELECT 1 FROM " + m.QuoteIdent(t.Name) + " WHERE NOT (" + m.QuoteIdent(f.Name) + " <=> " + dialect.FieldValue(m, f, f.Default) + ")), " + m.QuoteLiteral(m.signal(dialect.FieldKept(t, f))) + ", 'DO 0') INTO @fsmgen_guard"
	guard = prepared("IF(" + m.columnExists(t, f.Name) + ", " + m.QuoteLiteral(check) + ", 'DO 0')")
	dropCol := "ALTER TABLE " + m.QuoteIdent(t.Name) + " DROP COLUMN " + m.QuoteIdent(f.Name) + m.Instant()
	return append(guard, runGuard...), prepared("IF(" + m.columnExists(t, f.Name) + ", " + m.QuoteLiteral(dropCol) + ", 'DO 0')")
}

func (Dialect) LastIDStmt() dialect.Stmt { return dialect.Stmt{SQL: "SELECT LAST_INSERT_ID()"} }

// ReadFirst is false: a move is one UPDATE.
func (Dialect) ReadFirst() bool { return false }

// StateStmt is a locking read: under REPEATABLE READ a plain SELECT in
// the caller's transaction would see its snapshot, not the version the
// UPDATE just judged, and report a state the row has left.
func (m Dialect) StateStmt(t dialect.Table) dialect.Stmt {
	return dialect.Stmt{SQL: "SELECT " + m.QuoteIdent(t.Column) + " FROM " + m.QuoteIdent(t.Name) + " WHERE " + m.QuoteIdent(t.Key) + " = ? FOR UPDATE", Args: []dialect.Arg{dialect.ArgKey}}
}

// ExpireStmt is empty: without UPDATE … RETURNING the Store moves the due
// rows one by one, in the transaction that locked them.
func (Dialect) ExpireStmt(dialect.Table, dialect.Expiry) dialect.Stmt { return dialect.Stmt{} }

// DueStmt finds the due rows by the deadline's index without locking (a
// locking clause does not reach into a derived table), then locks them
// by key and checks the deadline again: a locking read sees the rows'
// latest versions. Locked through the deadline's index, the sweep stalled
// writers of other rows for 0.7 to 1.2 s in BenchmarkExpire on MariaDB
// (100,000 rows); by key, 13 ms. A join, not IN (…): MariaDB scanned
// the whole table for the IN.
func (m Dialect) DueStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	ps := dialect.NewParams(m)
	key, dl := m.QuoteIdent(t.Key), m.QuoteIdent(t.Fields[e.Field].Name)
	return ps.Stmt("SELECT r." + key + ", r." + m.QuoteIdent(t.Column) + " FROM (" + dialect.DueRows(t, e, ps, ps.Ph(dialect.ArgNow), "", "") + ") AS due JOIN " + m.QuoteIdent(t.Name) +
		" AS r ON r." + key + " = due." + key + " WHERE r." + dl + " <= " + ps.Ph(dialect.ArgNow) + " FOR UPDATE SKIP LOCKED")
}

func (m Dialect) ClearStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	return dialect.ClearStmt(m, t, e)
}

// SweepReadCommitted: under REPEATABLE READ, InnoDB's default, the due
// rows' locking read locks every row it scans, and the gaps, until the
// sweep commits: every writer of the table waits for it (450 ms at
// 100,000 rows in BenchmarkExpire). Under READ COMMITTED it keeps only the
// locks of the rows it returns.
func (Dialect) SweepReadCommitted() bool { return true }

// SweepBatch is the caller's limit: every sweep reads past the index
// entries of the rows earlier sweeps moved until InnoDB's purge removes
// them, so more, smaller sweeps of a backlog take longer (past 10 minutes
// for 100,000 rows in batches of 100).
func (Dialect) SweepBatch() int { return 0 }

// GetStmt locks the row when current, as StateStmt does.
func (m Dialect) GetStmt(t dialect.Table, current bool) dialect.Stmt {
	if current {
		return dialect.GetStmt(t, dialect.NewParams(m), " FOR UPDATE")
	}
	return dialect.GetStmt(t, dialect.NewParams(m), "")
}

// CreateStmt: a key already there updates nothing (the key to itself),
// which go-sql-driver/mysql reports as 0 rows affected unless the DSN
// asks for clientFoundRows.
func (m Dialect) CreateStmt(t dialect.Table) (dialect.Stmt, dialect.Stmt) {
	key := m.QuoteIdent(t.Key)
	ps := dialect.NewParams(m)
	create := ps.Stmt(dialect.InsertRow(t, ps) + " ON DUPLICATE KEY UPDATE " + key + " = " + key)
	if t.History == "" {
		return create, dialect.Stmt{}
	}
	hp := dialect.NewParams(m)
	return create, hp.Stmt(dialect.HistoryRow(m, t, hp, true))
}

// HistoryStmt runs after the move, in the same transaction: MySQL has no
// data-modifying CTEs.
func (m Dialect) HistoryStmt(t dialect.Table) dialect.Stmt {
	if t.History == "" {
		return dialect.Stmt{}
	}
	ps := dialect.NewParams(m)
	return ps.Stmt(dialect.HistoryRow(m, t, ps, false))
}

// Enforce replaces each trigger without a gap. A trigger is named after
// its text (form 3), so new rules are a trigger of another name: it is
// created beside the old one, which then goes, and meanwhile a write
// passes only what both allow, never more than either. MySQL has no
// CREATE OR REPLACE TRIGGER; IF NOT EXISTS makes the creation safe to run
// again, because a trigger of that name has that text. The fixed names
// of older forms, and two texts whose names collide, take a twin instead:
// it stands with the new rules while the trigger is dropped and created
// again. Every step can run again after a failure at any point: MySQL
// cannot roll DDL back. A trigger whose text stays is left alone (Kept).
func (m Dialect) Enforce(old, new *dialect.Enforcement) []string {
	var out []string
	var was []mysqlTrigger
	if old != nil {
		was = m.enforceTriggers(old)
	}
	if new == nil {
		for _, t := range was {
			out = append(out, "DROP TRIGGER IF EXISTS "+m.QuoteIdent(t.twin)+";", "DROP TRIGGER IF EXISTS "+m.QuoteIdent(t.name)+";")
		}
		return out
	}
	kept := dialect.Kept(m, old, new)
	for i, t := range m.enforceTriggers(new) {
		if kept[t.name] {
			continue
		}
		var stood string
		if was != nil {
			stood = m.QuoteIdent(was[i].name)
		}
		inPlace := new.Outdated || was != nil && was[i].name == t.name
		out = append(out, replaceTrigger(m.QuoteIdent(t.name), stood, m.QuoteIdent(t.twin), t.head+t.body, inPlace)...)
	}
	return out
}

// replaceTrigger puts a trigger of text (what follows its name in CREATE
// TRIGGER) in place under name, where stood stands ("" for none): beside
// it, which then goes; or, inPlace (a fixed name, or two texts whose names
// collide), with twin standing in while name is dropped and created again.
func replaceTrigger(name, stood, twin, text string, inPlace bool) []string {
	out := []string{"CREATE TRIGGER IF NOT EXISTS " + name + text + ";"}
	if inPlace {
		out = []string{
			"DROP TRIGGER IF EXISTS " + twin + ";",
			"CREATE TRIGGER " + twin + text + ";",
			"DROP TRIGGER IF EXISTS " + name + ";",
			"CREATE TRIGGER " + name + text + ";",
			"DROP TRIGGER IF EXISTS " + twin + ";",
		}
	}
	if stood != "" && stood != name {
		out = append(out, "DROP TRIGGER IF EXISTS "+stood+";")
	}
	return out
}

// EnforceObjects: each trigger's statement, its BEGIN … END, and its
// twin.
func (m Dialect) EnforceObjects(e *dialect.Enforcement) []dialect.EnforceObject {
	var out []dialect.EnforceObject
	for _, t := range m.enforceTriggers(e) {
		out = append(out, dialect.EnforceObject{Name: t.name, Def: t.body}, dialect.EnforceObject{Name: t.twin, Transient: true})
	}
	return out
}

// mysqlTrigger is one enforcement trigger: its name, its twin's, what
// follows the name in CREATE TRIGGER up to the body, and the body.
type mysqlTrigger struct{ name, twin, head, body string }

// enforceTriggers renders the INSERT and the UPDATE trigger. SIGNAL takes
// only a variable or literal as its message, and at most MessageMax
// characters of it. Each is named after its text (dialect.TextName of
// _i or _u, which fits the suffixes' room, dialect.EnforceSuffixLen);
// rules in an older form keep the fixed names _insert and _update.
func (m Dialect) enforceTriggers(e *dialect.Enforcement) []mysqlTrigger {
	col, oldCol := "NEW."+m.QuoteIdent(e.Column), "OLD."+m.QuoteIdent(e.Column)
	insMsg, updMsg := dialect.EnforceMessages(m, e, "NEW."+m.QuoteIdent(e.Key), oldCol, col)
	allowed := "FALSE"
	if len(e.Moves) > 0 {
		allowed = "((" + oldCol + ", " + col + ") IN (" + dialect.Relation(m, e.Moves) + "))"
	}
	entries := make([]string, len(e.Entries))
	for i, l := range e.Entries {
		entries[i] = m.QuoteLiteral(l)
	}
	// msg is utf8mb4 whatever the database's character set: a state's
	// label beyond it would otherwise fail the assignment, and the
	// trigger with "Incorrect string value" instead of its message.
	trigger := func(fixed, twin, event, cond, msg string) mysqlTrigger {
		t := mysqlTrigger{
			name: e.Trigger + fixed, twin: e.Trigger + twin,
			head: " BEFORE " + event + " ON " + m.QuoteIdent(e.Table) + " FOR EACH ROW\n",
			body: "BEGIN\n" +
				"    DECLARE msg VARCHAR(" + strconv.Itoa(dialect.MessageMax) + ") CHARACTER SET utf8mb4;\n" +
				"    IF " + cond + " AND NOT " + mysqlBypassed + " THEN\n" +
				"        SET msg = LEFT(" + msg + ", " + strconv.Itoa(dialect.MessageMax) + ");\n" +
				"        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = msg;\n" +
				"    END IF;\n" +
				"END",
		}
		if !e.Outdated {
			t.name = dialect.TextName(e.Trigger+fixed[:2], t.head+t.body)
		}
		return t
	}
	return []mysqlTrigger{
		trigger("_insert", "_ins_nx", "INSERT", col+" NOT IN ("+strings.Join(entries, ", ")+")", insMsg),
		trigger("_update", "_upd_nx", "UPDATE", "NOT ("+col+" <=> "+oldCol+") AND NOT "+allowed, updMsg),
	}
}

// mysqlBypassed holds when the session asked for the bypass with exactly
// 1 (NULL-safe, so that an unset variable never makes the condition NULL;
// 0 and 'off' do not pass) and its user is the triggers' definer, who
// created them and may drop them: inside a trigger CURRENT_USER() is the
// definer, USER() the client. Another account can set the variable but
// never passes.
const mysqlBypassed = "(@fsmgen_bypass <=> 1 AND SUBSTRING_INDEX(USER(), '@', 1) = SUBSTRING_INDEX(CURRENT_USER(), '@', 1))"

// EnforceForm 3: only the triggers' definer can bypass them, with
// @fsmgen_bypass exactly 1 (since 2), and each trigger is named after its
// text (since 3).
func (Dialect) EnforceForm() int { return 3 }

// BypassOn sets a session variable: MySQL has no transaction-local
// settings, so BypassOff must follow before the connection is reused. It
// takes effect only for the account that created the triggers.
func (Dialect) BypassOn() string  { return "SET @fsmgen_bypass = 1;" }
func (Dialect) BypassOff() string { return "SET @fsmgen_bypass = NULL;" }

// RenameInHistory walks the sequence numbers from the smallest to the
// largest there when it starts, in batches (batched) of BatchSize of
// them, each at READ COMMITTED (MoveIsolation): at REPEATABLE READ the
// UPDATE would lock the gap at the table's end, where every move inserts
// its history row. Rows written later name the new spellings: the states'
// triggers replaced before it waited for every transaction that wrote
// the table, and refuse the old ones.
func (m Dialect) RenameInHistory(t dialect.Table, renames []dialect.Arc, batch bool) []string {
	set, where := dialect.HistoryRenames(m, renames)
	tab, seq, n := m.QuoteIdent(t.History), m.QuoteIdent(dialect.HistSeq), strconv.Itoa(dialect.BatchSize)
	return m.batched(m.QuoteIdent("fsmgen_respell"), false, []string{`
        SET @fsmgen_lo = (SELECT MIN(` + seq + `) - 1 FROM ` + tab + `), @fsmgen_hi = (SELECT MAX(` + seq + `) FROM ` + tab + `);
        WHILE @fsmgen_lo < @fsmgen_hi DO` +
		m.batch("@fsmgen_lo = IF(fsmgen_retry, @fsmgen_lo, @fsmgen_lo + "+n+")",
			"UPDATE "+tab+" SET "+set+" WHERE "+seq+" > @fsmgen_lo AND "+seq+" <= @fsmgen_lo + "+n+" AND "+where) + `
        END WHILE;
        SET @fsmgen_lo = NULL, @fsmgen_hi = NULL;`})
}

// CreateHistory and DropHistory may run again after a failure half way
// (see Enforce).
func (m Dialect) CreateHistory(t dialect.Table) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + m.QuoteIdent(t.History) + " (\n" +
			"    " + m.QuoteIdent(dialect.HistSeq) + " BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
			"    " + m.QuoteIdent(t.Key) + " VARCHAR(255) NOT NULL,\n" +
			"    " + m.QuoteIdent(dialect.HistFrom) + " VARCHAR(255) NOT NULL,\n" +
			"    " + m.QuoteIdent(dialect.HistTo) + " VARCHAR(255) NOT NULL,\n" +
			"    " + m.QuoteIdent(dialect.HistEvent) + " VARCHAR(255) NOT NULL,\n" +
			"    " + m.QuoteIdent(dialect.HistAt) + " DATETIME(6) NOT NULL DEFAULT " + m.Now() + ",\n" +
			"    KEY " + m.QuoteIdent(t.History+"_"+t.Key) + " (" + dialect.QuoteIdents(m, t.Key, dialect.HistSeq) + ")\n" +
			") CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;",
	}
}

// DropHistory's guard is a Guard in two steps: its condition reads the
// table, which a statement may name only when it exists, so the first step
// asks the catalog and, when the table is there, runs the check that puts
// the SIGNAL (or a no-op) in @fsmgen_guard for the second. It passes when
// the table is already gone, so that a Down stopped half way can run
// again.
func (m Dialect) DropHistory(t dialect.Table) (guard, drop []string) {
	check := "SELECT IF(EXISTS (SELECT 1 FROM " + m.QuoteIdent(t.History) + "), " + m.QuoteLiteral(m.signal(dialect.HistoryKept(t))) + ", 'DO 0') INTO @fsmgen_guard"
	guard = prepared("IF(EXISTS (SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + m.QuoteLiteral(t.History) + "), " + m.QuoteLiteral(check) + ", 'DO 0')")
	return append(guard, runGuard...), []string{"DROP TABLE IF EXISTS " + m.QuoteIdent(t.History) + ";"}
}

// EnumBudget bounds the bytes the ENUM labels of one table may take,
// counted by EnumBytes. MySQL and MariaDB keep a table's definition,
// every ENUM's labels included, in one form of at most 64 KiB: on MariaDB
// 10.11 a small table took 1,018 labels of 63 bytes or 7,244 of 8 bytes,
// about 65,200 bytes at one byte of overhead per label, before "Table
// definition is too large". The budget leaves the rest of that room to the
// table's other columns, indexes and comments.
const EnumBudget = 60000

// EnumBytes is what labels take of a table definition: each label's
// bytes and one separator.
func EnumBytes(labels []string) int {
	n := 0
	for _, l := range labels {
		n += len(l) + 1
	}
	return n
}

// Bin is the collation (of character set utf8mb4) of every ENUM
// column fsmgen adds, as a history records it. The table's own character
// set (latin1 by default on MariaDB before 11.6) may not hold a later
// label, which the server would store as "?", and changing a column's
// character set copies the table; the default collations take labels that
// differ only in case or accents ("café", "Cafe") for duplicates.
const Bin = "utf8mb4_bin"

// Charset is what follows ENUM(...) in a column definition for a column of
// the recorded collation: Bin's character set and collation, or ""
// for the table's own. Every MODIFY restates it: leaving it out would
// convert the column to the table's character set, a copy.
func (Dialect) Charset(recorded string) string {
	if recorded == Bin {
		return " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	}
	return ""
}

// ColumnType is the COLUMN_TYPE the catalog reports for an ENUM of labels:
// each a literal (quotes and backslashes doubled), separated by bare
// commas.
func (m Dialect) ColumnType(labels []string) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = m.QuoteLiteral(l)
	}
	return "enum(" + strings.Join(parts, ",") + ")"
}

// TableCollation is an SQL expression: the default collation of the table
// tableLit (a literal) names, which a column that states none has.
func (Dialect) TableCollation(tableLit string) string {
	return "(SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " + tableLit + ")"
}

// EnumHas is an SQL condition: the ENUM column type typ (an expression
// holding the catalog's COLUMN_TYPE, as ColumnType spells it) has label as one of its labels. A
// search for the quoted label alone is not enough: the quoted x occurs
// inside the quoted x' (x, a doubled quote, then the closing quote). So
// the pattern walks the list from its start one whole label at a time up
// to the label, which must end where a label ends. (?-i): the catalog's
// collation ignores case, labels do not.
func (m Dialect) EnumHas(typ, label string) string {
	return typ + " REGEXP " + m.QuoteLiteral(`(?-i)^enum\((?:'(?:[^']|'')*',)*`+regexp.QuoteMeta(m.QuoteLiteral(label))+`[,)]`)
}

// BeyondASCII returns the first label that is not ASCII, or "": only such
// a label needs more than whatever character set the table has.
func BeyondASCII(labels []string) string {
	for _, l := range labels {
		for i := 0; i < len(l); i++ {
			if l[i] >= 0x80 {
				return l
			}
		}
	}
	return ""
}

// Prepare is true: go-sql-driver/mysql prepares, runs and closes a
// statement with parameters, three round trips, unless it is prepared.
func (Dialect) Prepare() bool { return true }

// TimeLayout is empty: go-sql-driver/mysql writes a time in its loc, UTC
// unless the DSN says otherwise, as the server's clock must read.
func (Dialect) TimeLayout() string { return "" }

// SchemaDDL states each column with the ENUM the migrations left, and no
// trigger: schema parsers (sqlc's among them) do not read CREATE TRIGGER,
// so the triggers that forbid retired labels and enforce the moves stay
// in the migrations alone.
func (m Dialect) SchemaDDL(s dialect.Schema) []string {
	var out []string
	for _, c := range s.Columns {
		verb := "ADD"
		if c.Adopted {
			verb = "MODIFY"
		}
		stmt := "ALTER TABLE " + m.QuoteIdent(c.Table) + " " + verb + " COLUMN " + m.QuoteIdent(c.Column) + " ENUM(" + dialect.QuoteLiterals(m, s.Type) + ")" + m.Charset(c.Collation)
		if !c.Nullable {
			stmt += " NOT NULL"
		}
		if c.Default != "" {
			stmt += " DEFAULT " + m.QuoteLiteral(c.Default)
		}
		out = append(out, stmt+" COMMENT "+m.QuoteLiteral(Mark(s.Enum))+";")
	}
	return append(out, dialect.SchemaStore(m, s, func(table string, f dialect.Field) string {
		return "ALTER TABLE " + m.QuoteIdent(table) + " ADD COLUMN " + m.QuoteIdent(f.Name) + " " + m.fieldColumn(f) + ";"
	}, false)...)
}

func (Dialect) Sqlc() (string, bool) { return "mysql", false }

func (Dialect) GoName() string { return "MySQL" }

func (m Dialect) EntType(_ string, labels []string) string { return m.ColumnType(labels) }

func (Dialect) SerialWrites() bool { return false }

func (Dialect) TypeGrowth() dialect.Growth { return dialect.Appended }

// LabelCollation is Bin once a label is beyond ASCII: see Bin.
func (Dialect) LabelCollation(labels []string) string {
	if BeyondASCII(labels) != "" {
		return Bin
	}
	return ""
}

// Catalog is how verify reads this dialect's catalog.
func (Dialect) Catalog() dialect.Catalog {
	return dialect.Catalog{
		Column: "SELECT COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS\n" +
			"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
		Triggers: "SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS\n" +
			"WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME",
		Collation: "SELECT COALESCE(COLLATION_NAME, '') FROM information_schema.COLUMNS\n" +
			"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
		Columns:   "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
		Indexes:   "SELECT DISTINCT INDEX_NAME, 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
		Routines:  "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME LIKE 'fsmgen\\_%'",
		Function:  "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_NAME = ?",
		Functions: "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'FUNCTION' AND LOCATE(?, ROUTINE_NAME) = 1",
	}
}

func (Dialect) Literals(text string) []string { return dialect.ScanLiterals(text, true) }

func (Dialect) Driver() string { return "mysql" }

// DSN: golang-migrate's mysql:// URL, or the driver's own DSN (goose's),
// told by its address in a protocol's parentheses or its bare @/.
func (Dialect) DSN(url string, scheme bool) (string, bool) {
	if scheme {
		rest, ok := dialect.HasPrefixFold(url, "mysql://")
		return tcpAddr(rest), ok
	}
	return url, strings.Contains(url, "@tcp(") || strings.Contains(url, "@unix(") || strings.Contains(url, "@/")
}

// tcpAddr gives a URL's plain host:port, as in mysql://u:p@db:3306/app,
// the tcp( ) the driver's DSN needs; an address already in a protocol's
// parentheses stays as it is.
func tcpAddr(rest string) string {
	at := strings.LastIndex(rest, "@")
	slash := strings.Index(rest[at+1:], "/")
	if slash < 0 {
		return rest
	}
	addr := rest[at+1 : at+1+slash]
	if addr == "" || strings.Contains(addr, "(") {
		return rest
	}
	return rest[:at+1] + "tcp(" + addr + ")" + rest[at+1+slash:]
}

// VersionTable is the format's own.
func (Dialect) VersionTable(string) string { return "" }

func (Dialect) File(string) string { return "" }

// Refuse: labels an ENUM cannot tell apart (it compares them with the
// column's collation, case-insensitive by default, and refuses such a pair
// as duplicates), labels the catalog cannot spell, and more labels than a
// table's definition holds.
func (Dialect) Refuse(m dialect.SpecView, errorf func(pos diag.Pos, format string, args ...any)) {
	seen := map[string]dialect.SpecState{}
	var labels []string
	for _, s := range m.States {
		labels = append(labels, s.Value)
		k := strings.ToLower(s.Value)
		if prev, dup := seen[k]; dup && prev.Value != s.Value {
			errorf(s.Pos, "state %q has the value %q, which MySQL cannot tell from %q (state %q, line %d): its ENUM labels ignore case", s.Name, s.Value, prev.Value, prev.Name, prev.Pos.Line)
		} else {
			seen[k] = s
		}
		// information_schema is utf8mb3 and spells a character beyond
		// U+FFFF (an emoji, say) "?", and migrations read the ENUM's
		// labels back from there (to append a label in place, to adopt,
		// to verify), so they would rewrite the label as "?".
		for _, r := range s.Value {
			if r > 0xFFFF {
				errorf(s.Pos, "mysql: state %q has the value %q, whose character %U MySQL's catalog cannot spell (information_schema is utf8mb3, and shows it as ?), and fsmgen reads the ENUM's labels back from there: pick a value without it, or drop mysql from the dialects", s.Name, s.Value, r)
				break
			}
		}
	}
	// Every ENUM column of a table keeps its labels in the table's
	// definition.
	per := EnumBytes(labels)
	count := map[string]int{}
	for _, t := range m.Tables {
		count[t]++
		if n := count[t]; n*per > EnumBudget {
			errorf(m.Pos, "mysql: the %d states take %d bytes of table %s's definition in each of its %d ENUM column(s), %d in all; MySQL keeps a table's definition in 64 KiB, and fsmgen allows the labels %d bytes of it: use fewer or shorter states, or drop mysql from the dialects", len(labels), per, t, n, n*per, EnumBudget)
			return
		}
	}
}

// ColumnCollation: a column fsmgen adds holds any label (Bin).
func (Dialect) ColumnCollation() string { return Bin }

// RefuseChange: a column converted to the collation a label beyond ASCII
// needs is a copy of the table, which only sql.compact accepts; and while
// it changes, every ENUM column of a table holds the old and new labels
// together, in the table's definition.
func (m Dialect) RefuseChange(c dialect.ChangeView, errorf func(pos diag.Pos, format string, args ...any)) {
	var narrow []string
	for _, col := range c.Columns {
		if col.Converted {
			narrow = append(narrow, col.Name)
		}
	}
	if len(narrow) > 0 && !c.Compact {
		for _, st := range c.States {
			if m.LabelCollation([]string{st.Value}) != "" {
				errorf(st.Pos, "mysql: state %q has the value %q, beyond ASCII, but %s keeps its table's character set (per %s), which may not hold it: converting the column to utf8mb4 copies the whole table, blocking its writers for seconds per million rows; give the state an ASCII value, or set sql.compact: true to accept the copy", st.Name, st.Value, strings.Join(narrow, " and "), c.History)
				break
			}
		}
	}
	per, count := EnumBytes(c.Union), map[string]int{}
	for _, col := range c.Columns {
		if count[col.Table]++; count[col.Table]*per > EnumBudget {
			errorf(c.Pos, "mysql: while it changes, table %s's ENUM columns hold the old and new states together, %d bytes of its definition, more than the %d fsmgen allows (MySQL keeps a table's definition in 64 KiB): make the change in two steps", col.Table, count[col.Table]*per, EnumBudget)
			return
		}
	}
}

func (Dialect) ChangeNoTx() string { return "" }

func (Dialect) RestateCost() string { return "copies every bound table" }

// cutRunes shortens s to at most n characters, the last of them "…" when
// it had to cut, so that a reader sees the text was longer.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}
