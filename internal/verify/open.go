package verify

import (
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/go-sql-driver/mysql" // mysql
	_ "github.com/jackc/pgx/v5/stdlib" // pgx
	_ "modernc.org/sqlite"             // sqlite
)

// Open connects to url, written the way goose or golang-migrate take it:
//
//	postgres://… or postgresql://…             PostgreSQL
//	mysql://user:pass@tcp(host:port)/db?…      MySQL or MariaDB (golang-migrate)
//	user:pass@tcp(host:port)/db?…              the same, as a driver DSN (goose)
//	sqlite://path, sqlite3://path, file:path   SQLite, or a path ending in .db,
//	                                           .sqlite or .sqlite3
//
// It returns the database and the dialect's name.
func Open(url string) (*sql.DB, string, error) {
	driver, dsn, dialect, err := parse(url)
	if err != nil {
		return nil, "", err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, "", err
	}
	return db, dialect, nil
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
	case strings.HasPrefix(lower, "mysql://"):
		rest, _ := cut("mysql://")
		return "mysql", rest, "mysql", nil
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

// redact hides a password in an error message.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	if at < 0 {
		return url
	}
	head := url[:at]
	start := strings.Index(head, "://") + 3
	if start < 3 {
		start = 0
	}
	if i := strings.Index(head[start:], ":"); i >= 0 {
		return head[:start+i] + ":***" + url[at:]
	}
	return url
}
