package runtime

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// newConsoleSocket returns the two ends of a unix socket pair. The
// container's init receives child, allocates a pty, and sends the master
// back over it with SCM_RIGHTS; the daemon reads it from parent.
func newConsoleSocket() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("creating console socket: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "console-parent"), os.NewFile(uintptr(fds[1]), "console-child"), nil
}

// recvConsole receives the pty master sent by the container's init. The
// message carries the pty's name as data and its fd as an SCM_RIGHTS
// control message.
func recvConsole(socket *os.File) (*os.File, error) {
	conn, err := socket.SyscallConn()
	if err != nil {
		return nil, err
	}
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	var n, oobn int
	var recvErr error
	err = conn.Read(func(fd uintptr) bool {
		n, oobn, _, _, recvErr = unix.Recvmsg(int(fd), name, oob, unix.MSG_CMSG_CLOEXEC)
		return !errors.Is(recvErr, unix.EAGAIN)
	})
	if err == nil {
		err = recvErr
	}
	if err != nil {
		return nil, fmt.Errorf("receiving pty master: %w", err)
	}
	if n == 0 && oobn == 0 {
		return nil, errors.New("receiving pty master: socket closed")
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, fmt.Errorf("parsing pty master message: %w", err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("pty master message has %d control messages, want 1", len(msgs))
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil {
		return nil, fmt.Errorf("parsing pty master rights: %w", err)
	}
	if len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("pty master message has %d fds, want 1", len(fds))
	}
	// Non-blocking, the fd joins Go's poller: Close then interrupts a
	// pending Read or Write.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("setting pty master non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), string(name[:n])), nil
}

// resizeConsole sets the window size of the pty behind master.
func resizeConsole(master *os.File, rows, cols uint16) error {
	conn, err := master.SyscallConn()
	if err != nil {
		return err
	}
	var ioctlErr error
	err = conn.Control(func(fd uintptr) {
		ioctlErr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	})
	if err == nil {
		err = ioctlErr
	}
	return err
}
