package dialects

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/mysql"
	"github.com/fsmgen/fsmgen/internal/dialect/postgres"
	"github.com/fsmgen/fsmgen/internal/dialect/sqlite"
	_ "github.com/fsmgen/fsmgen/internal/golden" // accepts go test ./... -update
)

func TestQuote(t *testing.T) {
	for _, c := range []struct {
		dialect, in, ident, lit string
	}{
		{"postgres", `a"b'c\d`, `"a""b'c\d"`, `'a"b''c\d'`},
		{"sqlite", `a"b'c\d`, `"a""b'c\d"`, `'a"b''c\d'`},
		{"mysql", "a`b'c\\d", "`a``b'c\\d`", "'a`b''c\\\\d'"},
	} {
		if got := For(c.dialect).QuoteIdent(c.in); got != c.ident {
			t.Errorf("%s: QuoteIdent(%q) = %s, want %s", c.dialect, c.in, got, c.ident)
		}
		if got := For(c.dialect).QuoteLiteral(c.in); got != c.lit {
			t.Errorf("%s: QuoteLiteral(%q) = %s, want %s", c.dialect, c.in, got, c.lit)
		}
		// verify reads labels back from catalog text this way.
		text := "x NOT IN (" + dialect.QuoteLiterals(For(c.dialect), []string{c.in, `\\`, "''"}) + ")"
		if got := For(c.dialect).Literals(text); len(got) != 3 || got[0] != c.in || got[1] != `\\` || got[2] != "''" {
			t.Errorf("%s: Literals(%s) = %q, want %q, %q and %q back", c.dialect, text, got, c.in, `\\`, "''")
		}
	}
	if got, want := dialect.QuoteLiterals(For("postgres"), []string{"a", "b'"}), `'a', 'b'''`; got != want {
		t.Errorf("QuoteLiterals = %s, want %s", got, want)
	}
}

func TestPlaceholder(t *testing.T) {
	for d, want := range map[string]string{"postgres": "$2", "mysql": "?", "sqlite": "?2"} {
		if got := For(d).Placeholder(2); got != want {
			t.Errorf("%s: Placeholder(2) = %s, want %s", d, got, want)
		}
	}
}

func TestEveryNameHasADialect(t *testing.T) {
	for _, n := range Names {
		if For(n).Name() != n {
			t.Errorf("For(%q).Name() = %q", n, For(n).Name())
		}
	}
}

func TestRaiseMessage(t *testing.T) {
	long := "cannot migrate: " + strings.Repeat("é", 200)
	got := mysql.Dialect{}.RaiseMessage(long)
	text := strings.TrimSuffix(strings.TrimPrefix(got, "'"), "'")
	if n := utf8.RuneCountInString(text); n != 128 || !utf8.ValidString(text) || !strings.HasPrefix(text, "cannot migrate: éé") || !strings.HasSuffix(text, "é…") {
		t.Errorf("MySQL RaiseMessage of %d characters = %s (%d characters), want the first 127 and …", utf8.RuneCountInString(long), got, n)
	}
	if got, want := (mysql.Dialect{}).RaiseMessage("fits: it's 100%"), `'fits: it''s 100%'`; got != want {
		t.Errorf("MySQL RaiseMessage = %s, want %s", got, want)
	}
	if got, want := (postgres.Dialect{}).RaiseMessage("100% it's"), `'100%% it''s'`; got != want {
		t.Errorf("PostgreSQL RaiseMessage = %s, want %s", got, want)
	}
	if got, want := (sqlite.Dialect{}).RaiseMessage(long), (sqlite.Dialect{}).QuoteLiteral(long); got != want {
		t.Errorf("SQLite RaiseMessage cut the message: %s", got)
	}
}

// TestCommitEach: golang-migrate's one query is one DO block; a DO block
// among the statements becomes a nested block, and the outer quote is one
// no statement holds (a label may hold "$migration$").
func TestCommitEach(t *testing.T) {
	got := postgres.Dialect{}.CommitEach([]string{
		"SET lock_timeout = '500ms';",
		"DO $x$\nBEGIN\n    RAISE NOTICE '$migration$';\nEND\n$x$;",
	})
	want := "DO $fsmgen0$\nBEGIN\nSET lock_timeout = '500ms';\nCOMMIT;\n\nBEGIN\n    RAISE NOTICE '$migration$';\nEND;\nEND\n$fsmgen0$;"
	if got != want {
		t.Errorf("CommitEach =\n%s\nwant\n%s", got, want)
	}
	if For("mysql").CommitEach([]string{"SELECT 1;"}) != "" || For("sqlite").CommitEach([]string{"SELECT 1;"}) != "" {
		t.Error("MySQL and SQLite run a query's statements one by one: CommitEach must leave them")
	}
}

// A Store queues writes with its prepared statements of a *sql.DB.
func TestSerialWritesArePrepared(t *testing.T) {
	for _, name := range Names {
		if d := For(name); d.SerialWrites() && !d.Prepare() {
			t.Errorf("%s: SerialWrites without Prepare: the Store would not queue its writes", name)
		}
	}
}
