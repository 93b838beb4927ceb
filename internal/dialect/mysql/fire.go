package mysql

import (
	"strconv"
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

// FireFunction is Fire in one round trip (sql.fire_function). Without it
// a move and its history row are five: BEGIN, the UPDATE, SELECT
// LAST_INSERT_ID() (the triggers keep the arc out of the UPDATE's
// result), the INSERT, COMMIT. A function's statements are one statement
// of the caller's, so a failure rolls back the move and its history row
// together, in autocommit or in the caller's transaction; a procedure's
// would each commit on their own.
//
// Its text depends on the table's columns alone: the event's arcs and
// what each sets come with the call, so that a change of the transitions
// needs no new function (the history of migrations would restate it
// every time). It runs as its caller (SQL SECURITY INVOKER), never with
// the rights of the role that created it, and its UPDATE passes the
// enforcement triggers as any other. It locks the row by key first,
// then finds the arc of the state it read among the call's sources.
//
// The key's parameter has the database's character set and collation:
// compared with a key column of another collation, the row would be
// found by a scan rather than the index, which FireUsable tells the Store
// before it calls. With binary logging on, creating a function that
// writes needs log_bin_trust_function_creators (error 1418), which
// docs/store.md tells.
func (m Dialect) FireFunction(t dialect.Table, base string) (name, create, drop string) {
	q := m.QuoteIdent
	params := m.fireParams(t)
	key := q(t.Key) + " = p_key"
	// The fields the history copies are read with the state, and what
	// the move leaves in them worked out as the UPDATE does, rather than
	// read from the row again after it.
	read, into := []string{q(t.Column)}, []string{"v_from"}
	var b strings.Builder
	b.WriteString("(" + strings.Join(params, ", ") + ")\n" +
		"RETURNS INT NOT DETERMINISTIC MODIFIES SQL DATA SQL SECURITY INVOKER\n" +
		"BEGIN\n" +
		"    DECLARE v_from, v_to VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n" +
		"    DECLARE v_at, v_arc INT DEFAULT 0;\n" +
		"    DECLARE v_nl CHAR(1) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT CHAR(10 USING utf8mb4);\n")
	for k, i := range t.HistFields {
		f := t.Fields[i]
		b.WriteString("    DECLARE v_h" + strconv.Itoa(k) + " " + m.fireType(f) + ";\n")
		read, into = append(read, q(f.Name)), append(into, "v_h"+strconv.Itoa(k))
	}
	b.WriteString("    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_from = NULL;\n" +
		"    SELECT " + strings.Join(read, ", ") + " INTO " + strings.Join(into, ", ") + " FROM " + q(t.Name) + " WHERE " + key + " FOR UPDATE;\n" +
		"    SET v_at = COALESCE(LOCATE(CONCAT(v_nl, v_from, v_nl), p_sources), 0);\n" +
		"    IF v_at = 0 THEN\n" +
		"        RETURN 0;\n" +
		"    END IF;\n" +
		// The arc is the number of line feeds up to the label's.
		"    SET v_arc = v_at - CHAR_LENGTH(REPLACE(LEFT(p_sources, v_at), v_nl, ''));\n" +
		"    SET v_to = SUBSTRING_INDEX(SUBSTRING_INDEX(p_targets, v_nl, v_arc + 1), v_nl, -1);\n")
	set := []string{q(t.Column) + " = v_to"}
	if len(t.Fields) > 0 {
		b.WriteString("    SET v_at = (v_arc - 1) * " + strconv.Itoa(len(t.Fields)) + ";\n")
	}
	// field is what field i holds after the move, keep what it held.
	field := func(i int, keep string) string {
		f := t.Fields[i]
		s := "CASE SUBSTRING(p_modes, v_at + " + strconv.Itoa(i+1) + ", 1) WHEN '1' THEN p_f" + strconv.Itoa(i)
		switch {
		case f.Timeout > 0:
			s += " WHEN '2' THEN " + m.Later("p_after"+strconv.Itoa(f.Timeout-1))
		case f.Type == "timestamp":
			s += " WHEN '2' THEN " + m.Now()
		}
		return s + " ELSE " + keep + " END"
	}
	for i, f := range t.Fields {
		set = append(set, q(f.Name)+" = "+field(i, q(f.Name)))
	}
	if t.Version != "" {
		v := q(t.Version)
		if t.Token {
			set = append(set, v+" = p_token")
		} else {
			set = append(set, v+" = "+v+" + 1")
		}
	}
	b.WriteString("    UPDATE " + q(t.Name) + " SET " + strings.Join(set, ", ") + " WHERE " + key + ";\n")
	if t.History != "" {
		vals := []string{"p_key", "v_from", "v_to", "p_event"}
		for k, i := range t.HistFields {
			vals = append(vals, field(i, "v_h"+strconv.Itoa(k)))
		}
		for i := range t.Notes {
			vals = append(vals, "p_n"+strconv.Itoa(i))
		}
		b.WriteString("    " + dialect.HistoryInsert(m, t) + " VALUES (" + strings.Join(vals, ", ") + ");\n")
	}
	b.WriteString("    RETURN v_arc;\nEND;")
	name = dialect.TextName(base, b.String())
	return name, "CREATE FUNCTION IF NOT EXISTS " + q(name) + b.String(), "DROP FUNCTION IF EXISTS " + q(name) + ";"
}

// fireParams are the function's parameters, in FireFunctioner's order.
func (m Dialect) fireParams(t dialect.Table) []string {
	params := []string{"p_key VARCHAR(255)", "p_event " + utf8Text, "p_sources " + utf8Text, "p_targets " + utf8Text, "p_modes TEXT CHARACTER SET ascii"}
	if t.Token {
		params = append(params, "p_token VARCHAR(255)")
	}
	for i, f := range t.Fields {
		params = append(params, "p_f"+strconv.Itoa(i)+" "+m.fireType(f))
	}
	for i := range dialect.Timeouts(t) {
		params = append(params, "p_after"+strconv.Itoa(i)+" BIGINT")
	}
	for i := range t.Notes {
		params = append(params, "p_n"+strconv.Itoa(i)+" "+utf8Text)
	}
	return params
}

// fireType is the type of the function's parameter and variable for a
// value of field f.
func (m Dialect) fireType(f dialect.Field) string {
	if f.Type == "text" {
		return utf8Text
	}
	return m.FieldType(f.Type)
}

// utf8Text is the type of the function's parameters that carry labels and
// text: the labels compare byte for byte.
const utf8Text = "TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

// FireCall calls the function with a parameter for each of its own.
func (m Dialect) FireCall(t dialect.Table, name string) dialect.Stmt {
	n := len(m.fireParams(t))
	return dialect.Stmt{SQL: "SELECT " + m.QuoteIdent(name) + "(" + strings.Repeat("?, ", n-1) + "?)"}
}

// FireUsable asks the catalog whether the function is there and its key
// parameter has the key column's collation (or the key is no text).
func (m Dialect) FireUsable(t dialect.Table, name string) dialect.Stmt {
	return dialect.Stmt{SQL: "SELECT COUNT(*) FROM information_schema.PARAMETERS AS p JOIN information_schema.COLUMNS AS c ON c.TABLE_SCHEMA = p.SPECIFIC_SCHEMA" +
		" WHERE p.SPECIFIC_SCHEMA = DATABASE() AND p.SPECIFIC_NAME = " + m.QuoteLiteral(name) + " AND p.PARAMETER_NAME = 'p_key'" +
		" AND c.TABLE_NAME = " + m.QuoteLiteral(t.Name) + " AND c.COLUMN_NAME = " + m.QuoteLiteral(t.Key) +
		" AND (c.COLLATION_NAME IS NULL OR c.COLLATION_NAME = p.COLLATION_NAME)"}
}

// FireGone: go-sql-driver/mysql's message for error 1305
// (ER_SP_DOES_NOT_EXIST).
func (Dialect) FireGone() string { return "Error 1305" }
