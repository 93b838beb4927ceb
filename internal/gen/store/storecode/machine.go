package storecode

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
)

// State is a state of the introspection machine. Its zero value is Initial, so that a zero struct, a JSON document
// without the field and a row inserted with the column's default agree. Values
// outside the declared ones are invalid.
type State uint8

const (
	// StateFinished is the state "finished": introspection finished successfully.
	// It is Initial, the zero State.
	StateFinished State = iota
	// StateStarting is the state "starting": received a request to start node introspection.
	StateStarting
	// StateWaiting is the state "waiting": waiting for node introspection data.
	StateWaiting
	// StateProcessing is the state "processing": processing introspection data from the node.
	StateProcessing
	// StateError is the state "error": an error appeared in a previous introspection state.
	StateError
	// StateReapplying is the state "reapplying": processing stored introspection data from the node.
	StateReapplying
	// StateEnrolling is the state "enrolling": received introspection data from a nonexistent node.
	StateEnrolling
	// StateAborting is the state "aborting": received a request to abort the introspection.
	StateAborting
)

// NumStates is the number of states; valid values are below it.
const NumStates = 8

// ErrUnknownState is returned, wrapped, for a text or a value that is not a state
// of the machine.
var ErrUnknownState = errors.New("introspection: unknown state")

// stateNames holds the stored spellings (spec values), indexed by state.
var stateNames = [...]string{
	StateStarting:   "starting",
	StateWaiting:    "waiting",
	StateProcessing: "processing",
	StateFinished:   "finished",
	StateError:      "error",
	StateReapplying: "reapplying",
	StateEnrolling:  "enrolling",
	StateAborting:   "aborting",
}

