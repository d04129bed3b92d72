package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postgres is a throwaway PostgreSQL cluster run from the machine's
// binaries, with wal_level=logical for change data capture.
type Postgres struct {
	bin     string // directory holding initdb and postgres
	dir     string // data directory
	port    int
	cred    *syscall.Credential
	cmd     *exec.Cmd
	exited  chan error
	logFile *os.File
}

// FindPostgresBin returns the directory of the initdb and postgres binaries:
// $PG_BIN, the newest /usr/lib/postgresql/*/bin, or the PATH.
func FindPostgresBin() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if fileExists(filepath.Join(d, "postgres")) && fileExists(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries found (install the Debian package postgresql, or set PG_BIN)")
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// StartPostgres initialises dataDir if it holds no cluster yet and starts
// PostgreSQL on 127.0.0.1:port (0 picks a free port). As root it runs the
// server as the "postgres" user, since PostgreSQL refuses to run as root.
func StartPostgres(ctx context.Context, dataDir string, port int) (*Postgres, error) {
	bin, err := FindPostgresBin()
	if err != nil {
		return nil, err
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, fmt.Errorf("postgres data dir: %w", err)
	}
	pg := &Postgres{bin: bin, dir: dataDir, port: port}
	if os.Geteuid() == 0 {
		if pg.cred, err = postgresCredential(); err != nil {
			return nil, err
		}
	}
	if err := pg.initdb(ctx); err != nil {
		return nil, err
	}
	if port != 0 {
		if err := pg.Start(ctx); err != nil {
			return nil, err
		}
		return pg, nil
	}
	// A free port can be taken by someone else between the probe and the
	// server's bind: try another one.
	var errs []error
	for range 3 {
		if pg.port, err = freePort(); err != nil {
			return nil, err
		}
		if err = pg.Start(ctx); err == nil {
			return pg, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a postgres user to run PostgreSQL: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (pg *Postgres) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(pg.bin, name), args...)
	if pg.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
	}
	return cmd
}

func (pg *Postgres) initdb(ctx context.Context) error {
	if fileExists(filepath.Join(pg.dir, "PG_VERSION")) {
		return nil
	}
	if err := os.MkdirAll(pg.dir, 0o700); err != nil {
		return fmt.Errorf("create postgres data dir: %w", err)
	}
	if pg.cred != nil {
		if err := os.Chown(pg.dir, int(pg.cred.Uid), int(pg.cred.Gid)); err != nil {
			return fmt.Errorf("chown postgres data dir: %w", err)
		}
	}
	out, err := pg.command(ctx, "initdb", "-D", pg.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// Start runs the server (again, after Stop) on the same port and data.
func (pg *Postgres) Start(ctx context.Context) error {
	logPath := filepath.Join(pg.dir, "server.log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open postgres log: %w", err)
	}
	// exec.Command, not CommandContext: the server outlives the start-up ctx.
	cmd := pg.command(context.Background(), "postgres",
		"-D", pg.dir, "-p", strconv.Itoa(pg.port), "-k", pg.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "wal_level=logical",
		"-c", "max_wal_senders=10", "-c", "max_replication_slots=10",
		"-c", "fsync=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start postgres: %w", err)
	}
	pg.cmd, pg.logFile, pg.exited = cmd, f, make(chan error, 1)
	go func() { pg.exited <- cmd.Wait() }()
	if err := pg.waitReady(ctx); err != nil {
		return errors.Join(err, pg.Stop())
	}
	return nil
}

func (pg *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, pg.URL("postgres"))
		if err == nil {
			return pg.checkOwnServer(ctx, conn)
		}
		select {
		case err := <-pg.exited:
			pg.exited <- err
			log, _ := os.ReadFile(filepath.Join(pg.dir, "server.log"))
			return fmt.Errorf("postgres exited during start-up: %v: %s", err, log)
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// checkOwnServer makes sure the server answering on the port is this one,
// not another that held the port when this one tried to bind it.
func (pg *Postgres) checkOwnServer(ctx context.Context, conn *pgx.Conn) error {
	defer conn.Close(context.WithoutCancel(ctx))
	var dir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		return fmt.Errorf("postgres data directory: %w", err)
	}
	if dir != pg.dir {
		return fmt.Errorf("port %d is served by another PostgreSQL (data directory %s)", pg.port, dir)
	}
	return nil
}

// URL returns a connection URL for database db.
func (pg *Postgres) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.port, db)
}

// Port returns the server's TCP port.
func (pg *Postgres) Port() int { return pg.port }

// Stop shuts the server down (fast shutdown) and waits for it.
func (pg *Postgres) Stop() error {
	if pg.cmd == nil {
		return nil
	}
	defer func() { pg.cmd = nil; pg.logFile.Close() }()
	_ = pg.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-pg.exited:
	case <-time.After(15 * time.Second):
		_ = pg.cmd.Process.Kill()
		<-pg.exited
	}
	return nil
}

// CreateDatabase creates database name if it does not exist.
func (pg *Postgres) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
