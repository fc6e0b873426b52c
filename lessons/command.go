package lessons

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Kinds of solution lines.
const (
	CmdBolsillo = "bolsillo" // a bolsillo command line, run in-process
	CmdCurl     = "curl"     // an HTTP GET to 127.0.0.1
	CmdEsperar  = "esperar"  // a pause of a few seconds
)

// maxWait caps `esperar`.
const maxWait = 5 * time.Second

// Command is one parsed line of a step's solucion.
type Command struct {
	Line       string        // the line as written, without its comment
	Kind       string        // CmdBolsillo, CmdCurl or CmdEsperar
	Args       []string      // bolsillo: the arguments after "bolsillo"
	URL        string        // curl
	Wait       time.Duration // esperar
	ExpectFail bool          // the line starts with "!": it must fail
}

// ParseCommand parses one solution line: `bolsillo ARGS...` (quoted as in
// sh, optionally ending in `# comentario`, optionally prefixed with `!` when
// it must fail), `curl http://127.0.0.1:PORT/...` or `esperar SEGUNDOS`.
func ParseCommand(line string) (Command, error) {
	words, err := splitWords(line)
	if err != nil {
		return Command{}, err
	}
	c := Command{}
	if len(words) > 0 && words[0] == "!" {
		c.ExpectFail = true
		words = words[1:]
	} else if len(words) > 0 && strings.HasPrefix(words[0], "!") {
		c.ExpectFail = true
		words[0] = words[0][1:]
	}
	if len(words) == 0 {
		return Command{}, errors.New("línea vacía")
	}
	c.Line = strings.Join(quoteAll(words), " ")
	if c.ExpectFail {
		c.Line = "! " + c.Line
	}
	switch c.Kind = words[0]; c.Kind {
	case CmdBolsillo:
		if len(words) < 2 {
			return Command{}, errors.New("falta el comando de bolsillo")
		}
		c.Args = words[1:]
	case CmdCurl:
		args := words[1:]
		for len(args) > 0 && (args[0] == "-s" || args[0] == "-f" || args[0] == "-sf" || args[0] == "-fs") {
			args = args[1:]
		}
		if len(args) != 1 {
			return Command{}, errors.New("escribe `curl URL`")
		}
		if err := localURL(args[0]); err != nil {
			return Command{}, err
		}
		c.URL = args[0]
	case CmdEsperar:
		if len(words) != 2 || c.ExpectFail {
			return Command{}, errors.New("escribe `esperar SEGUNDOS`")
		}
		secs, err := strconv.ParseFloat(words[1], 64)
		if err != nil || secs <= 0 {
			return Command{}, fmt.Errorf("%q no es un número de segundos", words[1])
		}
		c.Wait = time.Duration(secs * float64(time.Second))
		if c.Wait > maxWait {
			return Command{}, fmt.Errorf("como mucho %s", maxWait)
		}
	default:
		return Command{}, fmt.Errorf("%q: una línea de solución empieza por `bolsillo`, `curl` o `esperar`", c.Kind)
	}
	return c, nil
}

// localURL accepts only http://127.0.0.1:PORT/... (and localhost).
func localURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(u.Host)
	if u.Scheme != "http" || err != nil || port == "" || (host != "127.0.0.1" && host != "localhost") {
		return fmt.Errorf("%q: solo se permite http://127.0.0.1:PUERTO/...", raw)
	}
	return nil
}

// splitWords splits line into words as sh would: single quotes keep
// everything, double quotes allow \" \\ \$ \`, a backslash outside quotes
// escapes the next character, and an unquoted # at the start of a word
// starts a comment.
func splitWords(line string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inTok bool
	)
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t' || r == '\n':
			if inTok {
				words = append(words, cur.String())
				cur.Reset()
				inTok = false
			}
		case r == '#' && !inTok:
			i = len(rs)
		case r == '\'':
			inTok = true
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				cur.WriteRune(rs[j])
				j++
			}
			if j == len(rs) {
				return nil, errors.New("falta cerrar una comilla simple")
			}
			i = j
		case r == '"':
			inTok = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[j+1]) {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, errors.New("faltan cerrar unas comillas dobles")
			}
			i = j
		case r == '\\':
			inTok = true
			if i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			}
		default:
			inTok = true
			cur.WriteRune(r)
		}
	}
	if inTok {
		words = append(words, cur.String())
	}
	return words, nil
}

// quoteAll quotes each word so that it reads back as one word in sh.
func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = shQuote(w)
	}
	return out
}

func shQuote(w string) string {
	if w == "" {
		return "''"
	}
	if strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