// String returns the state's stored spelling: its value in the spec.
func (s State) String() string {
	if s < NumStates {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// IsValid reports whether s is one of the declared states.
func (s State) IsValid() bool {
	return s < NumStates
}

// ParseState returns the state whose value is name. It also accepts the
// state's aliases and former names, which nothing produces.
func ParseState(name string) (State, error) {
	if v, ok := parseState(name); ok {
		return v, nil
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownState, name)
}

// parseState is ParseState without the error, so that name does not escape: Scan and
// UnmarshalText convert bytes to it without copying them to the heap.
func parseState(name string) (State, bool) {
	switch name {
	case "starting":
		return StateStarting, true
	case "waiting":
		return StateWaiting, true
	case "processing":
		return StateProcessing, true
	case "finished":
		return StateFinished, true
	case "error":
		return StateError, true
	case "reapplying":
		return StateReapplying, true
	case "enrolling":
		return StateEnrolling, true
	case "aborting":
		return StateAborting, true
	}
	return 0, false
}

// States returns every state in spec order, in a new slice.
func States() []State {
	return []State{StateStarting, StateWaiting, StateProcessing, StateFinished, StateError, StateReapplying, StateEnrolling, StateAborting}
}

// Values returns the value of every state in spec order, in a new slice.
// It is the method ent's field.EnumValues asks for.
func (s State) Values() []string {
	out := make([]string, 0, NumStates)
	for _, v := range States() {
		out = append(out, stateNames[v])
	}
	return out
}

// MarshalText implements encoding.TextMarshaler, so JSON, YAML and XML
// carry the stored spelling.
func (s State) MarshalText() ([]byte, error) {
	if !s.IsValid() {
		return nil, fmt.Errorf("%w %v", ErrUnknownState, s)
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(text []byte) error {
	v, ok := parseState(string(text))
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownState, text)
	}
	*s = v
	return nil
}

// Scan implements sql.Scanner for a column that stores the state's value.
func (s *State) Scan(src any) error {
	switch v := src.(type) {
	case string:
		p, err := ParseState(v)
		if err == nil {
			*s = p
		}
		return err
	case []byte:
		return s.UnmarshalText(v)
	case nil:
		return fmt.Errorf("%w NULL; scan a nullable column into NullState", ErrUnknownState)
	}
	return fmt.Errorf("%w %T(%v)", ErrUnknownState, src, src)
}

// Value implements driver.Valuer: the state is stored as its value.
func (s State) Value() (driver.Value, error) {
	if !s.IsValid() {
		return nil, fmt.Errorf("%w %v", ErrUnknownState, s)
	}
	return stateNames[s], nil
}

// NullState is a State that may be NULL in the database, shaped like
// sql.NullString: NULL scans to Valid false, and an invalid NullState is
// stored as NULL.
type NullState struct {
	State State
	Valid bool // Valid is true if State is not NULL
}

// Scan implements sql.Scanner.
func (n *NullState) Scan(src any) error {
	if src == nil {
		n.State, n.Valid = 0, false
		return nil
	}
	err := n.State.Scan(src)
	n.Valid = err == nil
	return err
}

// Value implements driver.Valuer.
func (n NullState) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return n.State.Value()
}

// Event is an event of the introspection machine. Its zero value is the first event in the spec. Values
// outside the declared ones are invalid.
type Event uint8

const (
	// EventProcess is the event "process": process node introspection data.
	EventProcess Event = iota
	// EventReapply is the event "reapply": process stored node introspection data.
	EventReapply
	// EventTimeout is the event "timeout": mark an introspection timed-out waiting for data.
	EventTimeout
	// EventWait is the event "wait": mark an introspection waiting for image data.
	EventWait
	// EventAbort is the event "abort": cancel a waiting node introspection.
	EventAbort
	// EventError is the event "error": mark an introspection failed.
	EventError
	// EventFinish is the event "finish": mark an introspection finished.
	EventFinish
	// EventStart is the event "start": initialize node introspection.
	EventStart
	// EventAbortEnd is the event "abort_end": finish the abort request.
	EventAbortEnd
)

// NumEvents is the number of events; valid values are below it.
const NumEvents = 9

// ErrUnknownEvent is returned, wrapped, for a text or a value that is not an event
// of the machine.
var ErrUnknownEvent = errors.New("introspection: unknown event")

// eventNames holds the stored spellings (spec values), indexed by event.
var eventNames = [...]string{
	EventProcess:  "process",
	EventReapply:  "reapply",
	EventTimeout:  "timeout",
	EventWait:     "wait",
	EventAbort:    "abort",
	EventError:    "error",
	EventFinish:   "finish",
	EventStart:    "start",
	EventAbortEnd: "abort_end",
}

// String returns the event's stored spelling: its value in the spec.
func (e Event) String() string {
	if e < NumEvents {
		return eventNames[e]
	}
	return "Event(" + strconv.Itoa(int(e)) + ")"
}

// IsValid reports whether e is one of the declared events.
func (e Event) IsValid() bool {
	return e < NumEvents
}

// ParseEvent returns the event whose value is name. It also accepts the
// event's aliases, which nothing produces.
func ParseEvent(name string) (Event, error) {
	if v, ok := parseEvent(name); ok {
		return v, nil
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownEvent, name)
}

// parseEvent is ParseEvent without the error, so that name does not escape: Scan and
// UnmarshalText convert bytes to it without copying them to the heap.
func parseEvent(name string) (Event, bool) {
	switch name {
	case "process":
		return EventProcess, true
	case "reapply":
		return EventReapply, true
	case "timeout":
		return EventTimeout, true
	case "wait":
		return EventWait, true
	case "abort":
		return EventAbort, true
	case "error":
		return EventError, true
	case "finish":
		return EventFinish, true
	case "start":
		return EventStart, true
	case "abort_end":
		return EventAbortEnd, true
	}
	return 0, false
}

// Events returns every event in spec order, in a new slice.
func Events() []Event {
	return []Event{EventProcess, EventReapply, EventTimeout, EventWait, EventAbort, EventError, EventFinish, EventStart, EventAbortEnd}
}

// Values returns the value of every event in spec order, in a new slice.
// It is the method ent's field.EnumValues asks for.
func (e Event) Values() []string {
	out := make([]string, 0, NumEvents)
	for _, v := range Events() {
		out = append(out, eventNames[v])
	}
	return out
}

// MarshalText implements encoding.TextMarshaler, so JSON, YAML and XML
// carry the stored spelling.
func (e Event) MarshalText() ([]byte, error) {
	if !e.IsValid() {
		return nil, fmt.Errorf("%w %v", ErrUnknownEvent, e)
	}
	return []byte(eventNames[e]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Event) UnmarshalText(text []byte) error {
	v, ok := parseEvent(string(text))
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownEvent, text)
	}
	*e = v
	return nil
}

// Scan implements sql.Scanner for a column that stores the event's value.
func (e *Event) Scan(src any) error {
	switch v := src.(type) {
	case string:
		p, err := ParseEvent(v)
		if err == nil {
			*e = p
		}
		return err
	case []byte:
		return e.UnmarshalText(v)
	case nil:
		return fmt.Errorf("%w NULL; scan a nullable column into NullEvent", ErrUnknownEvent)
	}
	return fmt.Errorf("%w %T(%v)", ErrUnknownEvent, src, src)
}

