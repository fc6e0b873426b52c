package engine

import (
	"reflect"
	"testing"
)

func TestParsePS(t *testing.T) {
	out := "UID          PID    PPID  C STIME TTY          TIME CMD\n" +
		"root           1       0  0 10:00 ?        00:00:01 /sbin/init\n" +
		"root        4242    4200  0 10:01 ?        00:00:00 sh -c while true; do :; done\n"
	got, err := parsePS([]byte(out), []int{4242})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"root", "4242", "4200", "0", "10:01", "?", "00:00:00", "sh -c while true; do :; done"}}
	if !reflect.DeepEqual(got.Processes, want) || len(got.Titles) != 8 {
		t.Errorf("parsePS() = %q %q, want %q", got.Titles, got.Processes, want)
	}
	if _, err := parsePS([]byte("USER COMMAND\nroot sh\n"), nil); err == nil {
		t.Error("parsePS() without a PID column: no error")
	}
}
