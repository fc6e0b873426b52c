package lessons

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Progress is what the student has done, kept in
// $XDG_CONFIG_HOME/bolsillo/lecciones.json (by default
// ~/.config/bolsillo/lecciones.json) so that it survives restarts.
type Progress struct {
	// Activa is the id of the lesson in progress ("" when none).
	Activa    string                     `json:"activa,omitempty"`
	Lecciones map[string]*LessonProgress `json:"lecciones"`
}

// LessonProgress is the progress in one lesson.
type LessonProgress struct {
	// Paso is the index of the current step; len(Pasos) when all are done.
	Paso int `json:"paso"`
	// Inicio is when the current step started: checks with "nuevo" and
	// events look at what happened since then.
	Inicio time.Time `json:"inicio_paso"`
	// Hechos are the ids of the steps completed.
	Hechos []string `json:"pasos_hechos,omitempty"`
	// Pistas is how many hints of the current step were shown.
	Pistas int `json:"pistas_vistas"`
	// Soluciones are the ids of the steps whose solution was shown.
	Soluciones []string `json:"soluciones_vistas,omitempty"`
	// Completada tells whether every step was done.
	Completada bool `json:"completada,omitempty"`
}

// ProgressPath returns the progress file for the environment getenv reads:
// $XDG_CONFIG_HOME/bolsillo/lecciones.json, else
// $HOME/.config/bolsillo/lecciones.json; "" when neither is set.
func ProgressPath(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "bolsillo", "lecciones.json")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "bolsillo", "lecciones.json")
	}
	return ""
}

// WorkRoot returns the folder holding every lesson's work folder:
// $BOLSILLO_LECCIONES, else $HOME/bolsillo-lecciones; "" when neither is set.
func WorkRoot(getenv func(string) string) string {
	if d := getenv("BOLSILLO_LECCIONES"); d != "" {
		return d
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, "bolsillo-lecciones")
	}
	return ""
}

// LoadProgress reads the progress file; a missing file is empty progress.
func LoadProgress(path string) (*Progress, error) {
	p := &Progress{Lecciones: map[string]*LessonProgress{}}
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("el archivo de progreso %s está dañado: %w", path, err)
	}
	if p.Lecciones == nil {
		p.Lecciones = map[string]*LessonProgress{}
	}
	return p, nil
}

// Save writes the progress atomically: a temporary file in the same folder,
// synced, then renamed over the old one.
func (p *Progress) Save(path string) error {
	if path == "" {
		return errors.New("no sé dónde guardar tu progreso: define HOME o XDG_CONFIG_HOME")
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".lecciones-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Of returns the progress of lesson id, creating it.
func (p *Progress) Of(id string) *LessonProgress {
	lp, ok := p.Lecciones[id]
	if !ok {
		lp = &LessonProgress{}
		p.Lecciones[id] = lp
	}
	return lp
}

// Start makes l the active lesson at its first step, at time now, keeping
// what was done before in it.
func (p *Progress) Start(l *Lesson, now time.Time) *LessonProgress {
	p.Activa = l.ID
	lp := p.Of(l.ID)
	lp.Paso, lp.Inicio, lp.Pistas, lp.Completada = 0, now, 0, false
	return lp
}

// Reset forgets everything about lesson id.
func (p *Progress) Reset(id string) {
	delete(p.Lecciones, id)
	if p.Activa == id {
		p.Activa = ""
	}
}

// Complete marks the current step of l done and moves to the next one at
// time now. It returns true when the lesson is finished.
func (lp *LessonProgress) Complete(l *Lesson, now time.Time) bool {
	if lp.Paso < len(l.Pasos) {
		id := l.Pasos[lp.Paso].ID
		if !slices.Contains(lp.Hechos, id) {
			lp.Hechos = append(lp.Hechos, id)
		}
		lp.Paso++
	}
	lp.Inicio, lp.Pistas = now, 0
	if lp.Paso >= len(l.Pasos) {
		lp.Completada = true
	}
	return lp.Completada
}

// SawSolution records that the solution of step id was shown.
func (lp *LessonProgress) SawSolution(id string) {
	if !slices.Contains(lp.Soluciones, id) {
		lp.Soluciones = append(lp.Soluciones, id)
	}
}

// Find returns the lesson with number or id key ("7" or "puertos").
func Find(ls []*Lesson, key string) (*Lesson, error) {
	for _, l := range ls {
		if l.ID == key || fmt.Sprint(l.Numero) == key || fmt.Sprintf("%02d", l.Numero) == key {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no hay ninguna lección %q: mira la lista con `bolsillo leccion lista`", key)
}
