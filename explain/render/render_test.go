package render

import (
	"strings"
	"testing"

	"bolsillo/internal/golden"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// sample has the shape of every explanation: a title and a few bullets
// with inline code, one of them a path too long to wrap.
const sample = "# Contenedor `reloj`, creado desde la imagen `busybox`\n\n" +
	"- La imagen `busybox` aporta 1 capa de solo lectura (read-only layer), 1.99MB en total: nadie la modifica y la comparten todos sus contenedores.\n" +
	"- Encima, el contenedor añadió su capa de lectura y escritura (writable layer) en `/var/lib/bolsillo/containers/57d8cc99a551d2128f3501fcf9b7cb9b8f4ae9927b9fa53645adbecfbaab8834/rw`: ahí va todo lo que escribe.\n" +
	"- Es un proceso aislado más de tu máquina (el anfitrión), con PID `48213`.\n"

func TestMarkdown(t *testing.T) {
	const width = 60
	got, err := Markdown(sample, Options{Width: width, Profile: termenv.Ascii})
	if err != nil {
		t.Fatal(err)
	}
	plain := ansi.Strip(got)
	if strings.Contains(plain, "# ") || strings.Contains(plain, "`") || strings.Contains(plain, "\n- ") {
		t.Errorf("output still has Markdown markers:\n%s", plain)
	}
	for _, line := range strings.Split(plain, "\n") {
		if w := ansi.StringWidth(line); w > width && !strings.Contains(line, "/var/lib/bolsillo/") {
			t.Errorf("line is %d columns wide, want at most %d: %q", w, width, line)
		}
	}
	for _, w := range []string{"48213", "1.99MB", "reloj"} {
		if !strings.Contains(plain, w) {
			t.Errorf("rendered output lost %q:\n%s", w, plain)
		}
	}
	// Escape sequences are written out so the golden file stays readable.
	assertGolden(t, strings.ReplaceAll(got, "\x1b", `\x1b`))
}

func TestMarkdownColor(t *testing.T) {
	got, err := Markdown(sample, Options{Width: 80, Profile: termenv.ANSI256})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "\x1b[") {
		t.Errorf("ANSI256 output has no escape sequences: %q", got)
	}
}

func TestMarkdownBadStyle(t *testing.T) {
	if _, err := Markdown(sample, Options{Style: "no-such-style"}); err == nil {
		t.Error("Markdown with an unknown style succeeded")
	}
}

// assertGolden compares got with testdata/<TestName>.golden.
func assertGolden(t *testing.T, got string) {
	t.Helper()
	golden.AssertString(t, got)
}
