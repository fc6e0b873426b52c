package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"bolsillo/explain"
	"bolsillo/lessons"
)

func newLeccionCommand(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "leccion [COMANDO]",
		Aliases: []string{"lesson"},
		Short:   "Lecciones guiadas del curso: dónde estás y qué hacer ahora",
		Long: "Las lecciones recorren el curso paso a paso sobre el motor real. Cada paso se comprueba\n" +
			"leyendo el estado del daemon por la API: mientras una lección está activa, después de\n" +
			"cada comando de bolsillo te digo si completaste el paso.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLeccionStatus(f) },
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "lista",
			Short: "Todas las lecciones, con tu progreso (✔ hecha, ▶ la actual)",
			Args:  noArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return runLeccionLista(f) },
		},
		&cobra.Command{
			Use:   "empezar N",
			Short: "Empieza la lección N (número o nombre): prepara su carpeta y te da el primer paso",
			Args:  exactArgs(1),
			RunE:  func(cmd *cobra.Command, args []string) error { return runLeccionEmpezar(f, args[0]) },
		},
		&cobra.Command{
			Use:   "pista",
			Short: "Una pista para el paso actual; cada vez una más clara",
			Args:  noArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return runLeccionPista(f) },
		},
		&cobra.Command{
			Use:   "verificar",
			Short: "Comprueba ahora el paso actual",
			Args:  noArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return runLeccionVerificar(cmd.Context(), f) },
		},
		&cobra.Command{
			Use:   "solucion",
			Short: "Los comandos que resuelven el paso actual",
			Args:  noArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return runLeccionSolucion(f) },
		},
		&cobra.Command{
			Use:   "reiniciar N",
			Short: "Vuelve a empezar la lección N: borra lo que ella creó (y nada más) y su progreso",
			Args:  exactArgs(1),
			RunE:  func(cmd *cobra.Command, args []string) error { return runLeccionReiniciar(cmd.Context(), f, args[0]) },
		},
		newLeccionAutoCommand(f),
	)
	return cmd
}

func newLeccionAutoCommand(f *factory) *cobra.Command {
	var todas, antes bool
	cmd := &cobra.Command{
		Use:   "auto [N | --todas]",
		Short: "La lección N se hace sola: cada comando, su salida y su explicación",
		Args:  requiresRangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if todas == (len(args) == 1) {
				return invalidFlag("Indica una lección (`bolsillo leccion auto 7`) o `--todas`.",
					errors.New("auto needs a lesson or --todas"))
			}
			key := ""
			if len(args) == 1 {
				key = args[0]
			}
			return runLeccionAuto(cmd.Context(), f, key, antes)
		},
	}
	cmd.Flags().BoolVar(&todas, "todas", false, "Todo el curso, una lección tras otra")
	cmd.Flags().BoolVar(&antes, "comprobar-antes", false, "Comprueba también antes de cada paso que sus comprobaciones fallan")
	_ = cmd.Flags().MarkHidden("comprobar-antes")
	return cmd
}

// lessonFail prints msg for the student and ends with exit status 1.
func lessonFail(f *factory, msg string) error {
	explain.NewPrinter(f.Err, true).Print(msg)
	return statusError{code: exitGeneric}
}

// lessonState is what every leccion subcommand reads: the lessons, the
// progress and where it is kept.
type lessonState struct {
	all      []*lessons.Lesson
	progress *lessons.Progress
	path     string
}

func loadLessonState(f *factory) (*lessonState, error) {
	all, err := lessons.Load()
	if err != nil {
		return nil, err
	}
	path := lessons.ProgressPath(f.getenv)
	p, err := lessons.LoadProgress(path)
	if err != nil {
		return nil, err
	}
	return &lessonState{all: all, progress: p, path: path}, nil
}

// active returns the active lesson and its progress, or nil.
func (s *lessonState) active() (*lessons.Lesson, *lessons.LessonProgress) {
	if s.progress.Activa == "" {
		return nil, nil
	}
	l, err := lessons.Find(s.all, s.progress.Activa)
	if err != nil {
		return nil, nil
	}
	lp := s.progress.Of(l.ID)
	if lp.Paso >= len(l.Pasos) {
		return l, nil
	}
	return l, lp
}

// activeStep loads the lessons and the progress and returns the active
// lesson and its current step's progress; with no step to do, the student
// gets noActiveLesson and the error says so.
func activeStep(f *factory) (*lessonState, *lessons.Lesson, *lessons.LessonProgress, error) {
	s, err := loadLessonState(f)
	if err != nil {
		return nil, nil, nil, err
	}
	l, lp := s.active()
	if lp == nil {
		return nil, nil, nil, lessonFail(f, noActiveLesson)
	}
	return s, l, lp, nil
}

