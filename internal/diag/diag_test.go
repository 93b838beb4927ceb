package diag

import (
	"testing"

	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
)

func TestSuggest(t *testing.T) {
	candidates := []string{"starting", "waiting", "processing", "error", "abort", "abort_end", "initial"}
	for _, tc := range []struct{ in, want string }{
		{"eror", "error"},
		{"proccessing", "processing"},
		{"abrot", "abort"}, // transposition
		{"abort_edn", "abort_end"},
		{"inital", "initial"},
		{"x", ""},        // too short to guess
		{"finished", ""}, // nothing close
		{"error", ""},    // exact matches are not suggestions
	} {
		if got := Suggest(tc.in, candidates); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestListSortsAndDeduplicates(t *testing.T) {
	var l List
	l.Add(Pos{"b.yaml", 1, 1}, "late file")
	l.Add(Pos{"a.yaml", 9, 2}, "second")
	l.Add(Pos{"a.yaml", 3, 7}, "first")
	l.Add(Pos{"a.yaml", 9, 2}, "second")
	want := "a.yaml:3:7: first\na.yaml:9:2: second\nb.yaml:1:1: late file"
	if got := l.Err().Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if (List{}).Err() != nil {
		t.Error("an empty list is an error")
	}
}
