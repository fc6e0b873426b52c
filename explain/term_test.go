package explain

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// termSample has every shape the explanations use.
const termSample = "# Contenedor `web`, creado desde la imagen `busybox`\n\n" +
	"- La imagen `busybox` aporta 1 capa de solo lectura (read-only layer), 1.99MB en total: nadie la modifica y la comparten todos sus contenedores.\n" +
	"- Encima tuvo su capa de lectura y escritura en `/var/lib/bolsillo/containers/57d8cc99a551d2128f3501fcf9b7cb9b8f4ae9927b9fa53645adbecfbaab8834/rw`.\n" +
	"- Cada instrucción es un paso:\n" +
	"  1. `FROM busybox`: la imagen base → `66a001996feb`\n" +
	"  2. `RUN echo \"hola\" > /a`: **nueva capa** de 11B\n" +
	"- Una fence doble: `` a`b ``.\n" +
	"- Sus últimas líneas:\n\n" +
	"```\n" +
	"httpd: bind: Address already in use\n" +
	"```\n\n" +
	"## Siguiente\n\n" +
	"Texto suelto que sigue, largo, para ver que se parte en varias líneas sin sangría alguna al final.\n"

func TestRenderTerminal(t *testing.T) {
	for _, tt := range []struct {
		name  string
		color bool
	}{{"plain", false}, {"color", true}} {
		t.Run(tt.name, func(t *testing.T) {
			assertGolden(t, renderTerminal(termSample, 60, tt.color))
		})
	}
}

var ansiCodes = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Every line fits the width, except words longer than it (paths), and no
// Markdown marker is left.
func TestRenderTerminalFits(t *testing.T) {
	for _, width := range []int{40, 60, 100} {
		out := ansiCodes.ReplaceAllString(renderTerminal(termSample, width, true), "")
		for _, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > width && !strings.Contains(line, "/var/lib/bolsillo/") {
				t.Errorf("width %d: line of %d columns: %q", width, n, line)
			}
			if strings.HasPrefix(strings.TrimSpace(line), "- ") || strings.Contains(line, "**") || strings.HasPrefix(line, "#") {
				t.Errorf("width %d: Markdown marker left in %q", width, line)
			}
		}
		if strings.Contains(out, "`web`") || !strings.Contains(out, "a`b") {
			t.Errorf("width %d: code spans not drawn:\n%s", width, out)
		}
	}
}

func TestParseInline(t *testing.T) {
	tests := []struct {
		in   string
		want []inline
	}{
		{"hola", []inline{{"hola", ""}}},
		{"el `web` corre", []inline{{"el ", ""}, {"web", styleCode}, {" corre", ""}}},
		{"`` a`b ``", []inline{{"a`b", styleCode}}},
		{"**ojo** aquí", []inline{{"ojo", styleBold}, {" aquí", ""}}},
		{"sin cerrar `x", []inline{{"sin cerrar `x", ""}}},
	}
	if got := parseInline("el `web` corre", false); len(got) != 1 || got[0].text != "el `web` corre" {
		t.Errorf("without color, code spans keep their backticks: %q", got)
	}
	for _, tt := range tests {
		got := parseInline(tt.in, true)
		if len(got) != len(tt.want) {
			t.Errorf("parseInline(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseInline(%q) = %q, want %q", tt.in, got, tt.want)
				break
			}
		}
	}
}
