package dialect

import "strings"

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
