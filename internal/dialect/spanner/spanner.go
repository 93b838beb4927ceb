// Package spanner is Cloud Spanner's GoogleSQL dialect.
//
// Spanner has no enum type and no triggers: a bound column is a STRING kept
// to the spec's labels by a named CHECK constraint, which every writer
// meets (Spanner checks it on every write, and validates existing rows
// when it is added). A change of the labels adds the constraint of the new
// set before it drops the old one, so that one of them holds at every
// instant. Schema changes run outside transactions, as long-running
// operations that do not block reads or writes, and a migration's runner
// (wrench) takes a file of one kind only: schema statements, or data
// statements (Partitioned DML, applied in independent batches). A change
// that moves rows is therefore several files, one version each (NextFile).
package spanner

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/diag"
	"github.com/fsmgen/fsmgen/internal/dialect"
)

// Dialect is Cloud Spanner (GoogleSQL), as its emulator serves it.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

func (Dialect) Name() string   { return "spanner" }
func (Dialect) GoName() string { return "Spanner" }

// QuoteIdent: the model lets only plain names through, so the escapes
// never apply; they keep a quoted name whole all the same.
func (Dialect) QuoteIdent(name string) string { return "`" + escape.Replace(name) + "`" }

// QuoteLiteral: in GoogleSQL a backslash escapes in every string literal.
// The model refuses control characters in labels, so no literal spans a
// line.
func (Dialect) QuoteLiteral(s string) string { return "'" + escape.Replace(s) + "'" }

var escape = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "`", "\\`")

func (Dialect) Placeholder(n int) string { return "@p" + strconv.Itoa(n) }

// UpdateReturning: THEN RETURN returns a row's new values only, which
// tell nothing of the state it left (ReadFirst).
func (Dialect) UpdateReturning() bool         { return false }
func (Dialect) Concat(exprs ...string) string { return "CONCAT(" + strings.Join(exprs, ", ") + ")" }
func (Dialect) Now() string                   { return "CURRENT_TIMESTAMP()" }
func (Dialect) Later(us string) string {
	return "TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL " + us + " MICROSECOND)"
}

// Typed casts: a NULL parameter is sent as a STRING, and a CASE must see
// one type in its branches.
func (Dialect) Typed(ph, typ string) string { return "CAST(" + ph + " AS " + fieldTypes[typ][1] + ")" }

func (Dialect) DDLNoTx() string {
	return "Spanner applies schema changes outside transactions, as long-running operations that block neither reads nor writes."
}

func (Dialect) MigrationSession() string      { return "" }
func (Dialect) MigrationSessionReset() string { return "" }
func (Dialect) ChangeNoTx() string            { return "" }
func (Dialect) RestateCost() string           { return "" }
func (Dialect) CommitEach([]string) string    { return "" }

// Sqlc: sqlc has no Spanner engine.
func (Dialect) Sqlc() (string, bool) { return "", false }

func (Dialect) TypeGrowth() dialect.Growth                                      { return dialect.NoType }
func (Dialect) LabelCollation([]string) string                                  { return "" }
func (Dialect) ColumnCollation() string                                         { return "" }
func (Dialect) EntType(string, []string) string                                 { return "" } // ent has no Spanner dialect
func (s Dialect) RaiseMessage(msg string) string                                { return s.QuoteLiteral(msg) }
func (Dialect) Literals(text string) []string                                   { return dialect.ScanLiterals(text, true) }
func (Dialect) File(string) string                                              { return "" }
func (Dialect) RefuseChange(dialect.ChangeView, func(diag.Pos, string, ...any)) {}

// Driver is verify's read-only database/sql driver over Spanner's client
// (internal/verify/spannersql); the SpannerStore runs on the client
// itself, which also names this dialect for it (dialects.DrivenBy).
func (Dialect) Driver() string { return "spanner" }

// DSN: golang-migrate's spanner:// URL, or a database's path.
func (Dialect) DSN(url string, scheme bool) (string, bool) {
	if scheme {
		rest, ok := dialect.HasPrefixFold(url, "spanner://")
		return rest, ok
	}
	return url, databasePath.MatchString(url)
}

