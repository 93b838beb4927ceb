package sqlmig

import (
	"io/fs"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/gen/store"
	"github.com/fsmgen/fsmgen/internal/model"
)

// Schema is what the migrations of m's enum in dialect's directory under
// out leave in the database, as the history records it, for the plain
// schema file. With sql.adopt every column counts as adopted: the history
// does not record which ones the first migration took over.
func Schema(m *model.Machine, out fs.FS, dirs map[string]string, d string) (*dialect.Schema, error) {
	t, h, err := recordedTarget(m, out, dirs, d)
	if err != nil {
		return nil, err
	}
	q := m.SQL
	s := &dialect.Schema{Enum: t.Enum, Type: h.dbType(), States: t.States, Adopt: q.Adopt, Enforce: t.Enforce}
	for _, c := range t.Columns {
		n := q.UnquotedColumnNames(c.Table, c.Column, c.First)
		s.Columns = append(s.Columns, dialect.SchemaColumn{
			Table: c.Table, Column: c.Column, Default: c.Default, Nullable: c.Nullable,
			Adopted: q.Adopt != nil, Collation: c.Collation,
			States: n.States, InsertTrigger: n.InsertTrigger, UpdateTrigger: n.UpdateTrigger,
			Invalid: invalidValue(t.Enum, c.Table+"."+c.Column),
		})
	}
	if st := h.Store; st != nil {
		tab := store.Table(m)
		tab.Name, tab.Key, tab.History, tab.Fields = t.Columns[0].Table, st.Key, st.History, nil
		for _, f := range st.Fields {
			// A retired field's column stays; a dropped timeout's goes.
			if !f.Adopt && !(f.Retired && f.Deadline) {
				tab.Fields = append(tab.Fields, f.field())
			}
			if f.Index != "" && !f.Retired {
				s.Indexes = append(s.Indexes, dialect.SchemaIndex{Name: f.Index, Field: f.Name})
			}
		}
		for _, f := range st.HistoryColumns {
			s.HistoryColumns = append(s.HistoryColumns, f.field())
		}
		s.Store = &tab
	}
	return s, nil
}

// invalidValue is the message of the triggers that keep a SQLite column
// (table.column) to its labels.
func invalidValue(enum, column string) string {
	return "invalid " + enum + " value for " + column
}
