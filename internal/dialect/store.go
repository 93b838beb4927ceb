package dialect

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Table names, unquoted, what a generated store moves: the row's key and
// state column, and what else a move touches.
type Table struct {
	Name, Key, Column string
	Enum              string // the column's type on PostgreSQL
	Version           string // column every move changes; "" for none
	// Token: Version holds an opaque token that every move replaces with
	// a new one (ArgToken), not a counter it increments.
	Token   bool
	History string // table every move appends to; "" for none
	Fields  []Field
	// HistFields are the fields (indexes in Fields) each history row
	// copies as the move left them; Notes, the history's text columns a
	// call fills (ArgNote).
	HistFields []int
	Notes      []string
}

// Field is a column a move writes besides the state (sql.fields).
type Field struct {
	Name string
	Type string // text, timestamp, int, bool or bytes
	// Default is what Create writes when nothing sets the field.
	Default Value
	// Sets holds what entering a state writes, by the state's label;
	// Arcs, consulted first, what a move writes, by its arc.
	Sets map[string]Value
	Arcs map[Arc]Value
	// Timeout is 1 + the index of the timeout whose deadline the field
	// is; 0 for a field the spec declares.
	Timeout int
}

// Value is what a field is set to: NULL, the database's clock (Now), or
// the constant of the field's type (Text, Int or Bool).
type Value struct {
	Null, Now bool
	// Later is a deadline's start: the database's clock plus the
	// timeout's duration (ArgLater).
	Later bool
	Text  string
	Int   int64
	Bool  bool
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
	// ArgNonce is a random number of the call, which tells its
	// LAST_INSERT_ID apart from any earlier one of the connection.
	ArgNonce
	// ArgVersion is the version the caller read: the statement moves the
	// row only while it is still at it.
	ArgVersion
	// ArgToken is the new version token a move or a create writes.
	ArgToken
	// ArgNow is the time a sweep expires the deadlines before; ArgLimit
	// how many rows it moves at most.
	ArgNow
	ArgLimit
	// ArgField+i are field i's two parameters, in this order: the mode
	// (0: the call does not set it, 1: to the value, NULL included, 2: to
	// the database's clock) and the value.
	ArgField Arg = 16
	// ArgLater+i is timeout i's duration in microseconds.
	ArgLater Arg = 48
	// ArgNote+i is history note i's text, NULL when the call gives none.
	ArgNote Arg = 64
)

// Stmt is a statement and the values its parameters take, in order.
type Stmt struct {
	SQL  string
	Args []Arg
}

// Params writes a statement's parameters in the order they appear: a
// dialect with numbered placeholders refers to a parameter again by its
// number, MySQL's ? takes a value at every appearance.
type Params struct {
	d    Dialect
	Args []Arg
}

// NewParams starts a statement's parameters with args.
func NewParams(d Dialect, args ...Arg) *Params { return &Params{d: d, Args: args} }

// number returns the number of the first parameter a stands for.
func (p *Params) number(i int) int {
	n := 1
	for _, a := range p.Args[:i] {
		n += a.width()
	}
	return n
}

// width is how many parameters a stands for.
func (a Arg) width() int {
	if a >= ArgField && a < ArgLater {
		return 2
	}
	return 1
}

// Ph returns a's placeholder; for a field's, its mode's, which its
// value's follows.
func (p *Params) Ph(a Arg) string {
	if i := slices.Index(p.Args, a); i >= 0 && p.d.Placeholder(1) != p.d.Placeholder(2) {
		return p.d.Placeholder(p.number(i))
	}
	p.Args = append(p.Args, a)
	return p.d.Placeholder(p.number(len(p.Args) - 1))
}

// field returns the placeholders of field i's mode and value.
func (p *Params) field(i int) (mode, value string) {
	mode = p.Ph(ArgField + Arg(i))
	if p.d.Placeholder(1) == p.d.Placeholder(2) {
		return mode, mode
	}
	return mode, p.d.Placeholder(p.number(slices.Index(p.Args, ArgField+Arg(i))) + 1)
}

// fieldSet is field i's new value in a statement: the call's when it sets
// it (mode 2: the clock, or a deadline's start), else otherwise (the field
// itself to keep it, what the state sets, the default).
func fieldSet(t Table, p *Params, i int, otherwise func() string) string {
	f := t.Fields[i]
	mode, val := p.field(i)
	s := "CASE " + p.d.Typed(mode, "int") + " WHEN 1 THEN " + p.d.Typed(val, f.Type)
	switch {
	case f.Timeout > 0:
		s += " WHEN 2 THEN " + p.later(f)
	case f.Type == "timestamp":
		s += " WHEN 2 THEN " + p.d.Now()
	}
	return s + " ELSE " + otherwise() + " END"
}

