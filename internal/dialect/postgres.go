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

// FireStmt joins the row with the event's arcs instead of computing the
// target with CASE so that RETURNING can name the state the row left:
// PostgreSQL before 18 returns only new values. Under READ COMMITTED a
// row changed since the statement's snapshot is re-checked against the
// same arc only; when that fails the row did not move, and the second
// branch reports the state the snapshot saw, which the caller then judges
// (and retries if that state allows the event after all).
func (p Postgres) FireStmt(t Table, event string, arcs []Arc) Stmt {
	enum := p.QuoteIdent(t.Enum)
	var b strings.Builder
	b.WriteString("WITH m (f, t) AS (VALUES ")
	for i, a := range arcs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + p.QuoteLiteral(a.From) + "::" + enum + ", " + p.QuoteLiteral(a.To) + "::" + enum + ")")
	}
	key, col, tab := p.QuoteIdent(t.Key), p.QuoteIdent(t.Column), p.QuoteIdent(t.Name)
	b.WriteString("),\nu AS (UPDATE " + tab + " AS r SET " + col + " = m.t" + versionBump(p, t, "r.") +
		" FROM m WHERE r." + key + " = $1 AND r." + col + " = m.f RETURNING r." + key + " AS k, m.f, m.t)")
	if t.History != "" {
		b.WriteString(",\nh AS (" + historyInsert(p, t) + " SELECT k, f::text, t::text, " + p.QuoteLiteral(event) + " FROM u)")
	}
	b.WriteString("\nSELECT f, t FROM u\nUNION ALL\nSELECT " + col + ", NULL::" + enum + " FROM " + tab +
		" WHERE " + key + " = $1 AND NOT EXISTS (SELECT 1 FROM u)")
	return Stmt{SQL: b.String(), Args: []Arg{ArgKey}}
}

func (p Postgres) MoveStmt(t Table) Stmt {
	key, col, tab := p.QuoteIdent(t.Key), p.QuoteIdent(t.Column), p.QuoteIdent(t.Name)
	update := "UPDATE " + tab + " SET " + col + " = $3" + versionBump(p, t, "") + " WHERE " + key + " = $1 AND " + col + " = $2"
	if t.History == "" {
		return Stmt{SQL: update, Args: []Arg{ArgKey, ArgFrom, ArgTo}}
	}
	return Stmt{
		SQL:  "WITH u AS (" + update + " RETURNING " + key + ")\n" + historyInsert(p, t) + " SELECT " + key + ", $2::text, $3::text, $4 FROM u",
		Args: []Arg{ArgKey, ArgFrom, ArgTo, ArgEvent},
	}
}

func (p Postgres) StateStmt(t Table) Stmt {
	return Stmt{SQL: "SELECT " + p.QuoteIdent(t.Column) + " FROM " + p.QuoteIdent(t.Name) + " WHERE " + p.QuoteIdent(t.Key) + " = $1", Args: []Arg{ArgKey}}
}

// HistoryStmt is empty: the move statements append history through a
// data-modifying CTE, in the same statement.
func (Postgres) HistoryStmt(Table) Stmt { return Stmt{} }
