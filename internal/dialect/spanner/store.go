package spanner

import (
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

// ReadFirst: Spanner's THEN RETURN returns a row's new values only, and a
// read in a read-write transaction locks the row until it commits, so a
// fire reads the state and MoveStmt moves it, in the caller's transaction.
func (Dialect) ReadFirst() bool { return true }

// FireStmt reads the row's state, at the version read for MoveAt.
func (s Dialect) FireStmt(t dialect.Table, _ string, _ []dialect.Arc, at bool) dialect.Stmt {
	ps := dialect.NewParams(s, dialect.ArgKey)
	return ps.Stmt("SELECT " + s.QuoteIdent(t.Column) + " FROM " + s.QuoteIdent(t.Name) + " WHERE " + s.QuoteIdent(t.Key) + " = @p1" + dialect.AtVersion(t, ps, "", at))
}

func (s Dialect) MoveStmt(t dialect.Table) dialect.Stmt {
	key, col, tab := s.QuoteIdent(t.Key), s.QuoteIdent(t.Column), s.QuoteIdent(t.Name)
	ps := dialect.NewParams(s, dialect.ArgKey, dialect.ArgFrom, dialect.ArgTo)
	return ps.Stmt("UPDATE " + tab + " SET " + col + " = @p3" + dialect.VersionBump(t, ps, "") + dialect.JoinSet(dialect.FieldsSet(t, ps, "", "", nil)) + " WHERE " + key + " = @p1 AND " + col + " = @p2")
}

func (s Dialect) StateStmt(t dialect.Table) dialect.Stmt {
	return dialect.Stmt{SQL: "SELECT " + s.QuoteIdent(t.Column) + " FROM " + s.QuoteIdent(t.Name) + " WHERE " + s.QuoteIdent(t.Key) + " = @p1", Args: []dialect.Arg{dialect.ArgKey}}
}

// GetStmt is current either way: a read in a read-write transaction sees
// the latest commit and the transaction's own writes.
func (s Dialect) GetStmt(t dialect.Table, _ bool) dialect.Stmt {
	return dialect.GetStmt(t, dialect.NewParams(s), "")
}

// CreateStmt: INSERT OR IGNORE affects no row where the key is taken,
// and leaves the transaction usable.
func (s Dialect) CreateStmt(t dialect.Table) (dialect.Stmt, dialect.Stmt) {
	ps := dialect.NewParams(s)
	create := ps.Stmt(strings.Replace(dialect.InsertRow(t, ps), "INSERT INTO", "INSERT OR IGNORE INTO", 1))
	if t.History == "" {
		return create, dialect.Stmt{}
	}
	hp := dialect.NewParams(s, dialect.ArgKey, dialect.ArgTo)
	return create, hp.Stmt(s.historyRow(t, hp, "''", "@p2", "''"))
}

func (s Dialect) HistoryStmt(t dialect.Table) dialect.Stmt {
	if t.History == "" {
		return dialect.Stmt{}
	}
	ps := dialect.NewParams(s, dialect.ArgKey, dialect.ArgFrom, dialect.ArgTo, dialect.ArgEvent)
	return ps.Stmt(s.historyRow(t, ps, "@p2", "@p3", "@p4"))
}

// historyRow appends a move to the key's history: Spanner has no
// identity column, so a row's moves are numbered one by one from its
// last. The read of that number holds the key's range in the history
// until the transaction commits, as the read of the row does the row.
// moved_at is the statement's time, not the commit's: a column written
// with PENDING_COMMIT_TIMESTAMP() cannot be read again in the
// transaction, and the next move of the same row in it would read it. The
// copied fields are read from the row as the move, earlier in the
// transaction, left it.
func (s Dialect) historyRow(t dialect.Table, ps *dialect.Params, from, to, event string) string {
	h, key := s.QuoteIdent(t.History), s.QuoteIdent(t.Key)
	cols := []string{t.Key, dialect.HistSeq, dialect.HistFrom, dialect.HistTo, dialect.HistEvent, dialect.HistAt}
	for _, i := range t.HistFields {
		cols = append(cols, t.Fields[i].Name)
	}
	field := func(i int) string {
		return "(SELECT " + s.QuoteIdent(t.Fields[i].Name) + " FROM " + s.QuoteIdent(t.Name) + " WHERE " + key + " = @p1)"
	}
	return "INSERT INTO " + h + " (" + dialect.QuoteIdents(s, append(cols, t.Notes...)...) + ")" +
		" SELECT CAST(@p1 AS STRING), IFNULL(MAX(" + s.QuoteIdent(dialect.HistSeq) + "), 0) + 1, " + from + ", " + to + ", " + event + ", CURRENT_TIMESTAMP()" +
		dialect.HistoryExtra(t, ps, field) + " FROM " + h + " WHERE " + key + " = CAST(@p1 AS STRING)"
}

// CreateHistory keys the history by the row's key as text (Spanner's DDL
// cannot read the key's type from the catalog) and the move's number.
func (s Dialect) CreateHistory(t dialect.Table) []string {
	var b strings.Builder
	col := func(name, typ string, null bool) {
		b.WriteString("    " + s.QuoteIdent(name) + " " + typ)
		if !null {
			b.WriteString(" NOT NULL")
		}
		b.WriteString(",\n")
	}
	col(t.Key, "STRING(MAX)", false)
	col(dialect.HistSeq, "INT64", false)
	for _, c := range []string{dialect.HistFrom, dialect.HistTo, dialect.HistEvent} {
		col(c, "STRING(MAX)", false)
	}
	col(dialect.HistAt, "TIMESTAMP", false)
	for _, i := range t.HistFields {
		col(t.Fields[i].Name, s.FieldType(t.Fields[i].Type), true)
	}
	for _, n := range t.Notes {
		col(n, "STRING(MAX)", true)
	}
	return []string{"CREATE TABLE IF NOT EXISTS " + s.QuoteIdent(t.History) + " (\n" + b.String() +
		") PRIMARY KEY (" + dialect.QuoteIdents(s, t.Key, dialect.HistSeq) + ");"}
}

// DropHistory's guard is a constraint no row can meet, whose validation
// fails while the table holds a move, naming what to do; the schema change
// that drops the table drops it too.
func (s Dialect) DropHistory(t dialect.Table) (guard, drop []string) {
	name := t.History
	const suffix = "_holds_moves_copy_or_delete_them_first"
	if n := 128 - len(suffix); len(name) > n {
		name = name[:n]
	}
	h := s.QuoteIdent(t.History)
	return []string{"ALTER TABLE " + h + " ADD CONSTRAINT " + s.QuoteIdent(name+suffix) + " CHECK (" + s.QuoteIdent(dialect.HistSeq) + " IS NULL);"},
		[]string{"DROP TABLE " + h + ";"}
}

// RenameInHistory is Partitioned DML, which Spanner runs in batches of
// its own: it goes with the row moves, in their file.
func (s Dialect) RenameInHistory(t dialect.Table, renames []dialect.Arc, _ bool) []string {
	set, where := dialect.HistoryRenames(s, renames)
	return []string{"UPDATE " + s.QuoteIdent(t.History) + " SET " + set + " WHERE " + where + ";"}
}

func (Dialect) LastIDStmt() dialect.Stmt { return dialect.Stmt{} }

// Prepare: the client plans a statement once per session itself.
func (Dialect) Prepare() bool      { return false }
func (Dialect) TimeLayout() string { return "" }
func (Dialect) SerialWrites() bool { return false }

// The triggers: Refuse refuses enforce with spanner, so none is ever
// asked for.

func (Dialect) Enforce(*dialect.Enforcement, *dialect.Enforcement) []string { return nil }
func (Dialect) EnforceObjects(*dialect.Enforcement) []dialect.EnforceObject { return nil }
func (Dialect) EnforceForm() int                                            { return 0 }
func (Dialect) BypassOn() string                                            { return "" }
func (Dialect) BypassOff() string                                           { return "" }

// ExpireStmt: a sweep reads its due rows and moves them one by one
// (DueStmt), as a fire does (ReadFirst).
func (Dialect) ExpireStmt(dialect.Table, dialect.Expiry) dialect.Stmt { return dialect.Stmt{} }

// DueStmt reads the due rows through the deadline's index: a read in a
// read-write transaction locks what it scans until the transaction
// commits, and a scan of the table would lock every row. Spanner has no SKIP LOCKED. Two sweeps that
// read the same due row conflict instead: Spanner aborts one, and the
// client runs its transaction again, which finds the row moved.
func (s Dialect) DueStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	ps := dialect.NewParams(s)
	return ps.Stmt(dialect.DueRows(t, e, ps, ps.Ph(dialect.ArgNow), "@{FORCE_INDEX="+s.QuoteIdent(e.Index)+"}", ""))
}