// later is the start of f's deadline.
func (p *Params) later(f Field) string {
	return p.d.Later(p.d.Typed(p.Ph(ArgLater+Arg(f.Timeout-1)), "int"))
}

// value renders v for field f, a deadline's start included.
func (p *Params) value(f Field, v Value) string {
	if v.Later {
		return p.later(f)
	}
	return FieldValue(p.d, f, v)
}

// FieldValue renders v for field f.
func FieldValue(d Dialect, f Field, v Value) string {
	switch {
	case v.Null:
		return "NULL"
	case v.Now:
		return d.Now()
	}
	switch f.Type {
	case "int":
		return strconv.FormatInt(v.Int, 10)
	case "bool":
		if v.Bool {
			return "TRUE"
		}
		return "FALSE"
	}
	return d.QuoteLiteral(v.Text)
}

// FieldsSet are the assignments of t's fields by a move: the call's
// values, else, by the state the row enters, what that state sets (arcs:
// the move's arcs, told apart by from, the state the row leaves; none
// when the caller passes what the state sets).
func FieldsSet(t Table, p *Params, qualifier, from string, arcs []Arc) []string {
	var out []string
	for i, f := range t.Fields {
		col := p.d.QuoteIdent(f.Name)
		out = append(out, col+" = "+fieldSet(t, p, i, func() string {
			keep := qualifier + col
			var b strings.Builder
			for _, a := range arcs {
				v, ok := f.Arcs[a]
				if !ok {
					v, ok = f.Sets[a.To]
				}
				if ok {
					b.WriteString(" WHEN " + p.d.QuoteLiteral(a.From) + " THEN " + p.value(f, v))
				}
			}
			if b.Len() == 0 {
				return keep
			}
			return "CASE " + from + b.String() + " ELSE " + keep + " END"
		}))
	}
	return out
}

// JoinSet renders assignments after a SET that assigns something else
// first.
func JoinSet(assigns []string) string {
	if len(assigns) == 0 {
		return ""
	}
	return ", " + strings.Join(assigns, ", ")
}

func (p *Params) Stmt(sql string) Stmt { return Stmt{SQL: sql, Args: p.Args} }

// Store statements. Each dialect renders them in its file; the protocol
// the generated code follows is fixed by UpdateReturning:
//
//   - with RETURNING, Fire's statement returns (from, to) for a move and
//     no row when nothing moved: then StateStmt says why. Move's statement
//     affects one row when it moved.
//   - without (MySQL), Fire's and Move's statements report a move through
//     LAST_INSERT_ID(nonce * 65536 + n): n is the 1-based index of the arc
//     taken for Fire, 1 for Move. The statement's result carries it, except
//     when the table has triggers; then LastIDStmt reads it, on the same
//     connection. A value without the call's nonce means nothing moved.
//
// FireFunctioner is a dialect whose Fire can be one call of a function
// the migrations create (sql.fire_function), where a move and its history
// row otherwise take a transaction of several round trips. The function
// takes, in order: the key; the event's label; the labels of the states
// the event leaves, arc by arc, and of those each arc enters, each in
// FireLabels; for each arc, a digit per field, the field's mode as in
// ArgField (0: keep, 1: the value, 2: the clock, or a deadline's start);
// where Table.Token, the new token; each field's value; each timeout's
// duration in microseconds (ArgLater); each note. It moves the row by
// the arc its state is the source of, appends the history row, and
// returns the arc's 1-based index; 0 when the row is in none of the
// sources or not there, having written nothing.
type FireFunctioner interface {
	// FireFunction returns the function, named after its text from base,
	// the statement that creates it (harmless when it exists) and the
	// one that drops it (harmless when it does not).
	FireFunction(t Table, base string) (name, create, drop string)
	// FireCall calls function name. FireUsable returns one row, 1 when
	// the function exists and finds a row through the index of its key,
	// 0 otherwise.
	FireCall(t Table, name string) Stmt
	FireUsable(t Table, name string) Stmt
	// FireGone is how the driver's message for a call of a function
	// that does not exist starts: one a later migration dropped while
	// the program runs.
	FireGone() string
}

