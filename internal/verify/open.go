package verify

import (
	"database/sql"
	"fmt"
	neturl "net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	_ "github.com/go-sql-driver/mysql" // mysql
	_ "github.com/jackc/pgx/v5/stdlib" // pgx
	_ "modernc.org/sqlite"             // sqlite

	"github.com/fsmgen/fsmgen/internal/dialect"
	"github.com/fsmgen/fsmgen/internal/dialect/dialects"
)

// Open connects to url, written the way goose or golang-migrate take it:
//
//	postgres://…, postgresql://…, pgx://…      PostgreSQL (pgx5://, pgx4:// too)
//	host=… dbname=… user=…                     the same, as keyword/value pairs
//	mysql://user:pass@tcp(host:port)/db?…      MySQL or MariaDB (golang-migrate)
//	user:pass@tcp(host:port)/db?…              the same, as a driver DSN (goose)
//	sqlite://path, sqlite3://path, file:path   SQLite, or a path ending in .db,
//	                                           .sqlite or .sqlite3
//	spanner://projects/P/instances/I/databases/D  Cloud Spanner (golang-migrate),
//	                                           or the path alone
//
// It returns the database, the dialect's name, and the version table
// golang-migrate's x-migrations-table names ("" when it is not there).
// golang-migrate's x- parameters are its own, so they are not passed to
// the driver. It never creates a database: a SQLite file that does not
// exist is an error.
func Open(url string) (db *sql.DB, dialect, table string, err error) {
	url, table = cutRunnerParams(url)
	d, dsn, err := parse(url)
	if err != nil {
		return nil, "", "", err
	}
	if path := d.File(dsn); path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, "", "", fmt.Errorf("-db %q: %v; verify reads an existing database and never creates one", redact(url), err)
		}
	}
	if !slices.Contains(sql.Drivers(), d.Driver()) {
		// Spanner's client would more than double the binary of every
		// user: it is linked only on request (cmd/fsmgen's build tag).
		return nil, "", "", fmt.Errorf("-db %q: this fsmgen was built without the %s driver; build it with -tags %s (go install -tags %s github.com/fsmgen/fsmgen/cmd/fsmgen)", redact(url), d.Driver(), d.Driver(), d.Driver())
	}
	if db, err = sql.Open(d.Driver(), dsn); err != nil {
		return nil, "", "", err
	}
	return db, d.Name(), table, nil
}

// cutRunnerParams removes golang-migrate's x- query parameters from url
// and returns x-migrations-table's value.
func cutRunnerParams(url string) (rest, table string) {
	base, query, ok := strings.Cut(url, "?")
	if !ok {
		return url, ""
	}
	var kept []string
	for _, p := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(p, "=")
		switch {
		case strings.EqualFold(k, "x-migrations-table"):
			if u, err := neturl.QueryUnescape(v); err == nil {
				table = u
			}
		case strings.HasPrefix(strings.ToLower(k), "x-"):
		default:
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return base, table
	}
	return base + "?" + strings.Join(kept, "&"), table
}

// parse finds the dialect of url: by a scheme one claims, else by a form
// one recognises, so that a scheme always wins over a look-alike form.
func parse(url string) (dialect.Dialect, string, error) {
	for _, scheme := range []bool{true, false} {
		for _, d := range dialects.All() {
			if dsn, ok := d.DSN(url, scheme); ok {
				return d, dsn, nil
			}
		}
	}
	return nil, "", fmt.Errorf("-db %q: not a database URL fsmgen knows (postgres://…, mysql://user@tcp(host:port)/db, user@tcp(host:port)/db, sqlite://path, spanner://projects/…/databases/…)", redact(url))
}

// secrets are the places a password stands in every form Open knows (and
// those it does not), each with what replaces it: user:password@ in a URL
// or a MySQL DSN, a password query parameter, a password= pair (quoted or
// not).
var secrets = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@?]*:)[^@/?]*@`), "${1}***@"},
	{regexp.MustCompile(`^([^:/@?=\s]*:)[^@/]*@`), "${1}***@"},
	{regexp.MustCompile(`(?i)([?&]password=)[^&]*`), "${1}***"},
	{regexp.MustCompile(`(?i)(^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`), "${1}${2}***"},
}

// redact hides passwords in text that names a database.
func redact(url string) string {
	for _, s := range secrets {
		url = s.re.ReplaceAllString(url, s.with)
	}
	return url
}
