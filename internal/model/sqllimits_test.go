package model_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/fsmgen/fsmgen/internal/model"
)

// chainSpec is a machine of n states, each value width bytes long, bound
// to columns (YAML lines under sql.columns) in dialects.
func chainSpec(n, width int, columns, dialects string) string {
	var b strings.Builder
	b.WriteString("version: 1\nmachine: big\ninitial: s0\nstates:\n")
	for i := range n {
		name := fmt.Sprintf("s%d", i)
		fmt.Fprintf(&b, "  %s:\n    doc: one\n    value: %s\n    transitions:\n      next: s%d\n", name, name+strings.Repeat("x", width-len(name)), (i+1)%n)
	}
	b.WriteString("events:\n  next:\n    doc: on\nsql:\n  enum: big_state\n  columns:\n" + columns + "  dialects: [" + dialects + "]\n")
	return b.String()
}

const oneColumn = "    - table: jobs\n      column: state\n"

func TestMySQLEnumSize(t *testing.T) {
	for _, c := range []struct {
		name              string
		n, width          int
		columns, dialects string
		refused           bool
	}{
		// 1,018 labels of 63 bytes fit MariaDB 10.11 in a small table;
		// fsmgen keeps room for the table's other columns.
		{"largest measured, 63-byte labels", 1018, 63, oneColumn, "mysql", true},
		{"largest measured, 8-byte labels", 7244, 8, oneColumn, "mysql", true},
		{"within the budget", 937, 63, oneColumn, "mysql", false},
		{"over the budget", 938, 63, oneColumn, "mysql", true},
		{"two columns of one table share its definition", 500, 63, oneColumn + "    - table: jobs\n      column: target\n      nullable: true\n", "mysql", true},
		{"two tables each have their own", 500, 63, oneColumn + "    - table: runs\n      column: state\n", "mysql", false},
		{"no limit without mysql", 1018, 63, oneColumn, "postgres", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := model.Parse("big.yaml", []byte(chainSpec(c.n, c.width, c.columns, c.dialects)))
			refused := err != nil && strings.Contains(err.Error(), "MySQL keeps a table's definition in 64 KiB")
			if refused != c.refused || (err != nil && !refused) {
				t.Fatalf("refused = %v, want %v (err: %.300v)", refused, c.refused, err)
			}
			// Positioned at the mysql entry of sql.dialects.
			if refused && !regexp.MustCompile(`^big\.yaml:\d+:\d+: mysql: `).MatchString(err.Error()) {
				t.Fatalf("message not positioned: %.200v", err)
			}
		})
	}
}
