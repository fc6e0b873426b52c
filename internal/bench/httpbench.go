package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Keys of the HTTP rows.
const (
	rowHTTPPublished = "http-published"
	rowHTTPDirect    = "http-direct"
	// rowHTTPDocker is Docker's published port (docker-proxy) to the same
	// server in a Docker container: what the target's 70 % compares with
	// on the same machine. Docker's container address is not the bench's
	// to send traffic to, so Docker has no direct row.
	rowHTTPDocker = "http-docker-published"
)

// The load of the HTTP rows. Each row is measured in httpRounds rounds,
// the two rows alternating as A B B A A B…, so that a machine that slows
// down or speeds up during the measurement weighs on both rows alike. A
// round is httpWorkers clients at once, until httpMaxRequests requests
// were sent or httpDuration has passed, whichever comes first. A request
// that takes longer than httpRequestTimeout fails.
const (
	httpRounds         = 6
	httpWorkers        = 4
	httpMaxRequests    = 2000
	httpDuration       = 500 * time.Millisecond
	httpRequestTimeout = 5 * time.Second
	// httpReadyTimeout bounds the wait for the server to answer at all.
	httpReadyTimeout = 10 * time.Second
)

// minHTTPProxyShare is the target of the published port: the proxy keeps
// at least this share of the requests per second of the direct path.
const minHTTPProxyShare = 0.7

// httpTargetKey names the target of the HTTP rows.
const httpTargetKey = rowHTTPPublished + "/" + rowHTTPDirect

// httpContainer is the name of the container that serves the HTTP rows.
const httpContainer = "bench-web"

// httpContainerPort is the port busybox httpd listens on in the container.
const httpContainerPort = "80"

// httpServer is the command of that container: busybox httpd in the
// foreground, serving one small page.
var httpServer = []string{"sh", "-c", "mkdir -p /www && echo hola > /www/index.html && httpd -f -p 80 -h /www"}

// httpBody is the page httpServer serves; every answer is checked against it.
const httpBody = "hola\n"

// HTTPBench is HTTP requests per second to busybox httpd in a container
// of bolsillo: through the port bolsillod publishes on 127.0.0.1, and
// straight to the container's address on the daemon's bridge. Each
// request opens its own TCP connection, as a browser's first visit does.
// Workers, MaxRequests and Duration bound each of the Rounds of a row.
type HTTPBench struct {
	Rounds      int
	Workers     int
	MaxRequests int
	Duration    time.Duration
	Rows        []HTTPRow // the published port first, then direct, then Docker's
	// DockerNote says why Docker's published port was not measured; empty
	// when it was.
	DockerNote string
}

// HTTPRow is the load runs against one address: loadResult adds up its
// rounds.
type HTTPRow struct {
	Key   string
	Label string
	URL   string
	loadResult
	// Err says why the measurement failed.
	Err string
}

// add adds the requests and the time of one round to l.
func (l *loadResult) add(round loadResult) {
	l.Requests += round.Requests
	l.Elapsed += round.Elapsed
}

// loadResult is what one load run did: Requests answered, each with 200
// and httpBody, in Elapsed from the first request sent to the last answer
// read.
type loadResult struct {
	Requests int
	Elapsed  time.Duration
}

// Rate returns the requests answered per second; 0 when none were.
func (l loadResult) Rate() float64 {
	if l.Requests == 0 || l.Elapsed <= 0 {
		return 0
	}
	return float64(l.Requests) / l.Elapsed.Seconds()
}

// httpLoad describes one load run.
type httpLoad struct {
	url         string
	workers     int
	maxRequests int
	duration    time.Duration
	body        string // what every answer must carry
}

// newHTTPClient returns a client that opens a new TCP connection for every
// request, never goes through a proxy of the environment and never follows
// a redirect: every request reaches the address in its URL and no other.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: httpRequestTimeout,
		Transport: &http.Transport{
			Proxy:             nil,
			DialContext:       (&net.Dialer{Timeout: httpRequestTimeout}).DialContext,
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// get sends one GET of url and checks that it answers 200 with body.
func get(ctx context.Context, client *http.Client, url, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, int64(len(body))+1))
	if err != nil {
		return fmt.Errorf("GET %s: reading the body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if string(got) != body {
		return fmt.Errorf("GET %s: body %q, want %q", url, got, body)
	}
	return nil
}

