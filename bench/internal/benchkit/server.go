package benchkit

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readyPoll is the interval between two /readyz probes: short, because
// the time to ready is measured and the probe's interval bounds its
// precision.
const readyPoll = 5 * time.Millisecond

// CleanEnv is the environment without QUORUM_* settings, so that a
// setting leaked from the caller's shell cannot change what is measured.
func CleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QUORUM_") {
			out = append(out, kv)
		}
	}
	return out
}

// FreeAddr returns a loopback address that nothing listens on at the time
// of the call. The port is released for the server to take, and another
// process could take it first; the benches accept that rather than read
// the port a server picked from its log.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free loopback port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// ServerConfig says how to start a built quorum binary.
type ServerConfig struct {
	// Binary is the built quorum binary.
	Binary string
	// Env is the server's whole environment, usually CleanEnv and the
	// bench's settings; Start adds QUORUM_ADDR and QUORUM_PUBLIC_URL for
	// the port it picks.
	Env []string
	// LogPath receives the server's stdout and stderr. It is appended to,
	// so that the starts of one server on one data dir leave one log.
	LogPath string
	// ReadyTimeout bounds the time from exec to ready.
	ReadyTimeout time.Duration
	// ReadyTimeoutFlag names the flag that sets ReadyTimeout, for the
	// error when it passes; empty where the bound is fixed.
	ReadyTimeoutFlag string
	// StopGrace is how long Stop waits after SIGTERM before it kills the
	// server.
	StopGrace time.Duration
}

// Server is a built quorum binary running "quorum serve" on a free
// loopback port.
type Server struct {
	// Addr is the host:port the server listens on, which the admin CLI
	// needs to read the same settings.
	Addr string
	// URL is the base URL of its HTTP API.
	URL string
	// Ready is the time from exec to the first 200 from /readyz.
	Ready time.Duration

	logPath   string
	cmd       *exec.Cmd
	exited    chan struct{}
	stopGrace time.Duration
}

// Start execs "quorum serve" and returns once /readyz answers 200. A
// server that exits first, or is not ready within cfg.ReadyTimeout, makes
// an error that ends with the tail of its log; when ctx ends, Start stops
// the server and returns ctx's cause.
func Start(ctx context.Context, cfg ServerConfig) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.OpenFile(cfg.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the server log: %w", err)
	}
	s := &Server{Addr: addr, URL: "http://" + addr, logPath: cfg.LogPath, exited: make(chan struct{}), stopGrace: cfg.StopGrace}
	s.cmd = exec.Command(cfg.Binary, "serve")
	s.cmd.Env = slices.Concat(cfg.Env, []string{"QUORUM_ADDR=" + addr, "QUORUM_PUBLIC_URL=" + s.URL})
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", cfg.Binary, err)
	}
	go func() {
		_ = s.cmd.Wait()
		_ = logFile.Close()
		close(s.exited)
	}()
	probe := &http.Client{Timeout: 5 * time.Second}
	deadline := start.Add(cfg.ReadyTimeout)
	for {
		resp, err := probe.Get(s.URL + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.Ready = time.Since(start)
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, s.WithLog(errors.New("the server exited before it was ready"))
		case <-ctx.Done():
			s.Stop()
			return nil, fmt.Errorf("wait for the server to be ready: %w", context.Cause(ctx))
		case <-time.After(readyPoll):
		}
		if time.Now().After(deadline) {
			s.Stop()
			msg := fmt.Sprintf("the server was not ready after %s", cfg.ReadyTimeout)
			if cfg.ReadyTimeoutFlag != "" {
				msg += " (see " + cfg.ReadyTimeoutFlag + ")"
			}
			return nil, s.WithLog(errors.New(msg))
		}
	}
}

// Pid is the server's process id, for reading its memory.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Alive reports whether the server is still running: a bench checks it
// after a measurement, since a server that crashed under load makes every
// number of it meaningless.
func (s *Server) Alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Stop asks the server to stop and kills it if it has not within the
// config's StopGrace. It returns once the server has exited.
func (s *Server) Stop() {
	if !s.Alive() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(s.stopGrace):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// WithLog adds the last lines of the server's log to err: what went wrong
// on the client side is often explained there.
func (s *Server) WithLog(err error) error {
	return fmt.Errorf("%w\nserver log (tail):\n%s", err, tail(s.logPath, 30))
}

// tail returns the last n lines of the file at path, or why it cannot.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// Memory reads a field of /proc/<pid>/status that is given in kB (VmRSS,
// VmHWM) and returns it in bytes.
func Memory(pid int, field string) (int64, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read %s of process %d: %w", field, pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse %s of process %d: %w", field, pid, err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return 0, fmt.Errorf("no %s in %s", field, path)
}
