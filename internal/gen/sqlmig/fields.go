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

// changedFields: held maps labels of prev to those the state column holds
// once the enum's change is up (nil: no change). after says the changes
// go in a migration after the enum's, whose Down runs before the enum's
// Down: its deadlines are started in the held labels.
func changedFields(m *model.Machine, d dialect.Dialect, prev, next *storeRecord, held func([]string) []string, after bool) *fieldChanges {
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
	// late are p's deadlines, started by a Down that runs before the
	// enum's Down.
	late := func(p fieldRecord) []string {
		if held != nil {
			p.States = held(p.States)
		}
		return deadlines(p)
	}
	downDeadlines := deadlines
	if after {
		downDeadlines = late
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
	// own makes a timeout's change a migration of its own, after the
	// enum's, where the dialect cuts its statements into files
	// (NextFile): the files of the up and of the Down pair one to one
	// (split), which statements of other changes among them would break.
	// It reports whether it did.
	own := func(word, part string, up, down []string) bool {
		if !slices.Contains(up, dialect.NextFile) && !slices.Contains(down, dialect.NextFile) {
			return false
		}
		c.after = append(c.after, &migration{
			slug: m.SQL.Enum + "_" + part, title: m.SQL.Enum + ": " + word,
			noTx: d.DDLNoTx(), up: stmts(up), down: stmts(down),
		})
		return true
	}
	if next != nil {
		for _, l := range next.Fields {
			p := find(prev, l.Name)
			switch {
			case l.Retired || l.Adopt || p != nil && p.Retired && !p.Deadline:
				// A retired field's column stands; a retired one that
				// comes back has it still.
			case p == nil || p.Retired:
				add := d.AddField(t, l.field())
				guard, drop := d.DropField(t, l.field())
				if !l.Deadline {
					c.up, c.guard, c.down = append(c.up, add...), append(c.guard, guard...), append(c.down, drop...)
					c.words, c.parts = append(c.words, "add field "+l.Name), append(c.parts, "add_"+l.Name)
					continue
				}
				// The rows already in the timeout's states get the
				// deadline a move into them would have given them.
				word, part := "add timeout "+l.Name, "timeout_"+l.Name
				up, down := index(l, true)
				sync, down := append(deadlines(l), up...), append(down, drop...)
				if own(word, part, append(add, sync...), down) {
					continue
				}
				c.up, c.upSync, c.down = append(c.up, add...), append(c.upSync, sync...), append(c.down, down...)
				c.words, c.parts = append(c.words, word), append(c.parts, part)
			case l.Deadline:
				var up, down, upIndex, downIndex, words, parts []string
				if !slices.Equal(p.States, l.States) {
					up = deadlines(l)
					words, parts = append(words, "timeout "+l.Name+" in "+strings.Join(l.States, ", ")), append(parts, "timeout_"+l.Name+"_states")
				}
				if p.Index == "" {
					if upIndex, downIndex = index(l, true); len(upIndex) > 0 {
						words, parts = append(words, "index "+l.Name), append(parts, "index_"+l.Name)
					}
				}
				var downLate []string
				if len(up) > 0 && p.States != nil {
					down, downLate = downDeadlines(*p), late(*p)
				}
				if len(words) == 0 || own(strings.Join(words, ", "), strings.Join(parts, "_"), append(up, upIndex...), append(downIndex, downLate...)) {
					continue
				}
				c.upSync, c.downSync, c.down = append(append(c.upSync, up...), upIndex...), append(c.downSync, down...), append(c.down, downIndex...)
				c.words, c.parts = append(c.words, words...), append(c.parts, parts...)
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
			word, part := "drop timeout "+p.Name, "drop_timeout_"+p.Name
			add := d.AddField(t, p.field())
			if own(word, part, append(up, drop...), append(add, append(late(p), down...)...)) {
				continue
			}
			c.up = append(append(c.up, up...), drop...)
			c.down = append(c.down, add...)
			c.downSync = append(append(c.downSync, downDeadlines(p)...), down...)
			c.words, c.parts = append(c.words, word), append(c.parts, part)
		}
	}
	return c
}

// batchNoTx says why a migration that starts deadlines runs outside a
// transaction.
const batchNoTx = "Each statement commits on its own, so no lock outlives it: deadlines start in batches. Every statement can run again after a failure."
