package verify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// Runner is the tool that applies the migrations and the table in which
// it records what ran.
type Runner struct {
	Dialect string
	// Format is goose or golang-migrate, as the dialect writes it
	// (Dialect.Format).
	Format string
	// Table is its version table; "" for the tool's own default.
	Table string
	// Version is the history's last migration, in File; Earlier the
	// files of those before it, by version.
	Version int64
	File    string
	Earlier map[int64]string
}

// DefaultTable is the version table each runner uses unless told
// otherwise (goose -table, golang-migrate's x-migrations-table).
var DefaultTable = map[string]string{"goose": "goose_db_version", "golang-migrate": "schema_migrations"}

// plainTable is what a version table's name may be: it is written into
// the query as it is, so nothing that needs quoting; it is looked up in
// the connection's schema, as the checks look up the bound tables.
var plainTable = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// CheckApplied says whether r's last migration has run to its end: a
// database at an older version, or one where a migration stopped half
// way, differs from the history in ways the other checks can only
// describe piece by piece. A database without the version table says
// nothing: its migrations may be applied by another tool, under other
// numbers.
func CheckApplied(ctx context.Context, db *sql.DB, r Runner) ([]string, error) {
	table := r.Table
	if table == "" {
		table = dialects.For(r.Dialect).VersionTable(r.Format)
	}
	if table == "" {
		table = DefaultTable[r.Format]
	}
	if !plainTable.MatchString(table) {
		return nil, fmt.Errorf("version table %q: a name of letters, digits and _, in the connection's schema", table)
	}
	c := &checker{ctx: ctx, db: db, cat: dialects.For(r.Dialect).Catalog()}
	cols, err := c.strings(c.cat.Columns, table)
	if err != nil || len(cols) == 0 {
		return nil, err
	}
	run := fmt.Sprintf("migration %s (version %d) has not run here", r.File, r.Version)
	switch r.Format {
	case "golang-migrate":
		var v int64
		var dirty bool
		err := db.QueryRowContext(ctx, "SELECT version, dirty FROM "+table).Scan(&v, &dirty)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c.diff("%s: %s records no version (run migrate up)", run, table)
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", table, err)
		case dirty:
			c.diff("%s marks version %d dirty: that migration stopped half way; run `migrate force` with the version before it, then `migrate up`, which finishes it", table, v)
		case v < r.Version:
			c.diff("%s: %s records version %d (run migrate up)", run, table, v)
		}
	default:
		applied, err := c.gooseApplied(table)
		if err != nil {
			return nil, err
		}
		var last int64
		for v, ok := range applied {
			if ok {
				last = max(last, v)
			}
		}
		if !applied[r.Version] {
			c.diff("%s: %s records version %d as the last applied (run goose up; a migration that stopped half way finishes when run again)", run, table, last)
		}
		// Earlier ones it has not applied though it applied later ones:
		// merged from another branch after those ran, which goose up
		// leaves out unless told -allow-missing.
		for _, v := range slices.Sorted(maps.Keys(r.Earlier)) {
			if v < last && !applied[v] {
				c.diff("migration %s (version %d) has not run here, though %s records later ones as applied (goose up -allow-missing runs it)", r.Earlier[v], v, table)
			}
		}
	}
	return c.diffs, nil
}

// gooseApplied reads goose's table: whether each version it records is
// applied, as its last row for the version says.
func (c *checker) gooseApplied(table string) (map[int64]bool, error) {
	rows, err := c.db.QueryContext(c.ctx, "SELECT version_id, is_applied FROM "+table+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", table, err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		var ok bool
		if err := rows.Scan(&v, &ok); err != nil {
			return nil, fmt.Errorf("reading %s: %w", table, err)
		}
		applied[v] = ok
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", table, err)
	}
	return applied, nil
}
