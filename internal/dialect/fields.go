package dialect

import (
	"strconv"
	"strings"
)

// FieldDDL adds and drops the columns of sql.fields. Each statement can
// run again after a failure at any point.
type FieldDDL interface {
	// FieldType is the column type of a field's type.
	FieldType(typ string) string
	// AddField adds f's column unless it is there: an instant change,
	// without a rewrite of the table.
	AddField(t Table, f Field) []string
	// StartDeadlines gives the rows already in a timeout's states
	// (labels) a deadline us microseconds from now, as a move into them
	// would have; rows that have one keep it, so it can run again.
	StartDeadlines(t Table, f Field, labels []string, us int64) []string
	// DropField drops f's column if it is there; guard, which a Down
	// runs before anything else, stops the Down while a row holds a value
	// other than the field's default: dropping it would lose it.
	DropField(t Table, f Field) (guard, drop []string)
}

// startDeadlines is StartDeadlines' UPDATE.
func startDeadlines(d Dialect, t Table, f Field, labels []string, us int64) string {
	in := make([]string, len(labels))
	for i, l := range labels {
		in[i] = d.QuoteLiteral(l)
	}
	dl := d.QuoteIdent(f.Name)
	return "UPDATE " + d.QuoteIdent(t.Name) + " SET " + dl + " = " + d.Later(strconv.FormatInt(us, 10)) +
		" WHERE " + dl + " IS NULL AND " + d.QuoteIdent(t.Column) + " IN (" + strings.Join(in, ", ") + ");"
}

// fieldColumn is f's column definition after its name.
func fieldColumn(d Dialect, f Field) string {
	s := d.FieldType(f.Type)
	if !f.Default.Null {
		s += " NOT NULL DEFAULT " + fieldValue(d, f, f.Default)
	}
	return s
}

// fieldKept is the message of DropField's guard.
func fieldKept(t Table, f Field) string {
	return Message("cannot migrate: rows of "+t.Name+" hold values of "+f.Name+", which dropping the column would lose; copy or clear them first",
		"cannot migrate: copy or clear the values of "+t.Name+"."+f.Name+" first; dropping it would lose them")
}
