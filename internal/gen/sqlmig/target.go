package sqlmig

import (
	"fmt"
	"io/fs"
	"path"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/store"
	"github.com/fsmgen/fsmgen/internal/model"
)

// Target is what a database must hold once every migration of one enum in
// one dialect's directory has run, as the history records it.
type Target struct {
	Dialect, Enum string
	Columns       []TargetColumn // in the order the history bound them
	States        []string
	// Type is what the type or ENUM holds, in the database's order,
	// retired labels included; nil on SQLite.
	Type []string
	// Version is the last migration's version, File its file's name;
	// Earlier the files of those before it, by version.
	Version int64
	File    string
	Earlier map[int64]string
	// History is the history table, keyed by HistoryKey; "" for none.
	History, HistoryKey string
	// Enforce is what the triggers enforce, nil for none. Checkable
	// tells whether they are of the form this fsmgen writes, so that
	// their text can be compared with what it would write.
	Enforce   *dialect.Enforcement
	Checkable bool
	// EnforceName is what the enforcement's triggers and function are
	// named, or start with, enforced or not.
	EnforceName string
	// Fields are the columns of sql.fields the state's table must have:
	// those the migrations added or took over, retired ones left out.
	Fields []string
	// Indexes are the indexes by which sweeps find due deadlines.
	Indexes []string
	// Dropped are the columns of timeouts the spec dropped, which the
	// migrations dropped with them.
	Dropped []string
	// HistoryColumns are the history table's columns besides its own.
	HistoryColumns []string
	// Function is the function Fire calls (sql.fire_function); "" for
	// none. FunctionBase starts its name, whatever its text, where the
	// dialect has one.
	Function, FunctionBase string
}

// Recorded reads the history of m's enum in dialect d's directory under
// out.
func Recorded(m *model.Machine, out fs.FS, dirs map[string]string, d string) (*Target, error) {
	t, _, err := recordedTarget(m, out, dirs, d)
	return t, err
}

func recordedTarget(m *model.Machine, out fs.FS, dirs map[string]string, d string) (*Target, *history, error) {
	name := path.Join(Dir(dirs, d), HistoryName(m.SQL.Enum))
	h, err := readHistory(orEmpty(out), name)
	if err != nil {
		return nil, nil, err
	}
	if h == nil || len(h.Migrations) == 0 {
		return nil, nil, fmt.Errorf("%s: no migration history; run fsmgen generate first", name)
	}
	last := h.Migrations[len(h.Migrations)-1]
	t := &Target{
		Dialect: d, Enum: h.Enum, Columns: targetColumns(h),
		States: h.States, Version: last.Version, File: last.File, Earlier: map[int64]string{},
		EnforceName: enforceName(h.Enum),
	}
	if _, ok := dialects.For(d).(dialect.FireFunctioner); ok {
		t.FunctionBase = store.FireBase(m)
	}
	for _, mg := range h.Migrations[:len(h.Migrations)-1] {
		t.Earlier[mg.Version] = mg.File
	}
	if dialects.For(d).TypeGrowth() != dialect.NoType {
		t.Type = h.dbType()
	}
	if st := h.Store; st != nil {
		t.History, t.HistoryKey, t.Function = st.History, st.Key, st.Function.name()
		for _, c := range st.HistoryColumns {
			if !c.Retired {
				t.HistoryColumns = append(t.HistoryColumns, c.Name)
			}
		}
		for _, f := range st.Fields {
			if !f.Retired {
				t.Fields = append(t.Fields, f.Name)
			}
			switch {
			case f.Retired && f.Deadline:
				t.Dropped = append(t.Dropped, f.Name)
			case f.Index != "" && !f.Retired:
				t.Indexes = append(t.Indexes, f.Index)
			}
		}
		form := dialects.For(d).EnforceForm()
		if t.Enforce = enforcement(m.SQL, st, form); t.Enforce != nil {
			// The table the triggers are on is the history's first column's.
			t.Enforce.Table, t.Enforce.Column = h.Columns[0].Table, h.Columns[0].Column
			t.Checkable = st.Enforce.Form == form
		}
	}
	return t, h, nil
}

// TargetColumn is one column the history binds.
type TargetColumn struct {
	Table, Column string
	Default       string // "" for none
	Nullable      bool
	// First is the history's first column, whose SQLite triggers carry the
	// enum's name alone (see model.SQL.ColumnNames).
	First bool
	// Collation is the MySQL column's (mysql.Bin), or "" for its
	// table's.
	Collation string
}

func targetColumns(h *history) []TargetColumn {
	out := make([]TargetColumn, len(h.Columns))
	for i, c := range h.Columns {
		out[i] = TargetColumn{Table: c.Table, Column: c.Column, Default: c.Default, Nullable: c.Nullable, First: i == 0, Collation: h.collation(c)}
	}
	return out
}