func (s Dialect) ClearStmt(t dialect.Table, e dialect.Expiry) dialect.Stmt {
	return dialect.ClearStmt(s, t, e)
}

func (Dialect) SweepReadCommitted() bool { return false }

// SweepBatch: a transaction holds the rows it read until it commits, and
// Spanner bounds the mutations one commits.
func (Dialect) SweepBatch() int { return 100 }

// Deadlines is Partitioned DML, which Spanner applies in batches of its
// own, at least once each: both updates leave right rows as they are. It
// is a file of its own, between the schema statements around it.
func (s Dialect) Deadlines(t dialect.Table, f dialect.Field, labels []string, us int64) ([]string, bool) {
	out := []string{dialect.NextFile}
	for _, u := range dialect.DeadlineUpdates(s, f, t, labels, us) {
		out = append(out, "UPDATE "+s.QuoteIdent(t.Name)+" SET "+u[0]+" WHERE "+u[1]+";")
	}
	return append(out, dialect.NextFile), false
}

// DeadlineIndex: Spanner builds it in a long-running operation that
// blocks no writer. It is not NULL_FILTERED: the emulator refuses a read
// through a null-filtered index (DueStmt's) unless a hint of its own
// says the query needs no nulls; the rows without a deadline sit at its
// start, where NULLs sort, out of a sweep's range.
func (s Dialect) DeadlineIndex(t dialect.Table, f dialect.Field, name string) (up, down []string, alone string) {
	return []string{"CREATE INDEX IF NOT EXISTS " + s.QuoteIdent(name) + " ON " + s.QuoteIdent(t.Name) + " (" + s.QuoteIdent(f.Name) + ");"},
		[]string{"DROP INDEX IF EXISTS " + s.QuoteIdent(name) + ";"}, ""
}

