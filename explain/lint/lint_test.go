package lint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"bolsillo/internal/golden"
)

// assertGolden compares got with testdata/<TestName>.golden.
func assertGolden(t *testing.T, got string) {
	t.Helper()
	golden.AssertString(t, got)
}

// lintDir lints dir/Dockerfile with dir as the build context.
func lintDir(t *testing.T, dir string) []Finding {
	t.Helper()
	df := filepath.Join(dir, "Dockerfile")
	b, err := os.ReadFile(df)
	if err != nil {
		t.Fatal(err)
	}
	return Lint(b, Context{Dir: dir, Dockerfile: df})
}

// copyDir copies the testdata case src into a temporary directory, for the
// cases whose context a test completes.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// heavyContext adds what a context should not send: a git repository,
// node_modules and a 12 MB file (sparse, so it costs no disk).
func heavyContext(t *testing.T, dir string) {
	t.Helper()
	for _, d := range []string{".git/objects", "node_modules/express"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".git/HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules/express/index.js"), []byte("module.exports = {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "video.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(12 << 20); err != nil {
		t.Fatal(err)
	}
}

// TestRules runs every rule on its two cases under testdata/rules: in
// "fires" it must report the listed lines, in "ok" (the same Dockerfile
// following the practice) nothing.
func TestRules(t *testing.T) {
	tests := []struct {
		rule  Rule
		lines []int
		setup func(t *testing.T, dir string) // completes both contexts
	}{
		{rule: ruleInvalid, lines: []int{0}},
		{rule: ruleConsecutiveRun, lines: []int{2, 6}},
		{rule: ruleOneInstall, lines: []int{2}},
		{rule: ruleMultiline, lines: []int{2}},
		{rule: ruleInstallYes, lines: []int{2}},
		{rule: ruleAptRecommends, lines: []int{2}},
		{rule: ruleAptUpdateAlone, lines: []int{2}},
		{rule: ruleAptLists, lines: []int{2}},
		{rule: ruleApkCache, lines: []int{2}},
		{rule: ruleAddLocal, lines: []int{2}},
		{rule: ruleAddURL, lines: []int{2}},
		{rule: ruleNoLabel, lines: []int{2}},
		{rule: ruleMaintainer, lines: []int{2}},
		{rule: ruleRootUser, lines: []int{5}},
		{rule: ruleSSH, lines: []int{2, 3, 4}},
		{rule: ruleSupervisor, lines: []int{2, 3}},
		{rule: ruleManyDaemons, lines: []int{2, 3}},
		{rule: ruleShellForm, lines: []int{2, 3}},
		{rule: ruleRepeated, lines: []int{2, 3, 4}},
		{rule: ruleFromTag, lines: []int{1, 2, 3}},
		{rule: ruleStageCasing, lines: []int{1}},
		{rule: ruleFromAsCasing, lines: []int{1, 2}},
		{rule: ruleRunCd, lines: []int{3}},
		{rule: ruleRelativeWorkdir, lines: []int{2}},
		{rule: ruleInteractive, lines: []int{2, 3, 4, 5}},
		{rule: ruleNoIgnore, lines: []int{0}, setup: heavyContext},
		{rule: ruleIgnoreComment, lines: []int{2}},
		{rule: ruleIgnoredSource, lines: []int{2, 3}},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.rule.ID] = true
		t.Run(tt.rule.ID+"-"+tt.rule.Name, func(t *testing.T) {
			base := filepath.Join("testdata", "rules", tt.rule.ID+"-"+tt.rule.Name)
			for _, variant := range []string{"fires", "ok"} {
				dir := filepath.Join(base, variant)
				if tt.setup != nil {
					dir = copyDir(t, dir)
					tt.setup(t, dir)
				}
				var lines []int
				for _, f := range lintDir(t, dir) {
					if f.Rule != tt.rule.ID {
						continue
					}
					lines = append(lines, f.Line)
					if f.Name != tt.rule.Name || f.Severity != tt.rule.Severity || f.Message == "" || f.Why == "" || f.Fix == "" {
						t.Errorf("%s: incomplete finding %+v", variant, f)
					}
				}
				want := tt.lines
				if variant == "ok" {
					want = nil
				}
				if !slices.Equal(lines, want) {
					t.Errorf("%s: %s at lines %v, want %v", variant, tt.rule.ID, lines, want)
				}
			}
		})
	}
	for _, r := range Rules() {
		if !tested[r.ID] {
			t.Errorf("rule %s (%s) has no case in TestRules", r.ID, r.Name)
		}
	}
}