// run sends GETs of l.url from l.workers goroutines until l.maxRequests
// were sent or l.duration has passed, and waits for the answers. The first
// failed request ends the run: a figure of a path that drops requests
// means nothing.
func (l httpLoad) run(ctx context.Context, client *http.Client) (loadResult, error) {
	if l.workers < 1 || l.maxRequests < 1 || l.duration <= 0 {
		return loadResult{}, fmt.Errorf("invalid load: %d workers, %d requests, %s", l.workers, l.maxRequests, l.duration)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		sent, answered atomic.Int64
		once           sync.Once
		firstErr       error
		wg             sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(l.duration)
	for range l.workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) && sent.Add(1) <= int64(l.maxRequests) {
				if err := get(ctx, client, l.url, l.body); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				answered.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return loadResult{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	return loadResult{Requests: int(answered.Load()), Elapsed: elapsed}, nil
}

// waitHTTP retries one GET of url until it answers with body, for up to
// timeout: the server starts after `run -d` returns.
func waitHTTP(ctx context.Context, client *http.Client, url, body string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := get(ctx, client, url, body)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s: %w", url, timeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// parsePublishedAddress returns the address on 127.0.0.1 among the lines
// `port NAME PORT` printed, such as "127.0.0.1:40975".
func parsePublishedAddress(out []byte) (netip.AddrPort, error) {
	for line := range strings.Lines(string(out)) {
		ap, err := netip.ParseAddrPort(strings.TrimSpace(line))
		if err == nil && ap.Addr() == netip.AddrFrom4([4]byte{127, 0, 0, 1}) && ap.Port() != 0 {
			return ap, nil
		}
	}
	return netip.AddrPort{}, fmt.Errorf("port printed %q, not an address on 127.0.0.1", bytes.TrimSpace(out))
}

// parseBridgeAddress returns the container's address that inspect printed,
// after checking that it lies in one of the subnets of the daemon's bridge
// that network inspect printed (separated by blanks): the only addresses
// the bench sends traffic to, other than 127.0.0.1.
func parseBridgeAddress(addrOut, subnetsOut []byte) (netip.Addr, error) {
	addr, err := netip.ParseAddr(strings.TrimSpace(string(addrOut)))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("inspect printed %q, not one IP address", bytes.TrimSpace(addrOut))
	}
	var subnets []string
	for _, s := range strings.Fields(string(subnetsOut)) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("network inspect printed %q, not a subnet", s)
		}
		if p.Contains(addr) && addr != p.Masked().Addr() {
			return addr, nil
		}
		subnets = append(subnets, s)
	}
	if len(subnets) == 0 {
		return netip.Addr{}, errors.New("network inspect printed no subnet of the bridge")
	}
	return netip.Addr{}, fmt.Errorf("%s is not in the bridge's subnets (%s)", addr, strings.Join(subnets, ", "))
}

// httpURL returns the URL of the page at ap.
func httpURL(ap netip.AddrPort) string { return "http://" + ap.String() + "/" }

// measureHTTP starts httpContainer in d with its port published on a free
// port of 127.0.0.1, measures requests per second through that port and
// straight to the container's address on the daemon's bridge, and removes
// the container. When a Docker daemon answers and dockerImport is nil, the
// same server in a Docker container, published on 127.0.0.1, is measured in
// the same rounds.
func (b *bench) measureHTTP(ctx context.Context, d *daemon, dockerImport error) {
	hb := &HTTPBench{Rounds: httpRounds, Workers: httpWorkers, MaxRequests: httpMaxRequests, Duration: httpDuration}
	b.report.HTTP = hb
	published := HTTPRow{Key: rowHTTPPublished, Label: "HTTP a través del puerto publicado"}
	direct := HTTPRow{Key: rowHTTPDirect, Label: "HTTP directo a la IP del contenedor"}
	fail := func(err error) {
		published.Err, direct.Err = err.Error(), err.Error()
		hb.Rows = []HTTPRow{published, direct}
	}

	runArgv := append([]string{"run", "-d", "--name", httpContainer, "-p", "127.0.0.1:0:" + httpContainerPort, "busybox"}, httpServer...)
	out, err := output(ctx, d.cli(runArgv...), nil)
	if err != nil {
		// The daemon is this bench's own: if run created the container
		// before failing, the name finds it.
		b.removeContainer(ctx, d, httpContainer, true)
		fail(err)
		return
	}
	id, err := parseContainerID(out)
	if err != nil {
		b.removeContainer(ctx, d, httpContainer, true)
		fail(err)
		return
	}
	defer b.removeContainer(ctx, d, id, false)

	if out, err = output(ctx, d.cli("port", httpContainer, httpContainerPort), nil); err != nil {
		fail(err)
		return
	}
	hostAddr, err := parsePublishedAddress(out)
	if err != nil {
		fail(err)
		return
	}
	addrOut, err := output(ctx, d.cli("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", httpContainer), nil)
	if err != nil {
		fail(err)
		return
	}
	subnetsOut, err := output(ctx, d.cli("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", "bridge"), nil)
	if err != nil {
		fail(err)
		return
	}
	ip, err := parseBridgeAddress(addrOut, subnetsOut)
	if err != nil {
		fail(err)
		return
	}
	port, _ := strconv.ParseUint(httpContainerPort, 10, 16)
	published.URL = httpURL(hostAddr)
	direct.URL = httpURL(netip.AddrPortFrom(ip, uint16(port)))

	rows := []*HTTPRow{&published, &direct}
	docker, removeDocker := b.dockerHTTPRow(ctx, dockerImport)
	defer removeDocker()
	if docker != nil {
		rows = append(rows, docker)
	}

	client := newHTTPClient()
	defer client.CloseIdleConnections()
	for _, row := range rows {
		if err := waitHTTP(ctx, client, row.URL, httpBody, httpReadyTimeout); err != nil {
			row.Err = err.Error()
		}
	}
	b.progress("HTTP: %d rondas alternas por dirección, %d a la vez, hasta %d peticiones o %s por ronda", httpRounds, httpWorkers, httpMaxRequests, httpDuration)
	runs := make([]func(context.Context) (time.Duration, error), len(rows))
	for i, row := range rows {
		if row.Err != "" {
			continue
		}
		load := httpLoad{url: row.URL, workers: httpWorkers, maxRequests: httpMaxRequests, duration: httpDuration, body: httpBody}
		runs[i] = func(ctx context.Context) (time.Duration, error) {
			round, err := load.run(ctx, client)
			row.add(round)
			return round.Elapsed, err
		}
	}
	_, errs := measureTurns(ctx, 0, httpRounds, runs)
	for i, row := range rows {
		if errs[i] != nil {
			row.Err = errs[i].Error()
		}
		hb.Rows = append(hb.Rows, *row)
	}
}

