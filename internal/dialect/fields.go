package dialect

import (
	"strconv"
	"strings"
)

// BatchSize bounds how many rows one batch of a migration's UPDATE locks
// and rewrites: small enough that a writer waiting on one of them waits
// milliseconds.
const BatchSize = 5000

// FieldDDL adds and drops the columns of sql.fields. Each statement can
// run again after a failure at any point.
type FieldDDL interface {
	// FieldType is the column type of a field's type.
	FieldType(typ string) string
	// AddField adds f's column unless it is there: an instant change,
	// without a rewrite of the table.
	AddField(t Table, f Field) []string
	// Deadlines brings a timeout's deadlines in line with its states
	// (labels), as moves into and out of them would have: a row in them
	// without a deadline gets one us microseconds from now, a row outside
	// them loses its own. Rows that are right already stay as they are,
	// so it can run again. Where batch is true its statements commit
	// batch by batch, and the migration must run outside a transaction.
	Deadlines(t Table, f Field, labels []string, us int64) (stmts []string, batch bool)
	// DeadlineIndex builds the index by which a sweep finds the due rows
	// without blocking writers, and drops it. Where alone says why, up is
	// one statement that must be a migration of its own: it cannot run
	// inside a transaction block or share a query with another.
	DeadlineIndex(t Table, f Field, name string) (up, down []string, alone string)
	// DropField drops f's column if it is there; guard, which a Down
	// runs before anything else, stops the Down while a row holds a value
	// other than the field's default: dropping it would lose it.
	DropField(t Table, f Field) (guard, drop []string)
}

// DeadlineUpdates are Deadlines' two changes, each as the SET and the
// WHERE of an UPDATE: start the missing deadlines, end the stray ones.
func DeadlineUpdates(d Dialect, f Field, t Table, labels []string, us int64) [2][2]string {
	in := make([]string, len(labels))
	for i, l := range labels {
		in[i] = d.QuoteLiteral(l)
	}
	dl, col, set := d.QuoteIdent(f.Name), d.QuoteIdent(t.Column), " IN ("+strings.Join(in, ", ")+")"
	return [2][2]string{
		{dl + " = " + d.Later(strconv.FormatInt(us, 10)), dl + " IS NULL AND " + col + set},
		{dl + " = NULL", dl + " IS NOT NULL AND " + col + " NOT" + set},
	}
}

// FieldColumn is f's column definition after its name.
func FieldColumn(d Dialect, f Field) string {
	s := d.FieldType(f.Type)
	if !f.Default.Null {
		s += " NOT NULL DEFAULT " + FieldValue(d, f, f.Default)
	}
	return s
}

// FieldKept is the message of DropField's guard.
func FieldKept(t Table, f Field) string {
	return Message("cannot migrate: rows of "+t.Name+" hold values of "+f.Name+", which dropping the column would lose; copy or clear them first",
		"cannot migrate: copy or clear the values of "+t.Name+"."+f.Name+" first; dropping it would lose them")
}
