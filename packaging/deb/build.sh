#!/usr/bin/env bash
# Builds the omlha-agent Debian package (Architecture: all) with dpkg-deb and prints its path as its last line, as
# packaging/rpm/build.sh does for the RPM. Same files as the RPM; Debian's places for the unit and the docs.
#
#   packaging/deb/build.sh            # packages agent-core/target/omlha-agent.jar, building it first when it is
#                                     # missing or older than a pom.xml or a file under */src/main
#   packaging/deb/build.sh --rebuild  # always runs `mvn -B -q -DskipTests package` first
#
# Everything it writes stays under target/deb at the repository root. Needs dpkg-deb (every Debian has it).
# Check the result with: lintian "$(packaging/deb/build.sh)"
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cd "$root"
. packaging/jar.sh
omlha_parse_options "$@"

command -v dpkg-deb >/dev/null || { echo "build.sh: dpkg-deb not found (it comes with dpkg)" >&2; exit 1; }

omlha_ensure_jar "$rebuild"

# 0.1.0-SNAPSHOT -> 0.1.0~snapshot-1 (sorts before the 0.1.0-1 release); 0.1.0 -> 0.1.0-1.
omlha_project_version
version=${project_version%-SNAPSHOT}
if [ "$version" != "$project_version" ]; then version="$version~snapshot"; fi
version="$version-1"

out=$root/target/deb
stage=$out/omlha-agent
rm -rf "$out"
mkdir -p "$stage/DEBIAN"
deb=packaging/deb
doc=$stage/usr/share/doc/omlha-agent

install -D -m 0755 bin/omlha-agent "$stage/usr/bin/omlha-agent"
install -D -m 0644 "$jar" "$stage/usr/share/omlha-agent/omlha-agent.jar"
# 0640 root:omlha once postinst has made the group (secrets such as a PostgreSQL password may go in it).
install -D -m 0640 packaging/rpm/agent.conf "$stage/etc/omlha/agent.conf"
chmod 0750 "$stage/etc/omlha"
# bookworm's systemd and lintian expect units under /lib (merged /usr makes it the same directory).
install -D -m 0644 packaging/systemd/omlha-agent.service "$stage/lib/systemd/system/omlha-agent.service"
install -D -m 0644 packaging/sysctl/90-omlha.conf "$stage/usr/lib/sysctl.d/90-omlha.conf"
install -D -m 0644 README.md "$doc/README.md"
gzip -9n "$doc/README.md"
install -D -m 0644 "$deb/copyright" "$doc/copyright"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")/" \
  "$deb/changelog" | gzip -9n > "$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"
install -D -m 0644 "$deb/lintian-overrides" "$stage/usr/share/lintian/overrides/omlha-agent"

for script in postinst prerm postrm; do
  install -m 0755 "$deb/$script" "$stage/DEBIAN/$script"
done
install -m 0644 "$deb/conffiles" "$stage/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed "s/@VERSION@/$version/; s/@INSTALLED_SIZE@/$installed_size/" "$deb/control" > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

deb_file=$out/omlha-agent_${version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb_file" >&2
echo "$deb_file"
