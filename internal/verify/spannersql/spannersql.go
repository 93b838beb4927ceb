// Package spannersql is a read-only database/sql driver over Spanner's Go
// client, named "spanner", for verify's catalog queries: its data source
// name is a database's path (projects/P/instances/I/databases/D), and
// SPANNER_EMULATOR_HOST points it at an emulator. A query's parameters
// are @p1, @p2, ... Each query reads one strong snapshot; nothing writes.
package spannersql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strconv"

	"cloud.google.com/go/spanner"
	sppb "cloud.google.com/go/spanner/apiv1/spannerpb"
	"google.golang.org/api/iterator"
)

func init() { sql.Register("spanner", spannerDriver{}) }

type spannerDriver struct{}

func (spannerDriver) Open(dsn string) (driver.Conn, error) {
	c, err := spanner.NewClient(context.Background(), dsn)
	if err != nil {
		return nil, err
	}
	return &conn{c: c}, nil
}

type conn struct{ c *spanner.Client }

var errReadOnly = errors.New("spannersql: read-only: queries only")

func (*conn) Prepare(string) (driver.Stmt, error) { return nil, errReadOnly }
func (*conn) Begin() (driver.Tx, error)           { return nil, errReadOnly }

func (c *conn) Close() error {
	c.c.Close()
	return nil
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	stmt := spanner.Statement{SQL: query, Params: map[string]any{}}
	for _, a := range args {
		stmt.Params["p"+strconv.Itoa(a.Ordinal)] = a.Value
	}
	it := c.c.Single().Query(ctx, stmt)
	first, err := it.Next()
	if err != nil && err != iterator.Done {
		it.Stop()
		return nil, err
	}
	r := &rows{it: it, next: first}
	if it.Metadata != nil {
		for _, f := range it.Metadata.RowType.Fields {
			r.cols = append(r.cols, f.Name)
		}
	}
	return r, nil
}

type rows struct {
	it   *spanner.RowIterator
	next *spanner.Row
	cols []string
}

func (r *rows) Columns() []string { return r.cols }

func (r *rows) Close() error {
	r.it.Stop()
	return nil
}

func (r *rows) Next(dest []driver.Value) error {
	if r.next == nil {
		return io.EOF
	}
	row := r.next
	var err error
	if r.next, err = r.it.Next(); err == iterator.Done {
		r.next, err = nil, nil
	}
	for i := range dest {
		if dest[i], err = value(row, i); err != nil {
			return err
		}
	}
	return err
}

// value decodes column i as database/sql takes it: NULL as nil.
func value(row *spanner.Row, i int) (driver.Value, error) {
	var g spanner.GenericColumnValue
	if err := row.Column(i, &g); err != nil {
		return nil, err
	}
	switch g.Type.Code {
	case sppb.TypeCode_INT64:
		var v spanner.NullInt64
		err := g.Decode(&v)
		return nullable(v.Valid, v.Int64), err
	case sppb.TypeCode_BOOL:
		var v spanner.NullBool
		err := g.Decode(&v)
		return nullable(v.Valid, v.Bool), err
	case sppb.TypeCode_TIMESTAMP:
		var v spanner.NullTime
		err := g.Decode(&v)
		return nullable(v.Valid, v.Time), err
	case sppb.TypeCode_BYTES:
		var v []byte
		err := g.Decode(&v)
		return v, err
	default:
		var v spanner.NullString
		err := g.Decode(&v)
		return nullable(v.Valid, v.StringVal), err
	}
}

func nullable[T any](valid bool, v T) driver.Value {
	if !valid {
		return nil
	}
	return v
}
