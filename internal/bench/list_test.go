package main

import (
	"strings"
	"testing"
	"time"
)

func TestCheckListed(t *testing.T) {
	argv := []string{"bolsillo", "ps", "-a"}
	tests := []struct {
		name    string
		out     string
		lines   int
		wantErr string
	}{
		{"header and two", "CONTAINER ID\na\nb\n", 3, ""},
		{"one missing", "CONTAINER ID\na\n", 3, "printed 2 lines, want 3"},
		{"one too many", "CONTAINER ID\na\nb\nc\n", 3, "printed 4 lines, want 3"},
		{"nothing", "", 1, "printed 0 lines, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkListed(argv, []byte(tt.out), tt.lines)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("checkListed: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("checkListed = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

func TestListTargets(t *testing.T) {
	tests := []struct {
		name      string
		list      *ListBench
		wantValue [2]float64
		wantMet   [2]*bool // nil: not measured
	}{
		{"not run", nil, [2]float64{}, [2]*bool{}},
		{"under the goal", &ListBench{Rows: []Row{{Key: rowListPs, Samples: ms(10, 49, 80)}, {Key: rowListImages, Samples: ms(12)}}},
			[2]float64{49, 12}, [2]*bool{ptr(true), ptr(true)}},
		{"50 ms is not under 50 ms", &ListBench{Rows: []Row{{Key: rowListPs, Samples: ms(50)}, {Key: rowListImages, Samples: ms(51, 52)}}},
			[2]float64{50, 51.5}, [2]*bool{ptr(false), ptr(false)}},
		{"one failed", &ListBench{Rows: []Row{{Key: rowListPs, Err: "boom"}, {Key: rowListImages, Samples: ms(8)}}},
			[2]float64{0, 8}, [2]*bool{nil, ptr(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{List: tt.list, Date: time.Now()}
			got := r.listTargets()
			if len(got) != 2 || got[0].Key != rowListPs || got[1].Key != rowListImages {
				t.Fatalf("listTargets() = %+v", got)
			}
			for i, target := range got {
				if target.Value != tt.wantValue[i] || target.Limit != 50 {
					t.Errorf("%s value %v limit %v, want %v and 50", target.Key, target.Value, target.Limit, tt.wantValue[i])
				}
				switch want := tt.wantMet[i]; {
				case want == nil && (target.Met != nil || target.Note == ""):
					t.Errorf("%s: met %v note %q, want not measured with a note", target.Key, target.Met, target.Note)
				case want != nil && (target.Met == nil || *target.Met != *want):
					t.Errorf("%s: met %v, want %v", target.Key, target.Met, *want)
				}
			}
		})
	}
}
