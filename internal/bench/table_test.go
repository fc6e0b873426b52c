package main

import "testing"

func TestTable(t *testing.T) {
	tests := []struct {
		name  string
		table table
		want  string
	}{
		{
			name: "header, numbers right-aligned, accents count as one column",
			table: table{
				indent: "  ",
				header: []string{"qué", "mediana", "ratio"},
				right:  []bool{false, true, true},
				rows: [][]string{
					{"bolsillo", "68.1 ms", "1.00x"},
					{"runc", "9.9 ms", "0.15x"},
				},
			},
			want: "" +
				"  qué       mediana  ratio\n" +
				"  bolsillo  68.1 ms  1.00x\n" +
				"  runc       9.9 ms  0.15x\n",
		},
		{
			name: "short rows and no trailing blanks",
			table: table{rows: [][]string{
				{"a", "bb", "c"},
				{"long cell"},
				{"", "x"},
			}},
			want: "" +
				"a          bb  c\n" +
				"long cell\n" +
				"           x\n",
		},
		{
			name:  "empty",
			table: table{},
			want:  "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.table.String(); got != tt.want {
				t.Errorf("table.String() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
