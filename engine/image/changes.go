package image

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"bolsillo/engine/errdefs"
)

// applyChanges applies Dockerfile instructions, as given to
// `docker import --change`, to config in order. Keywords are
// case-insensitive. Supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
// STOPSIGNAL, USER, VOLUME and WORKDIR. Variables ($NAME, ${NAME}) are
// expanded from the ENV set so far, except in the shell form of CMD and
// ENTRYPOINT, which the shell expands when the container starts. An unknown
// or malformed instruction is an invalid-parameter error.
func applyChanges(config *dockerspec.DockerOCIImageConfig, changes []string) error {
	for _, change := range changes {
		if err := applyChange(config, change); err != nil {
			return errdefs.Classify(errdefs.KindInvalidParameter, err)
		}
	}
	return nil
}

func applyChange(config *dockerspec.DockerOCIImageConfig, change string) error {
	change = strings.TrimSpace(change)
	if change == "" {
		return nil
	}
	keyword, args := cutWord(change)
	keyword = strings.ToUpper(keyword)
	env := func(name string) string { return lookupEnv(config.Env, name) }

	switch keyword {
	case "CMD", "ENTRYPOINT":
		if args == "" {
			return fmt.Errorf("%s requires at least one argument", keyword)
		}
		cmd := commandForm(args, config.Shell)
		if keyword == "CMD" {
			config.Cmd = cmd
		} else {
			config.Entrypoint = cmd
		}
	case "ENV":
		pairs, err := parseKeyValues(keyword, args, env)
		if err != nil {
			return err
		}
		for _, kv := range pairs {
			config.Env = setEnv(config.Env, kv[0], kv[1])
		}
	case "LABEL":
		pairs, err := parseKeyValues(keyword, args, env)
		if err != nil {
			return err
		}
		if config.Labels == nil {
			config.Labels = make(map[string]string)
		}
		for _, kv := range pairs {
			config.Labels[kv[0]] = kv[1]
		}
	case "EXPOSE":
		words, err := lex(args, env, true)
		if err != nil {
			return err
		}
		if len(words) == 0 {
			return fmt.Errorf("EXPOSE requires at least one argument")
		}
		for _, w := range words {
			ports, err := parsePorts(w)
			if err != nil {
				return err
			}
			if config.ExposedPorts == nil {
				config.ExposedPorts = make(map[string]struct{})
			}
			for _, p := range ports {
				config.ExposedPorts[p] = struct{}{}
			}
		}
	case "VOLUME":
		vols, err := parseList(args, env)
		if err != nil {
			return err
		}
		if len(vols) == 0 {
			return fmt.Errorf("VOLUME requires at least one argument")
		}
		for _, v := range vols {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("VOLUME specified can not be an empty string")
			}
			if config.Volumes == nil {
				config.Volumes = make(map[string]struct{})
			}
			config.Volumes[v] = struct{}{}
		}
	case "USER", "WORKDIR", "STOPSIGNAL":
		word, err := singleWord(keyword, args, env)
		if err != nil {
			return err
		}
		switch keyword {
		case "USER":
			config.User = word
		case "WORKDIR":
			if !filepath.IsAbs(word) {
				word = filepath.Join("/", config.WorkingDir, word)
			}
			config.WorkingDir = word
		case "STOPSIGNAL":
			if err := checkSignal(word); err != nil {
				return err
			}
			config.StopSignal = word
		}
	case "ONBUILD":
		trigger, _ := cutWord(args)
		switch t := strings.ToUpper(trigger); {
		case t == "":
			return fmt.Errorf("ONBUILD requires at least one argument")
		case t == "ONBUILD":
			return fmt.Errorf("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
		case t == "FROM" || t == "MAINTAINER":
			return fmt.Errorf("%s isn't allowed as an ONBUILD trigger", t)
		case !dockerfileInstructions[t]:
			return fmt.Errorf("unknown instruction: %s", trigger)
		}
		config.OnBuild = append(config.OnBuild, args)
	default:
		// Docker names it as its parser keeps it, in lower case.
		return fmt.Errorf("%s is not a valid change command", strings.ToLower(keyword))
	}
	return nil
}

