package lessons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/moby/moby/client"
)

// Runner executes one bolsillo command line through the same code paths as
// the command line itself. args are the words after "bolsillo"; dir is the
// folder relative paths (a build context, a file to cp) refer to. A command
// that exits with a non-zero status returns an error.
type Runner interface {
	Bolsillo(ctx context.Context, dir string, args []string, stdout, stderr io.Writer) error
}

// Auto plays lessons by themselves: for every step it runs the solution,
// shows each command, its output and its explanation, then runs the step's
// checks and stops at the first failing one.
type Auto struct {
	API    client.APIClient
	Runner Runner
	// Out receives the lesson's text and the commands' output; Err the
	// commands' explanations.
	Out, Err io.Writer
	// Markdown prints a Spanish text for the student (to Out).
	Markdown func(md string)
	// WorkRoot holds the lessons' work folders.
	WorkRoot string
	// CheckBefore runs every step's checks before its solution too and
	// fails when they already pass: a check that cannot fail is a defect.
	CheckBefore bool
	// Settle is how long the checks may keep failing after the solution
	// ran (a server that is still starting); 0 means 5 seconds.
	Settle time.Duration
}

// StepError is a step whose solution or checks failed.
type StepError struct {
	Lesson *Lesson
	Step   int // index
	Err    error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("lección %d (%s), paso %d (%s): %v", e.Lesson.Numero, e.Lesson.ID, e.Step+1, e.Lesson.Pasos[e.Step].ID, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// WorkDir is the work folder of l under root.
func WorkDir(root string, l *Lesson) string { return filepath.Join(root, l.Dir()) }

// WriteFiles writes files (name -> content) under dir.
func WriteFiles(dir string, files map[string]string) error {
	for name, content := range files {
		if err := checkFileName(name); err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Prepare creates the work folder of l with its archivos and returns it.
func Prepare(root string, l *Lesson) (string, error) {
	if root == "" {
		return "", errors.New("no sé dónde crear la carpeta de trabajo: define HOME o BOLSILLO_LECCIONES")
	}
	dir := WorkDir(root, l)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, WriteFiles(dir, l.Archivos)
}

// Clean removes what lesson l creates, by name, and nothing else: its
// containers (even running), then its images, then its volumes. What does
// not exist is skipped. It returns what it removed.
func Clean(ctx context.Context, api client.APIClient, l *Lesson) ([]string, error) {
	var (
		removed []string
		errs    []error
	)
	for _, name := range l.Recursos.Contenedores {
		_, err := api.ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		switch {
		case err == nil:
			removed = append(removed, "contenedor "+name)
		case !isNotFound(err):
			errs = append(errs, fmt.Errorf("contenedor %s: %w", name, err))
		}
	}
	for _, ref := range l.Recursos.Imagenes {
		_, err := api.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		switch {
		case err == nil:
			removed = append(removed, "imagen "+ref)
		case !isNotFound(err):
			errs = append(errs, fmt.Errorf("imagen %s: %w", ref, err))
		}
	}
	for _, name := range l.Recursos.Volumenes {
		_, err := api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{Force: true})
		switch {
		case err == nil:
			removed = append(removed, "volumen "+name)
		case !isNotFound(err):
			errs = append(errs, fmt.Errorf("volumen %s: %w", name, err))
		}
	}
	return removed, errors.Join(errs...)
}

// RunLesson plays lesson l from a clean state: it removes the lesson's
// resources left from a previous run, writes its work folder, then plays
// every step.
func (a *Auto) RunLesson(ctx context.Context, l *Lesson) error {
	if _, err := Clean(ctx, a.API, l); err != nil {
		return fmt.Errorf("lección %d (%s): al limpiar lo que dejó antes: %w", l.Numero, l.ID, err)
	}
	dir, err := Prepare(a.WorkRoot, l)
	if err != nil {
		return err
	}
	a.print(LessonIntro(l, dir))
	for i := range l.Pasos {
		if err := a.runStep(ctx, l, i, dir); err != nil {
			return &StepError{Lesson: l, Step: i, Err: err}
		}
	}
	a.print(fmt.Sprintf("**✔ Lección %d completada: %s**\n", l.Numero, l.Titulo))
	return nil
}

func (a *Auto) runStep(ctx context.Context, l *Lesson, i int, dir string) error {
	s := l.Pasos[i]
	a.print(StepText(l, i))
	since := time.Now()
	if a.CheckBefore {
		if err := CheckStep(ctx, a.API, s, since, dir); err == nil {
			return errors.New("sus comprobaciones ya pasan antes de ejecutar la solución: no pueden fallar")
		}
	}
	if err := WriteFiles(dir, s.Ficheros); err != nil {
		return err
	}
	for _, line := range s.Solucion {
		c, err := ParseCommand(line)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.Out, "$ %s\n", c.Line)
		if err := a.runCommand(ctx, c, dir); err != nil {
			return fmt.Errorf("`%s`: %w", c.Line, err)
		}
	}
	if err := a.settle(ctx, s, since, dir); err != nil {
		return err
	}
	a.print(StepDone(l, i))
	return nil
}

// settle runs the step's checks until they pass or Settle runs out.
func (a *Auto) settle(ctx context.Context, s *Step, since time.Time, dir string) error {
	wait := a.Settle
	if wait == 0 {
		wait = 5 * time.Second
	}
	deadline := time.Now().Add(wait)
	for {
		err := CheckStep(ctx, a.API, s, since, dir)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runCommand runs one solution line.
func (a *Auto) runCommand(ctx context.Context, c Command, dir string) error {
	var err error
	switch c.Kind {
	case CmdEsperar:
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(c.Wait):
		}
		return nil
	case CmdCurl:
		var (
			code int
			body string
		)
		code, body, err = httpGet(ctx, c.URL)
		if err == nil {
			fmt.Fprint(a.Out, body)
			if len(body) > 0 && body[len(body)-1] != '\n' {
				fmt.Fprintln(a.Out)
			}
			if code >= 400 {
				err = fmt.Errorf("el servidor respondió %d", code)
			}
		}
	default:
		err = a.Runner.Bolsillo(ctx, dir, c.Args, a.Out, a.Err)
	}
	switch {
	case c.ExpectFail && err == nil:
		return errors.New("debía fallar y no falló")
	case c.ExpectFail:
		fmt.Fprintln(a.Out, "(falla, como se esperaba)")
		return nil
	}
	return err
}

func (a *Auto) print(md string) {
	if a.Markdown != nil {
		a.Markdown(md)
		return
	}
	fmt.Fprintln(a.Out, md)
}
