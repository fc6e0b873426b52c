package lessons

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestProgressPath(t *testing.T) {
	tests := []struct {
		env        map[string]string
		progress   string
		workFolder string
	}{
		{map[string]string{"HOME": "/home/ana"}, "/home/ana/.config/bolsillo/lecciones.json", "/home/ana/bolsillo-lecciones"},
		{map[string]string{"HOME": "/home/ana", "XDG_CONFIG_HOME": "/cfg", "BOLSILLO_LECCIONES": "/w"}, "/cfg/bolsillo/lecciones.json", "/w"},
		{map[string]string{}, "", ""},
	}
	for _, tt := range tests {
		getenv := func(k string) string { return tt.env[k] }
		if got := ProgressPath(getenv); got != tt.progress {
			t.Errorf("ProgressPath(%v) = %q, want %q", tt.env, got, tt.progress)
		}
		if got := WorkRoot(getenv); got != tt.workFolder {
			t.Errorf("WorkRoot(%v) = %q, want %q", tt.env, got, tt.workFolder)
		}
	}
}

func TestProgressLifecycle(t *testing.T) {
	ls, err := LoadFS(os.DirFS("testdata/buenas"))
	if err != nil {
		t.Fatal(err)
	}
	l := ls[0] // hola: two steps
	path := filepath.Join(t.TempDir(), "bolsillo", "lecciones.json")

	p, err := LoadProgress(path)
	if err != nil || p.Activa != "" || len(p.Lecciones) != 0 {
		t.Fatalf("LoadProgress(missing) = %+v, %v; want empty", p, err)
	}
	t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	lp := p.Start(l, t0)
	lp.Pistas = 2
	lp.SawSolution("crear")
	lp.SawSolution("crear")
	if done := lp.Complete(l, t0.Add(time.Minute)); done {
		t.Fatal("Complete after step 1 reported the lesson done")
	}
	if lp.Paso != 1 || lp.Pistas != 0 || !lp.Inicio.Equal(t0.Add(time.Minute)) {
		t.Errorf("after step 1: %+v", lp)
	}
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	// Written atomically: only the file itself is left in the folder.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 || ents[0].Name() != "lecciones.json" {
		t.Errorf("progress folder holds %v", ents)
	}

	again, err := LoadProgress(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, p) {
		t.Errorf("reloaded progress = %+v, want %+v", again.Lecciones["hola"], p.Lecciones["hola"])
	}
	lp = again.Of("hola")
	if want := []string{"crear"}; !reflect.DeepEqual(lp.Hechos, want) || !reflect.DeepEqual(lp.Soluciones, want) {
		t.Errorf("hechos %v, soluciones %v; want %v", lp.Hechos, lp.Soluciones, want)
	}
	if done := lp.Complete(l, t0.Add(2*time.Minute)); !done || !lp.Completada || lp.Paso != 2 {
		t.Errorf("after the last step: done=%v %+v", done, lp)
	}

	again.Reset("hola")
	if again.Activa != "" || again.Lecciones["hola"] != nil {
		t.Errorf("after Reset: %+v", again)
	}
}

func TestProgressDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lecciones.json")
	if err := os.WriteFile(path, []byte("{no es json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProgress(path); err == nil {
		t.Error("LoadProgress(damaged) = nil error")
	}
}

func TestFind(t *testing.T) {
	ls, err := LoadFS(os.DirFS("testdata/buenas"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"2", "02", "web"} {
		if l, err := Find(ls, key); err != nil || l.ID != "web" {
			t.Errorf("Find(%q) = %v, %v", key, l, err)
		}
	}
	if _, err := Find(ls, "9"); err == nil {
		t.Error("Find(9) = nil error")
	}
}