// cutWord splits s at its first run of white space.
func cutWord(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// dockerfileInstructions are the instructions an ONBUILD trigger may use.
var dockerfileInstructions = map[string]bool{
	"ADD": true, "ARG": true, "CMD": true, "COPY": true, "ENTRYPOINT": true, "ENV": true,
	"EXPOSE": true, "HEALTHCHECK": true, "LABEL": true, "RUN": true, "SHELL": true,
	"STOPSIGNAL": true, "USER": true, "VOLUME": true, "WORKDIR": true,
}

// commandForm returns the command of a CMD or ENTRYPOINT: the JSON array of
// the exec form, or the shell form run by shell (default /bin/sh -c). As in
// Docker, text that is not a valid JSON array of strings is shell form.
func commandForm(args string, shell []string) []string {
	if strings.HasPrefix(args, "[") {
		var cmd []string
		if err := json.Unmarshal([]byte(args), &cmd); err == nil {
			return cmd
		}
	}
	if len(shell) == 0 {
		shell = []string{"/bin/sh", "-c"}
	}
	return append(append([]string{}, shell...), args)
}

// parseList parses the JSON array or the space-separated words of VOLUME.
func parseList(args string, env func(string) string) ([]string, error) {
	if strings.HasPrefix(args, "[") {
		var list []string
		if err := json.Unmarshal([]byte(args), &list); err == nil {
			return list, nil
		}
	}
	return lex(args, env, true)
}

// singleWord returns the argument of an instruction that takes one word,
// with quotes removed and variables expanded.
func singleWord(keyword, args string, env func(string) string) (string, error) {
	words, err := lex(args, env, false)
	if err != nil {
		return "", err
	}
	if len(words) != 1 || words[0] == "" {
		return "", fmt.Errorf("%s requires exactly one argument", keyword)
	}
	return words[0], nil
}

// parseKeyValues parses the arguments of ENV and LABEL: `k=v k2="v 2"`, or
// the legacy `k some value` form, which sets one key to the rest of the line.
func parseKeyValues(keyword, args string, env func(string) string) ([][2]string, error) {
	words, err := lex(args, env, true)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("%s requires at least one argument", keyword)
	}
	if !strings.Contains(words[0], "=") {
		key, rest := cutWord(args)
		if rest == "" {
			return nil, fmt.Errorf("%s names can not be blank and need a value: %q", keyword, args)
		}
		value, err := lex(rest, env, false)
		if err != nil {
			return nil, err
		}
		return [][2]string{{key, value[0]}}, nil
	}
	pairs := make([][2]string, 0, len(words))
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s: %q is not of the form key=value", keyword, w)
		}
		pairs = append(pairs, [2]string{k, v})
	}
	return pairs, nil
}

// lex splits s into words the way a Dockerfile does: single quotes keep
// everything literal, double quotes keep spaces and allow \" \\ \$, a
// backslash outside quotes escapes the next character, and $NAME or ${NAME}
// expand through env. With split false, spaces do not separate words and
// the result is a single word.
func lex(s string, env func(string) string, split bool) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case split && (c == ' ' || c == '\t'):
			flush()
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unexpected end of statement while looking for matching single-quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				switch {
				case s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$", s[i+1]) >= 0:
					i++
					cur.WriteByte(s[i])
				case s[i] == '$':
					i += expand(s[i:], env, &cur) - 1
				default:
					cur.WriteByte(s[i])
				}
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unexpected end of statement while looking for matching double-quote")
			}
		case c == '$':
			inWord = true
			i += expand(s[i:], env, &cur) - 1
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	flush()
	if !split && len(words) == 0 {
		words = []string{""}
	}
	return words, nil
}

// expand writes the expansion of the variable at the start of s (which
// starts with '$') to w and returns how many bytes of s it used. A '$' that
// starts no variable is written as it is.
func expand(s string, env func(string) string, w *strings.Builder) int {
	if strings.HasPrefix(s, "${") {
		end := strings.IndexByte(s, '}')
		if end > 2 && isName(s[2:end]) {
			w.WriteString(env(s[2:end]))
			return end + 1
		}
		w.WriteByte('$')
		return 1
	}
	n := 1
	for n < len(s) && (s[n] == '_' || unicode.IsLetter(rune(s[n])) || n > 1 && unicode.IsDigit(rune(s[n]))) {
		n++
	}
	if n == 1 {
		w.WriteByte('$')
		return 1
	}
	w.WriteString(env(s[1:n]))
	return n
}

func isName(s string) bool {
	for i, c := range s {
		if c != '_' && !unicode.IsLetter(c) && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return s != ""
}

func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// setEnv sets name=value in env, replacing an earlier value in place.
func setEnv(env []string, name, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			env[i] = name + "=" + value
			return env
		}
	}
	return append(env, name+"="+value)
}

// parsePorts parses an EXPOSE argument: "80", "80/tcp", "53/udp",
// "8000-8002/tcp". It returns the ports in "port/proto" form.
func parsePorts(spec string) ([]string, error) {
	portSpec, proto, hasProto := strings.Cut(spec, "/")
	if !hasProto {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return nil, fmt.Errorf("invalid proto: %s", proto)
	}
	lo, hi, isRange := strings.Cut(portSpec, "-")
	first, err := parsePort(lo)
	if err != nil {
		return nil, fmt.Errorf("invalid containerPort: %s", spec)
	}
	last := first
	if isRange {
		if last, err = parsePort(hi); err != nil || last < first {
			return nil, fmt.Errorf("invalid containerPort: %s", spec)
		}
	}
	var ports []string
	for p := first; p <= last; p++ {
		ports = append(ports, strconv.Itoa(p)+"/"+proto)
	}
	return ports, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("invalid port %q", s)
	}
	return p, nil
}

// checkSignal accepts a signal number or name, with or without "SIG":
// "9", "SIGKILL", "kill".
func checkSignal(s string) error {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return fmt.Errorf("invalid signal: %s", s)
		}
		return nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if unix.SignalNum(name) != 0 {
		return nil
	}
	// Real-time signals: SIGRTMIN, SIGRTMIN+3, SIGRTMAX-1.
	for _, base := range []string{"SIGRTMIN", "SIGRTMAX"} {
		rest, ok := strings.CutPrefix(name, base)
		if !ok {
			continue
		}
		if rest == "" {
			return nil
		}
		if n, err := strconv.Atoi(rest); err == nil && n >= -30 && n <= 30 && (rest[0] == '+' || rest[0] == '-') {
			return nil
		}
	}
	return fmt.Errorf("invalid signal: %s", s)
}
