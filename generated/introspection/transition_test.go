package introspection_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fsmgen/fsmgen/generated/introspection"
	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
	"github.com/fsmgen/fsmgen/internal/model"
)

// seedTable is ironic-inspector's State_space (introspection_state.py),
// transcribed by hand: the independent oracle the spec and the generated
// code must both agree with.
var seedTable = map[string]map[string]string{
	"aborting":   {"abort_end": "error", "timeout": "error"},
	"enrolling":  {"error": "error", "process": "processing", "timeout": "error"},
	"error":      {"abort": "error", "error": "error", "reapply": "reapplying", "start": "starting"},
	"finished":   {"finish": "finished", "reapply": "reapplying", "start": "starting"},
	"processing": {"error": "error", "finish": "finished", "timeout": "error"},
	"reapplying": {"error": "error", "finish": "finished", "reapply": "reapplying", "timeout": "error"},
	"starting":   {"error": "error", "wait": "waiting", "timeout": "error"},
	"waiting":    {"abort": "aborting", "process": "processing", "start": "starting", "timeout": "error"},
}

const illegal = "-"

// outcomes maps every (state, event) name pair to the next state's name, or
// illegal.
type outcomes map[[2]string]string

func fromSeed() outcomes {
	out := outcomes{}
	for s := range seedTable {
		for _, e := range []string{"abort", "abort_end", "error", "finish", "process", "reapply", "start", "timeout", "wait"} {
			next, ok := seedTable[s][e]
			if !ok {
				next = illegal
			}
			out[[2]string{s, e}] = next
		}
	}
	return out
}

func fromSpec(t *testing.T) outcomes {
	t.Helper()
	const path = "../../spec/states.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	out := outcomes{}
	for _, s := range m.States {
		for _, e := range m.Events {
			next := illegal
			if to := s.Next(e); to != nil {
				next = to.Name
			}
			out[[2]string{s.Name, e.Name}] = next
		}
	}
	return out
}

func fromGenerated(t *testing.T) outcomes {
	t.Helper()
	out := outcomes{}
	for _, s := range introspection.States() {
		for _, e := range introspection.Events() {
			next, err := introspection.Transition(s, e)
			key := [2]string{s.String(), e.String()}
			if err != nil {
				checkIllegal(t, s, e, next, err)
				out[key] = illegal
				continue
			}
			if !s.Can(e) {
				t.Errorf("Transition(%v, %v) is legal but Can says no", s, e)
			}
			out[key] = next.String()
		}
	}
	return out
}

func checkIllegal(t *testing.T, s introspection.State, e introspection.Event, next introspection.State, err error) {
	t.Helper()
	if next != s {
		t.Errorf("Transition(%v, %v) failed but returned %v, not the unchanged state", s, e, next)
	}
	if !errors.Is(err, introspection.ErrInvalidTransition) {
		t.Errorf("Transition(%v, %v) error %v does not match ErrInvalidTransition", s, e, err)
	}
	var te introspection.TransitionError
	if !errors.As(err, &te) || te.From() != s || te.Event() != e {
		t.Errorf("Transition(%v, %v) error %#v does not carry From and Event", s, e, err)
	}
	if s.Can(e) {
		t.Errorf("Transition(%v, %v) is illegal but Can says yes", s, e)
	}
}

func TestTransitionMatchesSeedAndSpec(t *testing.T) {
	seed, specT, gen := fromSeed(), fromSpec(t), fromGenerated(t)
	if len(seed) != 72 {
		t.Fatalf("seed table has %d pairs, want 8 states x 9 events = 72", len(seed))
	}
	if diff := cmp.Diff(seed, specT); diff != "" {
		t.Errorf("spec differs from the seed's automaton (-seed +spec):\n%s", diff)
	}
	if diff := cmp.Diff(specT, gen); diff != "" {
		t.Errorf("generated Transition differs from the spec (-spec +generated):\n%s", diff)
	}
	legal := 0
	for _, next := range gen {
		if next != illegal {
			legal++
		}
	}
	if legal != 26 {
		t.Errorf("%d legal pairs, the seed has 26", legal)
	}
}

