package verify

import (
	"database/sql"
	"fmt"
	neturl "net/url"
	"os"
	"regexp"
	"strings"

	_ "github.com/go-sql-driver/mysql" // mysql
	_ "github.com/jackc/pgx/v5/stdlib" // pgx
	_ "modernc.org/sqlite"             // sqlite
)

// Open connects to url, written the way goose or golang-migrate take it:
//
//	postgres://…, postgresql://…, pgx://…      PostgreSQL (pgx5://, pgx4:// too)
//	host=… dbname=… user=…                     the same, as keyword/value pairs
//	mysql://user:pass@tcp(host:port)/db?…      MySQL or MariaDB (golang-migrate)
//	user:pass@tcp(host:port)/db?…              the same, as a driver DSN (goose)
//	sqlite://path, sqlite3://path, file:path   SQLite, or a path ending in .db,
//	                                           .sqlite or .sqlite3
//
// It returns the database, the dialect's name, and the version table
// golang-migrate's x-migrations-table names ("" when it is not there).
// golang-migrate's x- parameters are its own, so they are not passed to
// the driver. It never creates a database: a SQLite file that does not
// exist is an error.
func Open(url string) (db *sql.DB, dialect, table string, err error) {
	url, table = cutRunnerParams(url)
	driver, dsn, dialect, err := parse(url)
	if err != nil {
		return nil, "", "", err
	}
	if dialect == "sqlite" {
		path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if _, err := os.Stat(path); err != nil {
			return nil, "", "", fmt.Errorf("-db %q: %v; verify reads an existing database and never creates one", redact(url), err)
		}
	}
	if db, err = sql.Open(driver, dsn); err != nil {
		return nil, "", "", err
	}
	return db, dialect, table, nil
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

func parse(url string) (driver, dsn, dialect string, err error) {
	lower := strings.ToLower(url)
	cut := func(prefix string) (string, bool) {
		if strings.HasPrefix(lower, prefix) {
			return url[len(prefix):], true
		}
		return "", false
	}
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return "pgx", url, "postgres", nil
	case strings.HasPrefix(lower, "pgx://"), strings.HasPrefix(lower, "pgx4://"), strings.HasPrefix(lower, "pgx5://"):
		// golang-migrate's names for its pgx drivers.
		_, rest, _ := strings.Cut(url, "://")
		return "pgx", "postgres://" + rest, "postgres", nil
	case keywordValue.MatchString(url):
		return "pgx", url, "postgres", nil
	case strings.HasPrefix(lower, "mysql://"):
		rest, _ := cut("mysql://")
		return "mysql", mysqlAddr(rest), "mysql", nil
	case strings.HasPrefix(lower, "sqlite://"), strings.HasPrefix(lower, "sqlite3://"):
		rest, ok := cut("sqlite://")
		if !ok {
			rest, _ = cut("sqlite3://")
		}
		return "sqlite", rest, "sqlite", nil
	case strings.HasPrefix(lower, "file:"):
		return "sqlite", url, "sqlite", nil
	case strings.Contains(url, "@tcp(") || strings.Contains(url, "@unix(") || strings.Contains(url, "@/"):
		return "mysql", url, "mysql", nil
	case strings.HasSuffix(lower, ".db") || strings.HasSuffix(lower, ".sqlite") || strings.HasSuffix(lower, ".sqlite3"):
		return "sqlite", url, "sqlite", nil
	}
	return "", "", "", fmt.Errorf("-db %q: not a database URL fsmgen knows (postgres://…, mysql://user@tcp(host:port)/db, user@tcp(host:port)/db, sqlite://path)", redact(url))
}

// mysqlAddr gives a URL's plain host:port, as in mysql://u:p@db:3306/app,
// the tcp( ) the driver's DSN needs; an address already in a protocol's
// parentheses stays as it is.
func mysqlAddr(rest string) string {
	at := strings.LastIndex(rest, "@")
	slash := strings.Index(rest[at+1:], "/")
	if slash < 0 {
		return rest
	}
	addr := rest[at+1 : at+1+slash]
	if addr == "" || strings.Contains(addr, "(") {
		return rest
	}
	return rest[:at+1] + "tcp(" + addr + ")" + rest[at+1+slash:]
}

// keywordValue is libpq's keyword/value form (host=… dbname=…), which
// goose passes to pgx as it is.
var keywordValue = regexp.MustCompile(`^\s*(host|hostaddr|port|dbname|user|password|sslmode|application_name)\s*=`)

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
