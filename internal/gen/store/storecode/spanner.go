package storecode

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"

	"cloud.google.com/go/spanner"
	"cloud.google.com/go/spanner/apiv1/spannerpb"
	"google.golang.org/api/iterator"
)

// SpannerStore is the Store over Cloud Spanner's Go client: the same
// calls and guarantees, inside the caller's read-write transaction, with
// its other reads and writes. A move reads the row's state, which locks the
// row until the transaction commits, then writes the state it leads to;
// when two transactions race for a row, Spanner aborts one and the client
// runs its function again (ReadWriteTransaction). The In forms run a call
// in a transaction of their own. A SpannerStore is safe for concurrent use.
type SpannerStore struct {
	s *Store
}

// Create is Store.Create in tx.
func (s *SpannerStore) Create(ctx context.Context, tx *spanner.ReadWriteTransaction, key any, st State, opts ...Option) error {
	return s.s.create(ctx, spannerRun(tx), key, st, opts)
}

// Fire is Store.Fire in tx.
func (s *SpannerStore) Fire(ctx context.Context, tx *spanner.ReadWriteTransaction, key any, ev Event, opts ...Option) (from, to State, err error) {
	return s.s.fireEvent(ctx, spannerRun(tx), key, ev, opts)
}

// Move is Store.Move in tx.
func (s *SpannerStore) Move(ctx context.Context, tx *spanner.ReadWriteTransaction, key any, from State, ev Event, opts ...Option) (to State, err error) {
	return s.s.moveFrom(ctx, spannerRun(tx), key, from, ev, opts)
}

// SpannerReader is what Get reads with: a *spanner.ReadWriteTransaction,
// a *spanner.ReadOnlyTransaction, or the client's Single().
type SpannerReader interface {
	Query(ctx context.Context, statement spanner.Statement) *spanner.RowIterator
}

// Get is Store.Get with r.
func (s *SpannerStore) Get(ctx context.Context, r SpannerReader, key any) (Row, error) {
	return s.s.get(ctx, spannerConn{r: r}, key)
}

// CreateIn is Create in a read-write transaction of its own.
func (s *SpannerStore) CreateIn(ctx context.Context, c *spanner.Client, key any, st State, opts ...Option) error {
	return s.s.create(ctx, spannerTx(c), key, st, opts)
}

// FireIn is Fire in a read-write transaction of its own.
func (s *SpannerStore) FireIn(ctx context.Context, c *spanner.Client, key any, ev Event, opts ...Option) (from, to State, err error) {
	return s.s.fireEvent(ctx, spannerTx(c), key, ev, opts)
}

// MoveIn is Move in a read-write transaction of its own.
func (s *SpannerStore) MoveIn(ctx context.Context, c *spanner.Client, key any, from State, ev Event, opts ...Option) (to State, err error) {
	return s.s.moveFrom(ctx, spannerTx(c), key, from, ev, opts)
}

// spannerRun runs a call's statements in tx: the caller's transaction is
// the call's.
func spannerRun(tx *spanner.ReadWriteTransaction) storeRun {
	return func(_ context.Context, fn func(storeConn) error) error { return fn(spannerConn{r: tx, tx: tx}) }
}

// spannerTx runs each of a call's transactions in a read-write
// transaction of its own on c, which the client runs again when Spanner
// aborts it: what the call keeps of an attempt, it sets anew in the next.
func spannerTx(c *spanner.Client) storeRun {
	return func(ctx context.Context, fn func(storeConn) error) error {
		_, err := c.ReadWriteTransaction(ctx, func(ctx context.Context, tx *spanner.ReadWriteTransaction) error {
			return spannerRun(tx)(ctx, fn)
		})
		return err
	}
}

// spannerConn runs statements with r, and DML in tx.
type spannerConn struct {
	r  SpannerReader
	tx *spanner.ReadWriteTransaction
}

// statement names the parameters @p1, @p2, ..., as the dialect writes
// them, with values the client takes.
func (spannerConn) statement(st storeStmt, args []any) (spanner.Statement, error) {
	stmt := spanner.Statement{SQL: st.query, Params: make(map[string]any, len(args))}
	for i, a := range args {
		if v, ok := a.(driver.Valuer); ok {
			var err error
			if a, err = v.Value(); err != nil {
				return stmt, err
			}
		}
		if a == nil {
			a = spanner.NullString{}
		}
		stmt.Params["p"+strconv.Itoa(i+1)] = a
	}
	return stmt, nil
}

func (c spannerConn) exec(ctx context.Context, st storeStmt, args ...any) (storeResult, error) {
	stmt, err := c.statement(st, args)
	if err != nil {
		return nil, err
	}
	n, err := c.tx.Update(ctx, stmt)
	return spannerResult(n), err
}

func (c spannerConn) query(ctx context.Context, st storeStmt, args ...any) (storeRows, error) {
	stmt, err := c.statement(st, args)
	if err != nil {
		return nil, err
	}
	return &spannerRows{it: c.r.Query(ctx, stmt)}, nil
}

func (c spannerConn) scan(ctx context.Context, st storeStmt, args []any, dest ...any) error {
	rows, err := c.query(ctx, st, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return rows.Scan(dest...)
}

type spannerResult int64

func (r spannerResult) RowsAffected() (int64, error) { return int64(r), nil }

// LastInsertId is never asked for: Spanner's moves read first.
func (r spannerResult) LastInsertId() (int64, error) {
	return 0, errors.New("spanner: no LastInsertId")
}

type spannerRows struct {
	it  *spanner.RowIterator
	row *spanner.Row
	err error
}

func (r *spannerRows) Next() bool {
	r.row, r.err = r.it.Next()
	if r.err == iterator.Done {
		r.row, r.err = nil, nil
	}
	return r.row != nil
}

// Scan decodes a column into what the client decodes (*int64, *string,
// ...) as it is, and into a sql.Scanner (State, a field's sql.Null) what
// database/sql would hand it: the column's value, or nil for NULL.
func (r *spannerRows) Scan(dest ...any) error {
	for i, d := range dest {
		sc, ok := d.(sql.Scanner)
		if !ok {
			if err := r.row.Column(i, d); err != nil {
				return err
			}
			continue
		}
		v, err := spannerValue(r.row, i)
		if err == nil {
			err = sc.Scan(v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// spannerValue decodes column i by its type, NULL as nil.
func spannerValue(row *spanner.Row, i int) (any, error) {
	var g spanner.GenericColumnValue
	if err := row.Column(i, &g); err != nil {
		return nil, err
	}
	switch g.Type.Code {
	case spannerpb.TypeCode_INT64:
		var v spanner.NullInt64
		err := g.Decode(&v)
		return spannerNull(v.Valid, v.Int64), err
	case spannerpb.TypeCode_BOOL:
		var v spanner.NullBool
		err := g.Decode(&v)
		return spannerNull(v.Valid, v.Bool), err
	case spannerpb.TypeCode_TIMESTAMP:
		var v spanner.NullTime
		err := g.Decode(&v)
		return spannerNull(v.Valid, v.Time), err
	case spannerpb.TypeCode_BYTES:
		var v []byte
		err := g.Decode(&v)
		return v, err
	}
	var v spanner.NullString
	err := g.Decode(&v)
	return spannerNull(v.Valid, v.StringVal), err
}

func spannerNull[T any](valid bool, v T) any {
	if !valid {
		return nil
	}
	return v
}

func (r *spannerRows) Err() error { return r.err }

func (r *spannerRows) Close() error {
	r.it.Stop()
	return r.err
}