// FireLabels is how a fire function takes a list of labels: each after a
// line feed, the last followed by one. No label holds a line feed.
func FireLabels(labels []string) string {
	return "\n" + strings.Join(labels, "\n") + "\n"
}

// Timeouts is the number of timeouts whose deadlines t's fields are.
func Timeouts(t Table) int {
	n := 0
	for _, f := range t.Fields {
		n = max(n, f.Timeout)
	}
	return n
}

// HistoryStmt is empty when the move statements append history themselves.
type StoreStmts interface {
	// FireStmt moves the row by event; with at, only while it is at the
	// version the caller read (ArgVersion). Where ReadFirst, it reads the
	// row's state instead, on those conditions, and MoveStmt moves it.
	FireStmt(t Table, event string, arcs []Arc, at bool) Stmt
	// ReadFirst reports whether an UPDATE can return neither the state
	// it left nor the arc it took, and a read in a read-write transaction
	// locks the row until the transaction ends (Spanner).
	ReadFirst() bool
	MoveStmt(t Table) Stmt
	StateStmt(t Table) Stmt
	// GetStmt reads the row's state and version, the version only when
	// t has one. With current, the read sees the row's latest committed
	// version even inside a caller's transaction, as StateStmt does.
	GetStmt(t Table, current bool) Stmt
	HistoryStmt(t Table) Stmt
	// CreateStmt inserts a row in a state (ArgTo) unless a row with its
	// key is there, and affects one row when it inserted it; history is
	// the row's first history entry, empty when create writes it.
	CreateStmt(t Table) (create, history Stmt)
	LastIDStmt() Stmt
	// Prepare reports whether the Store prepares its statements once per
	// *sql.DB, for a driver that would otherwise prepare them on every
	// call.
	Prepare() bool
	// TimeLayout is how the Store writes a time.Time parameter, as text
	// in UTC; "" to leave it to the driver.
	TimeLayout() string
	// SerialWrites reports whether the database takes one writer at a time
	// and leaves the others to poll for it: the Store then queues its own
	// writes on a *sql.DB in the process, first come first served. It
	// needs Prepare: the queue lives with the prepared statements.
	SerialWrites() bool
}

// QuoteIdents quotes a list of identifiers and joins them with ", ".
func QuoteIdents(d Dialect, names ...string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = d.QuoteIdent(n)
	}
	return strings.Join(out, ", ")
}

// HistoryInsert is the INSERT head of a history row, up to its values.
func HistoryInsert(d Dialect, t Table) string {
	cols := []string{t.Key, HistFrom, HistTo, HistEvent}
	for _, i := range t.HistFields {
		cols = append(cols, t.Fields[i].Name)
	}
	return "INSERT INTO " + d.QuoteIdent(t.History) + " (" + QuoteIdents(d, append(cols, t.Notes...)...) + ")"
}

// HistoryExtra returns the values of the history columns after the event:
// each copied field as field(i) names it, then each note's parameter.
func HistoryExtra(t Table, p *Params, field func(i int) string) string {
	var b strings.Builder
	for _, i := range t.HistFields {
		b.WriteString(", " + field(i))
	}
	for i := range t.Notes {
		b.WriteString(", " + p.d.Typed(p.Ph(ArgNote+Arg(i)), "text"))
	}
	return b.String()
}

// HistoryRow is a history row written by its own statement, after the
// move and in its transaction (MySQL, SQLite), reading the fields it
// copies from the row the move left; a created row's has no from-state
// or event.
func HistoryRow(d Dialect, t Table, p *Params, create bool) string {
	// In the order MySQL's placeholders take their values.
	key, from, event := p.Ph(ArgKey), "''", "''"
	if !create {
		from = p.Ph(ArgFrom)
	}
	to := p.Ph(ArgTo)
	if !create {
		event = p.Ph(ArgEvent)
	}
	vals := key + ", " + from + ", " + to + ", " + event
	if len(t.HistFields) == 0 {
		return HistoryInsert(d, t) + " VALUES (" + vals + HistoryExtra(t, p, nil) + ")"
	}
	col := func(i int) string { return d.QuoteIdent(t.Fields[i].Name) }
	return HistoryInsert(d, t) + " SELECT " + vals + HistoryExtra(t, p, col) + " FROM " + d.QuoteIdent(t.Name) + " WHERE " + d.QuoteIdent(t.Key) + " = " + p.Ph(ArgKey)
}

