// Package dialect is what every SQL dialect of fsmgen implements (the
// Dialect interface) and the parts of SQL the dialects share: the Store's
// tables and statements, parameters, quoting. Each dialect is a package
// below this one (postgres, mysql, sqlite) that owns all it knows about its
// engine; package dialects lists them by name. No package outside these
// writes a quote character or a dialect's syntax by hand.
//
// Every method returns SQL text; nothing here talks to a database.
package dialect

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/fsmgen/fsmgen/internal/diag"
)

// Dialect is one SQL dialect's knowledge.
type Dialect interface {
	// Name is the dialect's name in specs, file paths and the lock.
	Name() string
	// QuoteIdent quotes an identifier, doubling embedded quote
	// characters, so that reserved words and odd names are safe.
	QuoteIdent(name string) string
	// QuoteLiteral renders s as a string literal.
	QuoteLiteral(s string) string
	// Placeholder is the n-th (from 1) query parameter.
	Placeholder(n int) string
	// UpdateReturning reports whether UPDATE … RETURNING exists, so that a
	// move and its outcome take one round trip.
	UpdateReturning() bool
	// Concat joins string expressions.
	Concat(exprs ...string) string
	// Now is the database clock's current time, as a column default.
	Now() string
	// Later is the database's clock plus us microseconds, an integer
	// expression.
	Later(us string) string
	// Typed gives the parameter ph the SQL type of a field's type (or
	// "int" for a mode), where the dialect would not infer it.
	Typed(ph, typ string) string
	// DDLNoTx says why migrations must run outside a transaction, or is
	// "" when DDL is transactional.
	DDLNoTx() string
	// MigrationSession is what a migration sets on its session before any
	// DDL, as statements separated by blank lines: how long a statement
	// may wait for a lock (failing fast instead of queueing every other
	// session behind it) and, where the server's mode could turn a bad
	// value into a silent one, a strict mode.
	MigrationSession() string
	// MigrationSessionReset undoes MigrationSession at the end of a
	// migration, so that a tool running on a pooled connection hands it
	// back as it found it; "" when there is nothing to undo.
	MigrationSessionReset() string
	// ChangeNoTx says why a change of the type (not a restatement) runs
	// outside a transaction where DDLNoTx does not, or is "".
	ChangeNoTx() string
	// RestateCost says what restating the type in full (sql.compact)
	// costs, for the migration's title; "" where nothing restates it.
	RestateCost() string
	// CommitEach joins statements that must commit one by one (where goose
	// runs the file outside a transaction) into the one query golang-migrate
	// sends a whole file as, or returns "" when the dialect runs the
	// statements of such a query one by one anyway.
	CommitEach(stmts []string) string
	// Sqlc is sqlc's name for the dialect's engine, and whether a column
	// of the enum has a named type there that sqlc overrides by db_type
	// (by its column otherwise).
	Sqlc() (engine string, namedType bool)
	// TypeGrowth is how the column's type takes new labels in place.
	TypeGrowth() Growth
	// LabelCollation is the collation a column holding labels needs, ""
	// for the one its table has.
	LabelCollation(labels []string) string
	// ColumnCollation is the collation of a column fsmgen adds, which
	// holds any label, "" for its table's.
	ColumnCollation() string
	// GoName is the dialect's name as a Go identifier: the generated
	// Store's Dialect constant, and ent's (entgo.io/ent/dialect).
	GoName() string
	// EntType is the type of a column of enum whose type holds labels, as
	// ent's migration diff reads the catalog.
	EntType(enum string, labels []string) string
	// RaiseMessage renders msg as the literal a migration's guard raises
	// (PostgreSQL RAISE, MySQL SIGNAL, SQLite RAISE), as the dialect reads
	// it.
	RaiseMessage(msg string) string
	// Migrations are the templates that write a migration's statements,
	// one direction at a time, from gen/sqlmig's plan.
	Migrations() *template.Template
	// Format is the migration format the dialect's files are written in
	// when the spec asks for spec (goose or golang-migrate): the spec's,
	// where its runners read it.
	Format(spec string) string
	// Catalog is how verify reads what a live database holds.
	Catalog() Catalog
	// Literals returns the string literals in SQL text the catalog shows,
	// unquoted (ScanLiterals).
	Literals(text string) []string

	StoreStmts
	Limiter
	Opener
	Enforcer
	FieldDDL
	Expirer
	Schemer
}

// Limiter is what a dialect refuses of a spec before anything is written,
// said where the spec says it.
type Limiter interface {
	// Refuse reports through errorf each thing of m the dialect cannot
	// hold.
	Refuse(m SpecView, errorf func(pos diag.Pos, format string, args ...any))
	// RefuseChange reports through errorf each thing of a change of the
	// spec the dialect cannot make.
	RefuseChange(c ChangeView, errorf func(pos diag.Pos, format string, args ...any))
}