// Value implements driver.Valuer: the event is stored as its value.
func (e Event) Value() (driver.Value, error) {
	if !e.IsValid() {
		return nil, fmt.Errorf("%w %v", ErrUnknownEvent, e)
	}
	return eventNames[e], nil
}

// NullEvent is an Event that may be NULL in the database, shaped like
// sql.NullString: NULL scans to Valid false, and an invalid NullEvent is
// stored as NULL.
type NullEvent struct {
	Event Event
	Valid bool // Valid is true if Event is not NULL
}

// Scan implements sql.Scanner.
func (n *NullEvent) Scan(src any) error {
	if src == nil {
		n.Event, n.Valid = 0, false
		return nil
	}
	err := n.Event.Scan(src)
	n.Valid = err == nil
	return err
}

// Value implements driver.Valuer.
func (n NullEvent) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return n.Event.Value()
}

// Initial is the state a new introspection machine starts in, and the zero State.
const Initial = StateFinished

// EntryStates returns the states a machine may start in, Initial included,
// in spec order, in a new slice.
func EntryStates() []State {
	return []State{StateStarting, StateFinished, StateEnrolling}
}

// IsEntry reports whether a machine may start in s.
func (s State) IsEntry() bool {
	switch s {
	case StateStarting, StateFinished, StateEnrolling:
		return true
	default:
		return false
	}
}

// FinalStates returns the final states, those in which the machine's work
// is over and that no event leaves, in spec order, in a new slice (nil when
// the spec marks none).
func FinalStates() []State {
	return nil
}

// IsFinal reports whether s is a final state, which no event leaves.
func (s State) IsFinal() bool {
	return false
}

// IsActive reports whether s is tagged active: the inspector performs an operation on the node.
func (s State) IsActive() bool {
	switch s {
	case StateStarting, StateProcessing, StateReapplying, StateEnrolling, StateAborting:
		return true
	default:
		return false
	}
}

// IsPassive reports whether s is tagged passive: the inspector doesn't perform any operation on the node.
func (s State) IsPassive() bool {
	switch s {
	case StateWaiting, StateFinished, StateError:
		return true
	default:
		return false
	}
}

// IsFailure reports whether s is tagged failure: the introspection ended badly and needs attention.
func (s State) IsFailure() bool {
	switch s {
	case StateError:
		return true
	default:
		return false
	}
}

// IsAPI reports whether e is tagged api: requested through the API.
func (e Event) IsAPI() bool {
	switch e {
	case EventProcess, EventReapply, EventAbort, EventStart:
		return true
	default:
		return false
	}
}

// IsUser reports whether e is tagged user: requested by a user.
func (e Event) IsUser() bool {
	switch e {
	case EventReapply, EventAbort, EventStart:
		return true
	default:
		return false
	}
}

// IsInternal reports whether e is tagged internal: raised by the inspector itself.
func (e Event) IsInternal() bool {
	switch e {
	case EventTimeout, EventWait, EventError, EventFinish, EventAbortEnd:
		return true
	default:
		return false
	}
}

// IsIntrospectionImage reports whether e is tagged introspection_image: raised by the ramdisk running on the node.
func (e Event) IsIntrospectionImage() bool {
	switch e {
	case EventProcess:
		return true
	default:
		return false
	}
}

// ErrInvalidTransition matches, through errors.Is, every error Transition
// returns for an event the current state does not allow.
var ErrInvalidTransition = errors.New("introspection: invalid transition")

// TransitionError is the error Transition returns for an event a state does
// not allow; errors.As(err, &te) with a TransitionError te gets it. It is a
// value, and nothing done to a copy changes what Transition returns later.
type TransitionError struct {
	// at is the pair's element of illegal, or, for values outside the
	// enums, a pair of its own. One pointer is what an interface holds
	// without allocating.
	at *transitionPair
}
type transitionPair struct {
	from  State
	event Event
}

// illegal gives every (state, event) pair an element of its own, so that
// Transition can return a TransitionError for one without allocating: it
// points at the pair's element. The pairs are written the first time an
// error is read (From, Event, Error), not at start-up: until then the
// array is zero memory that costs a program nothing, and then a few bytes a
// pair (4 MB for 10,000 states and 100 events).
var (
	illegal     [NumStates][NumEvents]transitionPair
	illegalOnce sync.Once
)

// pair returns the state and event e is about.
func (e TransitionError) pair() transitionPair {
	if e.at == nil {
		return transitionPair{}
	}
	illegalOnce.Do(func() {
		for i := range illegal {
			for j := range illegal[i] {
				illegal[i][j] = transitionPair{State(i), Event(j)}
			}
		}
	})
	return *e.at
}