var databasePath = regexp.MustCompile(`^projects/[^/]+/instances/[^/]+/databases/[^/?]+$`)

// VersionTable is wrench's (and golang-migrate's Spanner driver's).
func (Dialect) VersionTable(string) string { return "SchemaMigrations" }

// Catalog reads INFORMATION_SCHEMA; a constraint's clause is as the
// migration wrote it, and SPANNER_STATE is COMMITTED once every row was
// validated. Spanner lists each NOT NULL as a CHECK constraint too
// (CK_IS_NOT_NULL_<table>_<column>), which Checks leaves out.
func (Dialect) Catalog() dialect.Catalog {
	return dialect.Catalog{
		Text: "STRING(MAX)",
		Column: "SELECT SPANNER_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS\n" +
			"WHERE TABLE_SCHEMA = '' AND TABLE_NAME = @p1 AND COLUMN_NAME = @p2",
		Checks: "SELECT c.CONSTRAINT_NAME, c.CHECK_CLAUSE, IF(c.SPANNER_STATE = 'COMMITTED', '1', '0')\n" +
			"FROM INFORMATION_SCHEMA.CHECK_CONSTRAINTS c JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS t\n" +
			"ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME\n" +
			"WHERE t.TABLE_SCHEMA = '' AND t.TABLE_NAME = @p1 AND t.CONSTRAINT_TYPE = 'CHECK'\n" +
			"AND NOT STARTS_WITH(c.CONSTRAINT_NAME, 'CK_IS_NOT_NULL_') ORDER BY c.CONSTRAINT_NAME",
		Columns: "SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = '' AND TABLE_NAME = @p1",
		// An index is valid once READ_WRITE: its backfill is done.
		Indexes: "SELECT INDEX_NAME, IF(INDEX_STATE = 'READ_WRITE', '1', '0') FROM INFORMATION_SCHEMA.INDEXES\n" +
			"WHERE TABLE_SCHEMA = '' AND TABLE_NAME = @p1 AND INDEX_TYPE = 'INDEX'",
	}
}

// Format: wrench, the runner that applies Spanner's schema and data
// statements alike, reads golang-migrate's file names and passes over the
// .down.sql files, which a rollback applies one by one.
func (Dialect) Format(string) string { return "golang-migrate" }

// Refuse: what this dialect does not make is said where the spec asks
// for it: enforce (Spanner has no row triggers) and adoption. Names need
// no check: the model's ([a-z][a-z0-9_]*, up to 63 bytes) are Spanner's
// too.
func (Dialect) Refuse(m dialect.SpecView, errorf func(pos diag.Pos, format string, args ...any)) {
	if m.EnforcePos.Line != 0 {
		errorf(m.EnforcePos, "spanner: sql enforce needs row triggers, which Spanner does not have; the column's CHECK constraint keeps it to the spec's states, and moves go through the SpannerStore")
	}
	if m.AdoptPos.Line != 0 {
		errorf(m.AdoptPos, "spanner: adopting an existing column (sql adopt) is not supported on Spanner; let fsmgen add the column")
	}
}

// check renders the CHECK constraint that keeps table.column to labels (a
// list of literals), and its name. The name is the set's (in any order),
// so that the migration that replaces it knows it: Spanner's DDL has no IF
// EXISTS for a constraint, and a constraint is not renamed.
func check(table, column, labels string) (name, def string) {
	set := dialect.ScanLiterals(labels, true)
	slices.Sort(set)
	sum := sha256.Sum256([]byte(strings.Join(set, "\x00")))
	base := unquote(table) + "_" + unquote(column)
	const suffix = "_states_"
	if n := 128 - len(suffix) - 10; len(base) > n {
		base = base[:n]
	}
	name = Dialect{}.QuoteIdent(base + suffix + hex.EncodeToString(sum[:5]))
	return name, "CONSTRAINT " + name + " CHECK (" + column + " IN (" + labels + "))"
}

func unquote(ident string) string { return strings.Trim(ident, "`") }
