package mysql

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/dialect"
)

// TestStatesTriggersWhoseNamesCollide: a name keeps five hex digits of
// the text's hash, so two label sets can share it. Then the new trigger
// cannot stand beside the old one under that name: a twin stands in while
// it is dropped and created again, and nothing drops the name after.
func TestStatesTriggersWhoseNamesCollide(t *testing.T) {
	m := Dialect{}
	c := dialect.PlanColumn{
		ColumnNames: dialect.ColumnNames{Table: "`t`", Column: "`c`", StatesInsert: "`t_c_fsmgen_ins`", StatesInsertNext: "`t_c_fsmgen_ins_next`", StatesInsertBase: "t_c_fsmgen_i"},
		Invalid:     "'invalid'",
	}
	trigger := func(labels string) dialect.StatesTrigger {
		return dialect.ColumnTriggers(c, labels)[0]
	}
	// Label sets until two names collide (about a thousand, by the
	// birthday bound on 2^20 names).
	seen := map[string]string{}
	var prev, next string
	for i := 0; prev == ""; i++ {
		labels := fmt.Sprintf("'a', 'b%d'", i)
		name, _ := m.statesTrigger(trigger(labels))
		if was, ok := seen[name]; ok {
			prev, next = was, labels
		}
		seen[name] = labels
	}
	name, text := m.statesTrigger(trigger(next))
	want := []string{
		"DROP TRIGGER IF EXISTS `t_c_fsmgen_ins_next`;",
		"CREATE TRIGGER `t_c_fsmgen_ins_next`" + text + ";",
		"DROP TRIGGER IF EXISTS " + name + ";",
		"CREATE TRIGGER " + name + text + ";",
		"DROP TRIGGER IF EXISTS `t_c_fsmgen_ins_next`;",
		"DROP TRIGGER IF EXISTS `t_c_fsmgen_ins`;",
	}
	if got := m.states([]dialect.StatesTrigger{trigger(next)}, prev); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("from %s to %s, both %s:\n%s\nwant\n%s", prev, next, name, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without a collision: beside the old one, which then goes.
	other := "'a', 'z'"
	was, _ := m.statesTrigger(trigger(other))
	name, text = m.statesTrigger(trigger(next))
	want = []string{
		"CREATE TRIGGER IF NOT EXISTS " + name + text + ";",
		"DROP TRIGGER IF EXISTS " + was + ";",
		"DROP TRIGGER IF EXISTS `t_c_fsmgen_ins`;",
	}
	if got := m.states([]dialect.StatesTrigger{trigger(next)}, other); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("from %s to %s:\n%s\nwant\n%s", other, next, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