// ChangeView is what of a change of the spec a dialect's limits read.
type ChangeView struct {
	States []SpecState // the target's, in the spec's order
	// Union is every label the type holds while the change runs: both
	// sets, and the labels the type kept.
	Union   []string
	Columns []ChangedColumn
	Pos     diag.Pos // the spec's sql section
	// History names the migration history the change starts from;
	// Compact: the spec accepts restating the column (sql.compact).
	History string
	Compact bool
}

// ChangedColumn is one column a change binds or keeps.
type ChangedColumn struct {
	Name, Table string // table.column and its table
	// Kept: the column was bound before the change. From and To are its
	// default's labels before and after it, "" for none.
	Kept       bool
	From, To   string
	DefaultPos diag.Pos
	// Converted: the column keeps its table's collation, which the
	// target's labels need another than (LabelCollation); only a copy of
	// the table converts it.
	Converted bool
}

// SpecView is what of a machine's spec a dialect's limits read.
type SpecView struct {
	States []SpecState // in the spec's order
	// Enum is the enum's name; EnumPos where the spec names it, zero when
	// derived, and Another a name the spec could choose instead.
	Enum, Another string
	EnumPos       diag.Pos
	Tables        []string // each bound column's table
	Pos           diag.Pos // the dialect's entry in the spec
	// EnforcePos and AdoptPos are where the spec says sql enforce and
	// sql adopt; zero where it does not.
	EnforcePos, AdoptPos diag.Pos
}

// SpecState is one state as the spec gives it.
type SpecState struct {
	Name, Value string
	Pos         diag.Pos
}

// Opener is how verify opens a live database of the dialect, named the way
// goose or golang-migrate take it.
type Opener interface {
	// Driver is the database/sql driver verify opens it with.
	Driver() string
	// DSN returns the driver's data source name for url when url is the
	// dialect's: with scheme, by a URL scheme of its own (postgres://,
	// mysql://, sqlite://…); without, by its form alone (libpq's
	// keyword/value pairs, a MySQL DSN, a file name), which verify tries
	// only after every dialect's schemes.
	DSN(url string, scheme bool) (dsn string, ok bool)
	// File is the path of the database dsn names when that is a file,
	// which verify must find rather than create; "" for a server.
	File(dsn string) string
	// VersionTable is the table the runner of format records its versions
	// in by default, where the dialect's runner has its own; "" for the
	// format's.
	VersionTable(format string) string
}

// HasPrefixFold reports whether s begins with one of prefixes, ignoring
// case, and returns what follows it.
func HasPrefixFold(s string, prefixes ...string) (rest string, ok bool) {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):], true
		}
	}
	return "", false
}

// Growth is how a dialect's enum type takes new labels without rewriting
// the table.
type Growth uint8

const (
	// NoType: the column is text, kept to its labels by triggers, and has
	// no type to grow.
	NoType Growth = iota
	// Appended: new labels, and a rename's new name, go at the end of the
	// type; an old name stays in it (MySQL's ENUM: INSTANT only there).
	Appended
	// Anchored: a new label goes beside its neighbour in the spec, and a
	// rename renames in place (PostgreSQL's ADD VALUE … BEFORE or AFTER,
	// RENAME VALUE).
	Anchored
)

// QuoteLiterals renders labels as a comma-separated list of d's literals.
func QuoteLiterals(d Dialect, labels []string) string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = d.QuoteLiteral(l)
	}
	return strings.Join(out, ", ")
}

// DoubleQuoted is an identifier in double quotes, the standard's.
func DoubleQuoted(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// SingleQuoted is a string literal in the standard's quotes.
func SingleQuoted(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// MessageMax is the longest message every dialect raises whole: MySQL's
// SIGNAL refuses a longer MESSAGE_TEXT in a strict session (MariaDB takes
// 512 characters). Messages longer than that put what matters first.
const MessageMax = 128

// Message returns short, or long when short is longer than MessageMax:
// long says the same with what matters first, so that the part MySQL
// cuts off is the least needed.
func Message(short, long string) string {
	if utf8.RuneCountInString(short) <= MessageMax {
		return short
	}
	return long
}

// TextHashLen is how many hex digits of an object's text end a name
// TextName gives it.
const TextHashLen = 5

// TextName names an object after its text: base and the first
// TextHashLen hex digits of the text's SHA-256, so that other text is an
// object of another name, and one of that name has that text (MySQL's
// triggers, which it cannot replace in place).
func TextName(base, text string) string {
	sum := sha256.Sum256([]byte(text))
	return base + hex.EncodeToString(sum[:])[:TextHashLen]
}

// IsTextName tells whether name is a TextName of base.
func IsTextName(name, base string) bool {
	rest, ok := strings.CutPrefix(name, base)
	return ok && len(rest) == TextHashLen && strings.Trim(rest, "0123456789abcdef") == ""
}