// VersionBump is the assignment that changes the version by a move.
func VersionBump(t Table, p *Params, qualifier string) string {
	if t.Version == "" {
		return ""
	}
	v := p.d.QuoteIdent(t.Version)
	if t.Token {
		return ", " + v + " = " + p.Ph(ArgToken)
	}
	return ", " + v + " = " + qualifier + v + " + 1"
}

// AtVersion is the condition of a move at the version the caller read.
func AtVersion(t Table, p *Params, qualifier string, at bool) string {
	if !at {
		return ""
	}
	return " AND " + qualifier + p.d.QuoteIdent(t.Version) + " = " + p.Ph(ArgVersion)
}

// GetStmt selects the row's state, version and fields by key; suffix
// ends it.
func GetStmt(t Table, p *Params, suffix string) Stmt {
	d := p.d
	cols := d.QuoteIdent(t.Column)
	if t.Version != "" {
		cols += ", " + d.QuoteIdent(t.Version)
	}
	for _, f := range t.Fields {
		cols += ", " + d.QuoteIdent(f.Name)
	}
	return p.Stmt("SELECT " + cols + " FROM " + d.QuoteIdent(t.Name) + " WHERE " + d.QuoteIdent(t.Key) + " = " + p.Ph(ArgKey) + suffix)
}

// InsertRow inserts a created row: its key, state and, with a token, the
// first token. A counter starts at the column's default.
func InsertRow(t Table, p *Params) string {
	d := p.d
	cols, vals := d.QuoteIdent(t.Key)+", "+d.QuoteIdent(t.Column), p.Ph(ArgKey)+", "+p.Ph(ArgTo)
	if t.Token {
		cols += ", " + d.QuoteIdent(t.Version)
		vals += ", " + p.Ph(ArgToken)
	}
	for i, f := range t.Fields {
		cols += ", " + d.QuoteIdent(f.Name)
		vals += ", " + fieldSet(t, p, i, func() string { return FieldValue(d, f, f.Default) })
	}
	return "INSERT INTO " + d.QuoteIdent(t.Name) + " (" + cols + ") VALUES (" + vals + ")"
}

// Sources lists the arcs' from-states as literals, for IN.
func Sources(d Dialect, arcs []Arc) string {
	out := make([]string, len(arcs))
	for i, a := range arcs {
		out[i] = d.QuoteLiteral(a.From)
	}
	return strings.Join(out, ", ")
}

// Enforcement is what the triggers of sql.enforce allow, by stored labels.
type Enforcement struct {
	Table, Key, Column, Enum string
	// Trigger names the triggers (and PostgreSQL's function); the caller
	// cuts it to leave room for the suffixes the dialects add.
	Trigger string
	Moves   []Arc    // allowed changes of the state, from != to
	Entries []string // states a row may be inserted in
	// Outdated marks rules whose triggers an older fsmgen wrote, in a form
	// this one replaces: going from them restates every trigger, even one
	// whose own rules stay. From rules that are not, a trigger whose text
	// stays is left as it is.
	Outdated bool
}

// EnforceSuffixLen is the longest suffix a dialect adds to
// Enforcement.Trigger.
const EnforceSuffixLen = len("_insert")

// Enforcer renders the enforcement triggers and the history table.
type Enforcer interface {
	// Enforce returns the statements that take the triggers from the
	// rules of old to those of new (nil: no triggers), leaving no instant
	// in which neither set is in force, and each of which can run again
	// after a failure at any point.
	Enforce(old, new *Enforcement) []string
	// EnforceObjects are the objects Enforce(nil, e) creates, as verify
	// finds them in the catalog.
	EnforceObjects(e *Enforcement) []EnforceObject
	// EnforceForm numbers the form of the triggers Enforce writes; it
	// grows when they are written otherwise for the same rules. A
	// migration history records it, and one that records an older form
	// gets a migration that replaces the triggers, and verify compares
	// their text only in the current form. Form 2 is the first that only
	// a privileged role can bypass.
	EnforceForm() int
	// BypassOn turns enforcement off for the current transaction, for a
	// role allowed to (the table's owner on PostgreSQL, the account that
	// created the triggers on MySQL); BypassOff turns it back on, "" where
	// the transaction's end does.
	BypassOn() string
	BypassOff() string
	// CreateHistory creates the history table. DropHistory drops it;
	// guard, which a Down runs before anything else, stops the Down while
	// the table holds a row: dropping it would lose recorded moves.
	CreateHistory(t Table) []string
	DropHistory(t Table) (guard, drop []string)
	// RenameInHistory rewrites the spelling of renamed states (From: old
	// name, To: new name) in the history table's rows (HistoryRenames),
	// in batches of BatchSize rows by their sequence number that commit
	// one by one, reading the table once, where the dialect's batches
	// need no transaction of their own or batch allows one (the migration
	// commits statement by statement).
	RenameInHistory(t Table, renames []Arc, batch bool) []string
}

