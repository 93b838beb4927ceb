package storecode

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
)

// pgxRun runs a call's statements on db as they are: on PostgreSQL each
// call is one statement.
func pgxRun(db PgxDBTX) storeRun {
	return func(_ context.Context, fn func(storeConn) error) error { return fn(pgxConn{db}) }
}

type pgxConn struct{ db PgxDBTX }

func (c pgxConn) exec(ctx context.Context, st storeStmt, args ...any) (storeResult, error) {
	tag, err := c.db.Exec(ctx, st.query, args...)
	return pgxResult(tag.RowsAffected()), err
}

func (c pgxConn) query(ctx context.Context, st storeStmt, args ...any) (storeRows, error) {
	rows, err := c.db.Query(ctx, st.query, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

func (c pgxConn) scan(ctx context.Context, st storeStmt, args []any, dest ...any) error {
	err := c.db.QueryRow(ctx, st.query, args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	return err
}

type pgxResult int64

func (r pgxResult) RowsAffected() (int64, error) { return int64(r), nil }

// LastInsertId is never asked for: PostgreSQL's statements return what
// they moved.
func (r pgxResult) LastInsertId() (int64, error) {
	return 0, errors.New("pgx: no LastInsertId")
}

type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}
