package sqlmig

import (
	"slices"
	"strings"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/gen/store"
	"github.com/fsmgen/fsmgen/internal/model"
)

// fieldChanges is what the fields' columns need to go from one store to
// the next: columns added, a timeout's deadlines started in the rows
// already in its states (and brought in line when its states change), its
// index built, and its column dropped when the spec drops the timeout.
type fieldChanges struct {
	up, guard, down []string
	// histUp adds history columns, once the history table stands.
	histUp []string
	// upSync and downSync start and end deadlines, and build their
	// indexes, once the state column holds the labels each direction
	// ends at.
	upSync, downSync []string
	words, parts     []string
	// batch: up or down commit batch by batch (Deadlines), so the
	// migration runs outside a transaction.
	batch bool
	// before and after hold the index changes that must each be a
	// migration of their own (DeadlineIndex's alone): drops before the
	// migration that drops their columns, builds after the one that adds
	// them.
	before, after []*migration
}

func (c *fieldChanges) empty() bool {
	return len(c.up)+len(c.down)+len(c.histUp)+len(c.upSync)+len(c.downSync)+len(c.before)+len(c.after) == 0
}

// deadlineIndex names the index of a deadline column.
func deadlineIndex(t dialect.Table, field string) string {
	return cutName(t.Name+"_"+field, len("_due")) + "_due"
}

func changedFields(m *model.Machine, d dialect.Dialect, prev, next *storeRecord) *fieldChanges {
	c := &fieldChanges{}
	if next == nil && prev == nil {
		return c
	}
	t := store.Table(m)
	find := func(l *storeRecord, name string) *fieldRecord {
		if l == nil {
			return nil
		}
		if i := slices.IndexFunc(l.Fields, func(f fieldRecord) bool { return f.Name == name }); i >= 0 {
			return &l.Fields[i]
		}
		return nil
	}
	deadlines := func(l fieldRecord) []string {
		ss, batch := d.Deadlines(t, l.field(), l.States, l.AfterUS)
		c.batch = c.batch || batch
		return ss
	}
	index := func(l fieldRecord, build bool) (up, down []string) {
		up, down, alone := d.DeadlineIndex(t, l.field(), l.Index)
		if alone == "" {
			return up, down
		}
		ix := &migration{noTx: alone, alone: true, up: stmts(up), down: stmts(down)}
		if build {
			ix.slug, ix.title = m.SQL.Enum+"_index_"+l.Name, m.SQL.Enum+": index "+l.Name
			c.after = append(c.after, ix)
		} else {
			ix.slug, ix.title = m.SQL.Enum+"_drop_index_"+l.Name, m.SQL.Enum+": drop index "+l.Name
			ix.up, ix.down = ix.down, ix.up
			c.before = append(c.before, ix)
		}
		return nil, nil
	}
	if next != nil {
		for _, l := range next.Fields {
			p := find(prev, l.Name)
			switch {
			case l.Retired || l.Adopt || p != nil && p.Retired && !p.Deadline:
				// A retired field's column stands; a retired one that
				// comes back has it still.
			case p == nil || p.Retired:
				c.up = append(c.up, d.AddField(t, l.field())...)
				guard, drop := d.DropField(t, l.field())
				if !l.Deadline {
					c.guard, c.down = append(c.guard, guard...), append(c.down, drop...)
					c.words, c.parts = append(c.words, "add field "+l.Name), append(c.parts, "add_"+l.Name)
					continue
				}
				// The rows already in the timeout's states get the
				// deadline a move into them would have given them.
				up, down := index(l, true)
				c.upSync = append(append(c.upSync, deadlines(l)...), up...)
				c.down = append(append(c.down, down...), drop...)
				c.words, c.parts = append(c.words, "add timeout "+l.Name), append(c.parts, "timeout_"+l.Name)
			case l.Deadline:
				if !slices.Equal(p.States, l.States) {
					c.upSync = append(c.upSync, deadlines(l)...)
					if p.States != nil {
						c.downSync = append(c.downSync, deadlines(*p)...)
					}
					c.words, c.parts = append(c.words, "timeout "+l.Name+" in "+strings.Join(l.States, ", ")), append(c.parts, "timeout_"+l.Name+"_states")
				}
				if p.Index == "" {
					up, down := index(l, true)
					c.upSync, c.down = append(c.upSync, up...), append(c.down, down...)
					if len(up) > 0 {
						c.words, c.parts = append(c.words, "index "+l.Name), append(c.parts, "index_"+l.Name)
					}
				}
			}
		}
	}
	// The history's columns besides its own. A new history table gets
	// them with it, and its Down drops them with it.
	if next != nil && next.History != "" {
		h := dialect.Table{Name: next.History}
		for _, l := range next.HistoryColumns {
			if prev != nil && slices.ContainsFunc(prev.HistoryColumns, func(p fieldRecord) bool { return p.Name == l.Name }) {
				continue
			}
			c.histUp = append(c.histUp, d.AddField(h, l.field())...)
			if prev != nil && prev.History != "" {
				guard, drop := d.DropField(h, l.field())
				c.guard, c.down = append(c.guard, guard...), append(c.down, drop...)
			}
			c.words, c.parts = append(c.words, "record "+l.Name+" in "+next.History), append(c.parts, "history_"+l.Name)
		}
	}
	// A timeout the spec dropped takes its column with it: deadlines are
	// derived from the states, and no one else reads them. Its Down adds
	// the column again and starts the deadlines anew.
	if prev != nil {
		for _, p := range prev.Fields {
			if !p.Deadline || p.Retired || find(next, p.Name) != nil && !find(next, p.Name).Retired {
				continue
			}
			var up, down []string
			if p.Index != "" {
				down, up = index(p, false) // inline: dropped first, built last
			}
			_, drop := d.DropField(t, p.field())
			c.up = append(append(c.up, up...), drop...)
			c.down = append(c.down, d.AddField(t, p.field())...)
			c.downSync = append(append(c.downSync, deadlines(p)...), down...)
			c.words, c.parts = append(c.words, "drop timeout "+p.Name), append(c.parts, "drop_timeout_"+p.Name)
		}
	}
	return c
}

// batchNoTx says why a migration that starts deadlines runs outside a
// transaction.
const batchNoTx = "Each statement commits on its own, so no lock outlives it: deadlines start in batches. Every statement can run again after a failure."