// TestRuleTable checks that IDs and names are unique and well formed.
func TestRuleTable(t *testing.T) {
	ids, names := map[string]bool{}, map[string]bool{}
	for _, r := range Rules() {
		if len(r.ID) != 5 || !strings.HasPrefix(r.ID, "BP") || ids[r.ID] {
			t.Errorf("bad or repeated rule ID %q", r.ID)
		}
		if r.Name != strings.ToLower(r.Name) || strings.Contains(r.Name, " ") || names[r.Name] {
			t.Errorf("bad or repeated rule name %q", r.Name)
		}
		if r.Summary == "" {
			t.Errorf("rule %s has no summary", r.ID)
		}
		ids[r.ID], names[r.Name] = true, true
	}
}

// TestExamples checks the rewritten lines the fixes propose.
func TestExamples(t *testing.T) {
	tests := []struct {
		name, dockerfile, rule, want string
	}{
		{"yes_each_install", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install curl && apt install -y git && yum install vim\n", "BP010",
			"RUN apt-get update && apt-get install -y curl && apt install -y git && yum install -y vim"},
		{"no_recommends", "FROM ubuntu:24.04\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n", "BP011",
			"RUN apt-get update \\\n    && apt-get install --no-install-recommends -y curl \\\n    && rm -rf /var/lib/apt/lists/*"},
		{"lists_appended", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n", "BP013",
			"RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n    && rm -rf /var/lib/apt/lists/*"},
		{"update_merged_with_next", "FROM ubuntu:24.04\nRUN apt-get update\nRUN apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n", "BP012",
			"RUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*"},
		{"apk_no_cache", "FROM alpine:3.22\nRUN apk add curl git\n", "BP014", "RUN apk add --no-cache curl git"},
		{"run_group", "FROM busybox:1.37\nRUN mkdir /a\nRUN touch /a/b \\\n    /a/c\n", "BP001", "RUN mkdir /a \\\n    && touch /a/b \\\n    /a/c"},
		{"add_to_copy", "FROM busybox:1.37\nadd a.txt /a/\n", "BP020", "COPY a.txt /a/"},
		{"add_url_dir", "FROM busybox:1.37\nADD https://example.com/x/datos.csv /datos/\n", "BP021", "RUN wget -O /datos/datos.csv https://example.com/x/datos.csv"},
		{"maintainer_label", "FROM busybox:1.37\nMAINTAINER \"Ana\" <a@b.c>\n", "BP031", `LABEL org.opencontainers.image.authors="\"Ana\" <a@b.c>"`},
		{"user_alpine", "FROM alpine:3.22\nCMD [\"sh\"]\n", "BP040", "RUN adduser -D app\nUSER app"},
		{"user_debian", "FROM debian:bookworm-slim\nCMD [\"bash\"]\n", "BP040", "RUN useradd --create-home app\nUSER app"},
		{"user_scratch", "FROM scratch\nCOPY app /\nCMD [\"/app\"]\n", "BP040", "USER 65534:65534"},
		{"daemons_keep_foreground", "FROM debian:bookworm-slim\nCMD [\"sh\", \"-c\", \"service php-fpm start && nginx -g 'daemon off;'\"]\n", "BP052", `CMD ["nginx", "-g", "daemon off;"]`},
		{"daemons_keepalive_foreground", "FROM debian:bookworm-slim\nCMD service nginx start && tail -f /dev/null\n", "BP052", `CMD ["nginx", "-g", "daemon off;"]`},
		{"daemons_unknown_no_example", "FROM debian:bookworm-slim\nCMD service mi-app start && sleep infinity\n", "BP052", ""},
		{"json_same_as_daemons", "FROM debian:bookworm-slim\nCMD service nginx start && tail -f /dev/null\n", "BP060", `CMD ["nginx", "-g", "daemon off;"]`},
		{"json_simple", "FROM busybox:1.37\nCMD httpd -f -p 80\n", "BP060", `CMD ["httpd", "-f", "-p", "80"]`},
		{"json_variable", "FROM busybox:1.37\nCMD echo $HOME\n", "BP060", `CMD ["sh", "-c", "exec echo $HOME"]`},
		{"json_two_commands", "FROM busybox:1.37\nENTRYPOINT ./migrar && ./servir\n", "BP060", `ENTRYPOINT ["sh", "-c", "./migrar && ./servir"]`},
		{"from_known", "FROM python AS base\n", "BP070", "FROM python:3.13-slim AS base"},
		{"from_latest_unknown", "FROM mi/imagen:latest\n", "BP070", "FROM mi/imagen:VERSION"},
		{"stage_lower", "FROM golang:1.26 AS Build\n", "BP071", "FROM golang:1.26 AS build"},
		{"as_upper", "FROM golang:1.26 as build\n", "BP072", "FROM golang:1.26 AS build"},
		{"cd_relative_to_workdir", "FROM busybox:1.37\nWORKDIR /srv\nRUN cd web && make &&     make install\n", "BP080", "WORKDIR /srv/web\nRUN make \\\n    && make install"},
		{"cd_not_first", "FROM busybox:1.37\nRUN make && cd /x && ls\n", "BP080", ""},
		{"workdir_absolute", "FROM busybox:1.37\nWORKDIR ./app\n", "BP081", "WORKDIR /app"},
		{"adduser_alpine", "FROM alpine:3.22\nRUN adduser pepe\n", "BP090", "RUN adduser -D pepe"},
		{"passwd_chpasswd", "FROM alpine:3.22\nRUN passwd pepe\n", "BP090", "RUN echo 'pepe:CLAVE' | chpasswd"},
		{"read_arg", "FROM alpine:3.22\nRUN read -r PUERTO\n", "BP090", "ARG PUERTO=valor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Lint([]byte(tt.dockerfile), Context{}) {
				if f.Rule == tt.rule {
					got = append(got, f.Example)
				}
			}
			if len(got) != 1 {
				t.Fatalf("Lint(%q) gave %d %s findings, want 1", tt.dockerfile, len(got), tt.rule)
			}
			if got[0] != tt.want {
				t.Errorf("example =\n%s\nwant\n%s", got[0], tt.want)
			}
		})
	}
}

