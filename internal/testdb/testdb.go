// Package testdb gives tests throwaway PostgreSQL 15 and MariaDB servers.
//
// Each server is started lazily, at most once per test binary, in a temporary
// directory on a free loopback port, and every call hands out a new, empty
// database on it. Test binaries that use this package must call Main from
// TestMain so that the servers are stopped and their directories removed.
package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
)

const startTimeout = 60 * time.Second

var (
	pg    = &server{kind: "PostgreSQL"}
	maria = &server{kind: "MariaDB"}

	dbSeq atomic.Int64
)

// Main runs the tests, stops the servers they started and exits with the
// tests' exit code.
func Main(m *testing.M) {
	code := m.Run()
	pg.stop()
	maria.stop()
	os.Exit(code)
}

// Postgres returns a pgx DSN (driver name "pgx") for a new, empty database on
// the shared throwaway PostgreSQL 15 cluster.
func Postgres(t testing.TB) string {
	t.Helper()
	pg.once.Do(startPostgres)
	name := pg.createDB(t, `CREATE DATABASE "%s"`)
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.port, name)
}

// MySQL returns a go-sql-driver/mysql DSN for a new, empty database on the
// shared throwaway MariaDB server.
func MySQL(t testing.TB) string {
	t.Helper()
	maria.once.Do(startMariaDB)
	name := maria.createDB(t, "CREATE DATABASE `%s`")
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?multiStatements=true&parseTime=true", maria.port, name)
}

type server struct {
	kind string
	once sync.Once

	missing string // set when the server binaries are not installed
	err     error  // set when the server could not be started

	dir    string
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
	admin  *sql.DB
}

func (s *server) createDB(t testing.TB, stmt string) string {
	t.Helper()
	if s.missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("testdb: %s; CI is set, so this fails instead of skipping", s.missing)
		}
		t.Skipf("testdb: %s; skipping", s.missing)
	}
	if s.err != nil {
		t.Fatalf("testdb: %v", s.err)
	}
	name := fmt.Sprintf("test_%d", dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, fmt.Sprintf(stmt, name)); err != nil {
		t.Fatalf("testdb: %s: create database %s: %v", s.kind, name, err)
	}
	return name
}

func (s *server) stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		// SIGQUIT is PostgreSQL's immediate shutdown, which also ends its
		// backends; MariaDB's data is thrown away, so no clean shutdown is
		// worth waiting for.
		sig := syscall.SIGKILL
		if s == pg {
			sig = syscall.SIGQUIT
		}
		s.cmd.Process.Signal(sig)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// start runs the server in the background and waits until dsn answers.
func (s *server) start(cmd *exec.Cmd, driver, dsn, logPath string) error {
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	// The server must not outlive a test binary that dies without reaching
	// Main's cleanup (a panic or a -timeout).
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()

	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	s.admin = db
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited during startup: %v\n%s", s.kind, cmd.ProcessState, logTail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %v\n%s", s.kind, startTimeout, err, logTail(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func startPostgres() {
	s := pg
	bins, err := findBins([]string{"/usr/lib/postgresql/15/bin"}, "initdb", "postgres")
	if err != nil {
		s.missing = fmt.Sprintf("PostgreSQL 15 server not found (%v); install Debian package postgresql-15 (bash .ci/deps)", err)
		return
	}
	s.err = func() error {
		if err := s.mkdir("testdb-pg-"); err != nil {
			return err
		}
		// initdb and postgres refuse to run as root.
		var cred *syscall.Credential
		if os.Geteuid() == 0 {
			u, err := user.Lookup("postgres")
			if err != nil {
				return fmt.Errorf("running as root needs the postgres user: %v", err)
			}
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
			if err := os.Chown(s.dir, uid, gid); err != nil {
				return err
			}
		}
		data := filepath.Join(s.dir, "data")
		initdb := exec.Command(bins[0], "-D", data, "-U", "postgres", "-A", "trust",
			"-E", "UTF8", "--locale=C", "--no-sync")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return fmt.Errorf("initdb: %v\n%s", err, out)
		}
		if s.port, err = freePort(); err != nil {
			return err
		}
		cmd := exec.Command(bins[1], "-D", data,
			"-p", strconv.Itoa(s.port),
			"-k", s.dir,
			"-c", "listen_addresses=127.0.0.1",
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
		return s.start(cmd, "pgx", dsn, filepath.Join(s.dir, "postgres.log"))
	}()
}

func startMariaDB() {
	s := maria
	bins, err := findBins([]string{"/usr/sbin", "/usr/bin"}, "mariadb-install-db", "mariadbd")
	if err != nil {
		s.missing = fmt.Sprintf("MariaDB server not found (%v); install Debian package mariadb-server (bash .ci/deps)", err)
		return
	}
	s.err = func() error {
		if err := s.mkdir("testdb-maria-"); err != nil {
			return err
		}
		data := filepath.Join(s.dir, "data")
		var asUser []string
		if os.Geteuid() == 0 {
			asUser = []string{"--user=root"}
		}
		install := exec.Command(bins[0], append([]string{"--no-defaults",
			"--datadir=" + data,
			// Its own temporary tables, not in the shared /tmp: test
			// binaries run side by side, and one run's bootstrap failed
			// deleting a #sql-temptable file there.
			"--tmpdir=" + s.dir,
			"--auth-root-authentication-method=normal",
			"--skip-test-db"}, asUser...)...)
		if out, err := install.CombinedOutput(); err != nil {
			return fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
		}
		if s.port, err = freePort(); err != nil {
			return err
		}
		cmd := exec.Command(bins[1], append([]string{"--no-defaults",
			"--datadir=" + data,
			"--tmpdir=" + s.dir,
			"--socket=" + filepath.Join(s.dir, "mysqld.sock"),
			"--pid-file=" + filepath.Join(s.dir, "mariadbd.pid"),
			"--port=" + strconv.Itoa(s.port),
			"--bind-address=127.0.0.1",
			"--skip-name-resolve",
			// Containers often forbid the async I/O interfaces InnoDB prefers.
			"--innodb-use-native-aio=0",
			"--innodb-flush-log-at-trx-commit=0",
			"--innodb-doublewrite=0",
			// Nothing here must survive a crash; DDL fsyncs its files
			// otherwise, and the rerun tests run thousands of statements.
			"--innodb-flush-method=nosync"}, asUser...)...)
		dsn := fmt.Sprintf("root@tcp(127.0.0.1:%d)/", s.port)
		return s.start(cmd, "mysql", dsn, filepath.Join(s.dir, "mariadbd.log"))
	}()
}

func (s *server) mkdir(pattern string) error {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return err
	}
	s.dir = dir
	return nil
}

// findBins looks each name up in dirs first, then in PATH; dirs come first so
// that a versioned install wins over whatever else PATH holds.
func findBins(dirs []string, names ...string) ([]string, error) {
	var paths, missing []string
	for _, name := range names {
		path := ""
		for _, d := range dirs {
			p := filepath.Join(d, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				path = p
				break
			}
		}
		if path == "" {
			path, _ = exec.LookPath(name)
		}
		if path == "" {
			missing = append(missing, name)
		}
		paths = append(paths, path)
	}
	if len(missing) > 0 {
		return nil, errors.New("missing " + strings.Join(missing, ", "))
	}
	return paths, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "--- log tail " + path + " ---\n" + strings.Join(lines, "\n")
}