// dockerHTTPRow starts the server of the HTTP rows in a Docker container,
// published on a free port of 127.0.0.1, and returns its row and a func
// that removes the container. Without Docker, the row is nil and
// b.report.HTTP.DockerNote says why; a row that could not start carries
// its error.
func (b *bench) dockerHTTPRow(ctx context.Context, dockerImport error) (*HTTPRow, func()) {
	hb := b.report.HTTP
	if reason := b.dockerMissing(ctx); reason != "" {
		hb.DockerNote = "sin medir el puerto publicado de Docker: " + reason
		return nil, func() {}
	}
	row := &HTTPRow{Key: rowHTTPDocker, Label: "HTTP por el puerto publicado de Docker"}
	if dockerImport != nil {
		row.Err = dockerImport.Error()
		return row, func() {}
	}
	name, err := dockerContainerName("bench-web")
	if err != nil {
		row.Err = err.Error()
		return row, func() {}
	}
	dd := dockerDaemon{sock: b.opts.dockerSock}
	runArgv := dd.argv(append([]string{"run", "-d", "--name", name, "-p", "127.0.0.1:0:" + httpContainerPort, dockerImage}, httpServer...)...)
	out, err := output(ctx, runArgv, dockerEnv)
	if err != nil {
		row.Err = err.Error()
		return row, func() {}
	}
	id, err := parseContainerID(out)
	if err != nil {
		row.Err = err.Error()
		return row, func() {}
	}
	remove := func() {
		if _, err := output(context.WithoutCancel(ctx), dd.argv("rm", "--force", id), dockerEnv); err != nil {
			b.cleanup("no se pudo borrar el contenedor %s de Docker: %v", name, err)
		}
	}
	if out, err = output(ctx, dd.argv("port", id, httpContainerPort), dockerEnv); err != nil {
		row.Err = err.Error()
		return row, remove
	}
	hostAddr, err := parsePublishedAddress(out)
	if err != nil {
		row.Err = err.Error()
		return row, remove
	}
	row.URL = httpURL(hostAddr)
	return row, remove
}

// removeContainer removes a container of d with rm --force. ifExists
// tolerates a container that is not there: after a run that failed, there
// may be none.
func (b *bench) removeContainer(ctx context.Context, d *daemon, ref string, ifExists bool) {
	_, err := output(context.WithoutCancel(ctx), d.cli("rm", "--force", ref), nil)
	if err != nil && !(ifExists && strings.Contains(err.Error(), "No such container")) {
		b.cleanup("no se pudo borrar el contenedor %s de bolsillo: %v", ref, err)
	}
}

// httpTarget checks the goal of the published port: through the proxy, at
// least minHTTPProxyShare of the requests per second of the direct path.
func (r *Report) httpTarget() Target {
	t := Target{
		Key:   httpTargetKey,
		Goal:  fmt.Sprintf("el proxy conserva al menos el %g %% del directo", minHTTPProxyShare*100),
		Limit: minHTTPProxyShare,
		Note:  "sin medir",
	}
	if r.HTTP == nil {
		return t
	}
	var published, direct float64
	for _, row := range r.HTTP.Rows {
		switch {
		case row.Err != "":
		case row.Key == rowHTTPPublished:
			published = row.Rate()
		case row.Key == rowHTTPDirect:
			direct = row.Rate()
		}
	}
	if published > 0 && direct > 0 {
		t.Value = published / direct
		t.Met = ptr(t.Value >= minHTTPProxyShare)
		t.Note = ""
	}
	return t
}

