package dialect

import (
	"strconv"
	"strings"
)

// MySQL is MySQL 8 and MariaDB 10.11 and later: what both accept.
type MySQL struct{}

func (MySQL) Name() string { return "mysql" }

func (MySQL) QuoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteLiteral also doubles backslashes: MySQL treats them as escape
// characters unless NO_BACKSLASH_ESCAPES is set.
func (MySQL) QuoteLiteral(s string) string {
	return singleQuoted(strings.ReplaceAll(s, `\`, `\\`))
}

func (MySQL) Placeholder(int) string { return "?" }

// UpdateReturning is false: MariaDB has DELETE … RETURNING and
// INSERT … RETURNING, but no UPDATE … RETURNING, and MySQL has none.
func (MySQL) UpdateReturning() bool { return false }

func (MySQL) Concat(exprs ...string) string { return "CONCAT(" + strings.Join(exprs, ", ") + ")" }

// Now has microseconds: several moves of one row within a second must
// still be told apart by time.
func (MySQL) Now() string { return "CURRENT_TIMESTAMP(6)" }

// DDLNoTx says why: migrations run outside a transaction.
func (MySQL) DDLNoTx() string {
	return "MySQL commits every ALTER TABLE implicitly, so a transaction would only pretend to protect it."
}

// MigrationSession makes the session strict, so that a value an ENUM does
// not hold fails the statement instead of being stored as an empty string
// (the server's or the tool's sql_mode may be lax), and keeps backslash escapes and backquoted
// identifiers meaning what QuoteLiteral and QuoteIdent assume. The
// metadata lock wait is bounded to one second, the smallest MySQL accepts.
func (MySQL) MigrationSession() string {
	return "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';\n\nSET SESSION lock_wait_timeout = 1;"
}

// FireStmt has no RETURNING to tell which arc the row took, so it records
// the arc's 1-based index with LAST_INSERT_ID(n), which the server sends
// back with the statement's result (sql.Result.LastInsertId): no second
// statement, no session variable, and it works on any connection of a
// pool. The index is computed from the row as the UPDATE read it under its
// row lock (a locking read of the latest version), so it is the state the
// row left. Assignments run left to right, so FIELD sees the old state.
func (m MySQL) FireStmt(t Table, event string, arcs []Arc) Stmt {
	key, col, tab := m.QuoteIdent(t.Key), m.QuoteIdent(t.Column), m.QuoteIdent(t.Name)
	var b strings.Builder
	b.WriteString("UPDATE " + tab + " SET " + col + " = CASE LAST_INSERT_ID(FIELD(" + col + ", " + sources(m, arcs) + "))")
	for i, a := range arcs {
		b.WriteString(" WHEN " + strconv.Itoa(i+1) + " THEN " + m.QuoteLiteral(a.To))
	}
	b.WriteString(" END" + versionBump(m, t, "") + " WHERE " + key + " = ? AND " + col + " IN (" + sources(m, arcs) + ")")
	return Stmt{SQL: b.String(), Args: []Arg{ArgKey}}
}

// MoveStmt reports the move through LAST_INSERT_ID(1) rather than the
// affected-rows count, which is 0 for a move to the same state unless the
// connection sets CLIENT_FOUND_ROWS.
func (m MySQL) MoveStmt(t Table) Stmt {
	key, col, tab := m.QuoteIdent(t.Key), m.QuoteIdent(t.Column), m.QuoteIdent(t.Name)
	return Stmt{
		SQL:  "UPDATE " + tab + " SET " + col + " = CASE LAST_INSERT_ID(1) WHEN 1 THEN ? END" + versionBump(m, t, "") + " WHERE " + key + " = ? AND " + col + " = ?",
		Args: []Arg{ArgTo, ArgKey, ArgFrom},
	}
}

// StateStmt is a locking read: under REPEATABLE READ a plain SELECT in
// the caller's transaction would see its snapshot, not the version the
// UPDATE just judged, and report a state the row has left.
func (m MySQL) StateStmt(t Table) Stmt {
	return Stmt{SQL: "SELECT " + m.QuoteIdent(t.Column) + " FROM " + m.QuoteIdent(t.Name) + " WHERE " + m.QuoteIdent(t.Key) + " = ? FOR UPDATE", Args: []Arg{ArgKey}}
}

// HistoryStmt runs after the move, in the same transaction: MySQL has no
// data-modifying CTEs.
func (m MySQL) HistoryStmt(t Table) Stmt {
	if t.History == "" {
		return Stmt{}
	}
	return Stmt{SQL: historyInsert(m, t) + " VALUES (?, ?, ?, ?)", Args: []Arg{ArgKey, ArgFrom, ArgTo, ArgEvent}}
}