func TestPermittedMatchesTransition(t *testing.T) {
	for _, s := range introspection.States() {
		var want []introspection.Event
		for _, e := range introspection.Events() {
			if s.Can(e) {
				want = append(want, e)
			}
		}
		if diff := cmp.Diff(want, s.Permitted().Events()); diff != "" {
			t.Errorf("%v.Permitted() (-want +got):\n%s", s, diff)
		}
		if got := s.Permitted().Len(); got != len(want) {
			t.Errorf("%v.Permitted().Len() = %d, want %d", s, got, len(want))
		}
	}
	if got := introspection.State(200).Permitted(); got.Len() != 0 || got.Events() == nil {
		t.Errorf("Permitted of an invalid state = %v, want the empty set", got)
	}
	if got := introspection.StateFinished.Permitted().String(); got != "[reapply finish start]" {
		t.Errorf("Permitted().String() = %s", got)
	}
}

// Nothing a caller does to what the API returns may change what later calls
// return.
func TestResultsAreNotShared(t *testing.T) {
	p := introspection.StateWaiting.Permitted()
	p[0] = 0
	evs := introspection.StateWaiting.Permitted().Events()
	evs[0] = introspection.EventAbortEnd
	if got := introspection.StateWaiting.Permitted().String(); got != "[process timeout abort start]" {
		t.Errorf("Permitted after changing earlier results = %s", got)
	}
	for _, list := range [][]introspection.State{introspection.States(), introspection.EntryStates()} {
		list[0] = introspection.StateAborting
	}
	if introspection.States()[0] != introspection.StateStarting || introspection.EntryStates()[0] != introspection.StateStarting {
		t.Error("States or EntryStates changed by a caller's write")
	}
	_, err := introspection.Transition(introspection.StateFinished, introspection.EventAbort)
	var te introspection.TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is not a TransitionError", err)
	}
	te = introspection.TransitionError{}
	_, again := introspection.Transition(introspection.StateFinished, introspection.EventAbort)
	if !errors.As(again, &te) || te.From() != introspection.StateFinished || te.Event() != introspection.EventAbort {
		t.Errorf("second error = %v", again)
	}
	if err != again {
		t.Errorf("two errors for one pair differ: %v, %v", err, again)
	}
	if zero := (introspection.TransitionError{}); zero.Error() != `introspection: event "process" not allowed in state "finished"` {
		t.Errorf("zero TransitionError = %q", zero.Error())
	}
}

