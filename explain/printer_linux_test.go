package explain

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair and sets the terminal's width; both
// ends are closed when the test ends.
func openPTY(t *testing.T, cols uint16) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("getting pty number: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlocking pty: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("opening pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: cols}); err != nil {
		t.Fatalf("setting pty size: %v", err)
	}
	return tty
}

func TestNewPrinterTerminal(t *testing.T) {
	tests := []struct {
		cols uint16
		want int
	}{
		{72, 72},
		{180, maxWidth},
		{0, fallbackWidth},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.cols), func(t *testing.T) {
			p := NewPrinter(openPTY(t, tt.cols), true)
			if !p.tty {
				t.Fatal("NewPrinter on a terminal chose plain Markdown")
			}
			if p.width != tt.want {
				t.Errorf("width on a %d-column terminal = %d, want %d", tt.cols, p.width, tt.want)
			}
			if p.render == nil {
				t.Error("no renderer on a terminal")
			}
		})
	}
}
