package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	sqldialect "github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
	"github.com/fsmgen/fsmgen/internal/gen/sqlmig"
	"github.com/fsmgen/fsmgen/internal/verify"
)

// verifyTimeout bounds the catalog queries: they read a few rows, so a
// database that takes longer is unreachable or locked, and saying so beats
// hanging a deploy.
const verifyTimeout = 30 * time.Second

func runVerify(p *plan, url, table string, stdout, stderr io.Writer) int {
	if url == "" {
		fmt.Fprintf(stderr, "fsmgen verify: -db URL is required\n\n%s", usage)
		return ExitUsage
	}
	db, dialect, urlTable, err := verify.Open(url)
	if err != nil {
		fmt.Fprintf(stderr, "fsmgen verify: %v\n", err)
		return ExitUsage
	}
	if table == "" {
		table = urlTable
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
	defer cancel()
	code, checked := ExitOK, 0
	for _, j := range p.machines {
		q := j.m.SQL
		if q == nil || !slices.Contains(q.Dialects, dialect) {
			continue
		}
		checked++
		t, err := sqlmig.Recorded(j.m, os.DirFS(p.root), j.opts.Migrations, dialect)
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen verify: %s: %v\n", p.root, err)
			code = ExitFail
			continue
		}
		var diffs []string
		failed := false
		for i, c := range t.Columns {
			names := q.UnquotedColumnNames(c.Table, c.Column, c.First)
			var twins []string
			var bases [2]string
			if dialects.For(dialect).TypeGrowth() == sqldialect.Appended {
				// A type that only grows at its end keeps retired labels,
				// which its own triggers forbid.
				names.InsertTrigger, names.UpdateTrigger = names.StatesInsert, names.StatesUpdate
				twins = []string{names.StatesInsertNext, names.StatesUpdateNext}
				bases = [2]string{names.StatesInsertBase, names.StatesUpdateBase}
			}
			d, err := verify.Check(ctx, db, verify.Want{
				Dialect: dialect, Enum: t.Enum, Table: c.Table, Column: c.Column, Default: c.Default, Nullable: c.Nullable,
				States: t.States, Type: t.Type, StatesCheck: names.States,
				InsertTrigger: names.InsertTrigger, UpdateTrigger: names.UpdateTrigger,
				Collation: c.Collation, Twins: twins, InsertBase: bases[0], UpdateBase: bases[1],
				Enforced: twins != nil && t.Enforce != nil && i == 0,
				Guarded:  twins != nil && t.Enforce != nil && t.Checkable && i == 0,
			})
			if err != nil {
				fmt.Fprintf(stderr, "fsmgen verify: %v\n", err)
				code, failed = ExitFail, true
			}
			diffs = append(diffs, d...)
		}
		d, err := verify.CheckStore(ctx, db, verify.Store{Dialect: dialect, History: t.History, Key: t.HistoryKey, Enforce: t.Enforce, Checkable: t.Checkable, EnforceName: t.EnforceName, Table: t.Columns[0].Table, Fields: t.Fields, Indexes: t.Indexes, Dropped: t.Dropped, HistoryColumns: t.HistoryColumns, Function: t.Function, FunctionBase: t.FunctionBase})
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen verify: %v\n", err)
			code, failed = ExitFail, true
		}
		diffs = append(diffs, d...)
		// Said first: it explains the differences after it.
		d, err = verify.CheckApplied(ctx, db, verify.Runner{Dialect: dialect, Format: dialects.For(dialect).Format(q.Format), Table: table, Version: t.Version, File: t.File, Earlier: t.Earlier})
		if err != nil {
			fmt.Fprintf(stderr, "fsmgen verify: %v\n", err)
			code, failed = ExitFail, true
		}
		diffs = append(d, diffs...)
		if len(diffs) > 0 {
			fmt.Fprintf(stderr, "fsmgen verify: the database differs from the %s migration history of %s (version %d):\n", dialect, t.Enum, t.Version)
			for _, d := range slices.Compact(diffs) {
				fmt.Fprintf(stderr, "  - %s\n", d)
			}
			code = ExitFail
			continue
		}
		if failed {
			continue
		}
		for _, c := range t.Columns {
			fmt.Fprintf(stdout, "%s.%s matches the %s migration history of %s (version %d)\n", c.Table, c.Column, dialect, t.Enum, t.Version)
		}
	}
	if checked == 0 {
		fmt.Fprintf(stderr, "fsmgen verify: no machine has %s migrations, so there is nothing in this database to verify\n", dialect)
		return ExitFail
	}
	return code
}