// The zero State is Initial, so a struct, a JSON document and a row that
// leave the state out all mean the same state.
func TestZeroValueIsInitial(t *testing.T) {
	var zero introspection.State
	if zero != introspection.Initial {
		t.Errorf("zero State = %v, want Initial (%v)", zero, introspection.Initial)
	}
	var doc struct {
		State introspection.State `json:"state"`
	}
	if err := json.Unmarshal([]byte(`{}`), &doc); err != nil || doc.State != introspection.Initial {
		t.Errorf("JSON without the state = %v, %v", doc.State, err)
	}
	if got, _ := introspection.Transition(introspection.State(0), introspection.EventStart); got != introspection.StateStarting {
		t.Errorf("Transition from the zero State on start = %v", got)
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := introspection.Transition(introspection.StateFinished, introspection.EventAbort)
	const want = `introspection: event "abort" not allowed in state "finished"`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
	_, err = introspection.Transition(introspection.State(99), introspection.EventAbort)
	if !errors.Is(err, introspection.ErrInvalidTransition) || err.Error() != `introspection: event "abort" not allowed in state "State(99)"` {
		t.Errorf("invalid state: error = %v", err)
	}
}

// The listings must come from the spec: the seed's Events.all() missed
// start and abort_end.
func TestListingsAreComplete(t *testing.T) {
	var states, events []string
	for _, s := range introspection.States() {
		states = append(states, s.String())
	}
	for _, e := range introspection.Events() {
		events = append(events, e.String())
	}
	wantStates := []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling", "aborting"}
	wantEvents := []string{"process", "reapply", "timeout", "wait", "abort", "error", "finish", "start", "abort_end"}
	if diff := cmp.Diff(wantStates, states); diff != "" {
		t.Errorf("States() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("Events() (-want +got):\n%s", diff)
	}
	if introspection.NumStates != len(wantStates) || introspection.NumEvents != len(wantEvents) {
		t.Errorf("NumStates, NumEvents = %d, %d", introspection.NumStates, introspection.NumEvents)
	}
}

func TestEntryAndTags(t *testing.T) {
	if introspection.Initial != introspection.StateFinished {
		t.Errorf("Initial = %v, want finished", introspection.Initial)
	}
	want := []introspection.State{introspection.StateStarting, introspection.StateFinished, introspection.StateEnrolling}
	if diff := cmp.Diff(want, introspection.EntryStates()); diff != "" {
		t.Errorf("EntryStates (-want +got):\n%s", diff)
	}
	for _, s := range introspection.States() {
		if s.IsEntry() != (s == introspection.StateStarting || s == introspection.StateFinished || s == introspection.StateEnrolling) {
			t.Errorf("%v.IsEntry() = %v", s, s.IsEntry())
		}
		if s.IsActive() == s.IsPassive() {
			t.Errorf("%v: active %v, passive %v: the seed makes every state one or the other", s, s.IsActive(), s.IsPassive())
		}
		if s.IsFailure() != (s == introspection.StateError) {
			t.Errorf("%v.IsFailure() = %v", s, s.IsFailure())
		}
	}
	if !introspection.EventAbortEnd.IsInternal() || introspection.EventStart.IsInternal() || !introspection.EventProcess.IsIntrospectionImage() {
		t.Error("event tag predicates disagree with the spec")
	}
}

func TestParseAndString(t *testing.T) {
	for _, s := range introspection.States() {
		got, err := introspection.ParseState(s.String())
		if err != nil || got != s {
			t.Errorf("ParseState(%q) = %v, %v", s.String(), got, err)
		}
	}
	for _, e := range introspection.Events() {
		got, err := introspection.ParseEvent(e.String())
		if err != nil || got != e {
			t.Errorf("ParseEvent(%q) = %v, %v", e.String(), got, err)
		}
	}
	if _, err := introspection.ParseState("Finished"); !errors.Is(err, introspection.ErrUnknownState) {
		t.Errorf("ParseState is case-sensitive; got %v", err)
	}
	if _, err := introspection.ParseEvent("abort-end"); !errors.Is(err, introspection.ErrUnknownEvent) {
		t.Errorf("ParseEvent(abort-end) error = %v", err)
	}
	if got := introspection.State(8).String(); got != "State(8)" {
		t.Errorf("invalid state String() = %q", got)
	}
	if introspection.State(8).IsValid() || !introspection.StateAborting.IsValid() {
		t.Error("IsValid is wrong at the boundary")
	}
}

func TestJSONAndText(t *testing.T) {
	type row struct {
		State introspection.State `json:"state"`
		Event introspection.Event `json:"event"`
	}
	b, err := json.Marshal(row{introspection.StateAborting, introspection.EventAbortEnd})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"state":"aborting","event":"abort_end"}` {
		t.Errorf("json = %s", b)
	}
	var back row
	if err := json.Unmarshal(b, &back); err != nil || back.State != introspection.StateAborting || back.Event != introspection.EventAbortEnd {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"state":"aborted"}`), &back); !errors.Is(err, introspection.ErrUnknownState) {
		t.Errorf("unknown state in JSON: %v", err)
	}
	if _, err := json.Marshal(row{State: 42}); err == nil {
		t.Error("marshaling an invalid state succeeded")
	}
}

func TestScanValue(t *testing.T) {
	for _, s := range introspection.States() {
		v, err := s.Value()
		if err != nil || v != s.String() {
			t.Errorf("%v.Value() = %v, %v", s, v, err)
		}
		var fromString, fromBytes introspection.State
		if err := fromString.Scan(s.String()); err != nil || fromString != s {
			t.Errorf("Scan(string %q) = %v, %v", s, fromString, err)
		}
		if err := fromBytes.Scan([]byte(s.String())); err != nil || fromBytes != s {
			t.Errorf("Scan([]byte %q) = %v, %v", s, fromBytes, err)
		}
	}
	if _, err := introspection.State(9).Value(); err == nil {
		t.Error("Value of an invalid state succeeded")
	}
}

