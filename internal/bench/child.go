package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// child is a long-running program this benchmark starts and must stop:
// bolsillod or the registry. Its output goes to a log file.
type child struct {
	name string // program name, for messages
	log  string // file with its standard output and error
	cmd  *exec.Cmd
	done chan error // holds the exit once it happened; whoever reads it puts it back
}

// startChild starts argv with its output in the file logPath.
func startChild(argv []string, logPath string) (*child, error) {
	c := &child{name: filepath.Base(argv[0]), log: logPath}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	// Its own process group: a Ctrl-C in the terminal reaches this program,
	// which then stops the child in order, not the child directly.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", c.name, err)
	}
	c.done = make(chan error, 1)
	go func() { c.done <- c.cmd.Wait() }()
	return c, nil
}

// pid is the child's process ID.
func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the child has ended, and how.
func (c *child) exited() (bool, error) {
	select {
	case err := <-c.done:
		c.done <- err
		return true, err
	default:
		return false, nil
	}
}

// stop ends the child with SIGTERM, as systemd would, and waits for it. If
// it is still there after timeout it is killed, and that is an error.
func (c *child) stop(timeout time.Duration) error {
	if gone, _ := c.exited(); gone {
		return nil
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping %s (PID %d): %w", c.name, c.pid(), err)
	}
	select {
	case err := <-c.done:
		c.done <- err
		return nil
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		c.done <- <-c.done
		return fmt.Errorf("%s (PID %d) did not stop within %s of SIGTERM; killed", c.name, c.pid(), timeout)
	}
}

// logTail returns the last line the child printed.
func (c *child) logTail() string {
	b, _ := os.ReadFile(c.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
