package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// monitorPath is bolsillod's stream of every API call it serves.
const monitorPath = "/bolsillo/monitor"

// monitorRecord is one line of that stream. Dropped, alone, counts the
// calls the daemon skipped because this reader was slow.
type monitorRecord struct {
	Time      time.Time
	Method    string
	URI       string
	Status    int
	Duration  time.Duration
	UserAgent string
	Error     string
	PeerUID   *uint32
	PeerPID   *int32
	Dropped   int64
}

func newMonitorCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "monitor",
		Short: "Muestra en vivo cada petición que llega a la API del daemon, explicada",
		Long: "Se suscribe a bolsillod y muestra cada petición a la API REST que recibe, de cualquier cliente\n" +
			"(bolsillo, el docker CLI, docker-py): la hora, quién la envió, el método y la ruta, la respuesta,\n" +
			"cuánto tardó y qué pidió al daemon. Solo root y los miembros del grupo del socket pueden verlo.\n" +
			"Termina con Ctrl+C.",
		Example: "  bolsillo monitor\n" +
			"  # y en otra terminal:\n" +
			"  docker -H unix:///run/bolsillo.sock run --rm busybox echo hola",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMonitor(cmd.Context(), f)
		},
	}
}

func runMonitor(ctx context.Context, f *factory) error {
	host := f.Host()
	hc, base, err := monitorHTTPClient(host)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+monitorPath, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "bolsillo/"+Version)
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("Cannot connect to the Docker daemon at %s. Is the docker daemon running?: %w", host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return monitorRefused(resp, host)
	}

	fmt.Fprintf(f.Err, "Escuchando la API REST del daemon en %s: cada petición que le llega, de cualquier cliente. Termina con Ctrl+C.\n", host)
	dec := json.NewDecoder(resp.Body)
	for {
		var rec monitorRecord
		if err := dec.Decode(&rec); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return hintedError{
				hint: "El daemon cerró la conexión del monitor: quizá se detuvo. Vuelve a lanzar `bolsillo monitor` cuando responda.",
				err:  fmt.Errorf("reading the monitor stream: %w", errOrEOF(err)),
			}
		}
		// Times in the zone of the factory's clock: local, or UTC in tests.
		fmt.Fprint(f.Out, monitorLine(rec, f.now().Location()))
	}
}

// monitorLine formats one record: time, client, the request and what it
// asked, and the daemon's message when it answered with an error.
func monitorLine(rec monitorRecord, loc *time.Location) string {
	if rec.Dropped > 0 {
		return fmt.Sprintf("… %d %s sin mostrar: el monitor no las leía a tiempo y el daemon no espera por él\n",
			rec.Dropped, pluralWord(rec.Dropped, "petición", "peticiones"))
	}
	who := explain.APIClientName(rec.UserAgent)
	if rec.PeerPID != nil && *rec.PeerPID > 0 {
		who += fmt.Sprintf(" (pid %d)", *rec.PeerPID)
	}
	line := fmt.Sprintf("%s  %s  %s\n", rec.Time.In(loc).Format("15:04:05.000"), who,
		explain.APILine(rec.Method, rec.URI, rec.Status, rec.Duration))
	if rec.Error != "" {
		line += "    ↳ el daemon respondió: " + rec.Error + "\n"
	}
	return line
}

func pluralWord(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func errOrEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// monitorRefused explains an answer other than the stream: a daemon without
// the monitor (Docker) or a user the daemon does not let in.
func monitorRefused(resp *http.Response, host string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct{ Message string }
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		msg = e.Message
	}
	err := fmt.Errorf("GET %s: %d %s", monitorPath, resp.StatusCode, msg)
	switch resp.StatusCode {
	case http.StatusNotFound:
		return hintedError{err: err, hint: fmt.Sprintf("`bolsillo monitor` necesita bolsillod: el daemon de `%s` no tiene el monitor de la API "+
			"(Docker no lo tiene). Con él puedes ver las peticiones de tus propios comandos con "+
			"`bolsillo --explicar-api COMANDO`, o los eventos del daemon con `bolsillo events`.", host)}
	case http.StatusForbidden:
		return hintedError{err: err, hint: "El daemon no te deja ver el monitor: " + msg + "."}
	}
	return err
}

// monitorHTTPClient returns an HTTP client for the daemon at host and the
// base URL of its requests.
func monitorHTTPClient(host string) (*http.Client, string, error) {
	proto, addr, ok := strings.Cut(host, "://")
	if !ok || addr == "" {
		return nil, "", invalidFlag(fmt.Sprintf("La dirección del daemon `%s` no se entiende: escribe `unix:///ruta.sock` o `tcp://IP:PUERTO`.", host),
			fmt.Errorf("unable to parse docker host `%s`", host))
	}
	switch proto {
	case "unix":
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", addr)
		}}
		return &http.Client{Transport: tr}, "http://bolsillod", nil
	case "tcp", "http":
		return &http.Client{Transport: &http.Transport{}}, "http://" + strings.TrimSuffix(addr, "/"), nil
	}
	return nil, "", invalidFlag(fmt.Sprintf("`bolsillo monitor` habla con el daemon por `unix://` o `tcp://`, no por `%s://`.", proto),
		fmt.Errorf("unsupported protocol %q", proto))
}
