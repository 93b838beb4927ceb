// Package harness holds what the benchmark harnesses share about the
// databases they run on.
package harness

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	migratedb "github.com/golang-migrate/migrate/v4/database"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// Dollars rewrites ? placeholders as PostgreSQL's $1, $2, ….
func Dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Code is an error's SQLSTATE (PostgreSQL) or error number (MySQL), else
// its text; "" for none.
func Code(err error) string {
	if err == nil {
		return ""
	}
	// golang-migrate's drivers keep the driver's error without wrapping it.
	var de migratedb.Error
	if errors.As(err, &de) {
		err = de.OrigErr
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return strconv.Itoa(int(me.Number))
	}
	return err.Error()
}

// AsOwner runs q in one transaction with the table owner's documented
// bypass of the enforcement triggers, as an operator's repair would;
// dialectName is "postgres" or "mysql".
func AsOwner(ctx context.Context, db *sql.DB, dialectName, q string) error {
	d := dialects.For(dialectName)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range []string{d.BypassOn(), q, d.BypassOff()} {
		if s == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}
