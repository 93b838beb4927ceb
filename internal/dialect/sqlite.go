package dialect

import (
	"strconv"
	"strings"
)

// SQLite is SQLite 3.35 and later (RETURNING).
type SQLite struct{}

func (SQLite) Name() string                  { return "sqlite" }
func (SQLite) QuoteIdent(name string) string { return doubleQuoted(name) }
func (SQLite) QuoteLiteral(s string) string  { return singleQuoted(s) }

// Placeholder is numbered so that a statement may use one parameter twice.
func (SQLite) Placeholder(n int) string      { return "?" + strconv.Itoa(n) }
func (SQLite) UpdateReturning() bool         { return true }
func (SQLite) Concat(exprs ...string) string { return strings.Join(exprs, " || ") }

// Now is UTC text with milliseconds, the precision SQLite's clock has.
func (SQLite) Now() string { return "strftime('%Y-%m-%d %H:%M:%f', 'now')" }

func (SQLite) DDLNoTx() string { return "" }

// MigrationSession is empty: SQLite has one writer at a time and no lock
// queue a migration could hold up.
func (SQLite) MigrationSession() string { return "" }