func (f *factory) lessonOut(md string) { explain.NewPagePrinter(f.Out).Print(md) }

const noActiveLesson = "No tienes ninguna lección en marcha. Mira cuáles hay con `bolsillo leccion lista` " +
	"y empieza una con `bolsillo leccion empezar 1`."

func runLeccionStatus(f *factory) error {
	s, err := loadLessonState(f)
	if err != nil {
		return err
	}
	l, lp := s.active()
	if l == nil {
		f.lessonOut(noActiveLesson)
		return nil
	}
	if lp == nil {
		f.lessonOut(fmt.Sprintf("Terminaste la lección %d (%s). Sigue con `bolsillo leccion lista`.", l.Numero, l.Titulo))
		return nil
	}
	f.lessonOut(fmt.Sprintf("# Lección %d: %s\n\nTu carpeta de trabajo: `%s`\n\n%s\n%s", l.Numero, l.Titulo,
		lessons.WorkDir(lessons.WorkRoot(f.getenv), l), lessons.StepText(l, lp.Paso), stepHelp))
	return nil
}

const stepHelp = "Cuando creas que está, `bolsillo leccion verificar` (o sigue: lo compruebo después de cada comando). " +
	"¿Atascado? `bolsillo leccion pista`."

func runLeccionLista(f *factory) error {
	s, err := loadLessonState(f)
	if err != nil {
		return err
	}
	f.lessonOut(lessons.ListText(s.all, s.progress))
	return nil
}

func runLeccionEmpezar(f *factory, key string) error {
	s, err := loadLessonState(f)
	if err != nil {
		return err
	}
	l, err := lessons.Find(s.all, key)
	if err != nil {
		return lessonFail(f, err.Error())
	}
	dir, err := lessons.Prepare(lessons.WorkRoot(f.getenv), l)
	if err != nil {
		return err
	}
	s.progress.Start(l, f.now())
	if err := s.progress.Save(s.path); err != nil {
		return err
	}
	f.lessonOut(lessons.LessonIntro(l, dir) + "\n" + lessons.StepText(l, 0) + "\n" + stepHelp)
	return nil
}

func runLeccionPista(f *factory) error {
	s, l, lp, err := activeStep(f)
	if err != nil {
		return err
	}
	f.lessonOut(lessons.HintText(l, lp.Paso, lp.Pistas))
	if lp.Pistas < len(l.Pasos[lp.Paso].Pistas) {
		lp.Pistas++
	}
	return s.progress.Save(s.path)
}

func runLeccionSolucion(f *factory) error {
	s, l, lp, err := activeStep(f)
	if err != nil {
		return err
	}
	f.lessonOut(lessons.SolutionText(l, lp.Paso))
	lp.SawSolution(l.Pasos[lp.Paso].ID)
	return s.progress.Save(s.path)
}

