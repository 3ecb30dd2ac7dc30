#!/usr/bin/env bash
# Builds the omlha-agent RPM (noarch) with rpmbuild and prints its path as its last line (CONTRACT.md).
#
#   packaging/rpm/build.sh            # packages agent-core/target/omlha-agent.jar, building it first when it is
#                                     # missing or older than a pom.xml or a file under */src/main
#   packaging/rpm/build.sh --rebuild  # always runs `mvn -B -q -DskipTests package` first
#
# Everything it writes stays under target/rpmbuild at the repository root. Needs rpmbuild (Debian: apt-get install rpm).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cd "$root"
. packaging/jar.sh
omlha_parse_options "$@"

command -v rpmbuild >/dev/null || { echo "build.sh: rpmbuild not found (Debian: apt-get install rpm)" >&2; exit 1; }

omlha_ensure_jar "$rebuild"

# 0.1.0-SNAPSHOT -> Version 0.1.0, Release 0.snapshot (sorts before the 0.1.0-1 release); 0.1.0 -> 0.1.0-1.
omlha_project_version
version=${project_version%-SNAPSHOT}
if [ "$version" != "$project_version" ]; then release=0.snapshot; else release=1; fi

topdir=$root/target/rpmbuild
rm -rf "$topdir"
mkdir -p "$topdir"/{SOURCES,SPECS,BUILD,BUILDROOT,RPMS,SRPMS}
cp "$jar" bin/omlha-agent packaging/rpm/agent.conf packaging/systemd/omlha-agent.service \
   packaging/sysctl/90-omlha.conf README.md "$topdir/SOURCES/"
cp packaging/rpm/omlha-agent.spec "$topdir/SPECS/"

rpmbuild -bb --quiet \
  --define "_topdir $topdir" \
  --define "omlha_version $version" \
  --define "omlha_release $release" \
  "$topdir/SPECS/omlha-agent.spec" >&2

rpm_file=$(find "$topdir/RPMS" -name 'omlha-agent-*.noarch.rpm' -print -quit)
[ -n "$rpm_file" ] || { echo "build.sh: rpmbuild produced no RPM" >&2; exit 1; }
echo "$rpm_file"
