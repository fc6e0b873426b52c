package lint

import "strings"

// command is one simple command of a shell line: its words, without
// redirections, and the operator that ends it.
type command struct {
	args []string
	// op is the operator after the command: "&&", "||", ";", "|", "&",
	// "\n" or "" at the end of the line.
	op string
}

// background reports whether the shell leaves the command running in the
// background (a single "&" after it).
func (c command) background() bool {
	return c.op == "&"
}

// prefixes are words that run the next word as the real command.
var prefixes = map[string]bool{"sudo": true, "exec": true, "nohup": true, "env": true, "time": true, "command": true}

// words returns the command's words from the program on: leading variable
// assignments (DEBIAN_FRONTEND=noninteractive) and wrappers such as sudo,
// exec or nohup are skipped, with their options.
func (c command) words() []string {
	w := c.args
	for len(w) > 0 {
		switch {
		case isAssignment(w[0]):
			w = w[1:]
		case prefixes[w[0]]:
			w = w[1:]
			for len(w) > 0 && strings.HasPrefix(w[0], "-") {
				w = w[1:]
			}
		default:
			return w
		}
	}
	return nil
}

// name returns the program the command runs, without its directory.
func (c command) name() string {
	w := c.words()
	if len(w) == 0 {
		return ""
	}
	name := w[0]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// isAssignment reports whether w is NAME=value.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// splitCommands splits a POSIX shell line into simple commands. It is not a
// full shell parser: it knows quotes, backslash escapes, comments, the
// command operators and redirections, which is what the rules need to find
// programs and their arguments. Subshells and braces only separate
// commands; $(...) stays inside its word.
func splitCommands(s string) []command {
	var (
		out      []command
		cur      command
		word     strings.Builder
		inWord   bool
		skipNext bool // the next word is a redirection target
	)
	flushWord := func() {
		if !inWord {
			return
		}
		if skipNext {
			skipNext = false
		} else {
			cur.args = append(cur.args, word.String())
		}
		word.Reset()
		inWord = false
	}
	endCommand := func(op string) {
		flushWord()
		if len(cur.args) > 0 {
			cur.op = op
			out = append(out, cur)
		} else if op == "&" && len(out) > 0 {
			out[len(out)-1].op = op
		}
		cur = command{}
	}
	rs := []rune(s)
	depth := 0 // inside $( ... )
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := func(k int) rune {
			if i+k < len(rs) {
				return rs[i+k]
			}
			return 0
		}
		switch {
		case r == '\\':
			if next(1) == '\n' {
				i++
				continue
			}
			if i+1 < len(rs) {
				i++
				word.WriteRune(rs[i])
			}
			inWord = true
		case r == '\'':
			inWord = true
			for i++; i < len(rs) && rs[i] != '\''; i++ {
				word.WriteRune(rs[i])
			}
		case r == '"':
			inWord = true
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[i+1]) {
					i++
				}
				word.WriteRune(rs[i])
			}
		case r == '$' && next(1) == '(':
			depth++
			inWord = true
			word.WriteString("$(")
			i++
		case depth > 0:
			if r == ')' {
				depth--
			}
			word.WriteRune(r)
		case r == '#' && !inWord:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			i--
		case r == ' ' || r == '\t':
			flushWord()
		case r == '\n':
			endCommand("\n")
		case r == '&' && next(1) == '&':
			endCommand("&&")
			i++
		case r == '|' && next(1) == '|':
			endCommand("||")
			i++
		case r == '&' && next(1) == '>':
			flushWord()
			i++
			if next(1) == '>' {
				i++
			}
			skipNext = true
		case r == '&':
			endCommand("&")
		case r == '|', r == ';', r == '(', r == ')':
			endCommand(string(r))
		case r == '>' || r == '<':
			// "2>&1", ">file", ">> file", "<in": drop a file descriptor
			// number before it and the target after it.
			if inWord && isDigits(word.String()) {
				word.Reset()
				inWord = false
			}
			flushWord()
			for next(1) == '>' || next(1) == '<' {
				i++
			}
			if next(1) == '&' {
				i++
				for j := next(1); (j >= '0' && j <= '9') || j == '-'; j = next(1) {
					i++
				}
				continue
			}
			skipNext = true
		default:
			inWord = true
			word.WriteRune(r)
		}
	}
	endCommand("")
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