// formatRate prints requests per second with one decimal.
func formatRate(rate float64) string { return fmt.Sprintf("%.1f req/s", rate) }

// writeText prints the HTTP section: requests per second, not milliseconds,
// so more is better, and each row compared with the direct path.
func (h *HTTPBench) writeText(b *strings.Builder) {
	b.WriteString("\nPeticiones HTTP a busybox httpd en un contenedor de bolsillo\n")
	fmt.Fprintf(b, "  El contenedor corre `%s`, con -p 127.0.0.1:0:%s.\n", shellJoin(httpServer), httpContainerPort)
	fmt.Fprintf(b, "  %d clientes a la vez, cada petición en una conexión TCP nueva (sin keep-alive); %d rondas\n"+
		"  por fila, alternando qué fila va primero, de hasta %d peticiones o %s cada una; cada\n"+
		"  respuesta se comprueba. Se mide en peticiones por segundo (req/s), no en ms: más es mejor.\n",
		h.Workers, h.Rounds, h.MaxRequests, formatSeconds(h.Duration))
	for _, row := range h.Rows {
		if row.Key == rowHTTPDocker {
			b.WriteString("  Docker sirve lo mismo desde la misma imagen con su docker-proxy; su «vs directo» se\n" +
				"  compara con el directo de bolsillo (la IP de un contenedor de Docker no es de este bench).\n")
		}
	}
	rates := table{
		indent: "  ",
		header: []string{"medición", "dirección", "peticiones", "tiempo", "rendimiento", "vs directo"},
		right:  []bool{false, false, true, true, true, true},
	}
	var direct float64
	for _, row := range h.Rows {
		if row.Key == rowHTTPDirect && row.Err == "" {
			direct = row.Rate()
		}
	}
	var notes []string
	for _, row := range h.Rows {
		if row.Err != "" {
			notes = append(notes, fmt.Sprintf("%s: no se pudo medir: %s", row.Label, row.Err))
			continue
		}
		vs := "-"
		if direct > 0 {
			vs = fmt.Sprintf("%.2fx", row.Rate()/direct)
		}
		rates.add(row.Label, row.URL, fmt.Sprint(row.Requests), formatSeconds(row.Elapsed), formatRate(row.Rate()), vs)
	}
	if len(rates.rows) > 0 {
		rates.WriteTo(b)
	}
	for _, n := range notes {
		fmt.Fprintf(b, "  %s\n", n)
	}
	if h.DockerNote != "" {
		fmt.Fprintf(b, "  %s\n", h.DockerNote)
	}
}

// formatSeconds prints a duration in seconds with two decimals.
func formatSeconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// jsonHTTP is the raw form of an HTTPBench.
type jsonHTTP struct {
	Command      []string      `json:"container_command"`
	Rounds       int           `json:"rounds"`
	Workers      int           `json:"workers"`
	MaxRequests  int           `json:"max_requests_per_round"`
	MaxSeconds   float64       `json:"max_seconds_per_round"`
	Measurements []jsonHTTPRow `json:"measurements"`
	DockerNote   string        `json:"docker_note,omitempty"`
}

type jsonHTTPRow struct {
	Name              string  `json:"name"`
	URL               string  `json:"url,omitempty"`
	Requests          int     `json:"requests,omitempty"`
	Seconds           float64 `json:"seconds,omitempty"`
	RequestsPerSecond float64 `json:"requests_per_second,omitempty"`
	Error             string  `json:"error,omitempty"`
}

// json returns the raw form of h.
func (h *HTTPBench) json() *jsonHTTP {
	out := &jsonHTTP{Command: httpServer, Rounds: h.Rounds, Workers: h.Workers, MaxRequests: h.MaxRequests, MaxSeconds: h.Duration.Seconds(), DockerNote: h.DockerNote}
	for _, row := range h.Rows {
		out.Measurements = append(out.Measurements, jsonHTTPRow{
			Name:              row.Key,
			URL:               row.URL,
			Requests:          row.Requests,
			Seconds:           row.Elapsed.Seconds(),
			RequestsPerSecond: row.Rate(),
			Error:             row.Err,
		})
	}
	return out
}

// shellJoin joins argv as a POSIX shell would read it back: an argument
// with anything but letters, digits and -_./:= goes in single quotes.
func shellJoin(argv []string) string {
	quoted := make([]string, len(argv))
	for i, arg := range argv {
		plain := arg != "" && strings.IndexFunc(arg, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=", r))
		}) < 0
		if plain {
			quoted[i] = arg
		} else {
			quoted[i] = "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