// Every way in and out of the package says what was wrong in one form.
func TestErrorTexts(t *testing.T) {
	var s introspection.State
	var e introspection.Event
	_, parseErr := introspection.ParseState("lost")
	_, valueErr := introspection.State(200).Value()
	_, textErr := introspection.State(200).MarshalText()
	_, eventErr := introspection.ParseEvent("lost")
	got := map[string]error{
		"ParseState":    parseErr,
		"UnmarshalText": s.UnmarshalText([]byte("lost")),
		"Scan string":   s.Scan("lost"),
		"Scan int":      s.Scan(int64(200)),
		"Scan NULL":     s.Scan(nil),
		"Value":         valueErr,
		"MarshalText":   textErr,
		"ParseEvent":    eventErr,
		"Event Scan":    e.Scan(nil),
	}
	want := map[string]string{
		"ParseState":    `introspection: unknown state "lost"`,
		"UnmarshalText": `introspection: unknown state "lost"`,
		"Scan string":   `introspection: unknown state "lost"`,
		"Scan int":      `introspection: unknown state int64(200)`,
		"Scan NULL":     `introspection: unknown state NULL; scan a nullable column into NullState`,
		"Value":         `introspection: unknown state State(200)`,
		"MarshalText":   `introspection: unknown state State(200)`,
		"ParseEvent":    `introspection: unknown event "lost"`,
		"Event Scan":    `introspection: unknown event NULL; scan a nullable column into NullEvent`,
	}
	texts := map[string]string{}
	for k, err := range got {
		if !errors.Is(err, introspection.ErrUnknownState) && !errors.Is(err, introspection.ErrUnknownEvent) {
			t.Errorf("%s: %v matches neither ErrUnknownState nor ErrUnknownEvent", k, err)
		}
		if err != nil {
			texts[k] = err.Error()
		}
	}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("error texts (-want +got):\n%s", diff)
	}
}

func TestNullStateAndEvent(t *testing.T) {
	var ns introspection.NullState
	if err := ns.Scan(nil); err != nil || ns.Valid {
		t.Errorf("Scan(NULL) = %+v, %v; want invalid, no error", ns, err)
	}
	if v, err := ns.Value(); v != nil || err != nil {
		t.Errorf("Value of NULL = %v, %v; want nil, nil", v, err)
	}
	if err := ns.Scan([]byte("aborting")); err != nil || !ns.Valid || ns.State != introspection.StateAborting {
		t.Errorf("Scan(aborting) = %+v, %v", ns, err)
	}
	if v, err := ns.Value(); v != "aborting" || err != nil {
		t.Errorf("Value = %v, %v", v, err)
	}
	if err := ns.Scan("lost"); !errors.Is(err, introspection.ErrUnknownState) || ns.Valid {
		t.Errorf("Scan(lost) = %+v, %v; want invalid and ErrUnknownState", ns, err)
	}
	if err := ns.Scan(nil); err != nil || ns.Valid || ns.State != introspection.Initial {
		t.Errorf("Scan(NULL) after a state = %+v, %v", ns, err)
	}
	if _, err := (introspection.NullState{State: 99, Valid: true}).Value(); !errors.Is(err, introspection.ErrUnknownState) {
		t.Errorf("Value of an invalid state = %v", err)
	}
	var ne introspection.NullEvent
	if err := ne.Scan("abort_end"); err != nil || !ne.Valid || ne.Event != introspection.EventAbortEnd {
		t.Errorf("NullEvent.Scan = %+v, %v", ne, err)
	}
	if err := ne.Scan(nil); err != nil || ne.Valid {
		t.Errorf("NullEvent.Scan(NULL) = %+v, %v", ne, err)
	}
	if v, err := ne.Value(); v != nil || err != nil {
		t.Errorf("NullEvent NULL Value = %v, %v", v, err)
	}
}

// Values is what ent's field.EnumValues asks for: a method Values() []string.
func TestValues(t *testing.T) {
	var _ interface{ Values() []string } = introspection.State(0)
	var _ interface{ Values() []string } = introspection.Event(0)
	wantStates := []string{"starting", "waiting", "processing", "finished", "error", "reapplying", "enrolling", "aborting"}
	if diff := cmp.Diff(wantStates, introspection.State(0).Values()); diff != "" {
		t.Errorf("State.Values (-want +got):\n%s", diff)
	}
	v := introspection.Event(0).Values()
	if len(v) != introspection.NumEvents || v[8] != "abort_end" {
		t.Errorf("Event.Values = %v", v)
	}
	v[0] = "changed"
	if introspection.Event(0).Values()[0] != "process" {
		t.Error("Values shares its slice")
	}
}

func TestNoAllocations(t *testing.T) {
	var sink error
	for _, s := range introspection.States() {
		for _, e := range introspection.Events() {
			if n := testing.AllocsPerRun(100, func() {
				_, sink = introspection.Transition(s, e)
				_ = s.Can(e)
				_ = s.Permitted()
			}); n != 0 {
				t.Errorf("Transition(%v, %v) allocates %v times", s, e, n)
			}
		}
	}
	_ = sink
}