func runLeccionVerificar(ctx context.Context, f *factory) error {
	s, l, lp, err := activeStep(f)
	if err != nil {
		return err
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	dir := lessons.WorkDir(lessons.WorkRoot(f.getenv), l)
	if err := lessons.CheckStep(ctx, api, l.Pasos[lp.Paso], lp.Inicio, dir); err != nil {
		return lessonFail(f, fmt.Sprintf("Todavía no: %s.\n\nSi te atascas, `bolsillo leccion pista`.", err))
	}
	md, err := completeStep(f, s, l, lp)
	if err != nil {
		return err
	}
	f.lessonOut(md)
	return nil
}

// completeStep records the current step of l as done and returns what to
// tell the student: what was learned and the next goal.
func completeStep(f *factory, s *lessonState, l *lessons.Lesson, lp *lessons.LessonProgress) (string, error) {
	i := lp.Paso
	md := lessons.StepDone(l, i)
	if lp.Complete(l, f.now()) {
		md += fmt.Sprintf("\n**🎉 Lección %d completada.** ", l.Numero)
		if next, err := lessons.Find(s.all, fmt.Sprint(l.Numero+1)); err == nil {
			md += fmt.Sprintf("La siguiente: `bolsillo leccion empezar %d` (%s).\n", next.Numero, next.Titulo)
		} else {
			md += "¡Terminaste el curso!\n"
		}
		s.progress.Activa = ""
	} else {
		md += "\n" + lessons.StepText(l, lp.Paso)
	}
	return md, s.progress.Save(s.path)
}

func runLeccionReiniciar(ctx context.Context, f *factory, key string) error {
	s, err := loadLessonState(f)
	if err != nil {
		return err
	}
	l, err := lessons.Find(s.all, key)
	if err != nil {
		return lessonFail(f, err.Error())
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	removed, err := lessons.Clean(ctx, api, l)
	if err != nil {
		return err
	}
	s.progress.Reset(l.ID)
	if err := s.progress.Save(s.path); err != nil {
		return err
	}
	md := fmt.Sprintf("Lección %d (%s) reiniciada: olvidé tu progreso en ella", l.Numero, l.Titulo)
	if len(removed) == 0 {
		md += " y no había nada suyo que borrar."
	} else {
		md += " y borré lo que ella crea: " + strings.Join(removed, ", ") + ". Nada más."
	}
	f.lessonOut(md + fmt.Sprintf("\n\nEmpieza de nuevo con `bolsillo leccion empezar %d`.", l.Numero))
	return nil
}

func runLeccionAuto(ctx context.Context, f *factory, key string, checkBefore bool) error {
	all, err := lessons.Load()
	if err != nil {
		return err
	}
	todo := all
	if key != "" {
		l, err := lessons.Find(all, key)
		if err != nil {
			return lessonFail(f, err.Error())
		}
		todo = []*lessons.Lesson{l}
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	root := lessons.WorkRoot(f.getenv)
	a := &lessons.Auto{
		API:         api,
		Runner:      cliRunner{f: f},
		Out:         f.Out,
		Err:         f.Err,
		Markdown:    f.lessonOut,
		WorkRoot:    root,
		CheckBefore: checkBefore,
	}
	start := time.Now()
	for _, l := range todo {
		if err := a.RunLesson(ctx, l); err != nil {
			return lessonFail(f, fmt.Sprintf("**La lección se detuvo.** %s", err))
		}
	}
	if len(todo) > 1 {
		f.lessonOut(fmt.Sprintf("**✔ Curso completo: %d lecciones en %.1f s.**", len(todo), time.Since(start).Seconds()))
	}
	return nil
}

// cliRunner runs solution lines through this same command tree, in
// process, against the same daemon and with the same options.
type cliRunner struct{ f *factory }

// autoFactories are the factories of commands run by auto mode: the
// progress check after a command skips them.
var autoFactories sync.Map

// chdirMu serializes the working-folder changes of in-process commands.
var chdirMu sync.Mutex

func (r cliRunner) Bolsillo(ctx context.Context, dir string, args []string, stdout, stderr io.Writer) error {
	g := newFactory()
	g.streams = streams{In: strings.NewReader(""), Out: stdout, Err: stderr}
	g.getenv, g.now, g.newClient = r.f.getenv, r.f.now, r.f.newClient
	// Global options are flags of the new command tree: pass them on.
	args = append([]string{"-H", r.f.Host(), "--explicar=" + fmt.Sprint(r.f.Explaining())}, args...)
	autoFactories.Store(g, true)
	defer autoFactories.Delete(g)

	chdirMu.Lock()
	defer chdirMu.Unlock()
	old, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.Chdir(dir); err != nil {
		return err
	}
	defer os.Chdir(old)
	if code := execute(ctx, g, args); code != 0 {
		return fmt.Errorf("terminó con código %d", code)
	}
	return nil
}

// lessonAfterCommand runs after every command: when a lesson is active, it
// checks the current step and, if it is done, says so on stderr with the
// next goal. It is quiet on any error: it must never get in the way of the
// command the student ran.
func lessonAfterCommand(ctx context.Context, f *factory, cmd *cobra.Command) {
	if cmd == nil || !cmd.Runnable() || skipLessonCheck(cmd) {
		return
	}
	if _, auto := autoFactories.Load(f); auto {
		return
	}
	if h, _ := cmd.Flags().GetBool("help"); h {
		return
	}
	path := lessons.ProgressPath(f.getenv)
	p, err := lessons.LoadProgress(path)
	if err != nil || p.Activa == "" {
		return
	}
	s, err := loadLessonState(f)
	if err != nil {
		return
	}
	l, lp := s.active()
	if lp == nil {
		return
	}
	api, err := f.newClient(f.Host())
	if err != nil {
		return
	}
	defer api.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	dir := lessons.WorkDir(lessons.WorkRoot(f.getenv), l)
	if lessons.CheckStep(ctx, api, l.Pasos[lp.Paso], lp.Inicio, dir) != nil {
		return
	}
	md, err := completeStep(f, s, l, lp)
	if err != nil {
		return
	}
	explain.NewPrinter(f.Err, true).Print(md)
}

// skipLessonCheck tells the commands after which no step is checked:
// leccion itself, help and completion.
func skipLessonCheck(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "leccion", "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}