// Recompiler is an Enforcer whose sessions keep the trigger functions as
// they compiled them, naming the type by its identity: a migration that
// replaces the type (sql.compact) runs Recompile in its transaction, so
// that every session compiles them again against the new one.
type Recompiler interface {
	Recompile(e *Enforcement) []string
}

// EnforceObject is one object that enforces the transitions, as the
// dialect's catalog shows it: Def is what verify compares (PostgreSQL: the
// function's body; MySQL: the trigger's statement; SQLite: its CREATE
// TRIGGER).
type EnforceObject struct {
	Function bool // a function (PostgreSQL); else a trigger on the table
	Name     string
	Def      string
	// Transient objects stand only while a migration runs (a twin that
	// enforces while its trigger is replaced): one that is still there
	// is a migration that stopped half way.
	Transient bool
}

// Kept names the triggers of new that Enforce(old, new) leaves as they
// are, because old's have the same text: none when old is nil or
// Outdated. A change of the moves alone leaves the INSERT trigger, a
// change of the entries alone the UPDATE trigger.
func Kept(d Enforcer, old, new *Enforcement) map[string]bool {
	if old == nil || old.Outdated || new == nil {
		return nil
	}
	was := map[string]string{}
	for _, o := range d.EnforceObjects(old) {
		if !o.Transient {
			was[o.Name] = o.Def
		}
	}
	kept := map[string]bool{}
	for _, o := range d.EnforceObjects(new) {
		if def, ok := was[o.Name]; ok && def == o.Def {
			kept[o.Name] = true
		}
	}
	return kept
}

// Widened is what e and o allow together: the rules while a migration
// that goes from one to the other runs, so that a writer following either
// machine is served and nothing else passes.
func (e *Enforcement) Widened(o *Enforcement) *Enforcement {
	w := *e
	w.Outdated = false // the migration writes them
	w.Moves = slices.Clone(e.Moves)
	for _, m := range o.Moves {
		if !slices.Contains(w.Moves, m) {
			w.Moves = append(w.Moves, m)
		}
	}
	w.Entries = slices.Clone(e.Entries)
	for _, l := range o.Entries {
		if !slices.Contains(w.Entries, l) {
			w.Entries = append(w.Entries, l)
		}
	}
	return &w
}

// Allows reports whether e allows every move and entry o does.
func (e *Enforcement) Allows(o *Enforcement) bool {
	for _, m := range o.Moves {
		if !slices.Contains(e.Moves, m) {
			return false
		}
	}
	for _, l := range o.Entries {
		if !slices.Contains(e.Entries, l) {
			return false
		}
	}
	return true
}

// HistoryKept is the message of DropHistory's guard.
func HistoryKept(t Table) string {
	return Message("cannot migrate: "+t.History+" holds recorded moves, which dropping it would lose; copy or delete them first",
		"cannot migrate: copy or delete the recorded moves in "+t.History+" first; dropping it would lose them")
}

// Relation renders the allowed moves as a list of row values for IN.
func Relation(d Dialect, moves []Arc) string {
	out := make([]string, len(moves))
	for i, a := range moves {
		out[i] = "(" + d.QuoteLiteral(a.From) + ", " + d.QuoteLiteral(a.To) + ")"
	}
	return strings.Join(out, ", ")
}

