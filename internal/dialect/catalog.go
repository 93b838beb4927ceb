package dialect

import (
	"regexp"
	"strings"
)

// Catalog is how fsmgen verify reads what a live database holds for one
// bound column. Each query names its parameters; an empty query means the
// dialect has nothing of that kind.
type Catalog struct {
	// Text is the declared type of a column that holds labels as text
	// (NoType), as Column returns it.
	Text string
	// Column (table, column) returns one row: the column's type (the
	// enum type's name on PostgreSQL, the whole ENUM(...) on MySQL, the
	// declared type on SQLite), YES or NO for nullable, and the default
	// expression or NULL.
	Column string
	// Labels (enum) returns the enum type's labels in order.
	Labels string
	// Checks (table) returns each CHECK constraint's name, definition and
	// whether it is validated (1 or 0).
	Checks string
	// Triggers (table) returns each trigger's name and definition.
	Triggers string
	// Collation (table, column) returns the column's collation (MySQL).
	Collation string
	// Function (name) returns the body of the function of that name
	// (PostgreSQL), or its name (MySQL: a fire function).
	Function string
	// Functions (prefix) returns the names of the functions whose name
	// starts with it (MySQL: the fire functions of every text).
	Functions string
	// Columns (table) returns the names of the table's columns.
	Columns string
	// Indexes (table) returns each index's name and whether it is valid
	// (1 or 0).
	Indexes string
	// Routines returns the names of the routines fsmgen's migrations
	// create and drop again as they run.
	Routines string
}

var (
	literalRE          = regexp.MustCompile(`'((?:[^']|'')*)'`)
	backslashLiteralRE = regexp.MustCompile(`'((?:[^'\\]|''|\\.)*)'`)
	backslashUnquote   = strings.NewReplacer(`''`, `'`, `\\`, `\`, `\'`, `'`)
)

// ScanLiterals returns the string literals in SQL text a catalog shows
// (a constraint's or trigger's definition, a default), unquoted: the
// reverse of QuoteLiteral, for a dialect where a backslash escapes or not.
func ScanLiterals(text string, backslash bool) []string {
	re, unquote := literalRE, strings.NewReplacer(`''`, `'`)
	if backslash {
		re, unquote = backslashLiteralRE, backslashUnquote
	}
	out := []string{}
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		out = append(out, unquote.Replace(m[1]))
	}
	return out
}
