package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseCourseDone(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    int
		wantErr string
	}{
		{
			name: "completed",
			out:  "**✔ Lección 15 completada: Dónde vive todo**\n**✔ Curso completo: 15 lecciones en 10.8 s.**\n",
			want: 15,
		},
		{
			name: "without the bold marks",
			out:  "✔ Curso completo: 3 lecciones en 1.0 s.\n",
			want: 3,
		},
		{
			name:    "stopped in a lesson",
			out:     "**✔ Lección 6 completada**\n**La lección se detuvo.** el paso 2 no se cumplió\n",
			wantErr: `ended without "Curso completo"`,
		},
		{
			name:    "quoted inside a line",
			out:     "el curso dice «✔ Curso completo: 15 lecciones» al final\n",
			wantErr: `ended without "Curso completo"`,
		},
		{
			name:    "zero lessons",
			out:     "**✔ Curso completo: 0 lecciones en 0.0 s.**\n",
			wantErr: `completed "0" lessons`,
		},
		{name: "nothing", out: "", wantErr: `ended without "Curso completo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCourseDone([]byte(tt.out))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr == "" && got != tt.want:
				t.Errorf("parseCourseDone = %d, want %d", got, tt.want)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one with %q", err, tt.wantErr)
			}
		})
	}
}

func TestTailLines(t *testing.T) {
	tests := []struct {
		out  string
		n    int
		want []string
	}{
		{"a\nb\n\n  c  \r\n\nd", 3, []string{"b", "c", "d"}},
		{"a\nb\n", 5, []string{"a", "b"}},
		{"\n\n", 2, nil},
		{"", 2, nil},
	}
	for _, tt := range tests {
		if got := tailLines([]byte(tt.out), tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("tailLines(%q, %d) = %q, want %q", tt.out, tt.n, got, tt.want)
		}
	}
}

func TestTimeCourse(t *testing.T) {
	elapsed, out, err := timeCourse(t.Context(), []string{"/bin/sh", "-c", "echo uno; echo dos >&2; echo tres"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed <= 0 {
		t.Errorf("wall time %v", elapsed)
	}
	if string(out) != "uno\ndos\ntres\n" {
		t.Errorf("output %q, want both outputs in order", out)
	}

	_, out, err = timeCourse(t.Context(), []string{"/bin/sh", "-c", "echo hasta aquí; exit 1"}, nil)
	if err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("error %v, want exit status 1", err)
	}
	if string(out) != "hasta aquí\n" {
		t.Errorf("output of a failed course %q, want what it printed", out)
	}
}