// TestPackageFlags checks how the package-manager rules read options.
func TestPackageFlags(t *testing.T) {
	tests := []struct {
		run        string
		asks       bool // BP010
		recommends bool // BP011
	}{
		{"apt-get install -y curl", false, true},
		{"apt-get install -qy curl", false, true},
		{"apt-get -yq install curl", false, true},
		{"apt-get install --yes --no-install-recommends curl", false, false},
		{"apt-get install --assume-yes -o APT::Install-Recommends=false curl", false, false},
		{"apt-get -o Dpkg::Options::=--force-confnew install curl", true, true},
		{"DEBIAN_FRONTEND=noninteractive apt-get install curl", true, true},
		{"yes | apt-get install --no-install-recommends curl", false, false},
		{"sudo apt install --no-install-recommends curl", true, false},
		{"apt-get -t bookworm-backports install -y curl", false, true},
		{"apt-get update", false, false},
		{"apt-get upgrade", true, false},
		{"dnf install -y git", false, false},
		{"yum update", true, false},
		{"echo apt-get install curl", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			df := "FROM ubuntu:24.04\nRUN " + tt.run + " && rm -rf /var/lib/apt/lists/*\n"
			var asks, recommends bool
			for _, f := range Lint([]byte(df), Context{}) {
				asks = asks || f.Rule == "BP010"
				recommends = recommends || f.Rule == "BP011"
			}
			if asks != tt.asks || recommends != tt.recommends {
				t.Errorf("BP010 = %v, BP011 = %v; want %v, %v", asks, recommends, tt.asks, tt.recommends)
			}
		})
	}
}

func TestSplitCommands(t *testing.T) {
	tests := []struct {
		line string
		want [][]string
		ops  []string
	}{
		{"a b && c", [][]string{{"a", "b"}, {"c"}}, []string{"&&", ""}},
		{`echo "x && y" 'a;b' c\ d`, [][]string{{"echo", "x && y", "a;b", "c d"}}, []string{""}},
		{"httpd -f & crond -f", [][]string{{"httpd", "-f"}, {"crond", "-f"}}, []string{"&", ""}},
		{"make >/dev/null 2>&1 || true; ls", [][]string{{"make"}, {"true"}, {"ls"}}, []string{"||", ";", ""}},
		{"cat < in.txt | sort > out.txt", [][]string{{"cat"}, {"sort"}}, []string{"|", ""}},
		{"echo $(date +%F) # comentario\nls", [][]string{{"echo", "$(date +%F)"}, {"ls"}}, []string{"\n", ""}},
		{"(cd sub && make) &> log", [][]string{{"cd", "sub"}, {"make"}}, []string{"&&", ")"}},
		{"echo ''", [][]string{{"echo", ""}}, []string{""}},
	}
	for _, tt := range tests {
		cmds := splitCommands(tt.line)
		var got [][]string
		var ops []string
		for _, c := range cmds {
			got = append(got, c.args)
			ops = append(ops, c.op)
		}
		if !reflect.DeepEqual(got, tt.want) || !slices.Equal(ops, tt.ops) {
			t.Errorf("splitCommands(%q) = %q %q, want %q %q", tt.line, got, ops, tt.want, tt.ops)
		}
	}
}