// EnforceMessages are the trigger's error texts as SQL expressions over
// the old and new state expressions and the key's. Each names the row
// first, as a reader looks for it, unless the names are so long that its
// verdict (up to the states) might not fit in MessageMax, where MySQL
// cuts: then the verdict comes first and the row last. The key's value
// counts as 36 characters, a UUID's.
func EnforceMessages(d Dialect, e *Enforcement, key, old, new string) (insert, update string) {
	lit := d.QuoteLiteral
	row := e.Table + ": row " + e.Key + " = "
	longest := 0
	for _, a := range e.Moves {
		longest = max(longest, utf8.RuneCountInString(a.From), utf8.RuneCountInString(a.To))
	}
	for _, l := range e.Entries {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	head := utf8.RuneCountInString(row) + 36
	if head+len(": cannot insert in state ")+longest <= MessageMax {
		insert = d.Concat(lit(row), key, lit(": cannot insert in state "), new, lit(", which is not an entry state of "+e.Enum))
	} else {
		insert = d.Concat(lit("not an entry state of "+e.Enum+": "), new, lit(" ("+row), key, lit(")"))
	}
	if head+len(": state  ->  is not a transition")+2*longest <= MessageMax {
		update = d.Concat(lit(row), key, lit(": state "), old, lit(" -> "), new, lit(" is not a transition of "+e.Enum))
	} else {
		update = d.Concat(lit("not a transition of "+e.Enum+": "), old, lit(" -> "), new, lit(" ("+row), key, lit(")"))
	}
	return insert, update
}

// HistoryRenames is the SET and the WHERE of an UPDATE of the history
// table that rewrites the spelling of renamed states (From: old name, To:
// new name) in the rows that name them (the dialects' RenameInHistory).
func HistoryRenames(d Dialect, renames []Arc) (set, where string) {
	var cases, olds []string
	for _, r := range renames {
		cases = append(cases, " WHEN "+d.QuoteLiteral(r.From)+" THEN "+d.QuoteLiteral(r.To))
		olds = append(olds, d.QuoteLiteral(r.From))
	}
	one := func(col string) string {
		c := d.QuoteIdent(col)
		return c + " = CASE " + c + strings.Join(cases, "") + " ELSE " + c + " END"
	}
	in := strings.Join(olds, ", ")
	return one(HistFrom) + ", " + one(HistTo), "(" + d.QuoteIdent(HistFrom) + " IN (" + in + ") OR " + d.QuoteIdent(HistTo) + " IN (" + in + "))"
}

// Expiry is what a timeout's sweep needs: the deadline (an index in
// Table.Fields), the index that finds its due rows, the event it fires
// and the event's arcs from the group's states.
type Expiry struct {
	Field int
	Index string
	Event string
	Arcs  []Arc
}

// Expirer renders a timeout's sweep. Either ExpireStmt moves the due rows
// in one statement, or, where the dialect has none (ExpireStmt's SQL is
// empty), DueStmt selects and locks them in a transaction, the Store moves
// each with MoveStmt, and ClearStmt ends the deadline of one whose state
// does not take the event.
type Expirer interface {
	// ExpireStmt moves up to ArgLimit rows whose deadline is at or before
	// ArgNow, oldest deadline first, skipping rows other transactions
	// hold, re-checking the deadline under the row's lock, and appends
	// their history; it returns each row's key (as text), the state it
	// left and the state it entered: NULL for a row whose state does not
	// take the event, whose deadline it clears.
	ExpireStmt(t Table, e Expiry) Stmt
	// DueStmt selects and locks (key, state) of the due rows.
	DueStmt(t Table, e Expiry) Stmt
	// ClearStmt ends the deadline of the row with the key.
	ClearStmt(t Table, e Expiry) Stmt
	// SweepReadCommitted reports whether the sweep's transaction must run
	// at READ COMMITTED, for its locking read to lock only the rows it
	// returns.
	SweepReadCommitted() bool
	// SweepBatch bounds the rows one transaction of a sweep moves; 0 for
	// the caller's limit.
	SweepBatch() int
}

// DueRows selects the due rows' keys and states; hint follows the table's
// name (an index the dialect must be told to read through), suffix ends
// the statement.
func DueRows(t Table, e Expiry, p *Params, now, hint, suffix string) string {
	d := p.d
	dl := d.QuoteIdent(t.Fields[e.Field].Name)
	return "SELECT " + d.QuoteIdent(t.Key) + ", " + d.QuoteIdent(t.Column) + " FROM " + d.QuoteIdent(t.Name) + hint +
		" WHERE " + dl + " <= " + now + " ORDER BY " + dl + " LIMIT " + p.Ph(ArgLimit) + suffix
}

// ClearStmt ends the deadline of the row with the key, in any dialect.
func ClearStmt(d Dialect, t Table, e Expiry) Stmt {
	p := NewParams(d)
	return p.Stmt("UPDATE " + d.QuoteIdent(t.Name) + " SET " + d.QuoteIdent(t.Fields[e.Field].Name) + " = NULL WHERE " + d.QuoteIdent(t.Key) + " = " + p.Ph(ArgKey))
}
