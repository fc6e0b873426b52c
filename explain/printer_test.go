package explain

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

const sampleMarkdown = "# Contenedor `web` detenido\n\n- Su capa de escritura sigue en `/var/lib/bolsillo/containers/abc/rw`.\n"

func TestPrinterPlain(t *testing.T) {
	tests := []struct {
		name    string
		enabled bool
		in      string
		want    string
	}{
		{"markdown", true, sampleMarkdown, sampleMarkdown},
		{"adds_final_newline", true, "# Hola\n\n- una línea", "# Hola\n\n- una línea\n"},
		{"empty", true, "", ""},
		{"blank", true, " \n\t\n", ""},
		{"disabled", false, sampleMarkdown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := NewPrinter(&buf, tt.enabled)
			if got := p.Enabled(); got != tt.enabled {
				t.Errorf("Enabled() = %v, want %v", got, tt.enabled)
			}
			p.Print(tt.in)
			if got := buf.String(); got != tt.want {
				t.Errorf("Print(%q) wrote %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPrinterNil(t *testing.T) {
	var p *Printer
	if p.Enabled() {
		t.Error("nil Printer: Enabled() = true, want false")
	}
	p.Print(sampleMarkdown) // must not panic
}

func TestPrinterRegularFileIsPlain(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := NewPrinter(f, true)
	if p.tty {
		t.Fatal("NewPrinter on a regular file chose terminal rendering")
	}
	p.Print(sampleMarkdown)
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleMarkdown {
		t.Errorf("file content = %q, want %q", got, sampleMarkdown)
	}
}

// TestPrinterRender renders a real explanation with the pinned style, a
// fixed width and no colors, and compares it with a golden file.
func TestPrinterRender(t *testing.T) {
	f := loadFixtures(t)
	md := Run(RunData{Container: f.running, Image: f.busybox, ImageRef: "busybox", Detached: true, Env: []string{"SALUDO=hola"}, Cmd: f.running.Config.Cmd})
	const width = 60
	var buf bytes.Buffer
	newTerminalPrinter(&buf, width, termenv.Ascii).Print(md)
	got := buf.String()

	plain := ansi.Strip(got)
	if strings.Contains(plain, "# ") || strings.Contains(plain, "`") || strings.Contains(plain, "\n- ") {
		t.Errorf("output still has Markdown markers:\n%s", plain)
	}
	for _, line := range strings.Split(plain, "\n") {
		if w := ansi.StringWidth(line); w > width && !hasLongWord(line, width) {
			t.Errorf("line is %d columns wide, want at most %d: %q", w, width, line)
		}
	}
	for _, w := range []string{"48213", "Contenedor  web , creado desde la imagen  busybox"} {
		if !strings.Contains(plain, w) {
			t.Errorf("rendered output does not contain %q:\n%s", w, plain)
		}
	}
	// Escape sequences are written out so the golden file stays readable.
	t.Run("dark_ascii_60", func(t *testing.T) { assertGolden(t, strings.ReplaceAll(got, "\x1b", `\x1b`)) })
}

// hasLongWord reports whether line holds a word that cannot be wrapped
// within width columns, such as a long path.
func hasLongWord(line string, width int) bool {
	for _, w := range strings.Fields(line) {
		if ansi.StringWidth(w) > width-4 {
			return true
		}
	}
	return false
}

func TestPrinterRenderColor(t *testing.T) {
	var buf bytes.Buffer
	newTerminalPrinter(&buf, 80, termenv.ANSI256).Print(sampleMarkdown)
	got := buf.String()
	if !strings.Contains(got, "\x1b[") {
		t.Errorf("ANSI256 output has no escape sequences: %q", got)
	}
	if plain := ansi.Strip(got); !strings.Contains(plain, "/var/lib/bolsillo/containers/abc/rw") {
		t.Errorf("rendered output lost the path: %q", plain)
	}
}

// TestPrinterRenderFailure checks that a renderer that cannot be built does
// not lose the explanation: the plain Markdown is printed instead.
func TestPrinterRenderFailure(t *testing.T) {
	var buf bytes.Buffer
	p := newTerminalPrinter(&buf, 80, termenv.Ascii)
	p.style = "no-such-style"
	p.Print(sampleMarkdown)
	if got := buf.String(); got != sampleMarkdown {
		t.Errorf("Print with a broken renderer wrote %q, want the plain Markdown %q", got, sampleMarkdown)
	}
}

func TestPrinterWidthCap(t *testing.T) {
	tests := []struct{ width, want int }{
		{40, 40},
		{100, 100},
		{250, 100},
	}
	for _, tt := range tests {
		if got := newTerminalPrinter(&bytes.Buffer{}, tt.width, termenv.Ascii).width; got != tt.want {
			t.Errorf("width for a %d-column terminal = %d, want %d", tt.width, got, tt.want)
		}
	}
}