func TestCommandWords(t *testing.T) {
	c := splitCommands("DEBIAN_FRONTEND=noninteractive sudo -E /usr/bin/apt-get install -y x")[0]
	if got := c.words(); !slices.Equal(got, []string{"/usr/bin/apt-get", "install", "-y", "x"}) {
		t.Errorf("words = %q", got)
	}
	if c.name() != "apt-get" {
		t.Errorf("name = %q, want apt-get", c.name())
	}
}

// TestParseError: a Dockerfile the parser rejects gives one BP000.
func TestParseError(t *testing.T) {
	for name, df := range map[string]string{
		"bad_directive": "# escape=xx\nFROM busybox:1.37\n",
		"no_from":       "RUN echo hola\n",
		"empty":         "",
	} {
		t.Run(name, func(t *testing.T) {
			got := Lint([]byte(df), Context{})
			if len(got) != 1 || got[0].Rule != "BP000" || got[0].Severity != Error {
				t.Errorf("Lint(%q) = %+v, want a single BP000", df, got)
			}
		})
	}
}

// TestContextFromOwnIgnoreFile: "<Dockerfile>.dockerignore" replaces the
// context's .dockerignore, as in build.
func TestContextFromOwnIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile.dev":              "FROM busybox:1.37\nCOPY app.conf /etc/\n",
		"Dockerfile.dev.dockerignore": "app.conf\n",
		".dockerignore":               "*.log\n",
		"app.conf":                    "x\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	df := filepath.Join(dir, "Dockerfile.dev")
	var got []string
	for _, f := range Lint([]byte(files["Dockerfile.dev"]), Context{Dir: dir, Dockerfile: df}) {
		if f.Rule == "BP102" {
			got = append(got, f.Message)
		}
	}
	want := "`" + df + ".dockerignore` excluye `app.conf`, que este `COPY` necesita"
	if len(got) != 1 || got[0] != want {
		t.Errorf("BP102 messages = %q, want [%q]", got, want)
	}
}

// TestSorted: Dockerfile findings by line, then the .dockerignore's, then
// the context's.
func TestSorted(t *testing.T) {
	got := lintDir(t, filepath.Join("testdata", "samples", "curso"))
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a.File == b.File && a.Line > b.Line {
			t.Errorf("finding %d (%s line %d) after %s line %d", i, b.Rule, b.Line, a.Rule, a.Line)
		}
	}
	if last := got[len(got)-1]; !strings.HasSuffix(last.File, ".dockerignore") {
		t.Errorf("last finding is about %s, want the .dockerignore", last.File)
	}
}

// samples are whole Dockerfiles rendered in the golden tests.
var samples = []string{"curso", "limpio"}

func TestMarkdown(t *testing.T) {
	for _, name := range samples {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "samples", name)
			assertGolden(t, Markdown(lintDir(t, dir), filepath.Join(dir, "Dockerfile")))
		})
	}
}

func TestJSON(t *testing.T) {
	for _, name := range samples {
		t.Run(name, func(t *testing.T) {
			findings := lintDir(t, filepath.Join("testdata", "samples", name))
			b, err := JSON(findings)
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, string(b))
			var back []Finding
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("the JSON does not decode: %v", err)
			}
			if len(back) != len(findings) || (len(back) > 0 && !reflect.DeepEqual(back, findings)) {
				t.Errorf("decoded findings differ from the encoded ones")
			}
		})
	}
}

func TestAdvice(t *testing.T) {
	dir := filepath.Join("testdata", "samples", "curso")
	df := filepath.Join(dir, "Dockerfile")
	assertGolden(t, Advice(lintDir(t, dir), df, "bolsillo lint "+dir))
	if got := Advice(nil, "Dockerfile", "bolsillo lint ."); got != "" {
		t.Errorf("Advice(nil) = %q, want nothing", got)
	}
}

// FuzzLint: no Dockerfile makes the linter panic, and every finding names
// a known rule.
func FuzzLint(f *testing.F) {
	for _, r := range Rules() {
		for _, v := range []string{"fires", "ok"} {
			if b, err := os.ReadFile(filepath.Join("testdata", "rules", r.ID+"-"+r.Name, v, "Dockerfile")); err == nil {
				f.Add(b)
			}
		}
	}
	known := map[string]bool{}
	for _, r := range Rules() {
		known[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, df []byte) {
		for _, finding := range Lint(df, Context{}) {
			if !known[finding.Rule] {
				t.Errorf("unknown rule %q", finding.Rule)
			}
		}
	})
}
