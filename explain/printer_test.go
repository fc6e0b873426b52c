package explain

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
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

// On a terminal the renderer gets the Markdown and the width; when it
// fails, the plain Markdown is printed instead: no explanation is lost.
func TestPrinterTerminal(t *testing.T) {
	tests := []struct {
		name   string
		render renderFunc
		want   string
	}{
		{"rendered", func(w io.Writer, md string, width int) error {
			_, err := io.WriteString(w, "RENDERED "+md[:1]+" "+string(rune('0'+width/10)))
			return err
		}, "RENDERED # 6"},
		{"renderer fails", func(io.Writer, string, int) error { return errors.New("no renderer") }, sampleMarkdown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := &Printer{w: &buf, enabled: true, tty: true, width: 60, render: tt.render}
			p.Print(sampleMarkdown)
			if got := buf.String(); got != tt.want {
				t.Errorf("Print wrote %q, want %q", got, tt.want)
			}
		})
	}
}