// SchemaDDL states each column and its constraint, and the Store's
// columns, deadline indexes (as DeadlineIndex builds them) and history
// table.
func (s Dialect) SchemaDDL(sc dialect.Schema) []string {
	var out []string
	labels := dialect.QuoteLiterals(s, sc.States)
	for _, c := range sc.Columns {
		table, col := s.QuoteIdent(c.Table), s.QuoteIdent(c.Column)
		out = append(out, "ALTER TABLE "+table+" ADD COLUMN "+col+" "+columnType(!c.Nullable, defaultLit(s, c.Default))+";")
		_, def := check(table, col, labels)
		out = append(out, "ALTER TABLE "+table+" ADD "+def+";")
	}
	indexes := sc.Indexes
	sc.Indexes = nil
	out = append(out, dialect.SchemaStore(s, sc, func(table string, f dialect.Field) string {
		return s.AddField(dialect.Table{Name: table}, f)[0]
	}, false)...)
	for _, ix := range indexes {
		up, _, _ := s.DeadlineIndex(*sc.Store, dialect.Field{Name: ix.Field}, ix.Name)
		out = append(out, up...)
	}
	return out
}

// columnType is a bound column's type: STRING(MAX), since the constraint
// is what limits its values, and a length would have to be restated (with
// the column's nullability and default) whenever a longer label came.
func columnType(notNull bool, def string) string {
	var b strings.Builder
	b.WriteString("STRING(MAX)")
	if notNull {
		b.WriteString(" NOT NULL")
	}
	if def != "" {
		b.WriteString(" DEFAULT (" + def + ")")
	}
	return b.String()
}

func defaultLit(s Dialect, label string) string {
	if label == "" {
		return ""
	}
	return s.QuoteLiteral(label)
}

// fieldTypes are the column types of the fields' types, and the types a
// parameter is cast to (Typed; "int" for a mode too).
var fieldTypes = map[string][2]string{
	"text": {"STRING(MAX)", "STRING"}, "timestamp": {"TIMESTAMP", "TIMESTAMP"},
	"int": {"INT64", "INT64"}, "bool": {"BOOL", "BOOL"}, "bytes": {"BYTES(MAX)", "BYTES"},
}

func (Dialect) FieldType(typ string) string { return fieldTypes[typ][0] }

// AddField: IF NOT EXISTS lets it run again; Spanner takes a default in
// parentheses.
func (s Dialect) AddField(t dialect.Table, f dialect.Field) []string {
	def := s.FieldType(f.Type)
	if !f.Default.Null {
		def += " NOT NULL DEFAULT (" + dialect.FieldValue(s, f, f.Default) + ")"
	}
	return []string{"ALTER TABLE " + s.QuoteIdent(t.Name) + " ADD COLUMN IF NOT EXISTS " + s.QuoteIdent(f.Name) + " " + def + ";"}
}

// DropField's guard is a constraint only the default meets, whose
// validation fails while a row holds another value; a column a constraint
// reads cannot be dropped, so the constraint goes first.
func (s Dialect) DropField(t dialect.Table, f dialect.Field) (guard, drop []string) {
	tab := "ALTER TABLE " + s.QuoteIdent(t.Name)
	if f.Timeout > 0 {
		// A deadline column has no guard: a Down drops it whatever it
		// holds. Its deadlines end first, in a file of their own, which
		// pairs with the one that starts them.
		col := s.QuoteIdent(f.Name)
		return nil, []string{dialect.NextFile, "UPDATE " + s.QuoteIdent(t.Name) + " SET " + col + " = NULL WHERE " + col + " IS NOT NULL;", dialect.NextFile, tab + " DROP COLUMN " + col + ";"}
	}
	name := t.Name + "_" + f.Name
	const suffix = "_holds_values_copy_or_clear_them_first"
	if n := 128 - len(suffix); len(name) > n {
		name = name[:n]
	}
	col, cons := s.QuoteIdent(f.Name), s.QuoteIdent(name+suffix)
	cond := col + " IS NULL"
	if !f.Default.Null {
		cond = col + " = " + dialect.FieldValue(s, f, f.Default)
	}
	return []string{tab + " ADD CONSTRAINT " + cons + " CHECK (" + cond + ");"},
		[]string{tab + " DROP CONSTRAINT " + cons + ";", tab + " DROP COLUMN " + col + ";"}
}