// From returns the state that does not allow the event.
func (e TransitionError) From() State {
	return e.pair().from
}

// Event returns the event that is not allowed.
func (e TransitionError) Event() Event {
	return e.pair().event
}

// Error implements error.
func (e TransitionError) Error() string {
	return "introspection: event " + strconv.Quote(e.Event().String()) + " not allowed in state " + strconv.Quote(e.From().String())
}

// Is makes errors.Is(err, ErrInvalidTransition) true.
func (e TransitionError) Is(target error) bool {
	return target == ErrInvalidTransition
}

// Transition returns the state that ev leads to from the state from. For an
// event that from does not allow it returns from unchanged and a
// TransitionError that matches ErrInvalidTransition.
func Transition(from State, ev Event) (State, error) {
	if from < NumStates && ev < NumEvents {
		if to := transitions[from][ev]; to != noMove {
			return to, nil
		}
		return from, TransitionError{&illegal[from][ev]}
	}
	// Values outside the enums are a caller's bug, not a move: this rare
	// path allocates.
	return from, TransitionError{&transitionPair{from, ev}}
}

// Next returns the state ev leads to from the state from, and true; for an
// event from does not allow, from and false. It is Transition without an
// error value to build and test, for code that only branches on the
// outcome.
func Next(from State, ev Event) (State, bool) {
	if from < NumStates && ev < NumEvents {
		if to := transitions[from][ev]; to != noMove {
			return to, true
		}
	}
	return from, false
}

// Can reports whether s allows e.
func (s State) Can(e Event) bool {
	return s < NumStates && e < NumEvents && transitions[s][e] != noMove
}

// EventSet is a set of events.
type EventSet [(NumEvents + 63) / 64]uint64

// Has reports whether e is in the set.
func (set EventSet) Has(e Event) bool {
	return e < NumEvents && set[e/64]&(1<<(e%64)) != 0
}

// Len returns the number of events in the set.
func (set EventSet) Len() int {
	n := 0
	for _, w := range set {
		n += bits.OnesCount64(w)
	}
	return n
}

// Events returns the events in the set in spec order, in a new slice.
func (set EventSet) Events() []Event {
	out := make([]Event, 0, set.Len())
	for e := Event(0); e < NumEvents; e++ {
		if set.Has(e) {
			out = append(out, e)
		}
	}
	return out
}

// String returns the events' names in spec order, as in [abort start].
func (set EventSet) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range set.Events() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.String())
	}
	b.WriteByte(']')
	return b.String()
}

// Permitted returns the events s allows. The set is a value: changing it
// changes nothing else.
func (s State) Permitted() EventSet {
	if s < NumStates {
		return permitted[s]
	}
	return EventSet{}
}

// noMove marks a move the state does not allow in transitions.
const noMove = NumStates

// transitions is next as a table the compiler lays out at build time, so
// that importing the package costs no work at start: transitions[from][ev]
// is the state ev leads to from from, or noMove when from does not allow
// ev. One load replaces the switch's jumps, so Transition costs the same
// whatever the mix of events. The generated test holds it against next on
// every pair.
var transitions = [NumStates][NumEvents]State{
	// StateFinished
	{noMove, 5, noMove, noMove, noMove, noMove, 0, 1, noMove},
	// StateStarting
	{noMove, noMove, 4, 2, noMove, 4, noMove, noMove, noMove},
	// StateWaiting
	{3, noMove, 4, noMove, 7, noMove, noMove, 1, noMove},
	// StateProcessing
	{noMove, noMove, 4, noMove, noMove, 4, 0, noMove, noMove},
	// StateError
	{noMove, 5, noMove, noMove, 4, 4, noMove, 1, noMove},
	// StateReapplying
	{noMove, 5, 4, noMove, noMove, 4, 0, noMove, noMove},
	// StateEnrolling
	{3, noMove, 4, noMove, noMove, 4, noMove, noMove, noMove},
	// StateAborting
	{noMove, noMove, 4, noMove, noMove, noMove, noMove, noMove, 4},
}

// permitted holds the events each state allows, by the state's value, so
// that Permitted is one load; it is static data like transitions, and the
// generated test holds it against next too.
var permitted = [NumStates]EventSet{
	// StateFinished
	{0xc2},
	// StateStarting
	{0x2c},
	// StateWaiting
	{0x95},
	// StateProcessing
	{0x64},
	// StateError
	{0xb2},
	// StateReapplying
	{0x66},
	// StateEnrolling
	{0x25},
	// StateAborting
	{0x104},
}
