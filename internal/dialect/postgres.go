package dialect

import (
	"strconv"
	"strings"
)

// Postgres is PostgreSQL 15 and later.
type Postgres struct{}

func (Postgres) Name() string                  { return "postgres" }
func (Postgres) QuoteIdent(name string) string { return doubleQuoted(name) }

// QuoteLiteral relies on standard_conforming_strings (on by default since
// 9.1): backslashes are ordinary characters in '…' literals.
func (Postgres) QuoteLiteral(s string) string  { return singleQuoted(s) }
func (Postgres) Placeholder(n int) string      { return "$" + strconv.Itoa(n) }
func (Postgres) UpdateReturning() bool         { return true }
func (Postgres) Concat(exprs ...string) string { return strings.Join(exprs, " || ") }
func (Postgres) Now() string                   { return "clock_timestamp()" }

func (Postgres) DDLNoTx() string { return "" }

// MigrationSession bounds every lock wait: ALTER TABLE and ALTER TYPE
// queue for their lock behind any open transaction that touched the table,
// and every later reader and writer queues behind them. Half a second
// bounds that stall; a migration that times out changed nothing and can
// simply run again.
func (Postgres) MigrationSession() string { return "SET lock_timeout = '500ms';" }
