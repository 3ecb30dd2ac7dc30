# Sourced by packaging/rpm/build.sh and packaging/deb/build.sh, at the repository root: what both packages start from.

# build.sh [--rebuild]: sets $rebuild (yes: always run Maven first); anything else is a usage error, exit 2.
omlha_parse_options() {
  rebuild=no
  case "${1:-}" in
    "") ;;
    --rebuild) rebuild=yes ;;
    *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
  esac
}

# The shipped jar, built first when it is missing, older than a pom.xml or a file under */src/main, or when the
# first argument is "yes" (--rebuild). Sets $jar.
omlha_ensure_jar() {
  jar=agent-core/target/omlha-agent.jar
  if [ "$1" = no ] && [ -f "$jar" ] \
      && [ -z "$(find pom.xml ./*/pom.xml ./*/src/main -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
    echo "build.sh: packaging the existing $jar" >&2
  else
    echo "build.sh: mvn -B -q -DskipTests package" >&2
    mvn -B -q -DskipTests package >&2
  fi
}

# The project's version from pom.xml (e.g. 0.1.0-SNAPSHOT). Sets $project_version.
omlha_project_version() {
  project_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -n 1)
  [ -n "$project_version" ] || { echo "build.sh: no <version> in pom.xml" >&2; exit 1; }
}
