package dialect

import (
	"regexp"
	"strings"
)

// Catalog is how fsmgen verify reads what a live database holds for one
// bound column. Each query names its parameters; an empty query means the
// dialect has nothing of that kind.
type Catalog struct {
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
	// (PostgreSQL).
	Function string
	// Columns (table) returns the names of the table's columns.
	Columns string
	// Indexes (table) returns each index's name and whether it is valid
	// (1 or 0).
	Indexes string
	// Routines returns the names of the routines fsmgen's migrations
	// create and drop again as they run.
	Routines string
}

// CatalogOf returns the catalog queries of the dialect called name.
func CatalogOf(name string) Catalog { return catalogs[name] }

var catalogs = map[string]Catalog{
	"postgres": {
		Column: `SELECT udt_name, is_nullable, column_default FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
		Labels: `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
WHERE t.typname = $1 AND t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY e.enumsortorder`,
		Checks: `SELECT c.conname, pg_get_constraintdef(c.oid), CASE WHEN c.convalidated THEN 1 ELSE 0 END
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE c.contype = 'c' AND r.relname = $1 AND r.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY c.conname`,
		Triggers: `SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
WHERE NOT t.tgisinternal AND r.relname = $1 AND r.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
ORDER BY t.tgname`,
		Function: `SELECT prosrc FROM pg_proc WHERE proname = $1 AND pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
		Columns:  `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
		Indexes: `SELECT c.relname, CASE WHEN i.indisvalid THEN 1 ELSE 0 END FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
WHERE r.relname = $1 AND r.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
	},
	"mysql": {
		Column: "SELECT COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS\n" +
			"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
		Triggers: "SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS\n" +
			"WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME",
		Collation: "SELECT COALESCE(COLLATION_NAME, '') FROM information_schema.COLUMNS\n" +
			"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
		Columns:  "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
		Indexes:  "SELECT DISTINCT INDEX_NAME, 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
		Routines: "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME LIKE 'fsmgen\\_%'",
	},
	"sqlite": {
		Column:   `SELECT type, CASE WHEN "notnull" = 1 THEN 'NO' ELSE 'YES' END, dflt_value FROM pragma_table_info(?1) WHERE name = ?2`,
		Triggers: `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 ORDER BY name`,
		Columns:  `SELECT name FROM pragma_table_info(?1)`,
		Indexes:  `SELECT name, 1 FROM pragma_index_list(?1)`,
	},
}

var (
	literalRE      = regexp.MustCompile(`'((?:[^']|'')*)'`)
	mysqlLiteralRE = regexp.MustCompile(`'((?:[^'\\]|''|\\.)*)'`)
	mysqlUnquote   = strings.NewReplacer(`''`, `'`, `\\`, `\`, `\'`, `'`)
)

// Literals returns the string literals in SQL text the catalog of the
// dialect called name shows (a constraint's or trigger's definition, a
// default), unquoted: the reverse of QuoteLiteral. A backslash escapes
// only in MySQL.
func Literals(name, text string) []string {
	re, unquote := literalRE, strings.NewReplacer(`''`, `'`)
	if name == "mysql" {
		re, unquote = mysqlLiteralRE, mysqlUnquote
	}
	out := []string{}
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		out = append(out, unquote.Replace(m[1]))
	}
	return out
}
