package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestParseContainerID(t *testing.T) {
	id := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		name    string
		out     string
		want    string
		wantErr bool
	}{
		{"the ID alone", id + "\n", id, false},
		{"pull progress before it", "Unable to find image locally\nlatest: Pulling from x\n" + id + "\n", id, false},
		{"blanks around it", "\n  " + id + "  \n\n", id, false},
		{"nothing", "", "", true},
		{"a short ID", id[:12] + "\n", "", true},
		{"uppercase", strings.ToUpper(id) + "\n", "", true},
		{"a message after it", id + "\nwarning: x\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseContainerID([]byte(tt.out))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseContainerID(%q) error = %v, want error %v", tt.out, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseContainerID(%q) = %q, want %q", tt.out, got, tt.want)
			}
		})
	}
}

func TestDockerContainerName(t *testing.T) {
	valid := regexp.MustCompile(`^bench-exec-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		name, err := dockerContainerName("bench-exec")
		if err != nil {
			t.Fatal(err)
		}
		if !valid.MatchString(name) {
			t.Fatalf("dockerContainerName() = %q, want it to match %s", name, valid)
		}
		if seen[name] {
			t.Fatalf("dockerContainerName() returned %q twice", name)
		}
		seen[name] = true
	}
}

func TestExecTarget(t *testing.T) {
	tests := []struct {
		name     string
		exec     *ExecBench
		value    float64
		met      *bool
		wantNote string
	}{
		{
			name:  "exactly 3x",
			exec:  &ExecBench{Rows: []Row{{Key: rowExecBolsillo, Samples: ms(19, 20, 21)}, {Key: rowExecDocker, Samples: ms(60)}}},
			value: 3, met: ptr(true),
		},
		{
			name:  "under 3x",
			exec:  &ExecBench{Rows: []Row{{Key: rowExecBolsillo, Samples: ms(25)}, {Key: rowExecDocker, Samples: ms(60)}}},
			value: 2.4, met: ptr(false),
		},
		{
			name:     "no Docker daemon: the reference",
			exec:     &ExecBench{Rows: []Row{{Key: rowExecBolsillo, Samples: ms(26)}}, DockerNote: "docker exec: sin medir"},
			wantNote: "sin medir; con la referencia de ~65 ms sería 2.50x",
		},
		{
			name:     "Docker failed",
			exec:     &ExecBench{Rows: []Row{{Key: rowExecBolsillo, Samples: ms(20)}, {Key: rowExecDocker, Err: "exit status 125"}}},
			wantNote: "sin medir",
		},
		{
			name:     "bolsillo failed",
			exec:     &ExecBench{Rows: []Row{{Key: rowExecBolsillo, Err: "boom"}}, DockerNote: "docker exec: sin medir"},
			wantNote: "sin medir",
		},
		{name: "not run", wantNote: "sin medir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Exec: tt.exec}
			got := r.execTarget()
			if got.Key != "exec-docker/exec-bolsillo" || got.Limit != minExecRatioOfDocker {
				t.Errorf("key, limit = %q, %v; want exec-docker/exec-bolsillo, %v", got.Key, got.Limit, minExecRatioOfDocker)
			}
			if diff := got.Value - tt.value; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("value = %v, want %v", got.Value, tt.value)
			}
			switch {
			case (got.Met == nil) != (tt.met == nil):
				t.Errorf("met = %v, want %v", got.Met, tt.met)
			case got.Met != nil && *got.Met != *tt.met:
				t.Errorf("met = %v, want %v", *got.Met, *tt.met)
			}
			if got.Note != tt.wantNote {
				t.Errorf("note = %q, want %q", got.Note, tt.wantNote)
			}
		})
	}
}
