package dialect

import "strings"

// Table names, unquoted, what a generated store moves: the row's key and
// state column, and what else a move touches.
type Table struct {
	Name, Key, Column string
	Enum              string // the column's type on PostgreSQL
	Version           string // integer column bumped by every move; "" for none
	History           string // table every move appends to; "" for none
}

// HistoryColumns are the history table's columns after the key (which is
// named after Table.Key): the move's order, where it came from and went,
// the event, and when.
const (
	HistSeq   = "seq"
	HistFrom  = "from_state"
	HistTo    = "to_state"
	HistEvent = "event"
	HistAt    = "moved_at"
)

// Arc is one move an event makes, by the states' stored labels.
type Arc struct{ From, To string }

// Arg is what a store statement's parameter holds.
type Arg uint8

const (
	ArgKey Arg = iota
	ArgFrom
	ArgTo
	ArgEvent
)

// Stmt is a statement and the values its parameters take, in order.
type Stmt struct {
	SQL  string
	Args []Arg
}

// Store statements. Each dialect renders them in its file; the protocol
// the generated code follows is fixed by UpdateReturning:
//
//   - with RETURNING, Fire's statement returns (from, to) for a move. On
//     PostgreSQL it returns (current state, NULL) when the row exists but
//     did not move; no row means: ask StateStmt. Move's statement affects
//     one row when it moved.
//   - without (MySQL), Fire's and Move's statements report a move through
//     LAST_INSERT_ID(n): n is the 1-based index of the arc taken for Fire,
//     1 for Move, 0 when nothing moved.
//
// HistoryStmt is empty when the move statements append history themselves.
type StoreStmts interface {
	FireStmt(t Table, event string, arcs []Arc) Stmt
	MoveStmt(t Table) Stmt
	StateStmt(t Table) Stmt
	HistoryStmt(t Table) Stmt
}

// q quotes a list of identifiers and joins them with ", ".
func q(d Dialect, names ...string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = d.QuoteIdent(n)
	}
	return strings.Join(out, ", ")
}

func historyInsert(d Dialect, t Table) string {
	return "INSERT INTO " + d.QuoteIdent(t.History) + " (" + q(d, t.Key, HistFrom, HistTo, HistEvent) + ")"
}

func versionBump(d Dialect, t Table, qualifier string) string {
	if t.Version == "" {
		return ""
	}
	v := d.QuoteIdent(t.Version)
	return ", " + v + " = " + qualifier + v + " + 1"
}

func sources(d Dialect, arcs []Arc) string {
	out := make([]string, len(arcs))
	for i, a := range arcs {
		out[i] = d.QuoteLiteral(a.From)
	}
	return strings.Join(out, ", ")
}
