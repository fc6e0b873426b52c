package lint

// Rule describes one check.
type Rule struct {
	// ID is stable: tools may filter on it. "BP" stands for "buenas
	// prácticas"; the tens group the rules by topic.
	ID string
	// Name is a short Spanish name, in kebab-case.
	Name     string
	Severity Severity
	// BuildKit is the name of BuildKit's build check for the same
	// practice, when there is one.
	BuildKit string
	// Summary says what the rule checks, in one Spanish sentence.
	Summary string
}

// The rules. Groups: 0 layers, 1 packages, 2 ADD, 3 metadata, 4 user,
// 5 one service per container, 6 CMD/ENTRYPOINT, 7 FROM, 8 WORKDIR,
// 9 interactive commands, 10 .dockerignore.
var (
	ruleInvalid = Rule{"BP000", "dockerfile-invalido", Error, "",
		"El Dockerfile se puede leer y empieza por `FROM`."}
	ruleConsecutiveRun = Rule{"BP001", "run-consecutivos", Warning, "",
		"Varios `RUN` seguidos que podrían ser uno solo (pocas capas)."}
	ruleOneInstall = Rule{"BP002", "instalar-de-una-vez", Info, "",
		"Varios comandos de instalación en la misma etapa: mejor uno solo con todos los paquetes (varios argumentos en una sola capa)."}
	ruleMultiline = Rule{"BP003", "run-multilinea", Info, "",
		"Un `RUN` largo en una sola línea: mejor partido en varias con `\\`."}
	ruleInstallYes = Rule{"BP010", "instalar-sin-y", Error, "",
		"`apt-get install` (o `apt`, `yum`, `dnf`) sin `-y`: pregunta y la construcción no puede responder."}
	ruleAptRecommends = Rule{"BP011", "apt-recomendados", Warning, "",
		"`apt-get install` sin `--no-install-recommends` instala paquetes que no pediste."}
	ruleAptUpdateAlone = Rule{"BP012", "apt-update-solo", Warning, "",
		"`apt-get update` en un `RUN` sin el `install`: la caché deja la lista de paquetes vieja."}
	ruleAptLists = Rule{"BP013", "apt-cache", Warning, "",
		"`apt-get install` sin borrar `/var/lib/apt/lists/*` en el mismo `RUN`."}
	ruleApkCache = Rule{"BP014", "apk-cache", Warning, "",
		"`apk add` sin `--no-cache`."}
	ruleAddLocal = Rule{"BP020", "add-en-vez-de-copy", Warning, "",
		"`ADD` de archivos locales, donde basta `COPY`."}
	ruleAddURL = Rule{"BP021", "add-url", Warning, "",
		"`ADD` de una URL sin `--checksum`."}
	ruleNoLabel = Rule{"BP030", "sin-label", Info, "",
		"La imagen no lleva metadatos (`LABEL`)."}
	ruleMaintainer = Rule{"BP031", "maintainer", Warning, "MaintainerDeprecated",
		"`MAINTAINER` está obsoleto: el autor va en un `LABEL`."}
	ruleRootUser = Rule{"BP040", "usuario-root", Warning, "",
		"La imagen final corre como root: falta `USER` o el último es root."}
	ruleSSH = Rule{"BP050", "ssh", Warning, "",
		"Un servidor SSH dentro del contenedor."}
	ruleSupervisor = Rule{"BP051", "supervisord", Warning, "",
		"`supervisord` para varios servicios en un contenedor."}
	ruleManyDaemons = Rule{"BP052", "varios-procesos", Warning, "",
		"`CMD`/`ENTRYPOINT` arranca varios servicios (`service ... start`, `&`)."}
	ruleShellForm = Rule{"BP060", "cmd-forma-shell", Warning, "JSONArgsRecommended",
		"`CMD`/`ENTRYPOINT` en forma shell: mejor en forma JSON."}
	ruleRepeated = Rule{"BP061", "instruccion-repetida", Warning, "MultipleInstructionsDisallowed",
		"Varios `CMD` (o `ENTRYPOINT`) en una etapa: solo cuenta el último."}
	ruleFromTag = Rule{"BP070", "from-sin-tag", Warning, "",
		"`FROM` sin etiqueta o con `latest`."}
	ruleStageCasing = Rule{"BP071", "etapa-en-minusculas", Info, "StageNameCasing",
		"El nombre de una etapa lleva mayúsculas."}
	ruleFromAsCasing = Rule{"BP072", "from-as-mayusculas", Info, "FromAsCasing",
		"`FROM` y `AS` escritos con distinta caja (`FROM x as y`)."}
	ruleRunCd = Rule{"BP080", "run-cd", Warning, "",
		"`cd` dentro de un `RUN`: para eso está `WORKDIR`."}
	ruleRelativeWorkdir = Rule{"BP081", "workdir-relativo", Warning, "WorkdirRelativePath",
		"`WORKDIR` relativo sin un `WORKDIR` absoluto antes en la etapa."}
	ruleInteractive = Rule{"BP090", "comando-interactivo", Error, "",
		"Un comando que espera al teclado (`read`, `vi`, `nano`, `passwd`, `adduser` sin `-D`)."}
	ruleNoIgnore = Rule{"BP100", "sin-dockerignore", Warning, "",
		"No hay `.dockerignore` y el contexto lleva `.git`, `node_modules` o archivos grandes."}
	ruleIgnoreComment = Rule{"BP101", "dockerignore-comentario", Warning, "",
		"Un comentario en la misma línea que un patrón de `.dockerignore`."}
	ruleIgnoredSource = Rule{"BP102", "dockerignore-excluye-copy", Error, "CopyIgnoredFile",
		"`.dockerignore` excluye un archivo que un `COPY`/`ADD` necesita."}
)

// allRules lists every rule, in ID order.
var allRules = []Rule{
	ruleInvalid, ruleConsecutiveRun, ruleOneInstall, ruleMultiline,
	ruleInstallYes, ruleAptRecommends, ruleAptUpdateAlone, ruleAptLists, ruleApkCache,
	ruleAddLocal, ruleAddURL,
	ruleNoLabel, ruleMaintainer,
	ruleRootUser,
	ruleSSH, ruleSupervisor, ruleManyDaemons,
	ruleShellForm, ruleRepeated,
	ruleFromTag, ruleStageCasing, ruleFromAsCasing,
	ruleRunCd, ruleRelativeWorkdir,
	ruleInteractive,
	ruleNoIgnore, ruleIgnoreComment, ruleIgnoredSource,
}

// Rules returns every rule, in ID order.
func Rules() []Rule {
	return append([]Rule(nil), allRules...)
}

// dockerfileChecks run in this order on a parsed Dockerfile; the context
// checks run after them.
var dockerfileChecks = []func(*linter){
	(*linter).checkLayers,
	(*linter).checkPackages,
	(*linter).checkAdd,
	(*linter).checkMetadata,
	(*linter).checkUser,
	(*linter).checkServices,
	(*linter).checkCmd,
	(*linter).checkFrom,
	(*linter).checkWorkdir,
	(*linter).checkInteractive,
}
